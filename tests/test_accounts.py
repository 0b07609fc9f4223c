"""Accounts: hashed passwords, the user CLI, sessions, the login form and its rate limit, CSRF."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from geo.accounts import add_user, authenticate, get_user
from geo.cli import main
from geo.errors import GeoError, RequestError
from geo.settings import Settings
from geo.store import open_store
from tests.conftest import KALIAWI, PASSWORD, csrf_of, login, stored_bytes
from web.app import create_app


def test_passwords_are_not_stored_recoverably(users_settings: Settings) -> None:
    store = open_store(users_settings.store)
    raw = stored_bytes(store)
    assert PASSWORD.encode() not in raw
    hashes = store.read("pk_users")["password_hash"]
    assert hashes.str.startswith("$argon2id$").all()
    assert hashes.nunique() == len(hashes)  # salted: the same password, different hashes
    audit = store.read("pk_audit")
    users_audit = audit[audit["table_name"] == "pk_users"]
    assert len(users_audit) == 5
    assert not users_audit["after_json"].str.contains("argon2").any()
    # the default audit (PETAKAMPUNG_AUDIT_ROWS=keys) keeps the account's key, never a password field;
    # with "rows" the hash is redacted (tests/test_ops_audit.py)
    assert not users_audit["after_json"].str.contains("password_hash").any()


def test_bad_accounts_are_refused(users_settings: Settings) -> None:
    store = open_store(users_settings.store)
    for args in (
        ("ab", "x" * 12, "admin"),
        ("good.name", "short", "admin"),
        ("good.name", "x" * 12, "boss"),
        ("lkm.a", "x" * 12, "lkm"),
        ("good.name", "x" * 12, "planner"),
    ):
        with pytest.raises(RequestError):
            add_user(store, *args, kelurahan_code=KALIAWI if args[2] == "lkm" else None)
    with pytest.raises(GeoError):
        add_user(store, "lkm.x", "x" * 12, "lkm", kelurahan_code="18.71.06.1099")


def test_user_cli(users_settings: Settings, capsys, monkeypatch) -> None:
    import io

    store_args = ["--store", str(users_settings.store)]
    monkeypatch.setattr("sys.stdin", io.StringIO("sandi-baru-sekali\n"))
    assert (
        main([*store_args, "user", "add", "kader.kb", "--role", "lkm", "--kelurahan", KALIAWI, "--password-stdin"]) == 0
    )
    assert "dibuat" in capsys.readouterr().out
    assert main([*store_args, "user", "list"]) == 0
    listing = capsys.readouterr().out
    assert "kader.kb" in listing
    assert "argon2" not in listing
    monkeypatch.setattr("sys.stdin", io.StringIO("sandi-lain-lagi-1\n"))
    assert main([*store_args, "user", "passwd", "kader.kb", "--password-stdin"]) == 0
    store = open_store(users_settings.store)
    assert authenticate(store, "kader.kb", "sandi-baru-sekali") is None
    assert authenticate(store, "kader.kb", "sandi-lain-lagi-1") is not None
    assert main([*store_args, "user", "disable", "kader.kb"]) == 0
    assert authenticate(store, "kader.kb", "sandi-lain-lagi-1") is None
    monkeypatch.setattr("sys.stdin", io.StringIO("pendek\n"))
    assert main([*store_args, "user", "add", "x.y.z", "--role", "admin", "--password-stdin"]) == 1
    assert "minimal 10 karakter" in capsys.readouterr().err


def test_login_logout_and_session_end_on_password_change(users_settings: Settings) -> None:
    client = TestClient(create_app(users_settings))
    r = login(client, "lkm.a")
    assert r.status_code == 303
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert client.get("/lkm", follow_redirects=False).headers["location"] == f"/kelurahan/{KALIAWI}/dasbor"
    from geo.accounts import set_password

    set_password(open_store(users_settings.store), "lkm.a", "sandi-yang-baru-1")
    r = client.get("/admin/audit", follow_redirects=False)  # the old session is over
    assert r.status_code == 303
    assert r.headers["location"].startswith("/masuk")
    r = login(client, "lkm.a", "sandi-yang-baru-1")
    assert r.status_code == 303
    r = client.post("/keluar", data={"csrf_token": csrf_of(client)}, follow_redirects=False)
    assert r.status_code == 303
    assert "Keluar" not in client.get("/").text


def test_secure_cookie_behind_https(users_settings: Settings) -> None:
    client = TestClient(
        create_app(users_settings.model_copy(update={"cookie_secure": True})), base_url="https://testserver"
    )
    assert "secure" in login(client, "admin").headers["set-cookie"].lower()


def test_wrong_password_is_refused_in_both_languages(users_settings: Settings) -> None:
    client = TestClient(create_app(users_settings))
    r = login(client, "admin", "salah-sekali-123")
    assert r.status_code == 401
    assert "nama pengguna atau kata sandi salah" in r.text
    client.get("/?lang=en")
    assert "wrong username or password" in login(client, "admin", "still-wrong-123").text
    r = login(client, "tidak.ada", "apa-saja-12345")
    assert r.status_code == 401


def test_login_rate_limit_holds(users_settings: Settings) -> None:
    client = TestClient(create_app(users_settings))
    for _ in range(5):
        assert login(client, "admin", "salah-salah-123").status_code == 401
    r = login(client, "admin")  # the right password no longer helps
    assert r.status_code == 429
    assert "terlalu banyak percobaan" in r.text
    assert login(client, "lkm.a").status_code == 303  # another account is not locked out


def test_every_post_route_needs_the_csrf_token(users_settings: Settings) -> None:
    app = create_app(users_settings)
    client = TestClient(app)
    login(client, "admin")
    from web.routers import account, api, audit, downloads, ogc, pages, reports, static, works

    posts = [
        r.path
        for m in (account, api, audit, downloads, ogc, pages, reports, static, works)
        for r in m.router.routes
        if "POST" in getattr(r, "methods", set())
    ]
    assert len(posts) >= 4
    for path in posts:
        url = path.replace("{code}", KALIAWI).replace("{work_id}", "CSR-2026-01")
        form = {
            "record_date": "2026-11-20",
            "fisik_pct": "50",
            "log_date": "2026-11-20",
            "kind": "inspeksi",
            "condition": "baik",
            "username": "admin",
            "password": PASSWORD,
        }
        assert client.post(url, data=form, follow_redirects=False).status_code == 403, path
        assert client.post(url, data={**form, "csrf_token": "forged"}, follow_redirects=False).status_code == 403
    assert get_user(open_store(users_settings.store), "admin") is not None


def test_cli_imports_are_audited_with_who_did_them(users_settings: Settings, tmp_path) -> None:
    src = tmp_path / "fasilitas.csv"
    src.write_text(
        f"kode_kelurahan,nama,kategori,program,lat,lon\n{KALIAWI},Pos Uji,pos ronda,Kampung Tangguh,-5.4140,105.2428\n",
        encoding="utf-8",
    )
    assert main(["--store", str(users_settings.store), "import", "facilities", str(src)]) == 0
    audit = open_store(users_settings.store).read("pk_audit")
    rows = audit[(audit["table_name"] == "facilities") & audit["actor"].str.startswith("cli")]
    assert len(rows) == 1
    assert rows.iloc[0]["actor"].startswith("cli")
    assert rows.iloc[0]["action"] == "insert"
