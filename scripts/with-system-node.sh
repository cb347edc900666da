#!/bin/sh
# Runs node with the given arguments on the machine's own Node: the first `node` on PATH outside node_modules/.bin
# (npm scripts put the node@22 dev dependency first, for the Lambda runtime; this is the other half of the matrix).
IFS=:
for dir in $PATH; do
  case "$dir" in */node_modules/.bin) continue ;; esac
  if [ -x "$dir/node" ]; then exec "$dir/node" "$@"; fi
done
echo "with-system-node: no node on PATH outside node_modules/.bin" >&2
exit 1
