"""The store: every layer of every kelurahan, behind one small interface.

:class:`Store` is what the rest of petakampung sees.  :class:`GpkgStore` is the embedded default,
a single GeoPackage file that opens in QGIS as it is.  Reads push their work down into SQL: the
columns asked for, a kelurahan (or several), a bounding box through the R-tree index, equality or
membership filters, limit and offset; photo bytes are read only when a caller names them.
:class:`geo.store_pg.PgStore` implements the same methods on PostGIS.

Every write happens inside :meth:`Store.transaction`: either the whole block lands or nothing
does, and a block that changes nothing leaves the file byte for byte as it was.  The audit log
and the per-kelurahan data versions are written by triggers in the same transaction (see
:mod:`geo.store_sql`), so several server processes agree on what changed without reading data.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd
import pyarrow as pa
import pyogrio
import shapely

from geo import gpkg
from geo.errors import StoreError
from geo.schema import STORAGE_CRS, Column, TableSpec
from geo.settings import is_database_url
from geo.store_common import as_dtype, frame_from_rows, select_columns
from geo.store_sql import ensure_schema
from geo.store_write import GpkgWriter, StoreWriter, UpsertResult, sql_value

__all__ = [
    "AUDIT",
    "IMPORT_LOG",
    "METADATA",
    "SCHEMA_VERSION",
    "VERSIONS",
    "GpkgStore",
    "Store",
    "StoreWriter",
    "UpsertResult",
    "is_database_url",
    "open_store",
    "sha256_of",
]

SCHEMA_VERSION = "2"
ARROW_ROWS = 20_000  # feature reads larger than this go through GDAL's Arrow reader
WRITE_TIMEOUT_S = 60.0  # how long a write waits for another writer (an import) before giving up

METADATA = TableSpec(
    name="pk_metadata",
    columns=(Column("key", "TEXT"), Column("value", "TEXT")),
    key=("key",),
    description="petakampung: schema version, code-table version and other facts about the store",
    public=False,
    audit="none",
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
    audit="none",
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
    indexes=(("table_name",), ("at",)),  # appended to in order: cheap on million-row imports
    audit="none",
)
VERSIONS = TableSpec(
    name="pk_versions",
    columns=(
        Column("scope", "TEXT", "a kelurahan code, or * for any change"),
        Column("version", "INTEGER"),
        Column("changed_at", "DATETIME"),
    ),
    key=("scope",),
    description="petakampung: a counter per kelurahan bumped by every change to its data (cache keys)",
    public=False,
    audit="none",
)
SESSION = TableSpec(
    name="pk_session",
    columns=(Column("slot", "INTEGER"), Column("actor", "TEXT")),
    key=("slot",),
    description="petakampung: who is writing right now (read by the audit triggers; empty between writes)",
    public=False,
    audit="none",
)
SYSTEM_TABLES = (METADATA, IMPORT_LOG, AUDIT, VERSIONS, SESSION)
Filter = Any  # a value (equals), None (IS NULL) or a list/tuple/set/array of values (IN)


class Store(Protocol):
    """The interface the layers, the importer, the CLI and the site use."""

    location: str
    specs: dict[str, TableSpec]

    def exists(self) -> bool: ...
    def read(
        self,
        table: str,
        *,
        columns: Sequence[str] | None = None,
        where: Mapping[str, Filter] | None = None,
        kelurahan: str | Sequence[str] | None = None,
        bbox: tuple[float, float, float, float] | None = None,
        limit: int | None = None,
        offset: int = 0,
        geometry: bool = True,
        **equals: Filter,
    ) -> pd.DataFrame: ...
    def extent(self, table: str) -> tuple[float, float, float, float] | None: ...
    def count(self, table: str, *, by: str | None = None, **filters: Any) -> Any: ...
    def versions(self, scopes: Iterable[str]) -> dict[str, str]: ...
    def transaction(self, actor: str = "system") -> contextlib.AbstractContextManager[StoreWriter]: ...
    def metadata(self) -> dict[str, str]: ...
    def checksum(self) -> str: ...
    def integrity_check(self) -> str: ...


class GpkgStore:
    """A petakampung store in one GeoPackage file (WAL journal: readers never wait for a writer)."""

    def __init__(self, path: str | Path, tables: Sequence[TableSpec], *, write_timeout_s: float = WRITE_TIMEOUT_S):
        self.path = Path(path)
        self.location = str(self.path)
        self.specs = {s.name: s for s in (*SYSTEM_TABLES, *tables)}
        self.write_timeout_s = write_timeout_s
        self._schema_seen: int | None = None  # PRAGMA schema_version after our last ensure_schema
        self._local = threading.local()  # one reusable read connection per thread

    # -- connections ----------------------------------------------------------------------------
    def exists(self) -> bool:
        return self.path.is_file() and self.path.stat().st_size > 0

    def _check(self, con: sqlite3.Connection) -> None:
        app_id = con.execute("PRAGMA application_id").fetchone()[0]
        has_meta = con.execute("SELECT count(*) FROM sqlite_master WHERE name='pk_metadata'").fetchone()[0]
        if app_id != gpkg.APPLICATION_ID or not has_meta:
            raise StoreError("store.not_gpkg", path=str(self.path))

    @contextlib.contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        """A read-only connection, kept per thread and reused (opening one costs more than most
        queries a page makes); reopened when the store file is replaced (a restore)."""
        try:
            st = self.path.stat()
        except FileNotFoundError:
            raise StoreError("store.missing", path=str(self.path)) from None
        if st.st_size == 0:
            raise StoreError("store.missing", path=str(self.path))
        identity = (st.st_dev, st.st_ino)
        local = self._local
        con = getattr(local, "con", None)
        if con is None or local.identity != identity:
            if con is not None:
                con.close()
                local.con = None
            con = self._open_reader()
            local.con, local.identity = con, identity
        yield con

    def _open_reader(self) -> sqlite3.Connection:
        try:
            con = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=30, check_same_thread=False)
        except sqlite3.Error as exc:
            raise StoreError("store.not_gpkg", path=str(self.path)) from exc
        try:
            self._check(con)
        except sqlite3.DatabaseError as exc:
            con.close()
            raise StoreError("store.not_gpkg", path=str(self.path)) from exc
        except StoreError:
            con.close()
            raise
        gpkg.register_functions(con)
        return con

    # -- reading --------------------------------------------------------------------------------
    def read(
        self,
        table: str,
        *,
        columns: Sequence[str] | None = None,
        where: Mapping[str, Filter] | None = None,
        kelurahan: str | Sequence[str] | None = None,
        bbox: tuple[float, float, float, float] | None = None,
        limit: int | None = None,
        offset: int = 0,
        geometry: bool = True,
        **equals: Filter,
    ) -> pd.DataFrame:
        """Rows of ``table`` (a GeoDataFrame in EPSG:4326 for feature tables), filtered in SQL.

        ``columns`` picks columns (default: all but BLOBs, which are read only when named);
        ``where``/``equals`` filter on columns, a list value meaning "one of"; ``kelurahan`` keeps
        the rows of one or more kelurahan (through their work for progress tables); ``bbox``
        (minx, miny, maxx, maxy) keeps the features whose geometry intersects it, found through
        the R-tree.  ``geometry=False`` leaves the geometry out (a plain DataFrame).  A store
        that has never been written reads as empty tables.
        """
        spec = self._spec(table)
        names = select_columns(spec, columns)
        with_geom = spec.is_spatial and (geometry or bbox is not None)
        if not self.exists():
            return _frame(spec, names, [], with_geom)
        filters = {**(where or {}), **equals}
        sql, params = self._where(spec, filters, kelurahan, bbox, exact_later=bbox is not None)
        select = (["geom"] if with_geom else []) + [f'"{n}"' for n in names]
        query = f'SELECT {", ".join(select)} FROM "{table}"{sql} ORDER BY fid'
        paged = bbox is None and (limit is not None or offset)
        if paged:
            query += f" LIMIT {int(limit) if limit is not None else -1} OFFSET {int(offset)}"
        with self._reading() as con:
            try:
                if with_geom and _more_than(con, f'SELECT 1 FROM "{table}"{sql}', params, ARROW_ROWS):
                    frame = self._read_arrow(spec, names, sql, params, query[query.index(" ORDER BY") :])
                else:
                    frame = _frame(spec, names, con.execute(query, params).fetchall(), with_geom)
            except sqlite3.OperationalError as exc:
                if "no such table" in str(exc):
                    return _frame(spec, names, [], with_geom)
                raise
        if bbox is not None:
            frame = frame[frame.geometry.intersects(shapely.box(*bbox))]
            stop = None if limit is None else offset + limit
            frame = frame.iloc[offset:stop].reset_index(drop=True)
            if not geometry:
                frame = pd.DataFrame(frame.drop(columns="geometry"))
        return frame

    def _read_arrow(self, spec: TableSpec, names: list[str], sql: str, params: list[Any], tail: str) -> pd.DataFrame:
        """A large read through GDAL's Arrow reader (pyogrio): no Python object per value.

        The same SQL runs inside SQLite (dialect SQLITE); dates come back as the text we stored,
        and the dtypes are those of :func:`_frame`, so callers cannot tell the two paths apart.
        """
        types = spec.column_types
        select = ", ".join(
            f'CAST("{n}" AS TEXT) AS "{n}"' if types[n] in ("DATE", "DATETIME", "TEXT") else f'"{n}"' for n in names
        )
        query = f'SELECT geom, {select} FROM "{spec.name}"{_inline(sql, params)}{tail}'
        frame = pyogrio.read_dataframe(
            self.path,
            sql=query,
            sql_dialect="SQLITE",
            use_arrow=True,
            arrow_to_pandas_kwargs={"types_mapper": _ARROW_TYPES.get},
        )
        for name in names:
            frame[name] = as_dtype(frame[name], types[name])
        frame = frame[[*names, frame.geometry.name]]
        if frame.geometry.name != "geometry":
            frame = frame.rename_geometry("geometry")
        return frame.set_crs(STORAGE_CRS, allow_override=True).reset_index(drop=True)

    def extent(self, table: str) -> tuple[float, float, float, float] | None:
        """The extent of a feature table as GeoPackage records it (gpkg_contents), or None."""
        if not self.exists():
            return None
        with self._reading() as con:
            row = con.execute(
                "SELECT min_x, min_y, max_x, max_y FROM gpkg_contents WHERE table_name = ?", (table,)
            ).fetchone()
        return None if row is None or row[0] is None else tuple(float(v) for v in row)  # type: ignore[return-value]

    def count(
        self,
        table: str,
        *,
        by: str | None = None,
        where: Mapping[str, Filter] | None = None,
        kelurahan: str | Sequence[str] | None = None,
        **equals: Filter,
    ) -> Any:
        """How many rows match (an int), or per value of column ``by`` (a Series)."""
        spec = self._spec(table)
        if by is not None and by not in spec.column_names:
            raise KeyError(f"{table} has no column {by!r}")
        if not self.exists():
            return pd.Series(dtype="int64") if by else 0
        sql, params = self._where(spec, {**(where or {}), **equals}, kelurahan, None, exact_later=False)
        query = (
            f'SELECT "{by}", count(*) FROM "{table}"{sql} GROUP BY "{by}" ORDER BY "{by}"'
            if by
            else f'SELECT count(*) FROM "{table}"{sql}'
        )
        with self._reading() as con:
            try:
                rows = con.execute(query, params).fetchall()
            except sqlite3.OperationalError as exc:
                if "no such table" in str(exc):
                    rows = []
                else:
                    raise
        if by is None:
            return int(rows[0][0]) if rows else 0
        return pd.Series({r[0]: int(r[1]) for r in rows}, dtype="int64")

    def versions(self, scopes: Iterable[str]) -> dict[str, str]:
        """The data version of each scope (a kelurahan code, or ``*`` for the whole store).

        A version changes in the same transaction as any change to that kelurahan's rows, so
        it is the key every cache of derived data uses.  Unknown scopes are ``"0"``.
        """
        wanted = list(dict.fromkeys(scopes))
        out = dict.fromkeys(wanted, "0")
        if not self.exists() or not wanted:
            return out
        with self._reading() as con:
            try:
                rows = con.execute(
                    "SELECT scope, version, changed_at FROM pk_versions "
                    "WHERE scope IN (SELECT value FROM json_each(?))",
                    (json.dumps(wanted),),
                ).fetchall()
            except sqlite3.OperationalError:
                return out
        out.update({scope: f"{version}@{changed}" for scope, version, changed in rows})
        return out

    def metadata(self) -> dict[str, str]:
        frame = self.read(METADATA.name)
        return dict(zip(frame["key"], frame["value"], strict=True))

    def checksum(self) -> str:
        """SHA-256 of the store file (its write-ahead log folded in first): equal before and
        after means nothing was written."""
        if not self.path.exists():
            return "absent"
        if self.exists():
            con = sqlite3.connect(self.path, timeout=30)
            try:
                con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                con.close()
        return hashlib.sha256(self.path.read_bytes()).hexdigest()

    def integrity_check(self) -> str:
        with self._reading() as con:
            return con.execute("PRAGMA integrity_check").fetchone()[0]

    def _where(
        self,
        spec: TableSpec,
        filters: Mapping[str, Filter],
        kelurahan: str | Sequence[str] | None,
        bbox: tuple[float, float, float, float] | None,
        *,
        exact_later: bool,
    ) -> tuple[str, list[Any]]:
        unknown = set(filters) - set(spec.column_names)
        if unknown:
            raise KeyError(f"{spec.name} has no column {sorted(unknown)}")
        clauses: list[str] = []
        params: list[Any] = []
        for name, value in filters.items():
            _clause(f'"{name}"', value, clauses, params)
        if kelurahan is not None:
            if spec.scope == "kelurahan_code":
                _clause('"kelurahan_code"', kelurahan, clauses, params)
            elif spec.scope == "work_id":
                sub: list[str] = []
                _clause("kelurahan_code", kelurahan, sub, params)
                clauses.append(f'"work_id" IN (SELECT work_id FROM works WHERE {sub[0]})')
            else:
                raise KeyError(f"{spec.name} has no kelurahan")
        if bbox is not None:
            if not spec.is_spatial:
                raise KeyError(f"{spec.name} has no geometry")
            minx, miny, maxx, maxy = (float(b) for b in bbox)
            clauses.append(
                f'fid IN (SELECT id FROM "{gpkg.rtree_name(spec.name)}" '
                "WHERE minx <= ? AND maxx >= ? AND miny <= ? AND maxy >= ?)"
            )
            params += [maxx, minx, maxy, miny]
        return (" WHERE " + " AND ".join(clauses) if clauses else ""), params

    # -- writing --------------------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self, actor: str = "system") -> Iterator[GpkgWriter]:
        """One SQLite transaction: everything written in the block lands, or nothing does.

        Every row it inserts, changes or deletes is written to the audit log as done by
        ``actor``.  While another process writes (a long import), it waits up to
        ``write_timeout_s`` before giving up with ``store.locked``.
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        new = not self.exists()
        if new:
            _create_private(self.path)
        con = sqlite3.connect(self.path, timeout=self.write_timeout_s, isolation_level=None)
        try:
            gpkg.register_functions(con)
            con.execute("PRAGMA foreign_keys = ON")
            con.execute("PRAGMA temp_store = MEMORY")
            try:
                con.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise StoreError("store.locked") from exc
            try:
                if new:
                    gpkg.init_core(con)
                else:
                    self._check(con)
                self._ensure_schema(con)
                if new:
                    con.execute("INSERT INTO pk_metadata (key, value) VALUES ('schema_version', ?)", (SCHEMA_VERSION,))
                writer = GpkgWriter(con, self.specs, actor)
                yield writer
                writer.finish()
                con.execute("COMMIT")
                wrote = writer.wrote
                if wrote:  # fold the log into the file now: a copy of the .gpkg alone is complete
                    con.execute("PRAGMA wal_checkpoint(PASSIVE)")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        finally:
            con.close()
            if new and not _has_tables(self.path):
                self.path.unlink(missing_ok=True)
        if wrote:
            self._set_wal()

    def _ensure_schema(self, con: sqlite3.Connection) -> None:
        seen = con.execute("PRAGMA schema_version").fetchone()[0]
        if seen == self._schema_seen:
            return
        ensure_schema(con, self.specs.values())
        meta = con.execute("SELECT value FROM pk_metadata WHERE key='schema_version'").fetchone()
        if meta is not None and meta[0] != SCHEMA_VERSION:
            con.execute("UPDATE pk_metadata SET value=? WHERE key='schema_version'", (SCHEMA_VERSION,))
        self._schema_seen = con.execute("PRAGMA schema_version").fetchone()[0]

    def _set_wal(self) -> None:
        """Readers never wait for a writer (WAL); set after the first write, it stays with the file."""
        con = sqlite3.connect(self.path, timeout=self.write_timeout_s)
        try:
            if con.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                con.execute("PRAGMA journal_mode = WAL")
        except sqlite3.OperationalError:
            pass  # another connection is open: the next write tries again
        finally:
            con.close()

    def _spec(self, table: str) -> TableSpec:
        try:
            return self.specs[table]
        except KeyError:
            raise KeyError(f"unknown table {table!r}") from None


def _clause(column: str, value: Filter, clauses: list[str], params: list[Any]) -> None:
    if value is None:
        clauses.append(f"{column} IS NULL")
    elif isinstance(value, list | tuple | set | frozenset | np.ndarray | pd.Series | pd.Index):
        clauses.append(f"{column} IN (SELECT value FROM json_each(?))")
        params.append(json.dumps([sql_value(v) for v in value]))
    else:
        clauses.append(f"{column} = ?")
        params.append(sql_value(value))


def _more_than(con: sqlite3.Connection, select: str, params: list[Any], n: int) -> bool:
    """Whether a query matches more than ``n`` rows (stops counting at n + 1)."""
    return con.execute(f"SELECT count(*) FROM ({select} LIMIT {n + 1})", params).fetchone()[0] > n


def _inline(sql: str, params: list[Any]) -> str:
    """``sql`` with its ``?`` parameters written in as SQL literals (GDAL takes no bound values).

    Only our own filter clauses reach here, and each parameter becomes exactly one literal:
    text quoted with '' doubled (SQLite has no backslash escapes), numbers as numbers.
    """
    parts = sql.split("?")
    if len(parts) != len(params) + 1:
        raise ValueError("parameter count does not match the query")
    out = [parts[0]]
    for value, rest in zip(params, parts[1:], strict=True):
        out.append(_literal(value) + rest)
    return "".join(out)


def _literal(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool | int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        return repr(float(value))
    text = str(value)
    if "\x00" in text:
        raise ValueError("a filter value holds a NUL character")
    return "'" + text.replace("'", "''") + "'"


def _create_private(path: Path) -> None:
    """A new store file readable by its owner only: it holds households, accounts and the audit log."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    os.close(fd)


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


_ARROW_TYPES = {pa.int64(): pd.Int64Dtype(), pa.int32(): pd.Int64Dtype(), pa.int16(): pd.Int64Dtype()}


def _frame(spec: TableSpec, names: list[str], rows: list[tuple], with_geom: bool) -> pd.DataFrame:
    return frame_from_rows(spec, names, rows, with_geom, gpkg.decode_many)


def open_store(location: str | Path, tables: Sequence[TableSpec] | None = None, *, audit_rows: str = "keys") -> Store:
    """Open the store at ``location``: a GeoPackage path, or ``postgresql://USER@HOST:PORT/DB``
    for PostGIS (:class:`geo.store_pg.PgStore`).

    ``audit_rows`` (``PETAKAMPUNG_AUDIT_ROWS``) is what the audit log keeps of a changed row of the
    default tables: ``keys`` (its key and the names of the changed fields) or ``rows`` (whole rows;
    household rows never), see :func:`geo.audit.with_audit`."""
    if tables is None:
        from geo.accounts import USERS
        from geo.audit import with_audit
        from geo.indicator_batch import RT_INDICATORS
        from geo.layers import all_tables
        from geo.login_limit import LOGIN_ATTEMPTS
        from geo.progress import PROGRESS_TABLES

        tables = with_audit([*all_tables(), USERS, *PROGRESS_TABLES, LOGIN_ATTEMPTS, RT_INDICATORS], audit_rows)
    text = str(location)
    if is_database_url(text):
        from geo.store_pg import PgStore

        return PgStore(text, tables)
    return GpkgStore(text, tables)


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
