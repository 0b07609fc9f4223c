#!/usr/bin/env bash
# Quick start 1: set up petakampung in .venv, load the demo data, start the site.
#   bash scripts/start.sh [--host 0.0.0.0] [--port 8000]
# Needs only Python 3.11+ with pip.  Re-running is safe: the demo import changes nothing twice.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "petakampung needs Python 3.11 or newer")'
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .
.venv/bin/petakampung demo
echo "petakampung: http://${PETAKAMPUNG_HOST:-127.0.0.1}:${PETAKAMPUNG_PORT:-8000}/"
exec .venv/bin/petakampung serve "$@"
