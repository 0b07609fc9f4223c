"""The PostGIS store: the same :class:`geo.store.Store` interface on a PostgreSQL database.

``postgresql://USER@HOST:PORT/DB`` (the password from ``~/.pgpass``, ``PGPASSWORD`` or the URL).
Every table, column and unique key of the GeoPackage store is there, each feature table with a
``geom geometry(<Type>, 4326)`` column and a GiST index (:mod:`geo.store_pg_sql`).  Connections
come from one :class:`psycopg_pool.ConnectionPool` per URL and process.

Reads push columns, filters, kelurahan, bounding box (``&&`` on the GiST index, then
``ST_Intersects``), limit and offset into SQL and return frames with exactly the dtypes of
:meth:`geo.store.GpkgStore.read` (:mod:`geo.store_common`).  Every write block is one
transaction; writers take one advisory lock (as a GeoPackage writer takes SQLite's write lock)
before they compare and write rows, so an upsert decides insert-or-update on committed data and
writers in several processes never lose an acknowledged write; readers never wait.
"""

from __future__ import annotations

import atexit
import contextlib
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import pandas as pd
import psycopg
import shapely
from psycopg import errors as pg_errors
from psycopg_pool import ConnectionPool, PoolTimeout

from geo.errors import StoreError
from geo.schema import STORAGE_SRS_ID, TableSpec
from geo.settings import redact_url
from geo.store import SYSTEM_TABLES, WRITE_TIMEOUT_S, Filter
from geo.store_common import frame_from_rows, select_columns
from geo.store_pg_sql import PG_TYPES, q
from geo.store_pg_write import WRITE_LOCK, PgWriter
from geo.store_write import sql_value

__all__ = ["WRITE_LOCK", "PgStore", "PgWriter", "close_pools", "redact"]

# connections per URL and process; a request holds one only while a query runs.  More did not serve
# more (writers take one lock; reads take milliseconds), but every connection at work holds a query
# result in its thread's malloc arena: with 8, a burst of photo views raised the server's peak
# memory by 40 MiB over 4 (tests/test_security_memory.py)
POOL_MAX = 4
CONNECT_TIMEOUT_S = 10

_pools: dict[str, ConnectionPool] = {}
_pools_lock = threading.Lock()


redact = redact_url  # the URL without its password, for messages and ``Store.location``


def _pool(url: str) -> ConnectionPool:
    with _pools_lock:
        pool = _pools.get(url)
        if pool is None:
            _probe(url)
            pool = ConnectionPool(
                url,
                min_size=1,
                max_size=POOL_MAX,
                open=True,
                timeout=60,
                check=ConnectionPool.check_connection,  # a connection the server dropped is replaced
                kwargs={"connect_timeout": CONNECT_TIMEOUT_S},
                name=redact(url),
            )
            _pools[url] = pool
        return pool


def _probe(url: str) -> None:
    """Connect once, so that an unreachable server or a wrong password is a clear error now."""
    try:
        psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT_S).close()
    except psycopg.Error as exc:
        raise StoreError("store.pg_unreachable", location=redact(url), detail=_first_line(exc)) from exc


def close_pools(url: str | None = None) -> None:
    """Close this process's pool of ``url`` (every pool when None), e.g. before the database is dropped."""
    with _pools_lock:
        names = [u for u in _pools if url is None or u == url]
        pools = [_pools.pop(u) for u in names]
    for pool in pools:
        pool.close()


atexit.register(close_pools)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


class PgStore:
    """A petakampung store in a PostgreSQL database with PostGIS."""

    def __init__(self, url: str, tables: Sequence[TableSpec], *, write_timeout_s: float = WRITE_TIMEOUT_S):
        self.url = url
        self.location = redact(url)
        self.specs = {s.name: s for s in (*SYSTEM_TABLES, *tables)}
        self.write_timeout_s = write_timeout_s
        self._schema_ok = False

    # -- connections ----------------------------------------------------------------------------
    @contextlib.contextmanager
    def connection(self, table: str | None = None) -> Iterator[psycopg.Connection]:
        """A pooled connection (its transaction committed when the block ends, rolled back on an
        error); database errors come out as :class:`StoreError` in the user's language."""
        try:
            with _pool(self.url).connection() as con:
                yield con
        except PoolTimeout as exc:
            raise StoreError("store.pg_unreachable", location=self.location, detail=_first_line(exc)) from exc
        except pg_errors.InsufficientPrivilege as exc:
            user = urlsplit(self.url).username or "?"
            raise StoreError("store.pg_denied", user=user, table=table or "?", detail=_first_line(exc)) from exc
        except pg_errors.LockNotAvailable as exc:
            raise StoreError("store.locked") from exc
        except pg_errors.DataError as exc:  # a value the column's type cannot hold
            raise StoreError("store.pg_bad_value", table=table or "?", detail=_first_line(exc)) from exc
        except psycopg.OperationalError as exc:
            raise StoreError("store.pg_unreachable", location=self.location, detail=_first_line(exc)) from exc

    def _fetch(self, query: str, params: Sequence[Any], table: str) -> list[tuple] | None:
        """Rows of a read, or None when the table does not exist (a store never written)."""
        with self.connection(table) as con, con.cursor(binary=True) as cur:  # closing frees libpq's copy now
            try:
                cur.execute(query, params)
            except pg_errors.UndefinedTable:
                return None
            return cur.fetchall()

    def exists(self) -> bool:
        with self.connection() as con:
            return bool(con.execute("SELECT to_regclass('pk_metadata') IS NOT NULL").fetchone()[0])

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
        """Rows of ``table``, as :meth:`geo.store.GpkgStore.read` returns them, filtered in SQL."""
        spec = self._spec(table)
        names = select_columns(spec, columns)
        with_geom = spec.is_spatial and geometry
        sql, params = self._where(spec, {**(where or {}), **equals}, kelurahan, bbox)
        select = (["ST_AsBinary(geom)"] if with_geom else []) + [q(n) for n in names]
        query = f"SELECT {', '.join(select) or '1'} FROM {q(table)}{sql} ORDER BY fid"
        if limit is not None:
            query += " LIMIT %s"
            params.append(int(limit))
        if offset:
            query += " OFFSET %s"
            params.append(int(offset))
        rows = self._fetch(query, params, table) or []
        return frame_from_rows(spec, names, rows, with_geom, _decode_wkb)

    def extent(self, table: str) -> tuple[float, float, float, float] | None:
        """The extent of a feature table's rows, or None when it has none."""
        spec = self._spec(table)
        if not spec.is_spatial:
            return None
        rows = self._fetch(
            "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) "
            f"FROM (SELECT ST_Extent(geom) AS e FROM {q(table)}) AS x",
            [],
            table,
        )
        if not rows or rows[0][0] is None:
            return None
        return tuple(float(v) for v in rows[0])  # type: ignore[return-value]

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
        sql, params = self._where(spec, {**(where or {}), **equals}, kelurahan, None)
        if by:
            order = q(by) + (' COLLATE "C"' if PG_TYPES[spec.column_types[by]] == "text" else "")
            query = f"SELECT {q(by)}, count(*) FROM {q(table)}{sql} GROUP BY {q(by)} ORDER BY {order} NULLS FIRST"
        else:
            query = f"SELECT count(*) FROM {q(table)}{sql}"
        rows = self._fetch(query, params, table) or []
        if by is None:
            return int(rows[0][0]) if rows else 0
        return pd.Series({r[0]: int(r[1]) for r in rows}, dtype="int64")

    def versions(self, scopes: Iterable[str]) -> dict[str, str]:
        """The data version of each scope (a kelurahan code, or ``*``); unknown scopes are ``"0"``."""
        wanted = list(dict.fromkeys(scopes))
        out = dict.fromkeys(wanted, "0")
        if not wanted:
            return out
        rows = self._fetch(
            "SELECT scope, version, changed_at FROM pk_versions WHERE scope = ANY(%s::text[])", [wanted], "pk_versions"
        )
        out.update({scope: f"{version}@{changed}" for scope, version, changed in rows or []})
        return out

    def metadata(self) -> dict[str, str]:
        frame = self.read("pk_metadata")
        return dict(zip(frame["key"], frame["value"], strict=True))

    def checksum(self) -> str:
        """A hash over every table's rows in key order: equal before and after means nothing was written."""
        from geo.store_copy import logical_checksum

        return logical_checksum(self)

    def integrity_check(self) -> str:
        """``ok`` when every table is there with a valid unique key index, else what is wrong."""
        problems = []
        with self.connection() as con:
            for spec in self.specs.values():
                row = con.execute(
                    "SELECT i.indisvalid FROM pg_index i WHERE i.indexrelid = to_regclass(%s)",
                    (q("pk_key_" + spec.name),),
                ).fetchone()
                if row is None or not row[0]:
                    problems.append(f"{spec.name}: no valid unique key index")
        return "ok" if not problems else "; ".join(problems)

    def mvt(self, table: str, layer: str, z: int, x: int, y: int, **options: Any) -> tuple[bytes, list[str]]:
        """One layer of a vector tile of a plain table, encoded by PostGIS (:mod:`geo.store_pg_tiles`)."""
        from geo.store_pg_tiles import mvt_tile

        return mvt_tile(self, table, layer, z, x, y, **options)

    def _spec(self, table: str) -> TableSpec:
        try:
            return self.specs[table]
        except KeyError:
            raise KeyError(f"unknown table {table!r}") from None

    def _where(
        self,
        spec: TableSpec,
        filters: Mapping[str, Filter],
        kelurahan: str | Sequence[str] | None,
        bbox: tuple[float, float, float, float] | None,
    ) -> tuple[str, list[Any]]:
        unknown = set(filters) - set(spec.column_names)
        if unknown:
            raise KeyError(f"{spec.name} has no column {sorted(unknown)}")
        types = spec.column_types
        clauses: list[str] = []
        params: list[Any] = []
        for name, value in filters.items():
            _clause(q(name), types[name], value, clauses, params)
        if kelurahan is not None:
            if spec.scope == "kelurahan_code":
                _clause('"kelurahan_code"', "TEXT", kelurahan, clauses, params)
            elif spec.scope == "work_id":
                sub: list[str] = []
                _clause("kelurahan_code", "TEXT", kelurahan, sub, params)
                clauses.append(f'"work_id" IN (SELECT work_id FROM works WHERE {sub[0]})')
            else:
                raise KeyError(f"{spec.name} has no kelurahan")
        if bbox is not None:
            if not spec.is_spatial:
                raise KeyError(f"{spec.name} has no geometry")
            box = f"ST_MakeEnvelope(%s, %s, %s, %s, {STORAGE_SRS_ID})"
            clauses.append(f"geom && {box} AND ST_Intersects(geom, {box})")
            params += [float(b) for b in bbox] * 2
        return (" WHERE " + " AND ".join(clauses) if clauses else ""), params

    # -- writing --------------------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self, actor: str = "system") -> Iterator[PgWriter]:
        """One PostgreSQL transaction: everything written in the block lands, or nothing does.

        Every row it inserts, changes or deletes is audited as done by ``actor``.  A writer waits
        up to ``write_timeout_s`` for another one (a long import) before ``store.locked``.
        """
        with self.connection() as con, con.transaction():
            con.execute(f"SET LOCAL lock_timeout = '{int(self.write_timeout_s * 1000)}ms'")
            if not self._schema_ok:
                from geo.store_pg_schema import ensure_schema

                ensure_schema(con, self.specs.values(), lock=WRITE_LOCK)
            writer = PgWriter(con, self.specs, actor)
            writer.lock()  # as SQLite's BEGIN IMMEDIATE: what the block reads before it writes is current
            yield writer
            writer.finish()
        self._schema_ok = True  # only once a transaction that checked the schema has committed


def _decode_wkb(values: Sequence[bytes | None]) -> np.ndarray:
    return shapely.from_wkb(np.array(values, dtype=object))


_ARRAY_TYPES = {"INTEGER": "bigint", "REAL": "float8", "TEXT": "text", "DATE": "text", "DATETIME": "text"}


def _clause(column: str, ctype: str, value: Filter, clauses: list[str], params: list[Any]) -> None:
    """``column = value``, ``IS NULL`` or ``= ANY(values)``, the values in the column's own type
    (a value that cannot be one, such as "x" for an INTEGER column, matches nothing, as in SQLite)."""
    kind = _ARRAY_TYPES.get(ctype, "text")
    if value is None:
        clauses.append(f"{column} IS NULL")
        return
    many = isinstance(value, list | tuple | set | frozenset | np.ndarray | pd.Series | pd.Index)
    values = [_typed(v, ctype) for v in (value if many else [value])]
    values = [v for v in values if v is not _NO_MATCH]
    if many:
        clauses.append(f"{column} = ANY(%s::{kind}[])")
        params.append(values)
    elif values:
        clauses.append(f"{column} = %s::{kind}")
        params.append(values[0])
    else:
        clauses.append("false")


_NO_MATCH = object()


def _typed(value: Any, ctype: str) -> Any:
    value = sql_value(value)
    if value is None:
        return None
    if ctype == "INTEGER":
        try:
            number = float(value)
        except (TypeError, ValueError):
            return _NO_MATCH
        return int(number) if number.is_integer() else _NO_MATCH
    if ctype == "REAL":
        try:
            return float(value)
        except (TypeError, ValueError):
            return _NO_MATCH
    if ctype == "BLOB":
        return value
    return value if isinstance(value, str) else str(value)
