"""Writing a PostGIS transaction's rows: bulk upserts through a staging table, all in SQL.

The twin of :mod:`geo.store_write`: rows are COPYed into a temporary staging table with the
table's own column types, matched to stored rows through the unique key index, and then inserted
(``INSERT ... SELECT ... ON CONFLICT``) and updated (``UPDATE ... FROM``) with one statement each.
Nothing is read that the incoming rows do not name.  The audit rows are written by the triggers;
the kelurahan versions by :meth:`PgWriter.finish`, once per transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd
import psycopg
import shapely

from geo.errors import StoreError
from geo.schema import STORAGE_SRS_ID, TableSpec
from geo.store_pg_sql import PG_TYPES, bump_sql, q
from geo.store_write import CHUNK_ROWS, MIN_CHUNK_ROWS, UpsertResult, column_values, sql_value

__all__ = ["WRITE_LOCK", "PgWriter"]

WRITE_LOCK = 0x706B_5F77_7269_7465  # 'pk_write': the store's one write lock (pg_advisory_xact_lock)


class PgWriter:
    """What a transaction block writes with.  Not thread-safe; one per transaction."""

    def __init__(self, con: psycopg.Connection, specs: Mapping[str, TableSpec], actor: str = "system") -> None:
        self._con = con
        self._specs = specs
        self._actor = actor
        self._locked = False
        self._claimed = False
        self._touched = False
        self._scopes: set[str] = set()

    def lock(self) -> None:
        """Wait for the store's write lock (held until this transaction ends)."""
        if not self._locked:
            self._con.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
            self._locked = True

    def _claim(self) -> None:
        """Name the actor for the audit triggers before the first row is written."""
        if not self._claimed:
            self.lock()
            self._con.execute("SELECT set_config('petakampung.actor', %s, true)", (self._actor,))
            self._claimed = True

    def upsert(
        self, spec: TableSpec, frame: pd.DataFrame, on_rows: Callable[[int], None] | None = None
    ) -> UpsertResult:
        """Insert new keys, update changed rows, leave identical rows alone (see
        :meth:`geo.store_write.GpkgWriter.upsert`: a column the frame does not carry is never overwritten)."""
        missing_keys = [k for k in spec.key if k not in frame.columns]
        if missing_keys:
            raise KeyError(f"{spec.name}: the rows have no key column {missing_keys}")
        duplicated = frame.duplicated(list(spec.key))
        if duplicated.any():
            first = frame.loc[duplicated, list(spec.key)].iloc[0].tolist()
            raise StoreError("store.duplicate_row", table=spec.name, key=", ".join(str(v) for v in first))
        names = [n for n in spec.column_names if n in frame.columns]
        geom_name = _geometry_name(frame) if spec.is_spatial else None
        self.lock()
        result = UpsertResult()
        size = max(MIN_CHUNK_ROWS, min(CHUNK_ROWS, -(-len(frame) // 20)))
        for start in range(0, len(frame), size):
            chunk = frame.iloc[start : start + size]
            result += self._upsert_chunk(spec, chunk, names, geom_name)
            if on_rows is not None:
                on_rows(start + len(chunk))
        return result

    def _stage(self, spec: TableSpec, frame: pd.DataFrame, names: list[str], geom_name: str | None) -> None:
        con, types = self._con, spec.column_types
        con.execute("DROP TABLE IF EXISTS pg_temp._pk_stage")
        con.execute(
            "CREATE TEMP TABLE _pk_stage (idx bigint, fid bigint, changed boolean NOT NULL DEFAULT false"
            + "".join(f", {q(n)} {PG_TYPES[types[n]]}" for n in names)
            + (f", geom geometry(Geometry, {STORAGE_SRS_ID})" if geom_name else "")
            + ") ON COMMIT DROP"
        )
        values = [_as_stored(column_values(frame[n]), types[n]) for n in names]
        if geom_name:
            geoms = shapely.set_srid(np.asarray(frame[geom_name].to_numpy(), dtype=object), STORAGE_SRS_ID)
            values.append(list(shapely.to_wkb(geoms, hex=True, include_srid=True, flavor="extended")))
        cols = ", ".join(["idx", *(q(n) for n in names), *(["geom"] if geom_name else [])])
        with con.cursor().copy(f"COPY _pk_stage ({cols}) FROM STDIN") as copy:
            for row in zip(range(len(frame)), *values, strict=True):
                copy.write_row(row)

    def _upsert_chunk(
        self, spec: TableSpec, frame: pd.DataFrame, names: list[str], geom_name: str | None
    ) -> UpsertResult:
        con, table = self._con, q(spec.name)
        self._stage(spec, frame, names, geom_name)
        cols = [q(n) for n in names] + (["geom"] if geom_name else [])
        match = " AND ".join(f"t.{q(k)} = s.{q(k)}" for k in spec.key)
        con.execute(f"UPDATE _pk_stage AS s SET fid = t.fid FROM {table} AS t WHERE {match}")
        differs = " OR ".join(f"t.{c} IS DISTINCT FROM s.{c}" for c in cols) or "false"
        con.execute(f"UPDATE _pk_stage AS s SET changed = true FROM {table} AS t WHERE t.fid = s.fid AND ({differs})")
        inserted, updated = con.execute(
            "SELECT count(*) FILTER (WHERE fid IS NULL), count(*) FILTER (WHERE changed) FROM _pk_stage"
        ).fetchone()
        result = UpsertResult(inserted=inserted, updated=updated, unchanged=len(frame) - inserted - updated)
        if result.changed:
            self._claim()
            self._scopes.update(self._staged_scopes(spec, names))
            listed = ", ".join(cols)
            if inserted:
                sets = ", ".join(f"{c} = excluded.{c}" for c in cols)
                keys = ", ".join(q(k) for k in spec.key)
                con.execute(
                    f"INSERT INTO {table} ({listed}) SELECT {listed} FROM _pk_stage WHERE fid IS NULL ORDER BY idx "
                    f"ON CONFLICT ({keys}) DO UPDATE SET {sets}"  # only if another tool inserted it meanwhile
                )
            if updated:
                sets = ", ".join(f"{c} = s.{c}" for c in cols)
                con.execute(f"UPDATE {table} AS t SET {sets} FROM _pk_stage AS s WHERE s.changed AND t.fid = s.fid")
            self._touched = True
        con.execute("DROP TABLE _pk_stage")
        return result

    def _staged_scopes(self, spec: TableSpec, names: list[str]) -> set[str]:
        """The kelurahan of the staged rows about to be inserted or changed (old and new)."""
        table, sql = q(spec.name), []
        if spec.scope == "kelurahan_code":
            if "kelurahan_code" in names:
                sql.append("SELECT kelurahan_code FROM _pk_stage WHERE fid IS NULL OR changed")
            sql.append(f"SELECT t.kelurahan_code FROM {table} t JOIN _pk_stage s ON t.fid = s.fid WHERE s.changed")
        elif spec.scope == "work_id":
            if "work_id" in names:
                sql.append(
                    "SELECT w.kelurahan_code FROM works w WHERE w.work_id IN "
                    "(SELECT work_id FROM _pk_stage WHERE fid IS NULL OR changed)"
                )
            sql.append(
                f"SELECT w.kelurahan_code FROM works w WHERE w.work_id IN "
                f"(SELECT t.work_id FROM {table} t JOIN _pk_stage s ON t.fid = s.fid WHERE s.changed)"
            )
        if not sql:
            return set()
        return {r[0] for r in self._con.execute(" UNION ".join(sql)).fetchall() if r[0] is not None}

    def append(self, spec: TableSpec, row: Mapping[str, Any]) -> None:
        names = [n for n in spec.column_names if n in row]
        self._claim()
        self._con.execute(
            f"INSERT INTO {q(spec.name)} ({', '.join(q(n) for n in names)}) VALUES ({', '.join(['%s'] * len(names))})",
            _as_stored([sql_value(row[n]) for n in names], *[spec.column_types[n] for n in names]),
        )
        if spec.scope == "kelurahan_code" and row.get("kelurahan_code"):
            self._scopes.add(str(row["kelurahan_code"]))
        elif spec.scope == "work_id" and row.get("work_id"):
            found = self._con.execute(
                "SELECT kelurahan_code FROM works WHERE work_id = %s", (row["work_id"],)
            ).fetchone()
            if found and found[0]:
                self._scopes.add(found[0])
        self._touched = True

    def set_metadata(self, key: str, value: str) -> None:
        self.lock()
        old = self._con.execute("SELECT value FROM pk_metadata WHERE key = %s", (key,)).fetchone()
        if old is None or old[0] != value:
            self._con.execute(
                "INSERT INTO pk_metadata (key, value) VALUES (%s, %s) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )
            self._touched = True

    @property
    def wrote(self) -> bool:
        return self._claimed or self._touched

    def finish(self) -> None:
        """Bump the version of every kelurahan this transaction changed, and ``*``, once each."""
        if self._claimed:
            self._con.execute(bump_sql(), ([*sorted(self._scopes), "*"],))


def _as_stored(values: list[Any], *ctypes: str) -> list[Any]:
    """Whole numbers in INTEGER columns as ints (2.0 -> 2), as SQLite's INTEGER affinity stores
    them; ``ctypes`` is one type for the whole list, or one per value."""
    kinds = ctypes if len(ctypes) == len(values) else ctypes * len(values)
    return [
        int(v) if ctype == "INTEGER" and isinstance(v, float) and v.is_integer() else v
        for v, ctype in zip(values, kinds, strict=True)
    ]


def _geometry_name(frame: pd.DataFrame) -> str | None:
    name = getattr(frame, "_geometry_column_name", None)
    return name if name is not None and name in frame.columns else None
