#!/bin/sh
# The pinned AWS CLI v1 (awscli from PyPI) in .venv/awscli, for tests that compare what IRSA Doctor makes with what
# the CLI makes (the EKS bearer token of `aws eks get-token`). Installed on first use; prints the path of `aws`.
#   sh scripts/awscli.sh        install when missing or another version, print the binary's path
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
VENV="$ROOT/.venv/awscli"
VERSION=1.46.3

die() { echo "awscli: $*" >&2; exit 1; }

if ! "$VENV/bin/aws" --version 2>&1 | grep -q "^aws-cli/$VERSION "; then
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV" || die "python3 -m venv failed (Python 3 is needed)"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "awscli==$VERSION" >&2 || die "pip install failed"
fi
echo "$VENV/bin/aws"
