"""The role-by-route matrix: every restricted page, API, OGC route and download refuses
anonymous users, the wrong role and the wrong kelurahan, and lets the right one through."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from geo.settings import Settings
from tests.conftest import JATIRANGGA, KALIAWI, csrf_of, login
from web.app import create_app

WORK = "CSR-2026-01"  # a Kaliawi work
ANON = None


def client_as(settings: Settings, user: str | None) -> TestClient:
    client = TestClient(create_app(settings))
    if user:
        assert login(client, user).status_code == 303
    return client


# route -> {user: expected status}; None = anonymous
GETS = {
    "/admin/audit": {ANON: 303, "lkm.a": 403, "planner.a": 403, "admin": 200},
    "/admin/audit.csv": {ANON: 303, "lkm.a": 403, "planner.a": 403, "admin": 200},
    f"/unduh/terbatas/households.gpkg?kelurahan={KALIAWI}": {
        ANON: 401,
        "lkm.a": 403,
        "lkm.b": 403,
        "planner.b": 403,
        "planner.a": 200,
        "admin": 200,
    },
    f"/unduh/terbatas/households.csv?kelurahan={JATIRANGGA}": {ANON: 401, "planner.a": 403, "planner.b": 200},
    f"/ogc/restricted/collections/households/items?kelurahan_code={KALIAWI}": {
        ANON: 401,
        "lkm.a": 403,
        "planner.b": 403,
        "planner.a": 200,
        "admin": 200,
    },
    "/ogc/restricted/collections/households/items": {ANON: 401, "lkm.a": 403, "planner.a": 200, "admin": 200},
}


@pytest.mark.parametrize(("url", "who", "status"), [(u, w, s) for u, m in GETS.items() for w, s in m.items()])
def test_restricted_gets(users_settings: Settings, url: str, who: str | None, status: int) -> None:
    r = client_as(users_settings, who).get(url, follow_redirects=False)
    assert r.status_code == status
    if status == 303:
        assert r.headers["location"].startswith("/masuk?next=")
    if status in (401, 403) and not url.startswith("/admin"):
        body = r.json()  # the OGC exception shape under /ogc, the project's own elsewhere
        assert (body["code"] if url.startswith("/ogc/") else body["error"]) in ("auth.required", "auth.forbidden")


def test_planner_sees_only_their_kota(users_settings: Settings) -> None:
    body = client_as(users_settings, "planner.a").get("/ogc/restricted/collections/households/items?limit=10000").json()
    assert body["numberMatched"] > 0
    assert {f["properties"]["kelurahan_code"] for f in body["features"]} == {KALIAWI}


POSTS = {  # who -> expected status when posting progress / maintenance for the Kaliawi work
    ANON: 401,
    "planner.a": 403,
    "lkm.b": 403,
    "lkm.a": 303,
    "admin": 303,
}


@pytest.mark.parametrize(("who", "status"), list(POSTS.items()))
@pytest.mark.parametrize("kind", ["progres", "pemeliharaan"])
def test_recording_is_scoped(users_settings: Settings, who: str | None, status: int, kind: str) -> None:
    client = client_as(users_settings, who)
    form = {
        "csrf_token": csrf_of(client),
        "record_date": "2026-11-20",
        "fisik_pct": "55",
        "log_date": "2026-11-20",
        "kind": "inspeksi",
        "condition": "baik",
    }
    r = client.post(f"/kelurahan/{KALIAWI}/pekerjaan/{WORK}/{kind}", data=form, follow_redirects=False)
    assert r.status_code == status


def test_lkm_of_another_kelurahan_sees_no_form(users_settings: Settings) -> None:
    page_b = client_as(users_settings, "lkm.b").get(f"/kelurahan/{KALIAWI}/pekerjaan/{WORK}").text
    page_a = client_as(users_settings, "lkm.a").get(f"/kelurahan/{KALIAWI}/pekerjaan/{WORK}").text
    assert 'id="record-form"' not in page_b
    assert 'id="record-form"' in page_a


def test_public_pages_stay_public(users_settings: Settings) -> None:
    client = client_as(users_settings, ANON)
    for url in (
        "/",
        f"/kelurahan/{KALIAWI}",
        f"/kelurahan/{KALIAWI}/dasbor",
        f"/kelurahan/{KALIAWI}/pekerjaan/{WORK}",
        f"/kelurahan/{KALIAWI}/kurva-s.csv",
        "/ogc/collections",
        f"/unduh/households.csv?kelurahan={KALIAWI}",
    ):
        assert client.get(url).status_code == 200, url


# --- API tokens (issue 12): the same scopes as the account, for clients without a cookie ---------------------
RESTRICTED = "/ogc/restricted"
TOKEN_ROUTES = {  # route -> {user: status}; the restricted OGC root, as QGIS walks it
    RESTRICTED: {"lkm.a": 403, "planner.a": 200, "planner.b": 200, "admin": 200},
    f"{RESTRICTED}/collections": {"lkm.a": 403, "planner.a": 200, "admin": 200},
    f"{RESTRICTED}/collections/households/items?kelurahan_code={KALIAWI}": {
        "lkm.a": 403,
        "planner.b": 403,
        "planner.a": 200,
        "admin": 200,
    },
    f"{RESTRICTED}/collections/households/items?kelurahan_code={JATIRANGGA}": {"planner.a": 403, "planner.b": 200},
}


def tokens_for(settings: Settings, *names: str) -> dict[str, str]:
    from geo.store import open_store
    from geo.tokens import new_token

    store = open_store(settings.store)
    return {name: new_token(store, name) for name in names}


def basic(name: str, token: str) -> dict[str, str]:
    import base64

    return {"Authorization": "Basic " + base64.b64encode(f"{name}:{token}".encode()).decode()}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("how", ["bearer", "basic"])
def test_tokens_are_scoped_like_their_accounts(users_settings: Settings, how: str) -> None:
    tokens = tokens_for(users_settings, "lkm.a", "planner.a", "planner.b", "admin")
    client = TestClient(create_app(users_settings))  # no cookie: the token alone
    for url, expected in TOKEN_ROUTES.items():
        for who, status in expected.items():
            headers = bearer(tokens[who]) if how == "bearer" else basic(who, tokens[who])
            r = client.get(url, headers=headers)
            assert r.status_code == status, (url, who)
            if status == 200:
                assert r.headers["cache-control"] == "no-store"
            if status == 403:
                assert r.json()["code"] == "auth.forbidden"
    assert client.get(RESTRICTED).status_code == 401  # and nothing without one


def test_a_planner_token_reads_only_their_kota(users_settings: Settings) -> None:
    tokens = tokens_for(users_settings, "planner.a", "admin")
    client = TestClient(create_app(users_settings))
    url = f"{RESTRICTED}/collections/households/items?limit=10000"
    mine = client.get(url, headers=bearer(tokens["planner.a"])).json()
    everything = client.get(url, headers=bearer(tokens["admin"])).json()
    assert mine["numberMatched"] > 0
    assert {f["properties"]["kelurahan_code"] for f in mine["features"]} == {KALIAWI}
    assert {f["properties"]["kelurahan_code"] for f in everything["features"]} >= {KALIAWI, JATIRANGGA}
    other = next(f["id"] for f in everything["features"] if f["properties"]["kelurahan_code"] == JATIRANGGA)
    one = client.get(f"{RESTRICTED}/collections/households/items/{other}", headers=bearer(tokens["planner.a"]))
    assert one.status_code == 404  # another kota's household does not exist for this planner
    assert (
        client.get(f"{RESTRICTED}/collections/households/items/{other}", headers=bearer(tokens["admin"])).status_code
        == 200
    )


def test_a_token_ends_with_its_account_or_a_new_token(users_settings: Settings) -> None:
    from geo.accounts import disable_user
    from geo.store import open_store
    from geo.tokens import new_token, revoke_token

    store = open_store(users_settings.store)
    first = tokens_for(users_settings, "planner.a", "planner.b")
    client = TestClient(create_app(users_settings))
    assert client.get(RESTRICTED, headers=bearer(first["planner.a"])).status_code == 200
    second = new_token(store, "planner.a")
    assert client.get(RESTRICTED, headers=bearer(first["planner.a"])).status_code == 401
    assert client.get(RESTRICTED, headers=basic("planner.a", second)).status_code == 200
    assert client.get(RESTRICTED, headers=basic("planner.b", second)).status_code == 401  # another's token
    revoke_token(store, "planner.a")
    r = client.get(RESTRICTED, headers=bearer(second))
    assert r.status_code == 401
    assert r.json()["code"] == "auth.token"
    assert r.headers.get_list("www-authenticate")[0].startswith("Basic ")
    disable_user(store, "planner.b")
    assert client.get(RESTRICTED, headers=bearer(first["planner.b"])).status_code == 401


def test_tokens_open_no_page_and_no_write(users_settings: Settings) -> None:
    """A token is for the OGC API only: pages, downloads and forms still want a session."""
    token = tokens_for(users_settings, "admin")["admin"]
    client = TestClient(create_app(users_settings))
    assert client.get("/admin/audit", headers=bearer(token), follow_redirects=False).status_code == 303
    assert client.get(f"/unduh/terbatas/households.csv?kelurahan={KALIAWI}", headers=bearer(token)).status_code == 401
    form = {"record_date": "2026-11-20", "fisik_pct": "55"}
    r = client.post(f"/kelurahan/{KALIAWI}/pekerjaan/{WORK}/progres", data=form, headers=bearer(token))
    assert r.status_code in (401, 403)


def test_wrong_tokens_count_against_the_login_limit(users_settings: Settings) -> None:
    """Five wrong tokens for an account lock it from this address, for tokens and the login form
    alike; wrong Bearer tokens (no account named) are counted per address."""
    tokens = tokens_for(users_settings, "planner.a")
    client = TestClient(create_app(users_settings))
    wrong = "pkt_" + "A" * 43
    for _ in range(users_settings.login_max_failures):
        assert client.get(RESTRICTED, headers=basic("planner.a", wrong)).status_code == 401
    r = client.get(RESTRICTED, headers=basic("planner.a", tokens["planner.a"]))
    assert r.status_code == 429
    assert r.json()["code"] == "auth.limited"
    assert login(client, "planner.a").status_code == 429  # the same limiter as the login form
    assert client.get(RESTRICTED, headers=bearer(tokens["planner.a"])).status_code == 200  # Bearer: another key
    for _ in range(users_settings.login_max_failures):
        assert client.get(RESTRICTED, headers=bearer(wrong)).status_code == 401
    assert client.get(RESTRICTED, headers=bearer(tokens["planner.a"])).status_code == 429


def test_user_token_cli(users_settings: Settings, capsys) -> None:
    """`petakampung user token NAME` prints the token alone on stdout (for scripts), the advice on
    stderr; a second token replaces the first; --revoke ends it; an unknown name is a clear error."""
    from geo.cli import main

    store_args = ["--store", str(users_settings.store)]
    client = TestClient(create_app(users_settings))
    assert main([*store_args, "user", "token", "planner.a"]) == 0
    out = capsys.readouterr()
    first = out.out.strip()
    assert "tidak akan ditampilkan lagi" in out.err
    assert first not in out.err
    assert client.get(RESTRICTED, headers=bearer(first)).status_code == 200
    assert main([*store_args, "user", "token", "planner.a"]) == 0
    second = capsys.readouterr().out.strip()
    assert second != first
    assert client.get(RESTRICTED, headers=bearer(first)).status_code == 401
    assert client.get(RESTRICTED, headers=basic("planner.a", second)).status_code == 200
    assert main([*store_args, "user", "token", "planner.a", "--revoke"]) == 0
    assert "dicabut" in capsys.readouterr().out
    assert client.get(RESTRICTED, headers=basic("planner.a", second)).status_code == 401
    assert main([*store_args, "user", "token", "tidak.ada"]) == 1
    assert "tidak.ada" in capsys.readouterr().err
    listing = (main([*store_args, "user", "list"]), capsys.readouterr().out)[1]
    assert second not in listing


def test_tokens_are_kept_as_hashes_only(users_settings: Settings) -> None:
    """The store (either backend) holds no token, and its audit log says whose token changed
    without its hash."""
    import hashlib

    from geo.store import open_store
    from tests.conftest import stored_bytes

    token = tokens_for(users_settings, "planner.a")["planner.a"]
    store = open_store(users_settings.store)
    assert token.encode() not in stored_bytes(store)
    digest = hashlib.sha256(token.encode()).hexdigest()
    assert list(store.read("pk_api_tokens", username="planner.a")["token_hash"]) == [digest]
    audit = store.read("pk_audit")
    entries = audit[audit["table_name"] == "pk_api_tokens"]
    assert len(entries) == 1
    assert "planner.a" in entries.iloc[0]["after_json"]
    assert not audit["after_json"].fillna("").str.contains(digest).any()
