#!/usr/bin/env bash
# Quick start 2: set up petakampung with its test tools in .venv and run the whole test suite.
#   bash scripts/test.sh [pytest arguments]
# Browser and PDF tests use Debian's chromium and poppler-utils, and every store test runs twice: on a
# GeoPackage and on PostGIS in a private PostgreSQL cluster the tests start in a temporary folder (on a
# free localhost port, as the postgres user when run as root).  As root this installs what is missing:
# chromium, poppler-utils, python3-qgis, postgresql and postgresql-<major>-postgis-3 (Debian's current
# major, from `apt-cache policy postgresql`).  PETAKAMPUNG_TEST_BACKENDS=gpkg runs the GeoPackage side only.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "petakampung needs Python 3.11 or newer")'
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'
# Debian packages the tests use: chromium (browser tests), poppler-utils (PDF pages as images), nginx-light,
# python3-qgis (QGIS's own library opens, indexes and edits a store as a planner's desktop would)
missing=""
[ -x /usr/bin/chromium ] || missing="$missing chromium"
command -v pdftoppm >/dev/null || missing="$missing poppler-utils"
# nginx: the reverse-proxy test runs deploy/nginx/ in front of the site under a sub-path
{ command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; } || missing="$missing nginx-light"
qgis=""
{ [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import qgis.core' 2>/dev/null; } || qgis="python3-qgis"
postgis=""
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ls /usr/share/postgresql/*/extension/postgis.control \
  >/dev/null 2>&1 || postgis="postgresql postgis"
if [ -n "$missing$qgis$postgis" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq
    if [ -n "$postgis" ]; then  # the PostGIS package of the PostgreSQL major Debian ships now
      major="$(apt-cache policy postgresql | awk '/Candidate:/ {print $2}' | cut -d+ -f1)"
      postgis="postgresql postgresql-${major}-postgis-3"
      # the tests start their own cluster: no system-wide one left running on port 5432
      mkdir -p /etc/postgresql-common/createcluster.d
      echo "create_main_cluster = false" >/etc/postgresql-common/createcluster.d/petakampung-tests.conf
    fi
    echo "test.sh: installing Debian packages:$missing $qgis $postgis"
    [ -z "$missing" ] || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
    [ -z "$qgis" ] || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $qgis >/dev/null
    [ -z "$postgis" ] || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $postgis >/dev/null
  else
    echo "test.sh: missing$missing $qgis $postgis and we are not root: the tests needing them will be skipped"
  fi
fi
.venv/bin/ruff check .
exec .venv/bin/python -m pytest "$@"
