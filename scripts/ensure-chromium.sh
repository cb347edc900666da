#!/bin/sh
# The browser end-to-end test drives Debian's Chromium (playwright-core never downloads a browser).
# Installs it when missing and this machine can (apt-get as root, or passwordless sudo); otherwise fails saying how.
set -eu
browser="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$browser" ]; then exit 0; fi
if [ -n "${CHROMIUM_PATH:-}" ]; then
  echo "ensure-chromium: CHROMIUM_PATH=$CHROMIUM_PATH is not an executable" >&2
  exit 1
fi
if command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then as_root=""; elif sudo -n true 2>/dev/null; then as_root="sudo -n"; else as_root="none"; fi
  if [ "$as_root" != none ]; then
    echo "ensure-chromium: installing Debian's chromium for the browser test (once per machine)" >&2
    export DEBIAN_FRONTEND=noninteractive
    $as_root apt-get install -y -q chromium >/dev/null 2>&1 ||
      { $as_root apt-get update -q >/dev/null 2>&1 && $as_root apt-get install -y -q chromium >/dev/null; }
    [ -x "$browser" ] && exit 0
  fi
fi
echo "ensure-chromium: no Chromium at $browser. Install it (Debian/Ubuntu: apt-get install chromium) or set CHROMIUM_PATH to a Chromium or Chrome binary." >&2
exit 1
