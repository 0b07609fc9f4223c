"""GeoPackage encoding: the binary geometry header and the core metadata tables (OGC 12-128r18).

We write GeoPackages through :mod:`sqlite3` ourselves so that a whole import is one SQLite
transaction, which GDAL's writers cannot give us across several layers.  The files open in QGIS
and GDAL as they are.
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
USER_VERSION = 10400  # GeoPackage 1.4
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


def decode_many(blobs: Sequence[bytes | None]) -> np.ndarray:
    """GeoPackage blobs to an array of shapely geometries (None stays None)."""
    wkbs: list[bytes | None] = []
    for blob in blobs:
        if blob is None:
            wkbs.append(None)
            continue
        blob = bytes(blob)
        if blob[:2] != b"GP":
            raise ValueError("not a GeoPackage geometry blob")
        flags = blob[3]
        envelope = (flags >> 1) & 0b111
        wkbs.append(blob[8 + _ENVELOPE_SIZES[envelope] :])
    return shapely.from_wkb(np.array(wkbs, dtype=object))


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
