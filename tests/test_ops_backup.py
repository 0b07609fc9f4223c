"""Issue 11, item 5: ``petakampung backup`` while the site is writing, and ``restore``.

LKM members record progress over HTTP without pause; a backup is taken by the real command in its
own process in the middle of it.  The copy must pass SQLite's integrity check and hold every
record acknowledged before the backup began (with its audit entry), and no record that was never
acknowledged.  The archive carries the household key and the session secret, all mode 0600;
``restore`` puts them back, refuses to overwrite without ``--force``, and refuses a damaged
archive without touching anything."""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
import stat
import subprocess
import sys
import tarfile
import threading
import time
from pathlib import Path

import pytest

from geo.store import open_store
from tests.conftest import run, start_server, stop_server
from tests.test_concurrency import WORK, LkmClient

PETAKAMPUNG = str(Path(sys.executable).parent / "petakampung")


@pytest.fixture(scope="module")
def burst(users_store_path: Path, tmp_path_factory: pytest.TempPathFactory):
    """A backup taken in the middle of a burst of writes: (archive, acked before it, acked in all)."""
    folder = tmp_path_factory.mktemp("backup")
    store = folder / "kota.gpkg"
    shutil.copy(users_store_path, store)
    store.with_suffix(".key").write_text("kunci-kk-uji-" + "0" * 40 + "\n")
    store.with_suffix(".key").chmod(0o600)
    proc, url = start_server(store, PETAKAMPUNG_WORKERS="2", PETAKAMPUNG_SECRET_KEY="")  # serve makes .secret
    acked: list[str] = []
    errors: list[BaseException] = []
    stop = threading.Event()
    lock = threading.Lock()

    def write(i: int, client: LkmClient) -> None:
        j = 0
        while not stop.is_set() and j < 400:
            try:
                rid = client.record(10 + (i + j) % 80, f"cadangan {i}-{j}")
            except BaseException as exc:
                errors.append(exc)
                return
            with lock:
                acked.append(rid)
            j += 1

    threads: list[threading.Thread] = []
    try:
        clients = [LkmClient(url) for _ in range(6)]  # one after another: logins at once would meet the 503 gate
        threads = [threading.Thread(target=write, args=(i, c)) for i, c in enumerate(clients)]
        for th in threads:
            th.start()
        while len(acked) < 30 and not errors:
            time.sleep(0.05)
        with lock:
            before = list(acked)
        archive = folder / "cadangan.tar"
        done = subprocess.run(
            [PETAKAMPUNG, "--store", str(store), "backup", "-o", str(archive)], capture_output=True, text=True
        )
        with lock:
            during = len(acked) - len(before)
        time.sleep(1)
    finally:
        stop.set()
        for th in threads:
            th.join(timeout=120)
        stop_server(proc)
    assert errors == []
    assert done.returncode == 0, done.stderr
    return archive, set(before), set(acked), during, store


def _extract_store(archive: Path, folder: Path) -> Path:
    with tarfile.open(archive) as tar:
        member = tar.getmember("petakampung.gpkg")
        target = folder / "copy.gpkg"
        target.write_bytes(tar.extractfile(member).read())
    return target


def test_the_backup_is_consistent_and_holds_every_record_acknowledged_before_it(burst, tmp_path: Path) -> None:
    archive, before, acked, during, _ = burst
    assert during > 0  # the site kept writing while the backup ran
    copy = _extract_store(archive, tmp_path)
    con = sqlite3.connect(copy)
    try:
        assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        con.close()
    store = open_store(copy)
    records = store.read("progress_records", work_id=WORK, geometry=False)
    ours = set(records.loc[records["note"].str.startswith("cadangan"), "record_id"])
    assert before <= ours  # nothing acknowledged before the backup began is missing
    assert ours <= acked  # and nothing that was never acknowledged is there
    audit = store.read("pk_audit", table_name="progress_records", action="insert")
    audited = [json.loads(k)[0] for k in audit["row_key"]]
    assert sorted(r for r in audited if r in ours) == sorted(ours)  # one audit entry per record


def test_the_archive_holds_the_key_and_secret_readable_by_its_owner_only(burst) -> None:
    archive, _, _, _, store = burst
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    with tarfile.open(archive) as tar:
        members = {m.name: m for m in tar.getmembers()}
        manifest = json.loads(tar.extractfile("petakampung-backup.json").read())
        assert set(members) == {"petakampung-backup.json", "petakampung.gpkg", "petakampung.key", "petakampung.secret"}
        assert all(m.mode == 0o600 for m in members.values())
        assert tar.extractfile("petakampung.key").read() == store.with_suffix(".key").read_bytes()
        assert tar.extractfile("petakampung.secret").read() == store.with_suffix(".secret").read_bytes()
    assert manifest["kind"] == "gpkg"
    assert set(manifest["sha256"]) == {"petakampung.gpkg", "petakampung.key", "petakampung.secret"}
    code = subprocess.run([PETAKAMPUNG, "--store", str(store), "backup", "-o", str(archive)], capture_output=True)
    assert code.returncode == 1  # never overwrites a backup


def test_restore_puts_everything_back_and_refuses_to_overwrite(burst, tmp_path: Path, capsys) -> None:
    archive, before, _, _, store = burst
    target = tmp_path / "pulih" / "kota.gpkg"
    code, out, err = run(["--store", str(target), "--lang", "en", "restore", str(archive)], capsys)
    assert code == 0, err
    assert "Restored into" in out
    restored = open_store(target)
    assert before <= set(restored.read("progress_records", geometry=False)["record_id"])
    assert restored.integrity_check() == "ok"
    for path in (target, target.with_suffix(".key"), target.with_suffix(".secret")):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert target.with_suffix(".key").read_text() == store.with_suffix(".key").read_text()
    assert target.with_suffix(".secret").read_text() == store.with_suffix(".secret").read_text()
    checksum = restored.checksum()
    code, _, err = run(["--store", str(target), "--lang", "en", "restore", str(archive)], capsys)
    assert code == 1
    assert "--force" in err
    assert open_store(target).checksum() == checksum
    code, _, _ = run(["--store", str(target), "restore", "--force", str(archive)], capsys)
    assert code == 0
    assert len(list(target.parent.glob("kota.gpkg.sebelum-pulih-*"))) == 1  # the replaced store is kept


def test_a_damaged_archive_is_refused_and_changes_nothing(burst, tmp_path: Path, capsys) -> None:
    archive, _, _, _, _ = burst
    damaged = tmp_path / "rusak.tar"
    with tarfile.open(archive) as src, tarfile.open(damaged, "w") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            if member.name == "petakampung.gpkg":
                data = data[:-4096] + bytes(4096)
            dst.addfile(member, io.BytesIO(data))
    target = tmp_path / "kosong" / "kota.gpkg"
    code, _, err = run(["--store", str(target), "--lang", "en", "restore", str(damaged)], capsys)
    assert code == 1
    assert "SHA-256" in err
    assert not target.exists()
    assert not target.with_suffix(".key").exists()


def test_a_postgis_store_is_backed_up_with_pg_dump_and_restored_exactly(
    pg_cluster, users_store_path: Path, tmp_path: Path, capsys, monkeypatch
) -> None:
    """A PostGIS store: `backup` writes pg_dump's custom format with the key and secret files, and
    `restore` into an empty database gives the same rows (logical checksum of every table), the
    public role's grants again, and refuses a database that holds a store unless forced."""
    from geo.store_copy import copy_store, logical_checksum
    from tests.conftest import PUBLIC, public_url

    source = pg_cluster.url(pg_cluster.new_database())
    target = pg_cluster.url(pg_cluster.new_database())
    try:
        copy_store(open_store(users_store_path), open_store(source))
        key, secret = tmp_path / "store.key", tmp_path / "session.secret"
        key.write_text("kunci-kk-uji-" + "1" * 40 + "\n")
        secret.write_text("rahasia-sesi-uji-" + "2" * 40 + "\n")
        monkeypatch.setenv("PETAKAMPUNG_HASH_KEY_FILE", str(key))
        monkeypatch.setenv("PETAKAMPUNG_SECRET_FILE", str(secret))
        archive = tmp_path / "cadangan.tar.gz"
        code, out, err = run(["--store", source, "--lang", "en", "backup", "-o", str(archive)], capsys)
        assert code == 0, err
        assert "Backup written" in out
        assert "the household key" in out
        with tarfile.open(archive) as tar:
            names = set(tar.getnames())
            assert {"petakampung.pgdump", "petakampung.key", "petakampung.secret"} <= names
            assert all(m.mode == 0o600 for m in tar.getmembers())
        assert stat.S_IMODE(archive.stat().st_mode) == 0o600

        # restored on "another machine": its own key and secret files, which do not exist yet
        other = tmp_path / "lain"
        other.mkdir()
        monkeypatch.setenv("PETAKAMPUNG_HASH_KEY_FILE", str(other / "store.key"))
        monkeypatch.setenv("PETAKAMPUNG_SECRET_FILE", str(other / "session.secret"))
        monkeypatch.setenv("PETAKAMPUNG_STORE_PUBLIC", public_url(target))
        code, out, err = run(["--store", target, "--lang", "en", "restore", str(archive)], capsys)
        assert code == 0, err
        assert "Restored into" in out
        assert logical_checksum(open_store(target)) == logical_checksum(open_store(source))
        assert (other / "store.key").read_text() == key.read_text()
        assert (other / "session.secret").read_text() == secret.read_text()
        import psycopg

        with psycopg.connect(target) as con:
            can = con.execute(
                "SELECT has_table_privilege(%s, 'rt', 'SELECT'), has_table_privilege(%s, 'households', 'SELECT')",
                (PUBLIC, PUBLIC),
            ).fetchone()
        assert can == (True, False)  # the public role reads public tables only, as db upgrade grants

        # a database that holds a store is not replaced without --force, and stays as it was
        with psycopg.connect(target) as con:
            con.execute("UPDATE facilities SET name = 'Diubah setelah pemulihan' WHERE fid = 1")
        changed = logical_checksum(open_store(target))
        code, _, err = run(["--store", target, "--lang", "en", "restore", str(archive)], capsys)
        assert code == 1
        assert "--force" in err
        assert logical_checksum(open_store(target)) == changed
        code, _, err = run(["--store", target, "--lang", "en", "restore", "--force", str(archive)], capsys)
        assert code == 0, err
        assert logical_checksum(open_store(target)) == logical_checksum(open_store(source))
    finally:
        for url in (source, target):
            pg_cluster.drop_database(url.rsplit("/", 1)[1])


def test_a_gpkg_backup_is_not_restored_into_postgis_and_nothing_changes(
    burst, pg_cluster, tmp_path: Path, capsys, monkeypatch
) -> None:
    archive = burst[0]
    target = pg_cluster.url(pg_cluster.new_database())
    try:
        monkeypatch.setenv("PETAKAMPUNG_HASH_KEY_FILE", str(tmp_path / "store.key"))
        monkeypatch.setenv("PETAKAMPUNG_SECRET_FILE", str(tmp_path / "session.secret"))
        code, _, err = run(["--store", target, "--lang", "en", "restore", str(archive)], capsys)
        assert code == 1
        assert "gpkg store, not postgis" in err
        assert not open_store(target).exists()
        assert list(tmp_path.iterdir()) == []
    finally:
        pg_cluster.drop_database(target.rsplit("/", 1)[1])
