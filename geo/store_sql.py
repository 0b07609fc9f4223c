"""The SQL that keeps a petakampung GeoPackage honest whoever writes to it.

Audit rows and per-kelurahan data versions are written by SQLite triggers, inside the same
transaction as the change, so they are right for every writer: our importer and site, but also
QGIS or ogr2ogr editing the file.  A change made outside petakampung is audited with the actor
``external``.  :func:`ensure_schema` (re)creates what a store needs at the start of every write
transaction: tables and columns, the unique index on each table's key, GDAL-style R-tree indexes,
and these triggers; it is cheap when nothing is missing (``PRAGMA schema_version`` unchanged).
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable

from geo import gpkg
from geo.errors import StoreError
from geo.schema import TableSpec

REDACTED = {"password_hash", "data"}  # secrets and photo bytes are never copied into the audit log
NOW = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
ACTOR = "COALESCE((SELECT actor FROM pk_session WHERE slot = 1), 'external')"
EXTERNAL = "(SELECT actor FROM pk_session WHERE slot = 1) IS NULL"  # a writer that is not petakampung
# audit ids grow with the log (its unique index is appended to, not scattered into), with a random
# tail so that ids from two stores never collide
AUDIT_ID = "printf('%012d', (SELECT ifnull(max(fid), 0) + 1 FROM pk_audit)) || lower(hex(randomblob(6)))"
_PREFIXES = ("pk_audit_", "pk_version_")


def _q(name: str) -> str:
    return f'"{name}"'


def _value(spec: TableSpec, ref: str, column: str, ctype: str) -> str:
    value = f"{ref}.{_q(column)}"
    if ctype == "BLOB" or column in REDACTED:
        return f"CASE WHEN {value} IS NULL THEN NULL ELSE '<redacted>' END"
    return value


def _row_json(spec: TableSpec, ref: str, geom_expr: str | None) -> str:
    parts = [f"'{c.name}', {_value(spec, ref, c.name, c.type)}" for c in spec.columns]
    if spec.is_spatial and geom_expr is not None:
        parts.append(f"'geom', {geom_expr}")
    return f"json_object({', '.join(parts)})"


def _key_json(spec: TableSpec, ref: str) -> str:
    return "json_array(" + ", ".join(f"CAST({ref}.{_q(k)} AS TEXT)" for k in spec.key) + ")"


def _changed_names(spec: TableSpec) -> str:
    names = [c.name for c in spec.columns] + (["geom"] if spec.is_spatial else [])
    terms = " UNION ALL ".join(f"SELECT '{n}' AS n WHERE OLD.{_q(n)} IS NOT NEW.{_q(n)}" for n in names)
    return f"(SELECT json_group_array(n) FROM ({terms}))"


def _audit_insert(spec: TableSpec, action: str, ref: str, before: str, after: str) -> str:
    return (
        "INSERT INTO pk_audit (audit_id, at, actor, action, table_name, row_key, before_json, after_json) "
        f"VALUES ({AUDIT_ID}, {NOW}, {ACTOR}, '{action}', '{spec.name}', {_key_json(spec, ref)}, "
        f"{before}, {after});"
    )


def audit_triggers(spec: TableSpec) -> dict[str, str]:
    """Trigger name -> DDL writing one audit row per inserted, updated or deleted row."""
    if spec.audit == "none":
        return {}
    t = _q(spec.name)
    if spec.audit == "keys":  # personal data: the key, and which fields changed, never the values
        keys = [*spec.key, *(["kelurahan_code"] if "kelurahan_code" in spec.column_names else [])]
        new_keys = "json_object(" + ", ".join(f"'{k}', NEW.{_q(k)}" for k in dict.fromkeys(keys)) + ")"
        bodies = {
            "insert": _audit_insert(spec, "insert", "NEW", "NULL", new_keys),
            "update": _audit_insert(spec, "update", "NEW", "NULL", f"json_object('changed', {_changed_names(spec)})"),
            "delete": _audit_insert(spec, "delete", "OLD", "NULL", "NULL"),
        }
    else:
        changed_geom = "CASE WHEN OLD.geom IS NEW.geom THEN NULL ELSE '<changed>' END"
        new_geom = "CASE WHEN NEW.geom IS NULL THEN NULL ELSE '<changed>' END"
        bodies = {
            "insert": _audit_insert(spec, "insert", "NEW", "NULL", _row_json(spec, "NEW", new_geom)),
            "update": _audit_insert(
                spec, "update", "NEW", _row_json(spec, "OLD", changed_geom), _row_json(spec, "NEW", changed_geom)
            ),
            "delete": _audit_insert(spec, "delete", "OLD", _row_json(spec, "OLD", None), "NULL"),
        }
    return _named(spec, "pk_audit", {op: f"AFTER {op.upper()} ON {t} BEGIN {body} END" for op, body in bodies.items()})


def bump_sql(scope_expr: str, where: str = "") -> str:
    """INSERT-or-increment the version of one scope (used by the triggers and by our writer)."""
    return _bump(scope_expr, where)


def _bump(scope_expr: str, where: str = "") -> str:
    select = f"SELECT {scope_expr}, 1, {NOW}" + (f" WHERE {where}" if where else " WHERE 1")
    return (
        f"INSERT INTO pk_versions (scope, version, changed_at) {select} "
        "ON CONFLICT(scope) DO UPDATE SET version = version + 1, changed_at = excluded.changed_at;"
    )


def _scope_of(spec: TableSpec, ref: str) -> str | None:
    if spec.scope == "kelurahan_code":
        return f"{ref}.kelurahan_code"
    if spec.scope == "work_id":
        return f"(SELECT w.kelurahan_code FROM works w WHERE w.work_id = {ref}.work_id)"
    return None


def version_triggers(spec: TableSpec) -> dict[str, str]:
    """Trigger name -> DDL bumping the version of the kelurahan a changed row belongs to, and '*',
    when the writer is another tool (QGIS, ogr2ogr).  Our own writer bumps each touched version
    once per transaction instead of once per row (:meth:`geo.store_write.GpkgWriter.finish`).

    Caches of public frames, maps, tiles and reports compare these versions, so every server
    process sees a change in the same transaction that made it, whoever made it.
    """
    if spec.audit == "none":
        return {}
    t = _q(spec.name)
    bodies = {}
    for op in ("insert", "update", "delete"):
        statements = []
        refs = ("NEW",) if op == "insert" else ("OLD",) if op == "delete" else ("NEW", "OLD")
        for ref in refs:
            scope = _scope_of(spec, ref)
            if scope is not None:
                where = f"{scope} IS NOT NULL" + (
                    f" AND {scope} IS NOT {_scope_of(spec, 'NEW')}" if op == "update" and ref == "OLD" else ""
                )
                statements.append(_bump(scope, where))
        statements.append(_bump("'*'"))
        bodies[op] = f"AFTER {op.upper()} ON {t} WHEN {EXTERNAL} BEGIN {' '.join(statements)} END"
    return _named(spec, "pk_version", bodies)


def _named(spec: TableSpec, prefix: str, bodies: dict[str, str]) -> dict[str, str]:
    """Names carry a hash of their body, so a changed table definition replaces its triggers."""
    out = {}
    for op, body in bodies.items():
        digest = hashlib.sha1(body.encode(), usedforsecurity=False).hexdigest()[:8]
        name = f"{prefix}_{spec.name}_{op}_{digest}"
        out[name] = f"CREATE TRIGGER {_q(name)} {body}"
    return out


def _has_unique_key(con: sqlite3.Connection, spec: TableSpec) -> bool:
    for row in con.execute(f"PRAGMA index_list({_q(spec.name)})"):
        if row[2]:  # unique
            cols = [r[2] for r in con.execute(f"PRAGMA index_info({_q(row[1])})")]
            if cols == list(spec.key):
                return True
    return False


def _ensure_table(con: sqlite3.Connection, spec: TableSpec, tables: set[str]) -> None:
    if spec.name not in tables:
        gpkg.create_table(con, spec)
        return
    have = {r[1] for r in con.execute(f"PRAGMA table_info({_q(spec.name)})")}
    for column in spec.columns:
        if column.name not in have:  # a table rewritten by another tool, or an older store
            con.execute(f"ALTER TABLE {_q(spec.name)} ADD COLUMN {_q(column.name)} {column.type}")
    if not _has_unique_key(con, spec):
        try:
            con.execute(
                f"CREATE UNIQUE INDEX {_q('pk_key_' + spec.name)} ON {_q(spec.name)} "
                f"({', '.join(_q(k) for k in spec.key)})"
            )
        except sqlite3.IntegrityError as exc:
            raise StoreError("store.duplicate_keys", table=spec.name, key=", ".join(spec.key)) from exc
    for i, index_cols in enumerate(spec.indexes):
        con.execute(f'CREATE INDEX IF NOT EXISTS "idx_{spec.name}_{i}" ON {_q(spec.name)} ({", ".join(index_cols)})')


def ensure_schema(con: sqlite3.Connection, specs: Iterable[TableSpec]) -> None:
    """Create whatever of petakampung's schema the file lacks (inside the caller's transaction)."""
    master = con.execute("SELECT type, name, tbl_name FROM sqlite_master").fetchall()
    tables = {name for kind, name, _ in master if kind in ("table", "view")}
    triggers = {name: table for kind, name, table in master if kind == "trigger"}
    for spec in specs:
        _ensure_table(con, spec, tables)
        if spec.is_spatial and not gpkg.has_rtree(con, spec.name):
            gpkg.create_rtree(con, spec.name)
        for view in spec.type_views:
            if view[0] not in tables:
                gpkg.create_type_view(con, spec, *view)
        wanted = {**audit_triggers(spec), **version_triggers(spec)}
        for name, table in triggers.items():
            if table == spec.name and name.startswith(_PREFIXES) and name not in wanted:
                con.execute(f"DROP TRIGGER {_q(name)}")
        for name, ddl in wanted.items():
            if name not in triggers:
                con.execute(ddl)
