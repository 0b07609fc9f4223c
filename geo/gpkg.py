"""GeoPackage encoding: the binary geometry header and the core metadata tables (OGC 12-128r18).

We write GeoPackages through :mod:`sqlite3` ourselves so that a whole import is one SQLite
transaction, which GDAL's writers cannot give us across several layers.  The files open in QGIS
and GDAL as they are: every feature table has the R-tree spatial index GDAL itself creates
(``rtree_<table>_geom`` with the same triggers, registered in ``gpkg_extensions``), and every
connection we open registers the ``ST_*`` SQL functions those triggers call, so a store that QGIS
or ogr2ogr indexed or edited can still be written by us.
"""

from __future__ import annotations

import sqlite3
import struct
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

import numpy as np
import shapely
from pyproj import CRS

from geo.schema import STORAGE_SRS_ID, TableSpec

APPLICATION_ID = 0x47504B47  # "GPKG"
USER_VERSION = 10300  # GeoPackage 1.3: what GDAL 3.6 (QGIS 3.22, Debian 12) reads without a warning
_ENVELOPE_SIZES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}


def encode(geom: shapely.Geometry | None, srs_id: int = STORAGE_SRS_ID) -> bytes | None:
    """A shapely geometry as a GeoPackage geometry blob (little endian, xy envelope)."""
    if geom is None:
        return None
    if geom.is_empty:
        flags = 0b0001_0001  # empty, little endian, no envelope
        return b"GP\x00" + bytes([flags]) + struct.pack("<i", srs_id) + shapely.to_wkb(geom, byte_order=1, flavor="iso")
    minx, miny, maxx, maxy = geom.bounds
    if geom.geom_type == "Point":
        header = b"GP\x00" + bytes([0b0000_0001]) + struct.pack("<i", srs_id)
    else:
        header = (
            b"GP\x00" + bytes([0b0000_0011]) + struct.pack("<i", srs_id) + struct.pack("<4d", minx, maxx, miny, maxy)
        )
    return header + shapely.to_wkb(geom, byte_order=1, flavor="iso")


def encode_many(geoms: Sequence[shapely.Geometry | None] | np.ndarray, srs_id: int = STORAGE_SRS_ID) -> list:
    """:func:`encode` for a whole array at once (WKB and bounds computed in C, not per row)."""
    arr = np.asarray(geoms, dtype=object)
    if arr.size == 0:
        return []
    missing = shapely.is_missing(arr)
    empty = np.zeros(arr.shape, dtype=bool)
    empty[~missing] = shapely.is_empty(arr[~missing])
    wkb = shapely.to_wkb(arr, byte_order=1, flavor="iso")
    bounds = shapely.bounds(arr)
    points = np.zeros(arr.shape, dtype=bool)
    points[~missing] = shapely.get_type_id(arr[~missing]) == 0
    srs = struct.pack("<i", srs_id)
    point_head = b"GP\x00\x01" + srs
    empty_head = b"GP\x00\x11" + srs
    env_head = b"GP\x00\x03" + srs
    envelopes = bounds[:, [0, 2, 1, 3]].astype("<f8").tobytes()  # minx, maxx, miny, maxy
    out: list = [None] * len(arr)
    for i in range(len(arr)):
        if missing[i]:
            continue
        if empty[i]:
            out[i] = empty_head + wkb[i]
        elif points[i]:
            out[i] = point_head + wkb[i]
        else:
            out[i] = env_head + envelopes[32 * i : 32 * i + 32] + wkb[i]
    return out


def wkb_of(blob: bytes | None) -> bytes | None:
    """The WKB inside a GeoPackage geometry blob."""
    if blob is None:
        return None
    if blob[:2] != b"GP":
        raise ValueError("not a GeoPackage geometry blob")
    return blob[8 + _ENVELOPE_SIZES[(blob[3] >> 1) & 0b111] :]


def decode_many(blobs: Sequence[bytes | None]) -> np.ndarray:
    """GeoPackage blobs to an array of shapely geometries (None stays None)."""
    return shapely.from_wkb(np.array([wkb_of(b) for b in blobs], dtype=object))


# --- the SQL functions GDAL's R-tree triggers call ----------------------------------------------


def _envelope(blob: bytes | None) -> tuple[float, float, float, float] | None:
    """(minx, maxx, miny, maxy) of a GeoPackage blob, from its header when it carries one."""
    if blob is None or len(blob) < 8 or blob[:2] != b"GP" or blob[3] & 0b1_0000:
        return None
    kind = (blob[3] >> 1) & 0b111
    if kind:
        return struct.unpack_from("<4d", blob, 8)
    wkb = blob[8:]
    if len(wkb) == 21 and wkb[0] == 1 and wkb[1:5] == b"\x01\x00\x00\x00":  # 2D little-endian point
        x, y = struct.unpack_from("<2d", wkb, 5)
        return x, x, y, y
    geom = shapely.from_wkb(wkb)
    if geom is None or geom.is_empty:
        return None
    minx, miny, maxx, maxy = geom.bounds
    return minx, maxx, miny, maxy


def _st_is_empty(blob: bytes | None) -> int | None:
    if blob is None:
        return None
    return 1 if len(blob) < 4 or blob[3] & 0b1_0000 or _envelope(blob) is None else 0


def _coordinate(index: int):
    def f(blob: bytes | None) -> float | None:
        env = _envelope(blob)
        return None if env is None else env[index]

    return f


_TYPE_NAMES = {
    1: "POINT",
    2: "LINESTRING",
    3: "POLYGON",
    4: "MULTIPOINT",
    5: "MULTILINESTRING",
    6: "MULTIPOLYGON",
    7: "GEOMETRYCOLLECTION",
}


def _st_geometry_type(blob: bytes | None) -> str | None:
    """The WKB type name of a blob, as GDAL's ST_GeometryType answers (2D types)."""
    wkb = None if blob is None or blob[:2] != b"GP" else wkb_of(blob)
    if wkb is None or len(wkb) < 5:
        return None
    code = struct.unpack_from("<I" if wkb[0] == 1 else ">I", wkb, 1)[0]
    return _TYPE_NAMES.get(code % 1000 if code < 0x20000000 else code & 0xFFFF)


def register_functions(con: sqlite3.Connection) -> None:
    """The ``ST_*`` functions that GeoPackage R-tree triggers (GDAL's, QGIS's) and our views call."""
    con.create_function("ST_IsEmpty", 1, _st_is_empty, deterministic=True)
    con.create_function("ST_GeometryType", 1, _st_geometry_type, deterministic=True)
    for i, name in enumerate(("ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY")):
        con.create_function(name, 1, _coordinate(i), deterministic=True)


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


_CORE_DDL = [
    """CREATE TABLE IF NOT EXISTS gpkg_spatial_ref_sys (
        srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
        organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT)""",
    """CREATE TABLE IF NOT EXISTS gpkg_contents (
        table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
        description TEXT DEFAULT '',
        last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
        min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
        CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id))""",
    """CREATE TABLE IF NOT EXISTS gpkg_geometry_columns (
        table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
        srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
        CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
        CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
        CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id))""",
]


def init_core(con: sqlite3.Connection) -> None:
    """Create the GeoPackage core tables and the three required spatial reference systems."""
    con.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    con.execute(f"PRAGMA user_version = {USER_VERSION}")
    for ddl in _CORE_DDL:
        con.execute(ddl)
    wgs84 = CRS.from_epsg(4326).to_wkt("WKT1_GDAL")
    con.executemany(
        "INSERT OR IGNORE INTO gpkg_spatial_ref_sys VALUES (?,?,?,?,?,?)",
        [
            ("Undefined cartesian SRS", -1, "NONE", -1, "undefined", "undefined cartesian coordinate reference system"),
            ("Undefined geographic SRS", 0, "NONE", 0, "undefined", "undefined geographic coordinate reference system"),
            (
                "WGS 84 geodetic",
                4326,
                "EPSG",
                4326,
                wgs84,
                "longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid",
            ),
        ],
    )


def create_table(con: sqlite3.Connection, spec: TableSpec) -> None:
    """Create one layer table and register it in gpkg_contents (idempotent)."""
    cols = ["fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL"]
    if spec.is_spatial:
        cols.append(f"geom {spec.geometry_type}")
    cols += [f'"{c.name}" {c.type}' for c in spec.columns]
    cols.append("UNIQUE (" + ", ".join(f'"{k}"' for k in spec.key) + ")")
    con.execute(f'CREATE TABLE IF NOT EXISTS "{spec.name}" ({", ".join(cols)})')
    for i, index_cols in enumerate(spec.indexes):
        con.execute(f'CREATE INDEX IF NOT EXISTS "idx_{spec.name}_{i}" ON "{spec.name}" ({", ".join(index_cols)})')
    data_type = "features" if spec.is_spatial else "attributes"
    srs = STORAGE_SRS_ID if spec.is_spatial else None
    con.execute(
        "INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, description, "
        "last_change, srs_id) VALUES (?,?,?,?,?,?)",
        (spec.name, data_type, spec.name, spec.description, now_iso(), srs),
    )
    if spec.is_spatial:
        con.execute(
            "INSERT OR IGNORE INTO gpkg_geometry_columns VALUES (?,?,?,?,0,0)",
            (spec.name, "geom", spec.geometry_type, STORAGE_SRS_ID),
        )


_RTREE_EXTENSION = (
    "CREATE TABLE IF NOT EXISTS gpkg_extensions (table_name TEXT,column_name TEXT,extension_name TEXT NOT NULL,"
    "definition TEXT NOT NULL,scope TEXT NOT NULL,CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name))"
)


def rtree_name(table: str, column: str = "geom") -> str:
    return f"rtree_{table}_{column}"


def rtree_triggers(table: str, column: str = "geom", fid: str = "fid") -> list[str]:
    """GDAL's own R-tree triggers (GDAL 3.12, GeoPackage 1.4), so QGIS and we maintain one index."""
    t, c, i, r = f'"{table}"', f'"{column}"', f'"{fid}"', f'"{rtree_name(table, column)}"'
    name = f"rtree_{table}_{column}"
    values = f"NEW.{i},ST_MinX(NEW.{c}), ST_MaxX(NEW.{c}),ST_MinY(NEW.{c}), ST_MaxY(NEW.{c})"
    new_ok = f"(NEW.{c} NOTNULL AND NOT ST_IsEmpty(NEW.{c}))"
    new_none = f"(NEW.{c} ISNULL OR ST_IsEmpty(NEW.{c}))"
    return [
        f'CREATE TRIGGER "{name}_insert" AFTER INSERT ON {t} WHEN (new.{c} NOT NULL AND NOT ST_IsEmpty(NEW.{c})) '
        f"BEGIN INSERT OR REPLACE INTO {r} VALUES ({values}); END",
        f'CREATE TRIGGER "{name}_update6" AFTER UPDATE OF {c} ON {t} WHEN OLD.{i} = NEW.{i} AND {new_ok} '
        f"AND (OLD.{c} NOTNULL AND NOT ST_IsEmpty(OLD.{c})) BEGIN UPDATE {r} SET minx = ST_MinX(NEW.{c}), "
        f"maxx = ST_MaxX(NEW.{c}),miny = ST_MinY(NEW.{c}), maxy = ST_MaxY(NEW.{c}) WHERE id = NEW.{i};END",
        f'CREATE TRIGGER "{name}_update7" AFTER UPDATE OF {c} ON {t} WHEN OLD.{i} = NEW.{i} AND {new_ok} '
        f"AND (OLD.{c} ISNULL OR ST_IsEmpty(OLD.{c})) BEGIN INSERT INTO {r} VALUES ({values}); END",
        f'CREATE TRIGGER "{name}_update2" AFTER UPDATE OF {c} ON {t} WHEN OLD.{i} = NEW.{i} AND {new_none} '
        f"BEGIN DELETE FROM {r} WHERE id = OLD.{i}; END",
        f'CREATE TRIGGER "{name}_update5" AFTER UPDATE ON {t} WHEN OLD.{i} != NEW.{i} AND {new_ok} '
        f"BEGIN DELETE FROM {r} WHERE id = OLD.{i}; INSERT OR REPLACE INTO {r} VALUES ({values}); END",
        f'CREATE TRIGGER "{name}_update4" AFTER UPDATE ON {t} WHEN OLD.{i} != NEW.{i} AND {new_none} '
        f"BEGIN DELETE FROM {r} WHERE id IN (OLD.{i}, NEW.{i}); END",
        f'CREATE TRIGGER "{name}_delete" AFTER DELETE ON {t} WHEN old.{c} NOT NULL '
        f"BEGIN DELETE FROM {r} WHERE id = OLD.{i}; END",
    ]


def has_rtree(con: sqlite3.Connection, table: str, column: str = "geom") -> bool:
    name = rtree_name(table, column)
    return con.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (name,)).fetchone() is not None


def create_rtree(con: sqlite3.Connection, table: str, column: str = "geom") -> None:
    """The GeoPackage R-tree index of a feature table, filled and kept up to date by triggers,
    exactly as GDAL's ``CreateSpatialIndex`` makes it (so QGIS uses it and can keep it)."""
    if has_rtree(con, table, column):
        return
    con.execute(_RTREE_EXTENSION)
    con.execute(f'CREATE VIRTUAL TABLE "{rtree_name(table, column)}" USING rtree(id, minx, maxx, miny, maxy)')
    c = f'"{column}"'
    con.execute(
        f'INSERT OR REPLACE INTO "{rtree_name(table, column)}" SELECT fid, ST_MinX({c}), ST_MaxX({c}), '
        f'ST_MinY({c}), ST_MaxY({c}) FROM "{table}" WHERE {c} NOT NULL AND NOT ST_IsEmpty({c})'
    )
    for ddl in rtree_triggers(table, column):
        con.execute(ddl)
    con.execute(
        "INSERT OR IGNORE INTO gpkg_extensions VALUES (?, ?, 'gpkg_rtree_index', "
        "'http://www.geopackage.org/spec120/#extension_rtree', 'write-only')",
        (table, column),
    )


def create_type_view(
    con: sqlite3.Connection, spec: TableSpec, name: str, gpkg_type: str, kinds: tuple[str, ...]
) -> None:
    """A read-only feature layer of ``spec`` holding one geometry type (e.g. the point works), so
    QGIS draws the sumur bor and MCK points that a mixed table would hide behind its lines."""
    if con.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (name,)).fetchone() is None:
        columns = ", ".join(f'"{c.name}"' for c in spec.columns)
        wanted = ", ".join(f"'{k}'" for k in kinds)
        con.execute(
            f'CREATE VIEW "{name}" AS SELECT fid, geom, {columns} FROM "{spec.name}" '
            f"WHERE ST_GeometryType(geom) IN ({wanted})"
        )
    con.execute(
        "INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, description, last_change, srs_id) "
        "VALUES (?, 'features', ?, ?, ?, ?)",
        (name, name, f"{spec.description} ({gpkg_type.lower()}, read-only view)", now_iso(), STORAGE_SRS_ID),
    )
    con.execute(
        "INSERT OR IGNORE INTO gpkg_geometry_columns VALUES (?, 'geom', ?, ?, 0, 0)", (name, gpkg_type, STORAGE_SRS_ID)
    )


def touch_contents(con: sqlite3.Connection, table: str, bounds: Iterable[float] | None) -> None:
    """Record a change to ``table``: last_change and, for features, the extent."""
    if bounds is None:
        con.execute("UPDATE gpkg_contents SET last_change=? WHERE table_name=?", (now_iso(), table))
        return
    minx, miny, maxx, maxy = bounds
    con.execute(
        "UPDATE gpkg_contents SET last_change=?, min_x=?, min_y=?, max_x=?, max_y=? WHERE table_name=?",
        (now_iso(), minx, miny, maxx, maxy, table),
    )
