#!/usr/bin/env bash
# Quick start 2: set up petakampung with its test tools in .venv and run the whole test suite.
#   bash scripts/test.sh [pytest arguments]
# Browser tests use Debian's chromium; as root this installs it with apt-get when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "petakampung needs Python 3.11 or newer")'
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "test.sh: installing Debian chromium for the browser tests"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "test.sh: /usr/bin/chromium is missing and we are not root: browser tests will be skipped"
  fi
fi
.venv/bin/ruff check .
exec .venv/bin/python -m pytest "$@"
