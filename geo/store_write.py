"""Writing a transaction's rows: bulk upserts through a staging table, all in SQL.

An upsert stages the incoming rows in a temporary table (with the same column types, so values
compare as the stored ones do), matches them to stored rows through the table's unique key index,
and then inserts the new rows and updates the changed ones with one statement each.  Nothing is
read that the incoming rows do not name, so writing 10,000 rows into a store of a million costs
the same as into an empty one.  The audit log and the data versions are written by triggers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

import numpy as np
import pandas as pd
import shapely

from geo import gpkg
from geo.errors import StoreError
from geo.schema import TableSpec
from geo.store_sql import bump_sql

CHUNK_ROWS = 50_000  # at most this many rows staged at a time: bounds memory on million-row imports
MIN_CHUNK_ROWS = 1_000  # and about 20 chunks per table otherwise, so a progress bar moves
BULK_ROWS = 2_000  # above this many new rows, the R-tree is filled in one statement


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


def sql_value(value: Any) -> Any:
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


def column_values(series: pd.Series) -> list[Any]:
    """A column as Python values sqlite3 stores: vectorised for numbers, per value for objects."""
    if pd.api.types.is_bool_dtype(series.dtype) and not isinstance(series.dtype, pd.CategoricalDtype):
        return [None if v is pd.NA else int(v) for v in series.astype(object)]
    if pd.api.types.is_float_dtype(series.dtype):
        return _nan_none(series.to_numpy(dtype="float64", na_value=np.nan))
    if pd.api.types.is_integer_dtype(series.dtype):
        return [None if v is pd.NA else int(v) for v in series.astype(object).tolist()]
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return [None if pd.isna(v) else v.isoformat() for v in series]
    return [v if type(v) is str else sql_value(v) for v in series.to_numpy(dtype=object)]


class GpkgWriter:
    """What a transaction block writes with.  Not thread-safe; one per transaction."""

    def __init__(self, con, specs: Mapping[str, TableSpec], actor: str = "system") -> None:
        self._con = con
        self._specs = specs
        self._actor = actor
        self._claimed = False
        self._touched: dict[str, tuple[float, float, float, float] | None] = {}
        self._scopes: set[str] = set()  # kelurahan whose data this transaction changed

    def _claim(self) -> None:
        """Name the actor for the audit triggers, just before the first row is written (a
        transaction that writes nothing must leave the file untouched)."""
        if not self._claimed:
            self._con.execute(
                "INSERT INTO pk_session (slot, actor) VALUES (1, ?) "
                "ON CONFLICT(slot) DO UPDATE SET actor = excluded.actor",
                (self._actor,),
            )
            self._claimed = True

    def upsert(
        self, spec: TableSpec, frame: pd.DataFrame, on_rows: Callable[[int], None] | None = None
    ) -> UpsertResult:
        """Insert new keys, update changed rows, leave identical rows alone.

        A column of ``spec`` that ``frame`` does not carry (the geometry included) is never
        overwritten: stored rows keep their value and new rows get NULL.  So a file without a
        ``kecamatan`` column cannot erase the kecamatan names already stored.  ``on_rows(n)`` is
        told, chunk by chunk, how many rows have been written.
        """
        missing_keys = [k for k in spec.key if k not in frame.columns]
        if missing_keys:
            raise KeyError(f"{spec.name}: the rows have no key column {missing_keys}")
        duplicated = frame.duplicated(list(spec.key))
        if duplicated.any():
            first = frame.loc[duplicated, list(spec.key)].iloc[0].tolist()
            raise StoreError("store.duplicate_row", table=spec.name, key=", ".join(str(v) for v in first))
        names = [n for n in spec.column_names if n in frame.columns]
        has_geom = spec.is_spatial and isinstance(frame, pd.DataFrame) and _geometry_name(frame) is not None
        result = UpsertResult()
        size = max(MIN_CHUNK_ROWS, min(CHUNK_ROWS, -(-len(frame) // 20)))
        for start in range(0, len(frame), size):
            chunk = frame.iloc[start : start + size]
            result += self._upsert_chunk(spec, chunk, names, has_geom)
            if on_rows is not None:
                on_rows(start + len(chunk))
        return result

    def _upsert_chunk(self, spec: TableSpec, frame: pd.DataFrame, names: list[str], has_geom: bool) -> UpsertResult:
        con, table = self._con, f'"{spec.name}"'
        types = spec.column_types
        cols = [f'"{n}"' for n in names]
        geo_cols = ["geom", "minx", "maxx", "miny", "maxy"] if has_geom else []
        con.execute("DROP TABLE IF EXISTS temp._pk_stage")
        con.execute(
            "CREATE TEMP TABLE _pk_stage (idx INTEGER PRIMARY KEY, fid INTEGER, changed INTEGER DEFAULT 0"
            + "".join(f", {c} {types[n]}" for c, n in zip(cols, names, strict=True))
            + (", geom BLOB, minx REAL, maxx REAL, miny REAL, maxy REAL" if has_geom else "")
            + ")"
        )
        values = [column_values(frame[n]) for n in names]
        if has_geom:
            geoms = np.asarray(frame[_geometry_name(frame)].to_numpy(), dtype=object)
            bounds = shapely.bounds(geoms)
            values += [gpkg.encode_many(geoms), *(_nan_none(bounds[:, i]) for i in (0, 2, 1, 3))]
        marks = ", ".join("?" * (1 + len(cols) + len(geo_cols)))
        con.executemany(
            f"INSERT INTO _pk_stage (idx, {', '.join(cols + geo_cols)}) VALUES ({marks})",
            zip(range(len(frame)), *values, strict=True),
        )
        match = " AND ".join(f't."{k}" = s."{k}"' for k in spec.key)
        con.execute(f"UPDATE _pk_stage AS s SET fid = (SELECT t.fid FROM {table} t WHERE {match})")
        differs = " OR ".join([f"t.{c} IS NOT s.{c}" for c in cols] + (["t.geom IS NOT s.geom"] if has_geom else []))
        con.execute(
            f"UPDATE _pk_stage AS s SET changed = 1 WHERE s.fid IS NOT NULL AND EXISTS "
            f"(SELECT 1 FROM {table} t WHERE t.fid = s.fid AND ({differs or '0'}))"
        )
        inserted, updated = con.execute(
            "SELECT count(*) FILTER (WHERE fid IS NULL), count(*) FILTER (WHERE changed = 1) FROM _pk_stage"
        ).fetchone()
        result = UpsertResult(inserted=inserted, updated=updated, unchanged=len(frame) - inserted - updated)
        if not result.changed:
            return result
        self._claim()
        self._scopes.update(self._staged_scopes(spec, names))
        all_cols = (["geom"] if has_geom else []) + cols
        if inserted:
            self._insert(spec, all_cols, bulk=has_geom and inserted > BULK_ROWS)
        if updated:
            sets = ", ".join(f"{c} = s.{c}" for c in all_cols)
            con.execute(
                f"UPDATE {table} SET {sets} FROM (SELECT * FROM _pk_stage WHERE changed = 1) AS s "
                f"WHERE {table}.fid = s.fid"
            )
        if has_geom:
            row = con.execute(
                "SELECT min(minx), min(miny), max(maxx), max(maxy) FROM _pk_stage WHERE fid IS NULL OR changed = 1"
            ).fetchone()
            self._touch(spec, None if row[0] is None else tuple(row))
        else:
            self._touch(spec, None)
        con.execute("DROP TABLE temp._pk_stage")
        return result

    def _staged_scopes(self, spec: TableSpec, names: list[str]) -> set[str]:
        """The kelurahan of the staged rows about to be inserted or changed (old and new)."""
        table, sql = f'"{spec.name}"', []
        if spec.scope == "kelurahan_code":
            if "kelurahan_code" in names:
                sql.append("SELECT kelurahan_code FROM _pk_stage WHERE fid IS NULL OR changed = 1")
            sql.append(f"SELECT t.kelurahan_code FROM {table} t JOIN _pk_stage s ON t.fid = s.fid WHERE s.changed = 1")
        elif spec.scope == "work_id":
            if "work_id" in names:
                sql.append(
                    "SELECT w.kelurahan_code FROM works w WHERE w.work_id IN "
                    "(SELECT work_id FROM _pk_stage WHERE fid IS NULL OR changed = 1)"
                )
            sql.append(
                f"SELECT w.kelurahan_code FROM works w WHERE w.work_id IN "
                f"(SELECT t.work_id FROM {table} t JOIN _pk_stage s ON t.fid = s.fid WHERE s.changed = 1)"
            )
        if not sql:
            return set()
        rows = self._con.execute(" UNION ".join(sql)).fetchall()
        return {r[0] for r in rows if r[0] is not None}

    def _insert(self, spec: TableSpec, all_cols: list[str], *, bulk: bool) -> None:
        """Insert the staged new rows; many new features fill the R-tree in one statement
        instead of firing its trigger (and its ST_* functions) once per row."""
        con, table = self._con, f'"{spec.name}"'
        trigger = None
        if bulk and gpkg.has_rtree(con, spec.name):
            name = f"{gpkg.rtree_name(spec.name)}_insert"
            row = con.execute("SELECT sql FROM sqlite_master WHERE type='trigger' AND name=?", (name,)).fetchone()
            if row is not None:
                trigger = row[0]
                con.execute(f'DROP TRIGGER "{name}"')
        first = con.execute(f"SELECT coalesce(max(fid), 0) FROM {table}").fetchone()[0]
        con.execute(
            f"INSERT INTO {table} ({', '.join(all_cols)}) SELECT {', '.join(all_cols)} FROM _pk_stage "
            "WHERE fid IS NULL ORDER BY idx"
        )
        if trigger is not None:
            match = " AND ".join(f't."{k}" = s."{k}"' for k in spec.key)
            con.execute(
                f'INSERT OR REPLACE INTO "{gpkg.rtree_name(spec.name)}" SELECT t.fid, s.minx, s.maxx, s.miny, s.maxy '
                f"FROM _pk_stage s JOIN {table} t ON {match} WHERE s.fid IS NULL AND t.fid > ? AND s.minx IS NOT NULL",
                (first,),
            )
            con.execute(trigger)

    def append(self, spec: TableSpec, row: Mapping[str, Any]) -> None:
        names = [n for n in spec.column_names if n in row]
        self._claim()
        self._con.execute(
            f'INSERT INTO "{spec.name}" ({", ".join(chr(34) + n + chr(34) for n in names)}) '
            f"VALUES ({', '.join('?' * len(names))})",
            [sql_value(row[n]) for n in names],
        )
        if spec.scope == "kelurahan_code" and row.get("kelurahan_code"):
            self._scopes.add(str(row["kelurahan_code"]))
        elif spec.scope == "work_id" and row.get("work_id"):
            found = self._con.execute(
                "SELECT kelurahan_code FROM works WHERE work_id = ?", (row["work_id"],)
            ).fetchone()
            if found and found[0]:
                self._scopes.add(found[0])
        self._touch(spec, None)

    def set_metadata(self, key: str, value: str) -> None:
        old = self._con.execute("SELECT value FROM pk_metadata WHERE key=?", (key,)).fetchone()
        if old is None or old[0] != value:
            self._con.execute("INSERT OR REPLACE INTO pk_metadata (key, value) VALUES (?, ?)", (key, value))
            self._touch(self._specs["pk_metadata"], None)

    def _touch(self, spec: TableSpec, bounds: tuple[float, float, float, float] | None) -> None:
        prev = self._touched.get(spec.name)
        if spec.is_spatial and bounds is not None:
            self._touched[spec.name] = bounds if prev is None else union_bounds(prev, bounds)
        else:
            self._touched.setdefault(spec.name, prev)

    @property
    def wrote(self) -> bool:
        return self._claimed or bool(self._touched)

    def finish(self) -> None:
        """Update gpkg_contents for every table the transaction changed; clear the actor."""
        if self._claimed:
            for scope in [*sorted(self._scopes), "*"]:  # once per transaction, not once per row
                self._con.execute(bump_sql("?"), (scope,))
            self._con.execute("UPDATE pk_session SET actor = NULL WHERE slot = 1")
        if self._touched:
            self._touched.setdefault("pk_audit", None)
        for table, bounds in self._touched.items():
            spec = self._specs[table]
            if spec.is_spatial and bounds is not None:
                row = self._con.execute(
                    "SELECT min_x, min_y, max_x, max_y FROM gpkg_contents WHERE table_name=?", (table,)
                ).fetchone()
                if row and row[0] is not None:
                    bounds = union_bounds(row, bounds)
            gpkg.touch_contents(self._con, table, bounds if spec.is_spatial else None)


def union_bounds(a: tuple | Sequence[float], b: tuple | Sequence[float]) -> tuple[float, float, float, float]:
    """The bounds (minx, miny, maxx, maxy) covering both."""
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


def _geometry_name(frame: pd.DataFrame) -> str | None:
    name = getattr(frame, "_geometry_column_name", None)
    return name if name is not None and name in frame.columns else None


def _nan_none(values: np.ndarray) -> list[Any]:
    out = values.astype(object)
    out[np.isnan(values)] = None
    return out.tolist()
