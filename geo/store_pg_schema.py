"""Creating and upgrading a PostGIS store's schema, and the public role's grants.

:func:`ensure_schema` runs inside a write transaction (under the store's write lock, so two
processes never race to create the same table) and is skipped when the comment on
``pk_metadata`` carries the digest of the current DDL: a write costs one catalogue look-up, not a
schema check.  ``petakampung db upgrade`` runs it unconditionally (idempotent) and then
:func:`grant_public`.
"""

from __future__ import annotations

from collections.abc import Iterable

import psycopg
from psycopg import errors as pg_errors

from geo.errors import StoreError
from geo.schema import TableSpec
from geo.store import SCHEMA_VERSION
from geo.store_pg_sql import (
    PG_TYPES,
    SCHEMA_COMMENT,
    create_table,
    key_index,
    other_indexes,
    q,
    schema_digest,
    triggers,
    type_view,
)

__all__ = ["ensure_schema", "grant_public", "public_columns", "public_tables"]

_PREFIXES = ("pk_audit_", "pk_version_")
# tables the site's public role reads whole: the public layers, and the data versions that key its caches
_PUBLIC_SYSTEM = ("pk_versions", "pk_metadata")


def _comment(specs: Iterable[TableSpec]) -> str:
    return f"{SCHEMA_COMMENT}{schema_digest(specs)} v{SCHEMA_VERSION}"


def schema_is_current(con: psycopg.Connection, specs: Iterable[TableSpec]) -> bool:
    row = con.execute("SELECT obj_description(to_regclass('pk_metadata'), 'pg_class')").fetchone()
    return row is not None and row[0] == _comment(specs)


def ensure_schema(con: psycopg.Connection, specs: Iterable[TableSpec], *, lock: int, force: bool = False) -> None:
    """Create whatever of petakampung's schema the database lacks (in the caller's transaction)."""
    specs = list(specs)
    if not force and schema_is_current(con, specs):
        return
    con.execute("SELECT pg_advisory_xact_lock(%s)", (lock,))
    if not force and schema_is_current(con, specs):  # another process did it while we waited
        return
    ensure_postgis(con)
    for spec in specs:
        _ensure_table(con, spec)
        for view in spec.type_views:
            con.execute(type_view(spec, *view))
        _ensure_triggers(con, spec)
    found = con.execute("SELECT value FROM pk_metadata WHERE key = 'schema_version'").fetchone()
    if found is None:
        con.execute("INSERT INTO pk_metadata (key, value) VALUES ('schema_version', %s)", (SCHEMA_VERSION,))
    elif found[0] != SCHEMA_VERSION:
        con.execute("UPDATE pk_metadata SET value = %s WHERE key = 'schema_version'", (SCHEMA_VERSION,))
    con.execute(f"COMMENT ON TABLE pk_metadata IS '{_comment(specs)}'")


def ensure_postgis(con: psycopg.Connection) -> None:
    if con.execute("SELECT 1 FROM pg_extension WHERE extname = 'postgis'").fetchone():
        return
    try:
        with con.transaction():  # a savepoint: the error below is ours to report
            con.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    except psycopg.Error as exc:
        raise StoreError("store.pg_no_postgis", detail=str(exc).strip().splitlines()[0]) from exc


def _ensure_table(con: psycopg.Connection, spec: TableSpec) -> None:
    con.execute(create_table(spec))
    have = {
        r[0]
        for r in con.execute(
            "SELECT attname FROM pg_attribute WHERE attrelid = to_regclass(%s) AND attnum > 0 AND NOT attisdropped",
            (q(spec.name),),
        )
    }
    for column in spec.columns:
        if column.name not in have:  # an older store, or a table another tool rewrote
            con.execute(f"ALTER TABLE {q(spec.name)} ADD COLUMN {q(column.name)} {PG_TYPES[column.type]}")
    try:
        with con.transaction():
            con.execute(key_index(spec))
    except pg_errors.UniqueViolation as exc:
        raise StoreError("store.duplicate_keys", table=spec.name, key=", ".join(spec.key)) from exc
    for ddl in other_indexes(spec):
        con.execute(ddl)


def _ensure_triggers(con: psycopg.Connection, spec: TableSpec) -> None:
    wanted = triggers(spec)
    have = {
        r[0]
        for r in con.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = to_regclass(%s) AND NOT tgisinternal", (q(spec.name),)
        )
    }
    for name in have:
        if name.startswith(_PREFIXES) and name not in wanted:
            con.execute(f"DROP TRIGGER {q(name)} ON {q(spec.name)}")
            con.execute(f"DROP FUNCTION IF EXISTS {q(name)}()")
    for name, (function, trigger) in wanted.items():
        if name not in have:
            con.execute(function)
            con.execute(trigger)


def public_columns() -> dict[str, list[str]]:
    """Restricted tables of which the public pages need some columns: the progress of works."""
    from geo.progress import PUBLIC_PROGRESS_COLUMNS

    return {"progress_records": ["fid", *PUBLIC_PROGRESS_COLUMNS]}  # fid: reads are in row order


def public_tables(specs: Iterable[TableSpec]) -> list[str]:
    """What the site's public role may read whole: public layers, their views, the data versions."""
    out = list(_PUBLIC_SYSTEM)
    for spec in specs:
        if spec.public:
            out.append(spec.name)
            out += [view[0] for view in spec.type_views]
    return out


def grant_public(con: psycopg.Connection, role: str, specs: Iterable[TableSpec]) -> None:
    """Let ``role`` read the public tables (and the public columns of a few others) and nothing
    else: not households, accounts, the audit log, photos or import history."""
    specs = list(specs)
    exists = con.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
    if not exists:
        raise StoreError("store.pg_no_role", role=role)
    names = [s.name for s in specs] + [v[0] for s in specs for v in s.type_views]
    role_q = q(role)
    for name in names:
        con.execute(f"REVOKE ALL ON {q(name)} FROM {role_q}")
    schema = con.execute("SELECT current_schema()").fetchone()[0]
    con.execute(f"GRANT USAGE ON SCHEMA {q(schema)} TO {role_q}")
    for name in public_tables(specs):
        con.execute(f"GRANT SELECT ON {q(name)} TO {role_q}")
    for table, columns in public_columns().items():
        con.execute(f"GRANT SELECT ({', '.join(q(c) for c in columns)}) ON {q(table)} TO {role_q}")
    con.execute(f"GRANT SELECT ON spatial_ref_sys TO {role_q}")
