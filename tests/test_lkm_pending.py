"""Issue 12: without JavaScript, a progress form sent after the session ended (or with a CSRF token
that aged while the phone was offline) is not lost.  The server keeps what was typed and the
photos for a while, asks for a new login, and shows the form refilled to send again; nothing is
recorded, and nothing is called saved, until it is sent again.  Kept only for a form of this site
(the browser's Origin / Sec-Fetch-Site), only for the session that sent it, bounded in count,
bytes and time."""

from __future__ import annotations

import re
import shutil
import time
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from fastapi.testclient import TestClient

from geo.progress import Photo
from geo.settings import Settings
from geo.store import open_store
from tests.conftest import KALIAWI, PASSWORD, csrf_of, login
from tests.photos import jpeg
from web.app import create_app
from web.pending import PendingForms

WORK = "CSR-2026-01"
PAGE = f"/kelurahan/{KALIAWI}/pekerjaan/{WORK}"
SAME_SITE = {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"}
TYPED = {"fisik_pct": "47,5", "spent_idr": "98000000", "note": "talud sisi barat dicor, tanpa sinyal"}


@pytest.fixture(autouse=True)
def _no_forms_left(request: pytest.FixtureRequest):
    """The forms a test kept are removed with it (they hold its photos)."""
    settings = request.getfixturevalue("users_settings") if "users_settings" in request.fixturenames else None
    yield
    if settings is not None:
        shutil.rmtree(PendingForms.for_store(settings.store).folder, ignore_errors=True)


def records(settings: Settings) -> int:
    return len(open_store(settings.store).read("progress_records", work_id=WORK))


def send(client: TestClient, token: str, *, headers=SAME_SITE, photo: bytes | None = None, **extra: str):
    data = {"csrf_token": token, "record_date": date.today().isoformat(), **TYPED, **extra}
    files = [("photos", ("talud.jpg", photo, "image/jpeg"))] if photo else []
    return client.post(f"{PAGE}/progres", data=data, files=files, headers=headers, follow_redirects=False)


def form_value(page: str, name: str) -> str | None:
    hit = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', page)
    return hit.group(1) if hit else None


def log_in_to(client: TestClient, target: str) -> str:
    """Log in through the form with ``next``; where the login sends the member."""
    data = {"username": "lkm.a", "password": PASSWORD, "csrf_token": csrf_of(client), "next": target}
    r = client.post("/masuk", data=data, follow_redirects=False)
    assert r.status_code == 303
    return r.headers["location"]


def test_an_expired_session_keeps_the_form_and_photo_until_it_is_sent_again(users_settings: Settings) -> None:
    member = TestClient(create_app(users_settings))
    assert login(member, "lkm.a").status_code == 303
    token = csrf_of(member)
    before = records(users_settings)
    member.cookies.clear()  # the session ended while the phone was away
    r = send(member, token, photo=jpeg())
    assert r.status_code == 303
    login_url = urlsplit(r.headers["location"])
    assert login_url.path == "/masuk"
    target = unquote(parse_qs(login_url.query)["next"][0])
    assert target.startswith(PAGE + "?tertunda=")
    assert records(users_settings) == before  # nothing recorded, nothing said to be saved
    note = member.get(r.headers["location"]).text
    assert 'id="pending-login-note"' in note
    assert "Belum ada yang tersimpan" in note

    assert log_in_to(member, target) == target
    page = member.get(target)
    assert page.status_code == 200
    assert 'id="pending-note"' in page.text
    assert "BELUM tersimpan" in page.text
    assert 'id="saved-flash"' not in page.text
    for name, value in TYPED.items():
        assert form_value(page.text, name) == value
    assert "talud.jpg" in page.text  # the photo is kept, not to be picked again
    pending_id = form_value(page.text, "pending_id")
    assert pending_id
    assert pending_id in target

    r = member.post(
        f"{PAGE}/progres",
        data={
            "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1),
            "pending_id": pending_id,
            **{k: form_value(page.text, k) or "" for k in ("record_date", "idempotency_key", *TYPED)},
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert "disimpan=" in r.headers["location"]
    store = open_store(users_settings.store)
    saved = store.read("progress_records", work_id=WORK)
    assert len(saved) == before + 1
    new = saved[saved["note"] == TYPED["note"]].iloc[0]
    assert new["fisik_pct"] == 47.5
    assert new["spent_idr"] == 98_000_000
    photos = store.read("progress_photos", columns=["photo_id"], record_id=new["record_id"])
    assert len(photos) == 1  # the photo chosen before the login
    again = member.get(target).text  # used up: the form is not offered twice
    assert 'id="pending-note"' not in again
    assert form_value(again, "pending_id") is None


def test_an_aged_csrf_token_while_logged_in_goes_straight_back_to_the_refilled_form(
    users_settings: Settings,
) -> None:
    member = TestClient(create_app(users_settings))
    login(member, "lkm.a")
    before = records(users_settings)
    r = send(member, "token-dari-halaman-lama")
    assert r.status_code == 303
    assert r.headers["location"].startswith(PAGE + "?tertunda=")
    page = member.get(r.headers["location"]).text
    assert form_value(page, "note") == TYPED["note"]
    assert 'id="pending-note"' in page
    assert records(users_settings) == before


@pytest.mark.parametrize(
    "headers",
    [{}, {"Origin": "https://situs-lain.example"}, {"Sec-Fetch-Site": "cross-site", "Origin": "http://testserver"}],
    ids=["no-origin", "other-origin", "cross-site"],
)
def test_a_form_posted_from_another_site_is_refused_and_not_kept(users_settings: Settings, headers) -> None:
    visitor = TestClient(create_app(users_settings))
    r = send(visitor, "x", headers=headers)
    assert r.status_code == 403
    assert not list(PendingForms.for_store(users_settings.store).folder.glob("*.json"))


def test_a_pending_form_is_shown_only_to_the_session_that_sent_it(users_settings: Settings) -> None:
    app = create_app(users_settings)
    sender = TestClient(app)
    r = send(sender, "x")
    target = unquote(parse_qs(urlsplit(r.headers["location"]).query)["next"][0])
    other = TestClient(app)  # another phone, logged in as the same member, given the link
    login(other, "lkm.a")
    page = other.get(target).text
    assert 'id="pending-note"' not in page
    assert form_value(page, "note") == ""
    # a guessed or broken id is ignored, never an error
    assert other.get(PAGE + "?tertunda=../../etc/passwd").status_code == 200


def test_a_member_of_another_kelurahan_is_still_refused(users_settings: Settings) -> None:
    client = TestClient(create_app(users_settings))
    assert login(client, "lkm.b").status_code == 303  # LKM of Jatirangga
    assert send(client, "x").status_code == 403  # an aged token changes nothing
    assert send(client, csrf_of(client)).status_code == 403
    assert not list(PendingForms.for_store(users_settings.store).folder.glob("*.json"))


def test_pending_forms_are_bounded_in_count_bytes_and_time(tmp_path: Path) -> None:
    photo = Photo(filename="a.jpg", content_type="image/jpeg", data=b"x" * 10_000)
    forms = PendingForms(tmp_path / "p", max_count=3, max_bytes=10**9)
    ids = [forms.put(KALIAWI, WORK, {"note": str(i)}, [photo]) for i in range(5)]
    assert len(list(forms.folder.glob("*.json"))) == 3  # the oldest went first
    assert forms.get(ids[-1], KALIAWI, WORK).fields == {"note": "4"}
    assert forms.get(ids[-1], KALIAWI, "OTHER-WORK") is None  # tied to its work
    small = PendingForms(tmp_path / "s", max_count=100, max_bytes=30_000)
    for i in range(5):
        small.put(KALIAWI, WORK, {"note": str(i)}, [photo])
    assert sum(p.stat().st_size for p in small.folder.glob("*.json")) <= 30_000
    brief = PendingForms(tmp_path / "t", ttl_s=0.05)
    form_id = brief.put(KALIAWI, WORK, {}, [])
    time.sleep(0.1)
    assert brief.get(form_id, KALIAWI, WORK) is None  # expired
    assert (tmp_path / "p").stat().st_mode & 0o077 == 0  # only the server's user reads them


def noisy_jpeg(size: tuple[int, int] = (900, 700)) -> bytes:
    """A photo well above the anonymous 64 KiB body cap (noise does not compress)."""
    import io
    import os

    from PIL import Image

    buf = io.BytesIO()
    Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)).save(buf, "JPEG", quality=90)
    return buf.getvalue()


def test_a_real_photo_is_kept_only_with_the_forms_own_ticket(users_settings: Settings) -> None:
    """The anonymous body cap (64 KiB) stays for everyone else; a form this site showed to the
    member (its signed ``?formulir=`` ticket) may bring its photos along after the session ended."""
    member = TestClient(create_app(users_settings))
    login(member, "lkm.a")
    page = member.get(PAGE).text
    action = re.search(r'<form method="post" action="([^"]+)"[^>]*id="record-form"', page).group(1)
    assert "?formulir=" in action
    photo = noisy_jpeg()
    assert len(photo) > 200_000
    member.cookies.clear()
    data = {"csrf_token": "x", "record_date": date.today().isoformat(), **TYPED}
    files = [("photos", ("talud-besar.jpg", photo, "image/jpeg"))]
    kept = member.post(action.replace("&amp;", "&"), data=data, files=files, headers=SAME_SITE, follow_redirects=False)
    assert kept.status_code == 303
    assert "/masuk?next=" in kept.headers["location"]
    folder = PendingForms.for_store(users_settings.store).folder
    assert sum(p.stat().st_size for p in folder.glob("*.json")) > len(photo)  # the photo is kept
    stranger = TestClient(create_app(users_settings))
    bare = f"{PAGE}/progres"
    forged = f"{PAGE}/progres?formulir=9999999999.{'0' * 32}"
    other_work = action.replace(WORK, "CSR-2026-02")
    for url in (bare, forged, other_work):
        r = stranger.post(url, data=data, files=files, headers=SAME_SITE, follow_redirects=False)
        assert r.status_code == 413, url
