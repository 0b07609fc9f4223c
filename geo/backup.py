"""``petakampung backup`` and ``restore``: the store with its household key and session secret.

A backup is one tar archive (gzip-compressed when its name ends in ``.tar.gz`` or ``.tgz``),
written under a temporary name and renamed into place, readable by its owner only (0600):

- ``petakampung-backup.json``: what the archive holds (format, kind of store, when, SHA-256 of
  each member, the store's schema version);
- ``petakampung.gpkg``: a copy made with SQLite's online backup API in one step, i.e. inside one read
  transaction: a consistent snapshot of every committed transaction at its start, taken while the
  site keeps writing (WAL readers never block writers), checked with ``PRAGMA integrity_check``;
- ``petakampung.key``: ``<store>.key`` (the key of the KK-number hashes), when it is a file;
- ``petakampung.secret``: the session-secret file (``PETAKAMPUNG_SECRET_FILE`` or ``<store>.secret``),
  when the secret is a file.  A secret or key given in the environment is not in the backup.

A PostGIS store (``postgresql://``) is backed up the same way with ``pg_dump --format=custom``
in place of the GeoPackage copy: see :mod:`geo.backup_pg`.

``restore`` reads only those member names (never ``extractall``), checks every hash and the
copy's integrity before anything is replaced, refuses to overwrite an existing store or a
different key or secret without ``force``, and then keeps the replaced files beside the new ones
as ``*.sebelum-pulih-<time>``.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import sqlite3
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from geo.errors import RequestError, StoreError
from geo.settings import Settings, write_private

FORMAT = 1
MANIFEST = "petakampung-backup.json"
STORE_MEMBER, KEY_MEMBER, SECRET_MEMBER = "petakampung.gpkg", "petakampung.key", "petakampung.secret"
GPKG_APPLICATION_ID = 0x47504B47


@dataclass
class BackupResult:
    path: Path
    members: list[str] = field(default_factory=list)
    size: int = 0


def backup(settings: Settings, output: Path) -> BackupResult:
    """Write a backup of the store (and its key and secret files) to ``output``."""
    database = settings.is_database
    if not database:
        store = Path(settings.store)
        if not (store.is_file() and store.stat().st_size > 0):
            raise StoreError("backup.no_store", path=str(store))
    if output.exists():
        raise RequestError("backup.exists", path=str(output))
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".pk-backup-", dir=output.parent) as tmp:
        if database:
            from geo import backup_pg

            copy = Path(tmp) / backup_pg.DUMP_MEMBER
            backup_pg.dump(str(settings.store), copy)
            files = {backup_pg.DUMP_MEMBER: copy}
            about: dict = {**backup_pg.manifest_fields(str(settings.store)), "schema_version": None}
        else:
            copy = Path(tmp) / STORE_MEMBER
            about = {
                "kind": "gpkg",
                "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "store_name": store.name,
                "schema_version": snapshot(store, copy),
            }
            files = {STORE_MEMBER: copy}
        files.update(_side_files(settings))
        manifest = {"format": FORMAT, **about, "sha256": {name: _sha256(path) for name, path in files.items()}}
        _write_tar(output, Path(tmp) / "archive", manifest, files)
    return BackupResult(output, list(files), output.stat().st_size)


def _side_files(settings: Settings) -> dict[str, Path]:
    """The household key and session secret files that go with the store (those given in the
    environment, or not configured for a database store, are not files and are not backed up)."""
    files: dict[str, Path] = {}
    if not settings.hash_key and (settings.hash_key_file or not settings.is_database):
        key = settings.key_path()
        if key.is_file():
            files[KEY_MEMBER] = key
    if not settings.secret_key and (settings.secret_file or not settings.is_database):
        secret = settings.secret_path()
        if secret is not None and secret.is_file():
            files[SECRET_MEMBER] = secret
    return files


def snapshot(source: Path, target: Path) -> str | None:
    """Copy the GeoPackage ``source`` to ``target`` (a new file, 0600) with SQLite's backup API,
    all pages in one step, then check it; returns the copy's schema version."""
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=60)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)  # pages=-1: one step, one read transaction, one snapshot
            dst.execute("PRAGMA journal_mode = DELETE")  # the whole copy in the one file
            return _check_copy(dst)
        finally:
            dst.close()
    finally:
        src.close()


def _check_copy(con: sqlite3.Connection) -> str | None:
    result = con.execute("PRAGMA integrity_check").fetchall()
    if [r[0] for r in result] != ["ok"]:
        raise StoreError("backup.integrity", detail="; ".join(str(r[0]) for r in result[:3]))
    if con.execute("PRAGMA application_id").fetchone()[0] != GPKG_APPLICATION_ID:
        raise StoreError("backup.integrity", detail="not a GeoPackage")
    try:
        row = con.execute("SELECT value FROM pk_metadata WHERE key = 'schema_version'").fetchone()
    except sqlite3.Error:
        raise StoreError("backup.integrity", detail="no pk_metadata") from None
    return row[0] if row else None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_tar(output: Path, tmp: Path, manifest: dict, files: dict[str, Path]) -> None:
    mode = "w:gz" if output.name.endswith((".tar.gz", ".tgz")) else "w"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode=mode) as tar:  # type: ignore[call-overload]
        _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=2).encode())
        for name, path in files.items():
            info = _private(tar.gettarinfo(str(path), arcname=name))
            with path.open("rb") as fh:
                tar.addfile(info, fh)
        raw.flush()
        os.fsync(raw.fileno())
    try:
        os.link(tmp, output)  # never replaces a file that appeared meanwhile
    except FileExistsError:
        raise RequestError("backup.exists", path=str(output)) from None


def _private(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.mode = 0o600
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = _private(tarfile.TarInfo(name))
    info.size = len(data)
    info.mtime = int(datetime.now(UTC).timestamp())
    tar.addfile(info, io.BytesIO(data))


# -- restore ---------------------------------------------------------------------------------------
@dataclass
class RestorePlan:
    """Where each member of a backup goes (checked before anything is written)."""

    store: Path
    files: dict[str, Path] = field(default_factory=dict)  # member -> destination


def restore(settings: Settings, archive: Path, *, force: bool = False) -> RestorePlan:
    """Restore ``archive`` into the configured store (and key and secret files)."""
    if not archive.is_file():
        raise RequestError("restore.not_backup", path=str(archive), detail="no such file")
    database = settings.is_database
    if database:
        from geo import backup_pg

        store_member, folder = backup_pg.DUMP_MEMBER, None
    else:
        store_member, folder = STORE_MEMBER, _folder(Path(settings.store))
    with _open_archive(archive) as tar, tempfile.TemporaryDirectory(prefix=".pk-restore-", dir=folder) as tmp:
        manifest = _manifest(tar, archive, "postgis" if database else "gpkg")
        staged = _stage(tar, archive, manifest, Path(tmp), store_member)
        plan = RestorePlan(Path(settings.store) if not database else Path(backup_pg.DUMP_MEMBER), {})
        if not database:
            plan.files[STORE_MEMBER] = plan.store
        side = _side_targets(settings)
        for member in (KEY_MEMBER, SECRET_MEMBER):
            if member in staged and member in side:
                plan.files[member] = side[member]
        _check_targets(plan, staged, force, check_store=not database)
        if database:
            backup_pg.restore_dump(settings, staged[store_member], force=force)  # all or nothing, first
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        for member, target in plan.files.items():
            _put(staged[member], target, stamp, is_store=member == STORE_MEMBER)
    return plan


def _side_targets(settings: Settings) -> dict[str, Path]:
    """Where the key and secret of a backup go: their files, unless given in the environment."""
    out: dict[str, Path] = {}
    if not settings.hash_key and (settings.hash_key_file or not settings.is_database):
        out[KEY_MEMBER] = settings.key_path()
    if not settings.secret_key and (settings.secret_file or not settings.is_database):
        secret = settings.secret_path()
        if secret is not None:
            out[SECRET_MEMBER] = secret
    return out


def _folder(store: Path) -> Path:
    store.parent.mkdir(parents=True, exist_ok=True)
    return store.parent


@contextlib.contextmanager
def _open_archive(archive: Path) -> Iterator[tarfile.TarFile]:
    try:
        tar = tarfile.open(archive, mode="r:*")  # noqa: SIM115 (closed below; opening errors are ours)
    except (tarfile.TarError, OSError) as exc:
        raise RequestError("restore.not_backup", path=str(archive), detail=type(exc).__name__) from None
    try:
        yield tar
    finally:
        tar.close()


def _manifest(tar: tarfile.TarFile, archive: Path, kind: str) -> dict:
    try:
        member = tar.getmember(MANIFEST)
        data = json.loads(tar.extractfile(member).read())  # type: ignore[union-attr]
    except (KeyError, AttributeError, ValueError):
        raise RequestError("restore.not_backup", path=str(archive), detail=f"no {MANIFEST}") from None
    if data.get("format") != FORMAT or not isinstance(data.get("sha256"), dict):
        raise RequestError("restore.not_backup", path=str(archive), detail=f"format {data.get('format')!r}")
    if data.get("kind") != kind:
        raise RequestError("restore.kind", kind=str(data.get("kind"))[:20], store=kind)
    return data


def _stage(tar: tarfile.TarFile, archive: Path, manifest: dict, folder: Path, store_member: str) -> dict[str, Path]:
    """Copy the known members out (0600), checking each one's hash and the store's integrity."""
    staged: dict[str, Path] = {}
    for name, expected in manifest["sha256"].items():
        if name not in (store_member, KEY_MEMBER, SECRET_MEMBER):
            continue
        try:
            member = tar.getmember(name)
        except KeyError:
            raise RequestError("restore.not_backup", path=str(archive), detail=f"{name} missing") from None
        source = tar.extractfile(member) if member.isfile() else None
        if source is None:
            raise RequestError("restore.not_backup", path=str(archive), detail=f"{name} is not a file")
        target = folder / name
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            for block in iter(lambda: source.read(1 << 20), b""):  # noqa: B023 (consumed at once)
                out.write(block)
        if _sha256(target) != expected:
            raise RequestError("restore.not_backup", path=str(archive), detail=f"{name}: SHA-256 differs")
        staged[name] = target
    if store_member not in staged:
        raise RequestError("restore.not_backup", path=str(archive), detail=f"no {store_member}")
    if store_member != STORE_MEMBER:
        return staged  # a pg_dump archive: pg_restore --list checks it before anything is written
    con = sqlite3.connect(staged[STORE_MEMBER])
    try:
        _check_copy(con)
    finally:
        con.close()
    return staged


def _check_targets(plan: RestorePlan, staged: dict[str, Path], force: bool, *, check_store: bool = True) -> None:
    """Refuse, before anything is written, to replace a store or a different key or secret unless forced."""
    if force:
        return
    if check_store and plan.store.exists() and plan.store.stat().st_size > 0:
        raise RequestError("restore.exists", path=str(plan.store))
    for member, target in plan.files.items():
        if member != STORE_MEMBER and target.exists() and target.read_bytes() != staged[member].read_bytes():
            raise RequestError("restore.key_conflict", path=str(target))


def _put(staged: Path, target: Path, stamp: str, *, is_store: bool) -> None:
    """Move ``staged`` to ``target``; an existing, different target is kept as ``*.sebelum-pulih-<stamp>``."""
    if target.exists() and not is_store and target.read_bytes() == staged.read_bytes():
        return
    if target.exists():
        if is_store:
            _fold_wal(target)
        target.replace(target.with_name(f"{target.name}.sebelum-pulih-{stamp}"))
        if is_store:
            for suffix in ("-wal", "-shm"):
                Path(f"{target}{suffix}").unlink(missing_ok=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    if is_store:
        staged.replace(target)
    else:
        write_private(target, staged.read_text().strip())
    target.chmod(0o600)


def _fold_wal(path: Path) -> None:
    """Fold a store's write-ahead log into the file, so the copy kept aside is complete."""
    with contextlib.suppress(sqlite3.Error):
        con = sqlite3.connect(path, timeout=30)
        try:
            con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            con.close()
