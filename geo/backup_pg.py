"""``petakampung backup`` and ``restore`` for a PostGIS store: ``pg_dump`` in its custom format.

The archive has the same shape as a GeoPackage backup (see :mod:`geo.backup`): a manifest with the
SHA-256 of every member, the household key and the session secret files when they are files, all
0600, and instead of the GeoPackage a ``petakampung.pgdump`` made by ``pg_dump --format=custom``
(one consistent snapshot: pg_dump runs in one repeatable-read transaction, so the site keeps
writing while it runs).  Owners and grants are left out of the dump: a database restored on
another server gets its objects owned by the restoring role, and the public role's grants are
given again from ``PETAKAMPUNG_STORE_PUBLIC``, as ``petakampung db upgrade`` gives them.

``restore`` checks the archive (hashes, ``pg_restore --list``) before it touches the database,
refuses a database that already holds a petakampung store unless forced (then ``--clean``), and
runs ``pg_restore --single-transaction``: a restore that fails part-way changes nothing.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from geo.errors import RequestError, StoreError
from geo.settings import Settings, redact_url

DUMP_MEMBER = "petakampung.pgdump"
_VERSION = re.compile(r"(\d+)(?:\.(\d+))?")


def pg_tool(name: str) -> str:
    """``pg_dump`` or ``pg_restore``: from PETAKAMPUNG_PG_BIN, else the newest Debian
    PostgreSQL's (a newer pg_dump reads every older server), else the one on PATH."""
    folder = os.environ.get("PETAKAMPUNG_PG_BIN")
    candidates = [Path(folder) / name] if folder else []
    candidates += sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=_major, reverse=True)
    found = shutil.which(name)
    if found:
        candidates.append(Path(found))
    for path in candidates:
        if path.is_file() and os.access(path, os.X_OK):
            return str(path)
    raise StoreError("backup.pg_tool_missing", tool=name)


def _major(tool: Path) -> tuple[int, int]:
    match = _VERSION.match(tool.parent.parent.name)
    return (int(match.group(1)), int(match.group(2) or 0)) if match else (0, 0)


def _run(args: list[str], what: str, url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PGCONNECT_TIMEOUT": "15"}
    done = subprocess.run(args, capture_output=True, text=True, env=env)  # noqa: S603 (our arguments, no shell)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        message = detail[-1] if detail else f"exit {done.returncode}"
        raise StoreError("backup.pg_failed", tool=what, location=redact_url(url), detail=message.replace(url, "…"))
    return done


def dump(url: str, target: Path) -> None:
    """``pg_dump -Fc`` of the whole database at ``url`` into the new file ``target`` (0600)."""
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    _run(
        [pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={target}", f"--dbname={url}"],
        "pg_dump",
        url,
    )
    check_dump(target, url)


def check_dump(path: Path, url: str) -> str:
    """A dump pg_restore can read and that holds a petakampung store; returns its table of contents."""
    listing = _run([pg_tool("pg_restore"), "--list", str(path)], "pg_restore", url).stdout
    if not re.search(r"TABLE \S+ pk_metadata\b", listing):
        raise StoreError("backup.integrity", detail="no pk_metadata in the dump")
    return listing


def manifest_fields(url: str) -> dict[str, str]:
    parts = urlsplit(url)
    return {
        "kind": "postgis",
        "database": parts.path.lstrip("/"),
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _ensure_postgis(url: str) -> None:
    import psycopg

    from geo.store_pg_schema import ensure_postgis

    with psycopg.connect(url, connect_timeout=15) as con:
        ensure_postgis(con)


def restore_dump(settings: Settings, path: Path, *, force: bool) -> None:
    """Restore the dump at ``path`` into the configured database, all or nothing."""
    url = str(settings.store)
    from geo.store import open_store
    from geo.store_copy import upgrade_store

    listing = check_dump(path, url)
    exists = open_store(url).exists()  # a petakampung store is there already
    if exists and not force:
        raise RequestError("restore.exists_db", location=redact_url(url))
    _ensure_postgis(url)
    # the PostGIS extension and its spatial_ref_sys are the database's, made by its administrator
    # (or by the step above): not restored, so a role that does not own them restores the rest
    keep = [line for line in listing.splitlines() if not re.search(r"\bEXTENSION\b|\bspatial_ref_sys\b", line)]
    chosen = path.with_name(path.name + ".list")
    chosen.write_text("\n".join(keep) + "\n")
    args = [pg_tool("pg_restore"), "--single-transaction", "--no-owner", "--no-privileges", "--exit-on-error"]
    if exists:
        args += ["--clean", "--if-exists"]
    _run([*args, f"--use-list={chosen}", f"--dbname={url}", str(path)], "pg_restore", url)
    if settings.store_public:
        role = urlsplit(str(settings.store_public)).username
        upgrade_store(open_store(url), public_role=role)
