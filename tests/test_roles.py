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
        assert r.json()["error"] in ("auth.required", "auth.forbidden")


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
