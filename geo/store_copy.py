"""Whole stores, row for row: ``petakampung db copy`` between GeoPackage and PostGIS, the logical
checksum of a store, and ``petakampung db upgrade``.

A copy moves every table exactly as stored: the same ``fid`` of every row, every value, photo
bytes, geometry, the audit log and the data versions.  It writes into an empty store only, in one
transaction, and writes no audit rows of its own (the rows it copies already say who did what).

:func:`logical_checksum` hashes every table's rows in key order, independent of the backend, so
"the store is exactly as before" and "the copy is identical" are one comparison.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator
from typing import Any

import numpy as np
import shapely

from geo import gpkg
from geo.errors import StoreError
from geo.schema import STORAGE_SRS_ID, TableSpec
from geo.store import SCHEMA_VERSION, GpkgStore, Store, _create_private
from geo.store_pg_sql import q

__all__ = ["copy_store", "logical_checksum", "raw_rows", "upgrade_store"]

BATCH_ROWS = 5_000


# -- reading rows as stored -----------------------------------------------------------------------


def _order(spec: TableSpec, pg: bool) -> str:
    """Key order, the same in both backends: text by bytes (SQLite's BINARY, PostgreSQL's "C"), NULLs first."""
    if not pg:
        return ", ".join([f'"{k}"' for k in spec.key] + ["fid"])
    types = spec.column_types
    keys = [q(k) + (' COLLATE "C"' if types[k] not in ("INTEGER", "REAL") else "") + " NULLS FIRST" for k in spec.key]
    return ", ".join([*keys, "fid"])


def raw_rows(store: Store, spec: TableSpec, *, by_key: bool = False) -> Iterator[list[tuple]]:
    """Batches of ``(fid, geometry WKB or None, *columns)`` exactly as stored, in fid (or key) order."""
    from geo.store_pg import PgStore

    if isinstance(store, PgStore):
        yield from _pg_rows(store, spec, by_key)
    elif isinstance(store, GpkgStore):
        yield from _gpkg_rows(store, spec, by_key)
    else:
        raise TypeError(f"cannot read rows of {type(store).__name__}")


def _select(spec: TableSpec, geom: str) -> str:
    return ", ".join(["fid", geom if spec.is_spatial else "NULL", *(f'"{c.name}"' for c in spec.columns)])


def _gpkg_rows(store: GpkgStore, spec: TableSpec, by_key: bool) -> Iterator[list[tuple]]:
    if not store.exists():
        return
    con = sqlite3.connect(f"file:{store.path}?mode=ro", uri=True, timeout=30)
    try:
        if not con.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (spec.name,)).fetchone():
            return
        order = _order(spec, False) if by_key else "fid"
        cur = con.execute(f'SELECT {_select(spec, "geom")} FROM "{spec.name}" ORDER BY {order}')
        while batch := cur.fetchmany(BATCH_ROWS):
            yield [(r[0], gpkg.wkb_of(r[1]), *r[2:]) for r in batch]
    finally:
        con.close()


def _pg_rows(store: Any, spec: TableSpec, by_key: bool) -> Iterator[list[tuple]]:
    with store.connection(spec.name) as con:
        con.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        if con.execute("SELECT to_regclass(%s)", (q(spec.name),)).fetchone()[0] is None:
            return
        order = _order(spec, True) if by_key else "fid"
        with con.cursor(name=f"pk_rows_{spec.name}", binary=True) as cur:
            cur.itersize = BATCH_ROWS
            cur.execute(f"SELECT {_select(spec, 'ST_AsBinary(geom)')} FROM {q(spec.name)} ORDER BY {order}")
            while batch := cur.fetchmany(BATCH_ROWS):
                yield batch


# -- the logical checksum -------------------------------------------------------------------------


def _canonical(spec: TableSpec, batch: list[tuple]) -> bytes:
    """Rows in one backend-independent text (fid left out: equal data is equal whatever its row ids)."""
    types = [c.type for c in spec.columns]
    geoms = [r[1] for r in batch]
    if spec.is_spatial:
        parsed = shapely.from_wkb(np.array(geoms, dtype=object))
        geoms = [None if g is None else g.hex() for g in shapely.to_wkb(parsed, byte_order=1, flavor="iso")]
    out = []
    for row, geom in zip(batch, geoms, strict=True):
        values: list[Any] = [geom]
        for value, ctype in zip(row[2:], types, strict=True):
            if value is None:
                values.append(None)
            elif ctype == "INTEGER":
                values.append(int(value))
            elif ctype == "REAL":
                values.append(float(value).hex())
            elif ctype == "BLOB":
                values.append(bytes(value).hex())
            else:
                values.append(str(value))
        out.append(json.dumps(values, ensure_ascii=False))
    return ("\n".join(out) + "\n").encode()


def logical_checksum(store: Store) -> str:
    """SHA-256 over every table of ``store``, its rows in key order, whatever the backend."""
    digest = hashlib.sha256()
    for name in sorted(store.specs):
        spec = store.specs[name]
        digest.update(f"\x00table {name}\n".encode())
        for batch in raw_rows(store, spec, by_key=True):
            digest.update(_canonical(spec, batch))
    return digest.hexdigest()


# -- copying ----------------------------------------------------------------------------------------


def copy_store(source: Store, target: Store, *, progress: Any = None) -> dict[str, int]:
    """Copy every table of ``source`` into the empty store ``target``; returns rows per table."""
    from geo.store_pg import PgStore

    if not source.exists():
        raise StoreError("store.missing", path=source.location)
    if isinstance(target, PgStore):
        return _copy_into_pg(source, target, progress)
    if isinstance(target, GpkgStore):
        return _copy_into_gpkg(source, target, progress)
    raise TypeError(f"cannot copy into {type(target).__name__}")


def _copy_into_pg(source: Store, target: Any, progress: Any) -> dict[str, int]:
    from geo.store_pg import WRITE_LOCK
    from geo.store_pg_schema import ensure_schema

    counts: dict[str, int] = {}
    with target.connection() as con, con.transaction():
        con.execute("SELECT set_config('petakampung.restore', 'on', true)")
        ensure_schema(con, target.specs.values(), lock=WRITE_LOCK, force=True)
        _refuse_data_pg(con, target)
        con.execute("DELETE FROM pk_metadata")
        for name, spec in target.specs.items():
            counts[name] = 0
            cols = ", ".join(["fid", *(["geom"] if spec.is_spatial else []), *(q(c.name) for c in spec.columns)])
            with con.cursor().copy(f"COPY {q(name)} ({cols}) FROM STDIN") as copy:
                for batch in raw_rows(source, spec):
                    for row in _pg_values(spec, batch):
                        copy.write_row(row)
                    counts[name] += len(batch)
                    if progress is not None:
                        progress(name, counts[name])
            con.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'fid'), coalesce((SELECT max(fid) FROM {q(name)}), 0) + 1, "
                "false)",
                (q(name),),
            )
    target._schema_ok = True
    return counts


def _pg_values(spec: TableSpec, batch: list[tuple]) -> Iterator[tuple]:
    if not spec.is_spatial:
        for row in batch:
            yield (row[0], *row[2:])
        return
    geoms = shapely.set_srid(shapely.from_wkb(np.array([r[1] for r in batch], dtype=object)), STORAGE_SRS_ID)
    ewkb = shapely.to_wkb(geoms, hex=True, include_srid=True, flavor="extended")
    for row, geom in zip(batch, ewkb, strict=True):
        yield (row[0], geom, *row[2:])


def _refuse_data_pg(con: Any, target: Any) -> None:
    for name in target.specs:
        if name == "pk_metadata":
            found = con.execute("SELECT 1 FROM pk_metadata WHERE key <> 'schema_version' LIMIT 1").fetchone()
        else:
            found = con.execute(f"SELECT 1 FROM {q(name)} LIMIT 1").fetchone()
        if found:
            raise StoreError("db.copy_not_empty", target=target.location, table=name)


def _copy_into_gpkg(source: Store, target: GpkgStore, progress: Any) -> dict[str, int]:
    from geo.store_sql import ensure_schema

    path = target.path
    if target.exists():
        raise StoreError("db.copy_not_empty", target=str(path), table="*")
    path.parent.mkdir(parents=True, exist_ok=True)
    _create_private(path)
    counts: dict[str, int] = {}
    done = False
    con = sqlite3.connect(path, isolation_level=None)
    try:
        gpkg.register_functions(con)
        con.execute("BEGIN IMMEDIATE")
        try:
            gpkg.init_core(con)
            for name, spec in target.specs.items():
                gpkg.create_table(con, spec)
                counts[name], bounds = _insert_gpkg(con, spec, raw_rows(source, spec), progress)
                gpkg.touch_contents(con, name, bounds if spec.is_spatial else None)
            ensure_schema(con, target.specs.values())  # R-trees filled from the rows, triggers after them
            con.execute("COMMIT")
            done = True
        except BaseException:
            con.execute("ROLLBACK")
            raise
    finally:
        con.close()
        if not done:
            path.unlink(missing_ok=True)
    target._set_wal()
    return counts


def _insert_gpkg(con: sqlite3.Connection, spec: TableSpec, batches: Iterator[list[tuple]], progress: Any):
    cols = ", ".join(["fid", *(["geom"] if spec.is_spatial else []), *(f'"{c.name}"' for c in spec.columns)])
    marks = ", ".join("?" * (1 + spec.is_spatial + len(spec.columns)))
    count, bounds = 0, None
    for batch in batches:
        if spec.is_spatial:
            geoms = shapely.from_wkb(np.array([r[1] for r in batch], dtype=object))
            blobs = gpkg.encode_many(geoms)
            rows = [(r[0], blob, *r[2:]) for r, blob in zip(batch, blobs, strict=True)]
            box = shapely.total_bounds(geoms)
            if not np.isnan(box).any():
                bounds = (
                    tuple(box)
                    if bounds is None
                    else (
                        min(bounds[0], box[0]),
                        min(bounds[1], box[1]),
                        max(bounds[2], box[2]),
                        max(bounds[3], box[3]),
                    )
                )
        else:
            rows = [(r[0], *r[2:]) for r in batch]
        con.executemany(f'INSERT INTO "{spec.name}" ({cols}) VALUES ({marks})', rows)
        count += len(batch)
        if progress is not None:
            progress(spec.name, count)
    return count, bounds


# -- upgrading ----------------------------------------------------------------------------------------


def upgrade_store(store: Store, *, public_role: str | None = None) -> str:
    """Bring the store's schema up to date (idempotent); on PostGIS, grant ``public_role`` the
    public tables.  Returns the schema version."""
    from geo.store_pg import WRITE_LOCK, PgStore
    from geo.store_pg_schema import ensure_schema, grant_public

    if isinstance(store, PgStore):
        with store.connection() as con, con.transaction():
            ensure_schema(con, store.specs.values(), lock=WRITE_LOCK, force=True)
            if public_role:
                grant_public(con, public_role, store.specs.values())
        store._schema_ok = True
        return SCHEMA_VERSION
    if not store.exists():
        raise StoreError("store.missing", path=store.location)
    with store.transaction("cli:db-upgrade"):
        pass
    return SCHEMA_VERSION
