#!/usr/bin/env python3
"""pygeoapi on a petakampung store, for the ``ogc`` section of ``bench/bench_city.py``.

    .venv-pygeoapi/bin/python bench/pygeoapi_server.py STORE.gpkg --port 8123 --workdir DIR
    .venv-pygeoapi/bin/python bench/pygeoapi_server.py --check

Runs in its own virtualenv (``bench/pygeoapi-requirements.txt`` says why and how) and imports
nothing of petakampung.  ``--check`` prints "ok" or why pygeoapi cannot run here.

Writes a pygeoapi configuration serving the store's ``rt`` and ``works`` tables with pygeoapi's
own SQLite/GeoPackage provider (``SQLiteGPKG``: SpatiaLite's ``AutoGPKGStart`` virtual tables,
``Intersects(geom, BuildMbr(...))`` for ``bbox``), generates its OpenAPI document and serves
pygeoapi's Flask app with gunicorn, one sync worker, as pygeoapi's own Docker image does.

Two things learnt on the way, both pygeoapi's: its provider is loaded anew for every request and
runs ``AutoGPKGStart()``, which writes ``vgpkg_*`` virtual tables into the GeoPackage it serves
(so give it a copy, not a store petakampung will open again), and two requests doing that at
once in one process fail ("'rt' isn't a valid GPKG Geometry table"), so its Starlette app under
uvicorn answers 500 or drops connections under concurrent requests; one sync worker serves one
request at a time.

The provider loads ``mod_spatialite`` into SQLite.  The Python here may be built without
loadable SQLite extensions (pyenv's default), so ``sqlite3`` is swapped for ``pysqlite3``
(``pysqlite3-binary``, the same SQLite engine with extension loading on) before pygeoapi is
imported.  SpatiaLite itself is a system library: Debian's ``libsqlite3-mod-spatialite``.
:func:`unavailable` says why pygeoapi cannot run, or None.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
SPATIALITE = "mod_spatialite.so"
# collection -> (store table, id field)
TABLES = {"rt": ("rt", "fid"), "works": ("works", "work_id")}


def _sqlite_with_extensions():
    """The sqlite3 module pygeoapi's provider needs (extension loading on), or raise ImportError."""
    import sqlite3

    if hasattr(sqlite3.connect(":memory:"), "enable_load_extension"):
        return sqlite3
    import pysqlite3  # pysqlite3-binary: extension loading compiled in

    return pysqlite3


def unavailable() -> str | None:
    """Why pygeoapi cannot serve a GeoPackage here, or None when it can."""
    try:
        import gunicorn  # noqa: F401
        import pygeoapi  # noqa: F401
    except ImportError:
        return "pygeoapi or gunicorn not installed in this Python (see bench/pygeoapi-requirements.txt)"
    try:
        sqlite = _sqlite_with_extensions()
    except ImportError:
        return "this Python's sqlite3 cannot load extensions and pysqlite3-binary is not installed"
    con = sqlite.connect(":memory:")
    con.enable_load_extension(True)
    try:
        con.execute(f"SELECT load_extension('{SPATIALITE}')")
    except sqlite.OperationalError as exc:
        return f"SpatiaLite not found ({exc}); on Debian: apt-get install libsqlite3-mod-spatialite"
    finally:
        con.close()
    return None


def config(store: Path, port: int, bbox: list[float]) -> dict:
    """pygeoapi's configuration for the store's ``rt`` and ``works`` tables."""
    resources = {
        cid: {
            "type": "collection",
            "title": cid,
            "description": f"petakampung table {table}",
            "keywords": [cid],
            "extents": {"spatial": {"bbox": bbox, "crs": CRS84}},
            "providers": [
                {"type": "feature", "name": "SQLiteGPKG", "data": str(store), "id_field": id_field, "table": table}
            ],
        }
        for cid, (table, id_field) in TABLES.items()
    }
    contact = dict.fromkeys(("name", "position", "address", "city", "stateorprovince", "postalcode"), "bench")
    contact |= dict.fromkeys(("country", "phone", "fax", "email", "url", "hours", "instructions"), "bench")
    return {
        "server": {
            "bind": {"host": "127.0.0.1", "port": port},
            "url": f"http://127.0.0.1:{port}",
            "mimetype": "application/json; charset=UTF-8",
            "encoding": "utf-8",
            "gzip": False,
            "languages": ["en-US"],
            "pretty_print": False,
            "limits": {"default_items": 100, "max_items": 10000},
            "map": {"url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png", "attribution": "OpenStreetMap"},
        },
        "logging": {"level": "ERROR"},
        "metadata": {
            "identification": {
                "title": "petakampung bench",
                "description": "pygeoapi baseline",
                "keywords": ["bench"],
                "keywords_type": "theme",
                "terms_of_service": "https://creativecommons.org/licenses/by/4.0/",
                "url": "https://pygeoapi.io",
            },
            "license": {"name": "CC-BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"},
            "provider": {"name": "bench", "url": "https://pygeoapi.io"},
            "contact": contact | {"role": "pointOfContact"},
        },
        "resources": resources,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store", type=Path, nargs="?")
    parser.add_argument("--port", type=int)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--bbox", default="95,-11,141,6", help="extent in CRS84 for the collections' metadata")
    parser.add_argument("--check", action="store_true", help="print 'ok' or why pygeoapi cannot run, and stop")
    args = parser.parse_args()
    if args.check:
        print(unavailable() or "ok")
        return
    if args.store is None or args.port is None or args.workdir is None:
        parser.error("STORE, --port and --workdir are needed to serve")
    sys.modules["sqlite3"] = _sqlite_with_extensions()  # before pygeoapi imports it

    import yaml
    from gunicorn.app.base import BaseApplication
    from pygeoapi.openapi import generate_openapi_document

    args.workdir.mkdir(parents=True, exist_ok=True)
    cfg, oas = args.workdir / "pygeoapi.yml", args.workdir / "pygeoapi-openapi.yml"
    bbox = [float(v) for v in args.bbox.split(",")]
    cfg.write_text(yaml.safe_dump(config(args.store.resolve(), args.port, bbox)))
    os.environ["PYGEOAPI_CONFIG"], os.environ["PYGEOAPI_OPENAPI"] = str(cfg), str(oas)
    oas.write_text(generate_openapi_document(cfg, "yaml"))
    from pygeoapi.flask_app import APP

    class Gunicorn(BaseApplication):
        def load_config(self) -> None:
            for key, value in {"bind": f"127.0.0.1:{args.port}", "workers": 1, "worker_class": "sync"}.items():
                self.cfg.set(key, value)

        def load(self):
            return APP

    Gunicorn().run()


if __name__ == "__main__":
    main()
