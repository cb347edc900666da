#!/bin/sh
# cfn-lint over the synthesized CloudFormation templates (after `cdk synth --output .tmp/cdk.out`), beside cdk-nag.
# Installs the pinned cfn-lint into .venv/cfn-lint on first use (Python 3). Any error or warning fails, but:
#   W3005 ("dependency already enforced by a GetAtt") is ignored: CDK adds an explicit DependsOn on a function's role
#   and its default policy, so that the policy exists before the function is created; the GetAtt alone orders the
#   role, not its policy.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
VENV="$ROOT/.venv/cfn-lint"
VERSION=1.58.0
OUT="${1:-$ROOT/.tmp/cdk.out}"

die() { echo "cfn-lint: $*" >&2; exit 1; }

if [ "$("$VENV/bin/cfn-lint" --version 2>/dev/null)" != "cfn-lint $VERSION" ]; then
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV" || die "python3 -m venv failed (Python 3 is needed)"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "cfn-lint==$VERSION" || die "pip install failed"
fi
set -- "$OUT"/*.template.json
[ -f "$1" ] || die "no templates in $OUT: run cdk synth first"
"$VENV/bin/cfn-lint" --ignore-checks W3005 -- "$@"
echo "cfn-lint $VERSION: $# template(s) clean"
