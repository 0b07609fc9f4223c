"""Issue 8, items 1, 3 and 16: the login limit holds against a live server (name variants, the
concurrent-tries race, forged X-Forwarded-For), Argon2 only after the limiter admits and never
more than ``login_concurrency`` at once, logout ends the session for good, and the session secret
can live outside the data folder."""

from __future__ import annotations

import logging
import re
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from datetime import date
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from geo.settings import Settings
from geo.store import open_store
from tests.conftest import KALIAWI, PASSWORD, login, start_server, stop_server
from web.app import create_app

WRONG = "salah-sekali-123"
WORK = "CSR-2026-01"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # a 303 after a good login is the answer we want to see
        return None


def try_login(base: str, name: str, password: str, headers: dict[str, str] | None = None) -> tuple[int, dict]:
    """One login through the real form over HTTP: (status, response headers); redirects not followed."""
    opener = urllib.request.build_opener(_NoRedirect, urllib.request.HTTPCookieProcessor(CookieJar()))
    page = opener.open(f"{base}/masuk", timeout=60).read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"username": name, "password": password, "csrf_token": token}).encode()
    request = urllib.request.Request(f"{base}/masuk", data=body, headers=headers or {})
    try:
        with opener.open(request, timeout=120) as resp:
            return resp.status, dict(resp.headers)
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers)


@pytest.fixture(scope="module")
def live(backend, users_source):
    """A server with the five test accounts; each test below uses its own account (own count)."""
    store = backend.copy(users_source, name="sec-login")
    proc, url = start_server(store, PETAKAMPUNG_SECRET_KEY="security-test-secret-key")
    try:
        yield url
    finally:
        stop_server(proc)
        backend.drop(store)


def test_whitespace_and_unicode_variants_share_one_count(live: str) -> None:
    for _ in range(5):
        assert try_login(live, "lkm.b", WRONG)[0] == 401
    # each of these is the same account: none may start a fresh count, even with the right password
    for variant in ("lkm.b ", "\tlkm.b", "lkm.b\u00a0", "LKM.B", "\uff4c\uff4b\uff4d.\uff42"):  # last: full-width
        assert try_login(live, variant, PASSWORD)[0] == 429, repr(variant)


def test_the_canonical_name_logs_in(live: str) -> None:
    assert try_login(live, " Planner.B\u00a0", PASSWORD)[0] == 303


def test_concurrent_tries_are_counted_before_the_password_check(live: str) -> None:
    """40 wrong passwords at once: at most 5 password checks (401) in all, and the limit then holds."""
    statuses: list[int] = []
    threads = [threading.Thread(target=lambda: statuses.append(try_login(live, "admin", WRONG)[0])) for _ in range(40)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    seen = Counter(statuses)
    assert set(seen) <= {401, 429, 503}, seen
    checked = seen[401]
    while (status := try_login(live, "admin", WRONG)[0]) == 401:  # tries a busy server turned away are not counted
        checked += 1
    assert status == 429
    assert checked == 5, seen
    assert try_login(live, "admin", PASSWORD)[0] == 429  # the right password does not get through either


def test_forwarded_for_is_not_believed_by_default(live: str) -> None:
    for i in range(5):
        assert try_login(live, "planner.a", WRONG, {"X-Forwarded-For": f"10.9.8.{i}"})[0] == 401
    assert try_login(live, "planner.a", WRONG, {"X-Forwarded-For": "10.9.8.200"})[0] == 429


def test_forwarded_for_is_believed_from_a_configured_proxy(users_source, clone) -> None:
    store = clone(users_source, "proxied")
    proc, url = start_server(store, PETAKAMPUNG_SECRET_KEY="proxy-test-secret", PETAKAMPUNG_TRUSTED_PROXIES="127.0.0.1")
    try:
        for _ in range(5):
            assert try_login(url, "lkm.a", WRONG, {"X-Forwarded-For": "203.0.113.7"})[0] == 401
        assert try_login(url, "lkm.a", WRONG, {"X-Forwarded-For": "203.0.113.7"})[0] == 429
        # another visitor behind the same proxy has a count of their own
        assert try_login(url, "lkm.a", PASSWORD, {"X-Forwarded-For": "203.0.113.8"})[0] == 303
    finally:
        stop_server(proc)


def test_password_checks_are_capped_and_the_limit_comes_first(users_settings: Settings) -> None:
    """With every password-check slot taken, a try gets 503 with Retry-After at once and is not
    counted; a name already at its limit gets 429 without any password check."""
    app = create_app(users_settings.model_copy(update={"login_concurrency": 1}))
    client = TestClient(app)
    gate = app.state.password_gate
    with gate.admit():  # another login holds the only slot
        for _ in range(7):
            r = login(client, "lkm.a", WRONG)
            assert r.status_code == 503
            assert r.headers["Retry-After"] == str(users_settings.busy_retry_after_s)
            assert "coba lagi dalam" in r.text
    for _ in range(5):  # the seven busy answers took nothing from the five tries
        assert login(client, "lkm.a", WRONG).status_code == 401
    with gate.admit():
        assert login(client, "lkm.a", PASSWORD).status_code == 429  # refused before Argon2 is reached


def test_logout_ends_the_session_for_a_replayed_cookie(users_settings: Settings) -> None:
    app = create_app(users_settings)
    client = TestClient(app)
    assert login(client, "lkm.a").status_code == 303
    captured = client.cookies.get("pk_session")
    page = client.get(f"/kelurahan/{KALIAWI}/pekerjaan/{WORK}").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post("/keluar", data={"csrf_token": token}, follow_redirects=False).status_code == 303

    attacker = TestClient(app)
    attacker.cookies.set("pk_session", captured)
    r = attacker.post(
        f"/kelurahan/{KALIAWI}/pekerjaan/{WORK}/progres",
        data={"csrf_token": token, "record_date": date.today().isoformat(), "fisik_pct": "99"},
        headers={"Accept": "application/json"},
        follow_redirects=False,
    )
    assert r.status_code == 401
    assert open_store(users_settings.store).read("progress_records").empty
    assert login(TestClient(app), "lkm.a").status_code == 303  # the account itself still works


def test_the_cli_starts_without_an_argon2_run() -> None:
    code = "import geo.accounts, geo.cli; print(geo.accounts._dummy_hash.cache_info().currsize)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "0"


def test_session_secret_from_a_file_outside_the_data_folder(tmp_path: Path) -> None:
    data, secrets = tmp_path / "data", tmp_path / "rahasia"
    settings = Settings(store=data / "kota.gpkg", secret_file=secrets / "petakampung.secret")
    key = settings.session_secret()
    assert (secrets / "petakampung.secret").read_text().strip() == key
    assert (secrets / "petakampung.secret").stat().st_mode & 0o777 == 0o600
    assert not (data / "kota.secret").exists()
    assert not settings.secret_beside_store()
    assert Settings(store=data / "kota.gpkg", secret_file=secrets / "petakampung.secret").session_secret() == key


@pytest.mark.parametrize(
    ("extra", "warned"),
    [({}, True), ({"secret_key": "from-the-environment"}, False), ({"secret_file": "elsewhere"}, False)],
)
def test_start_warns_when_the_secret_sits_beside_the_store(
    demo_gpkg, tmp_path: Path, caplog: pytest.LogCaptureFixture, extra: dict, warned: bool
) -> None:
    """A GeoPackage store's folder (a PostGIS store has none: its secret is always named)."""
    if extra.get("secret_file"):
        extra = {"secret_file": tmp_path / "elsewhere" / "pk.secret"}
    settings = Settings(store=demo_gpkg.path, **extra)
    with caplog.at_level(logging.WARNING, logger="petakampung.web"):
        create_app(settings)
    said = [r.getMessage() for r in caplog.records if r.name == "petakampung.web"]
    assert bool(said) == warned
    if warned:
        assert "PETAKAMPUNG_SECRET_FILE" in said[0]
        assert str(settings.store.with_suffix(".secret")) in said[0]


def test_secret_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PETAKAMPUNG_SECRET_FILE", str(tmp_path / "luar" / "pk.secret"))
    monkeypatch.setenv("PETAKAMPUNG_TRUSTED_PROXIES", "10.0.0.5, 192.168.1.0/24")
    settings = Settings(store=tmp_path / "data" / "s.gpkg")
    assert settings.secret_path() == tmp_path / "luar" / "pk.secret"
    assert settings.trusted_proxies == ["10.0.0.5", "192.168.1.0/24"]
    monkeypatch.setenv("PETAKAMPUNG_TRUSTED_PROXIES", "bukan-alamat")
    with pytest.raises(ValueError, match="bukan-alamat"):
        Settings(store=tmp_path / "data" / "s.gpkg")
