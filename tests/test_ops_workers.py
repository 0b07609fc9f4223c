"""Issue 11, item 3: ``petakampung serve --workers 4``, live, on each store backend.  The login
limit holds across the workers (wrong tries spread over both: exactly the limit is checked, then 429), a session made on
one worker is good on the other (they share one secret, made before they started), and
``/healthz`` answers 200, or 503 while the store cannot be read.

Each connection is kept alive, so it stays with one worker; ``/healthz`` names the worker (its
process id), which is how the tests know where each request went."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import threading
import urllib.parse
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import KALIAWI, PASSWORD, start_server, stop_server

WRONG = "salah-sekali-123"
WORK = "CSR-2026-01"


OPEN: list[Conn] = []


@pytest.fixture(autouse=True)
def _close_connections():
    yield
    while OPEN:
        OPEN.pop().close()


class Conn:
    """One keep-alive HTTP connection (hence one worker) with its own cookie jar."""

    def __init__(self, url: str) -> None:
        parsed = urllib.parse.urlsplit(url)
        self.http = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=120)
        OPEN.append(self)
        self.cookies: dict[str, str] = {}
        self.worker = self.health()[1]["worker"]

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> tuple[int, dict, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.http.request(method, path, body=body, headers=headers)
        resp = self.http.getresponse()
        text = resp.read().decode()
        for value in resp.headers.get_all("set-cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return resp.status, dict(resp.headers), text

    def health(self) -> tuple[int, dict]:
        status, _, text = self.request("GET", "/healthz")
        return status, json.loads(text)

    def csrf(self) -> str:
        page = self.request("GET", "/masuk")[2]
        return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    def close(self) -> None:
        self.http.close()


def connections_to_both(url: str, limit: int = 200) -> tuple[Conn, Conn]:
    """Two kept-alive connections answered by two different workers."""
    first = Conn(url)
    for _ in range(limit):
        other = Conn(url)
        if other.worker != first.worker:
            return first, other
        other.close()
    raise AssertionError(f"every one of {limit} connections went to worker {first.worker}")


@pytest.fixture(scope="module")
def site(backend, users_source, tmp_path_factory: pytest.TempPathFactory):
    """Four workers on the test accounts; no secret in the environment, so `serve` makes the
    secret file (<store>.secret beside a GeoPackage, PETAKAMPUNG_SECRET_FILE for PostGIS)."""
    folder = tmp_path_factory.mktemp("workers")
    store = backend.copy(users_source, folder, name="kota")
    secret = folder / "session.secret" if backend.is_pg else Path(store).with_suffix(".secret")
    env = {"PETAKAMPUNG_SECRET_FILE": str(secret)} if backend.is_pg else {}
    proc, url = start_server(store, PETAKAMPUNG_WORKERS="4", PETAKAMPUNG_SECRET_KEY="", **env)
    try:
        yield url, store, secret
    finally:
        stop_server(proc)
        backend.drop(store)


def test_one_secret_for_every_worker_made_private(site) -> None:
    _, _, secret = site
    assert secret.stat().st_mode & 0o777 == 0o600
    assert len(secret.read_text().strip()) >= 40


def test_the_login_limit_holds_across_workers(site) -> None:
    """Wrong passwords for one account, alternating between the two workers: five are checked
    (401, three on one worker and two on the other), the sixth on either worker is 429."""
    url, _, _ = site
    a, b = connections_to_both(url)
    token = a.csrf()
    b.cookies = dict(a.cookies)  # one visitor: the same session (and CSRF token) on both workers
    seen: list[tuple[int, int]] = []
    for i in range(5):
        conn = (a, b)[i % 2]
        status = conn.request("POST", "/masuk", {"username": "lkm.b", "password": WRONG, "csrf_token": token})[0]
        seen.append((conn.worker, status))
    assert [s for _, s in seen] == [401] * 5, seen
    assert {w for w, _ in seen} == {a.worker, b.worker}
    for conn in (a, b):  # full on every worker, even with the right password
        form = {"username": "lkm.b", "password": PASSWORD, "csrf_token": token}
        assert conn.request("POST", "/masuk", form)[0] == 429


def test_concurrent_tries_on_both_workers_are_counted_once(site) -> None:
    """Twenty wrong passwords at once over ten connections to each worker: at most five password
    checks (401) in all; tries a busy worker turned away (503) are not counted; then 429."""
    url, _, _ = site
    pool: dict[int, list[Conn]] = {}
    while min((len(v) for v in pool.values()), default=0) < 10 or len(pool) < 2:
        conn = Conn(url)
        pool.setdefault(conn.worker, []).append(conn)
    conns = [c for group in pool.values() for c in group[:10]]
    tokens = {id(c): c.csrf() for c in conns}
    statuses: list[tuple[int, int]] = []
    lock = threading.Lock()

    def try_once(conn: Conn) -> None:
        form = {"username": "planner.b", "password": WRONG, "csrf_token": tokens[id(conn)]}
        status = conn.request("POST", "/masuk", form)[0]
        with lock:
            statuses.append((conn.worker, status))

    threads = [threading.Thread(target=try_once, args=(c,)) for c in conns]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    seen = Counter(s for _, s in statuses)
    assert set(seen) <= {401, 429, 503}, seen
    assert len({w for w, _ in statuses}) >= 2
    checked = seen[401]
    last = conns[0]
    form = {"username": "planner.b", "password": WRONG, "csrf_token": tokens[id(last)]}
    while (status := last.request("POST", "/masuk", form)[0]) in (401, 503):
        checked += status == 401
    assert status == 429
    assert checked == 5, statuses


def test_a_session_made_on_one_worker_is_good_on_the_other(site) -> None:
    url, _, _ = site
    a, b = connections_to_both(url)
    token = a.csrf()
    form = {"username": "lkm.a", "password": PASSWORD, "csrf_token": token, "next": "/lkm"}
    status, headers, _ = a.request("POST", "/masuk", form)
    assert status == 303
    b.cookies = dict(a.cookies)
    status, headers, _ = b.request("GET", "/lkm")
    assert (status, headers["location"]) == (303, f"/kelurahan/{KALIAWI}/dasbor")  # logged in on worker b
    page = b.request("GET", f"/kelurahan/{KALIAWI}/pekerjaan/{WORK}")[2]
    assert 'id="record-form"' in page  # the recorder's form: b knows who this is
    stranger = Conn(url)
    assert stranger.request("GET", "/lkm")[1]["location"].startswith("/masuk")


def test_healthz_answers_for_every_worker_and_503_while_the_store_is_unreadable(site) -> None:
    url, store, _ = site
    if isinstance(store, str):
        pytest.skip("the GeoPackage file is moved away here; test_store_pg covers an unreachable database")
    a, b = connections_to_both(url)
    for conn in (a, b):
        status, body = conn.health()
        assert (status, body["status"], body["store"]) == (200, "ok", "ok")
    aside = store.with_name("disimpan-sebentar.gpkg")
    store.rename(aside)
    try:
        for conn in (a, b):
            status, _, text = conn.request("GET", "/healthz")
            body = json.loads(text)
            assert (status, body["status"], body["store"]) == (503, "error", "error")
            assert str(store.parent) not in text  # no path, no data
        store.write_bytes(b"bukan GeoPackage " * 100)  # a file that is there but is no store
        for conn in (a, b):
            assert conn.health()[0] == 503
    finally:
        store.unlink(missing_ok=True)
        aside.rename(store)
    for conn in (a, b):
        assert conn.health()[0] == 200


def test_400_records_over_four_workers_with_one_killed_lose_nothing_acknowledged(site) -> None:
    """Twenty LKM members record twenty progress entries each over the four workers; in the middle
    of it one worker is killed with SIGKILL.  Every acknowledged record is in the store exactly
    once, the audit log has one insert per stored record, and nothing is stored twice (a request
    cut off by the kill may or may not have landed: it was never acknowledged, and is retried as a
    new entry)."""
    from geo.store import open_store
    from tests.test_concurrency import LkmClient

    url, store, _ = site
    clients = [LkmClient(url) for _ in range(20)]
    acked: list[str] = []
    cut: list[str] = []
    lock = threading.Lock()
    killed = threading.Event()
    victim = Conn(url).worker

    def burst(i: int, client: LkmClient) -> None:
        for j in range(20):
            try:
                rid = client.record(20 + (i + j) % 60, f"pekerja {i} catatan {j}")
            except OSError as exc:  # the killed worker's connection: not acknowledged
                with lock:
                    cut.append(f"{i}-{j}: {type(exc).__name__}")
                continue
            with lock:
                acked.append(rid)
                if len(acked) == 100 and not killed.is_set():
                    os.kill(victim, signal.SIGKILL)
                    killed.set()

    threads = [threading.Thread(target=burst, args=(i, c)) for i, c in enumerate(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=600)
    assert killed.is_set()
    assert len(acked) + len(cut) == 400
    assert len(acked) >= 300, cut  # three workers (and the one uvicorn starts again) carry on
    records = open_store(store).read("progress_records", work_id=WORK, geometry=False)
    mine = records[records["note"].str.startswith("pekerja ")]
    assert set(acked) <= set(mine["record_id"])  # nothing acknowledged is lost
    assert mine["record_id"].is_unique
    assert mine["note"].is_unique
    audit = open_store(store).read("pk_audit", table_name="progress_records", action="insert")
    audited = [json.loads(k)[0] for k in audit["row_key"]]
    assert sorted(r for r in audited if r in set(mine["record_id"])) == sorted(mine["record_id"])  # one to one
    assert Conn(url).health()[0] == 200  # the site still answers
