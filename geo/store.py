"""The store: every layer of every kelurahan, behind one small interface.

:class:`Store` is what the rest of petakampung sees.  :class:`GpkgStore` is the embedded default,
a single GeoPackage file that opens in QGIS as it is.  A PostGIS backend only has to implement
the same five methods; layers and analysis never touch SQL.

Every write happens inside :meth:`Store.transaction`: either the whole block lands or nothing
does, and a block that changes nothing leaves the file byte for byte as it was.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import math
import sqlite3
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import gpkg
from geo.errors import StoreError
from geo.schema import STORAGE_CRS, Column, TableSpec

SCHEMA_VERSION = "1"

METADATA = TableSpec(
    name="pk_metadata",
    columns=(Column("key", "TEXT"), Column("value", "TEXT")),
    key=("key",),
    description="petakampung: schema version, code-table version and other facts about the store",
    public=False,
)
IMPORT_LOG = TableSpec(
    name="pk_import_log",
    columns=(
        Column("imported_at", "DATETIME"),
        Column("layer", "TEXT"),
        Column("source_name", "TEXT"),
        Column("source_sha256", "TEXT"),
        Column("rows_inserted", "INTEGER"),
        Column("rows_updated", "INTEGER"),
        Column("rows_unchanged", "INTEGER"),
    ),
    key=("imported_at", "layer", "source_sha256"),
    description="petakampung: one row per import that changed the store",
    public=False,
)
AUDIT = TableSpec(
    name="pk_audit",
    columns=(
        Column("audit_id", "TEXT"),
        Column("at", "DATETIME"),
        Column("actor", "TEXT"),
        Column("action", "TEXT"),
        Column("table_name", "TEXT"),
        Column("row_key", "TEXT"),
        Column("before_json", "TEXT"),
        Column("after_json", "TEXT"),
    ),
    key=("audit_id",),
    description="petakampung: every change to the data, who made it, before and after (restricted)",
    public=False,
    indexes=(("table_name", "row_key"),),
)
SYSTEM_TABLES = (METADATA, IMPORT_LOG, AUDIT)
_NOT_AUDITED = {"pk_metadata", "pk_import_log", "pk_audit"}
_REDACTED = {"password_hash", "data"}  # secrets and photo bytes are never copied into the audit log


@dataclass
class UpsertResult:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    def __iadd__(self, other: UpsertResult) -> UpsertResult:
        self.inserted += other.inserted
        self.updated += other.updated
        self.unchanged += other.unchanged
        return self

    @property
    def changed(self) -> bool:
        return bool(self.inserted or self.updated)


class StoreWriter(Protocol):
    def upsert(
        self, spec: TableSpec, frame: pd.DataFrame, on_rows: Callable[[int], None] | None = None
    ) -> UpsertResult: ...
    def append(self, spec: TableSpec, row: Mapping[str, Any]) -> None: ...
    def set_metadata(self, key: str, value: str) -> None: ...


class Store(Protocol):
    """The interface the layers, the importer, the CLI and the site use."""

    location: str

    def exists(self) -> bool: ...
    def read(self, table: str, *, columns: Sequence[str] | None = None, **equals: Any) -> pd.DataFrame: ...
    def transaction(self) -> contextlib.AbstractContextManager[StoreWriter]: ...
    def metadata(self) -> dict[str, str]: ...
    def checksum(self) -> str: ...


def _sql_value(value: Any) -> Any:
    """A Python/pandas/numpy value as something sqlite3 stores without surprises."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float | np.floating):
        return None if math.isnan(value) else float(value)
    if isinstance(value, bool | np.bool_):
        return int(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, datetime | pd.Timestamp):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


class GpkgStore:
    """A petakampung store in one GeoPackage file."""

    def __init__(self, path: str | Path, tables: Sequence[TableSpec]) -> None:
        self.path = Path(path)
        self.location = str(self.path)
        self.specs = {s.name: s for s in (*SYSTEM_TABLES, *tables)}

    # -- connection -----------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        con.execute("PRAGMA foreign_keys = ON")
        return con

    def exists(self) -> bool:
        return self.path.is_file() and self.path.stat().st_size > 0

    def _check(self, con: sqlite3.Connection) -> None:
        app_id = con.execute("PRAGMA application_id").fetchone()[0]
        has_meta = con.execute("SELECT count(*) FROM sqlite_master WHERE name='pk_metadata'").fetchone()[0]
        if app_id != gpkg.APPLICATION_ID or not has_meta:
            raise StoreError("store.not_gpkg", path=str(self.path))

    @contextlib.contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        if not self.exists():
            raise StoreError("store.missing", path=str(self.path))
        try:
            con = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=30)
        except sqlite3.Error as exc:
            raise StoreError("store.not_gpkg", path=str(self.path)) from exc
        try:
            try:
                self._check(con)
            except sqlite3.DatabaseError as exc:
                raise StoreError("store.not_gpkg", path=str(self.path)) from exc
            yield con
        finally:
            con.close()

    # -- reading --------------------------------------------------------------------------------
    def read(self, table: str, *, columns: Sequence[str] | None = None, **equals: Any) -> pd.DataFrame:
        """All rows of ``table`` (a GeoDataFrame in EPSG:4326 for feature tables).

        ``equals`` filters on columns, e.g. ``read("rt", kelurahan_code="18.71.06.1012")``;
        ``columns`` reads only those (keeps BLOBs such as photo bytes out of a listing).
        A store that has never been written reads as empty tables.
        """
        spec = self._spec(table)
        if columns is not None:
            spec = _narrowed(spec, columns)
        names = spec.column_names
        unknown = set(equals) - set(self._spec(table).column_names)
        if unknown:
            raise KeyError(f"{table} has no column {sorted(unknown)}")
        if not self.exists():
            return _empty_frame(spec)
        select = (["geom"] if spec.is_spatial else []) + [f'"{n}"' for n in names]
        where = " AND ".join(f'"{k}" = ?' for k in equals)
        sql = f'SELECT {", ".join(select)} FROM "{table}"' + (f" WHERE {where}" if where else "")
        sql += " ORDER BY fid"
        with self._reading() as con:
            try:
                rows = con.execute(sql, [_sql_value(v) for v in equals.values()]).fetchall()
            except sqlite3.OperationalError:
                return _empty_frame(spec)
        return _frame(spec, rows)

    def metadata(self) -> dict[str, str]:
        frame = self.read(METADATA.name)
        return dict(zip(frame["key"], frame["value"], strict=True))

    def checksum(self) -> str:
        """SHA-256 of the store file: equal before and after means nothing was written."""
        if not self.path.exists():
            return "absent"
        return hashlib.sha256(self.path.read_bytes()).hexdigest()

    def integrity_check(self) -> str:
        with self._reading() as con:
            return con.execute("PRAGMA integrity_check").fetchone()[0]

    # -- writing --------------------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self, actor: str = "system") -> Iterator[_GpkgWriter]:
        """One SQLite transaction: everything written in the block lands, or nothing does.

        Every row it inserts or changes is written to the audit log as done by ``actor``.
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        new = not self.exists()
        con = self._connect()
        try:
            try:
                con.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise StoreError("store.locked") from exc
            try:
                if new:
                    self._create(con)
                else:
                    self._check(con)
                    self._create_missing_tables(con)
                writer = _GpkgWriter(con, self.specs, actor)
                yield writer
                writer.finish()
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        finally:
            con.close()
            if new and not _has_tables(self.path):
                self.path.unlink(missing_ok=True)

    def _create(self, con: sqlite3.Connection) -> None:
        gpkg.init_core(con)
        self._create_missing_tables(con)
        con.execute("INSERT OR REPLACE INTO pk_metadata (key, value) VALUES ('schema_version', ?)", (SCHEMA_VERSION,))

    def _create_missing_tables(self, con: sqlite3.Connection) -> None:
        for spec in self.specs.values():
            gpkg.create_table(con, spec)

    def _spec(self, table: str) -> TableSpec:
        try:
            return self.specs[table]
        except KeyError:
            raise KeyError(f"unknown table {table!r}") from None


def _has_tables(path: Path) -> bool:
    if not path.exists():
        return False
    try:
        con = sqlite3.connect(path)
        try:
            return bool(con.execute("SELECT count(*) FROM sqlite_master").fetchone()[0])
        finally:
            con.close()
    except sqlite3.Error:
        return True


class _GpkgWriter:
    """What a transaction block writes with.  Not thread-safe; one per transaction."""

    def __init__(self, con: sqlite3.Connection, specs: Mapping[str, TableSpec], actor: str = "system") -> None:
        self._con = con
        self._specs = specs
        self._actor = actor
        self._audit: list[tuple] = []
        self._touched: dict[str, tuple[float, float, float, float] | None] = {}

    def _record(
        self,
        spec: TableSpec,
        action: str,
        key: tuple,
        before: tuple | None,
        after: tuple | None,
        geom_changed: bool = False,
    ) -> None:
        if spec.name in _NOT_AUDITED:
            return
        names = spec.column_names

        def as_json(values: tuple | None) -> str | None:
            if values is None:
                return None
            doc = {
                n: ("<redacted>" if n in _REDACTED and v is not None else v) for n, v in zip(names, values, strict=True)
            }
            if geom_changed:
                doc["geom"] = "<changed>"
            return json.dumps(doc, ensure_ascii=False, default=str)

        self._audit.append(
            (
                uuid.uuid4().hex,
                gpkg.now_iso(),
                self._actor,
                action,
                spec.name,
                json.dumps([str(k) for k in key], ensure_ascii=False),
                as_json(before),
                as_json(after),
            )
        )

    def upsert(
        self, spec: TableSpec, frame: pd.DataFrame, on_rows: Callable[[int], None] | None = None
    ) -> UpsertResult:
        """Insert new keys, update changed rows, leave identical rows alone.

        A column of ``spec`` that ``frame`` does not carry is never overwritten: stored rows keep
        their value and new rows get NULL.  So a file without a ``kecamatan`` column cannot erase
        the kecamatan names already stored.  ``on_rows(n)`` is told every 1,000 rows how many have
        been compared.
        """
        names = spec.column_names
        missing_keys = [k for k in spec.key if k not in frame.columns]
        if missing_keys:
            raise KeyError(f"{spec.name}: the rows have no key column {missing_keys}")
        present = [i for i, n in enumerate(names) if n in frame.columns]
        key_idx = [names.index(k) for k in spec.key]
        quoted = ", ".join(f'"{n}"' for n in names)
        geom_sel = "geom, " if spec.is_spatial else ""
        existing = {}
        for row in self._con.execute(f'SELECT fid, {geom_sel}{quoted} FROM "{spec.name}"'):
            values = row[2:] if spec.is_spatial else row[1:]
            geom = row[1] if spec.is_spatial else None
            existing[tuple(values[i] for i in key_idx)] = (row[0], geom, tuple(values))
        result = UpsertResult()
        given = frame[[names[i] for i in present]].to_numpy(dtype=object)
        geoms = list(frame.geometry) if spec.is_spatial else [None] * len(frame)
        inserts, updates = [], []
        bounds = []
        for n, (values_raw, geom) in enumerate(zip(given, geoms, strict=True), start=1):
            if on_rows is not None and n % 1000 == 0:
                on_rows(n)
            new = dict(zip(present, (_sql_value(v) for v in values_raw), strict=True))
            key = tuple(new[i] for i in key_idx)
            old = existing.get(key)
            base = old[2] if old is not None else (None,) * len(names)
            values = tuple(new.get(i, base[i]) for i in range(len(names)))
            blob = gpkg.encode(geom) if spec.is_spatial else None
            if (
                old is not None
                and old[2] == values
                and (not spec.is_spatial or (None if old[1] is None else bytes(old[1])) == blob)
            ):
                result.unchanged += 1
                continue
            if spec.is_spatial and geom is not None and not geom.is_empty:
                bounds.append(geom.bounds)
            if old is None:
                inserts.append(((blob,) if spec.is_spatial else ()) + values)
                result.inserted += 1
                self._record(spec, "insert", key, None, values, geom_changed=blob is not None)
            else:
                updates.append(((blob,) if spec.is_spatial else ()) + values + (old[0],))
                result.updated += 1
                geom_changed = spec.is_spatial and (None if old[1] is None else bytes(old[1])) != blob
                self._record(spec, "update", key, old[2], values, geom_changed=geom_changed)
        cols = (["geom"] if spec.is_spatial else []) + [f'"{n}"' for n in names]
        if inserts:
            marks = ", ".join("?" * len(cols))
            self._con.executemany(f'INSERT INTO "{spec.name}" ({", ".join(cols)}) VALUES ({marks})', inserts)
        if updates:
            sets = ", ".join(f"{c} = ?" for c in cols)
            self._con.executemany(f'UPDATE "{spec.name}" SET {sets} WHERE fid = ?', updates)
        if result.changed:
            self._touch(spec, bounds)
        return result

    def append(self, spec: TableSpec, row: Mapping[str, Any]) -> None:
        names = [n for n in spec.column_names if n in row]
        marks = ", ".join("?" * len(names))
        self._con.execute(
            f'INSERT INTO "{spec.name}" ({", ".join(chr(34) + n + chr(34) for n in names)}) VALUES ({marks})',
            [_sql_value(row[n]) for n in names],
        )
        full = tuple(_sql_value(row.get(n)) for n in spec.column_names)
        self._record(spec, "insert", tuple(_sql_value(row.get(k)) for k in spec.key), None, full)
        self._touch(spec, [])

    def set_metadata(self, key: str, value: str) -> None:
        old = self._con.execute("SELECT value FROM pk_metadata WHERE key=?", (key,)).fetchone()
        if old is None or old[0] != value:
            self._con.execute("INSERT OR REPLACE INTO pk_metadata (key, value) VALUES (?, ?)", (key, value))
            self._touch(METADATA, [])

    def _touch(self, spec: TableSpec, bounds: list[tuple[float, float, float, float]]) -> None:
        prev = self._touched.get(spec.name)
        if spec.is_spatial and bounds:
            arr = np.array(bounds + ([prev] if prev else []))
            self._touched[spec.name] = (arr[:, 0].min(), arr[:, 1].min(), arr[:, 2].max(), arr[:, 3].max())
        else:
            self._touched.setdefault(spec.name, prev)

    def finish(self) -> None:
        """Write the audit rows and update gpkg_contents for every table the transaction changed."""
        if self._audit:
            self._con.executemany(
                f"INSERT INTO pk_audit ({', '.join(AUDIT.column_names)}) VALUES "
                f"({', '.join('?' * len(AUDIT.column_names))})",
                self._audit,
            )
            self._touch(AUDIT, [])
        for table, bounds in self._touched.items():
            spec = self._specs[table]
            if spec.is_spatial and bounds is not None:
                row = self._con.execute(
                    "SELECT min_x, min_y, max_x, max_y FROM gpkg_contents WHERE table_name=?", (table,)
                ).fetchone()
                if row and row[0] is not None:
                    bounds = (
                        min(row[0], bounds[0]),
                        min(row[1], bounds[1]),
                        max(row[2], bounds[2]),
                        max(row[3], bounds[3]),
                    )
            gpkg.touch_contents(self._con, table, bounds if spec.is_spatial else None)


_PANDAS_TYPES = {
    "INTEGER": "Int64",
    "REAL": "float64",
    "TEXT": "object",
    "DATE": "object",
    "DATETIME": "object",
    "BLOB": "object",
}


def _frame(spec: TableSpec, rows: list[tuple]) -> pd.DataFrame:
    offset = 1 if spec.is_spatial else 0
    data = {
        c.name: pd.array([r[i + offset] for r in rows], dtype=_PANDAS_TYPES[c.type]) for i, c in enumerate(spec.columns)
    }
    frame = pd.DataFrame(data)
    if not spec.is_spatial:
        return frame
    geoms = gpkg.decode_many([r[0] for r in rows]) if rows else np.array([], dtype=object)
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=STORAGE_CRS), crs=STORAGE_CRS)


def _narrowed(spec: TableSpec, columns: Sequence[str]) -> TableSpec:
    """``spec`` with only ``columns`` (in that order); the geometry stays with a feature table."""
    known = {c.name: c for c in spec.columns}
    unknown = [c for c in columns if c not in known]
    if unknown:
        raise KeyError(f"{spec.name} has no column {unknown}")
    return dataclasses.replace(spec, columns=tuple(known[c] for c in columns))


def _empty_frame(spec: TableSpec) -> pd.DataFrame:
    return _frame(spec, [])


def open_store(location: str | Path, tables: Sequence[TableSpec] | None = None) -> GpkgStore:
    """Open the store at ``location``.  Only GeoPackage paths are supported today."""
    if tables is None:
        from geo.accounts import USERS
        from geo.layers import all_tables
        from geo.progress import PROGRESS_TABLES

        tables = [*all_tables(), USERS, *PROGRESS_TABLES]
    text = str(location)
    if text.startswith(("postgresql://", "postgres://")):
        raise StoreError("store.postgis")
    return GpkgStore(text, tables)


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
