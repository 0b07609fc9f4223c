"""Issue 12 in a real browser with JavaScript switched off (Debian chromium, phone and desktop):
the session ends while a member fills the progress form; sending it asks for a new login, says
nothing is saved yet, and after the login the form is back with everything typed and the photo
kept; sending it again saves it once.  Screenshots: test-artifacts/lkm_nojs_*.png."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pytest

from geo.store import open_store
from tests.browser import CHROMIUM, PageLog
from tests.conftest import KALIAWI, PASSWORD, start_server, stop_server
from tests.photos import camera_photo
from web.pending import PendingForms

pytestmark = [
    pytest.mark.browser,
    pytest.mark.both_backends,  # logs in and writes: both stores
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed"),
]

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 800}}
WORK = "CSR-2026-01"
PAGE = f"/kelurahan/{KALIAWI}/pekerjaan/{WORK}"


@pytest.fixture(scope="module")
def site(backend, users_source):
    store = backend.copy(users_source, name="lkm-nojs")
    proc, url = start_server(store, PETAKAMPUNG_SECRET_KEY="lkm-nojs-secret")
    try:
        yield url, store
    finally:
        stop_server(proc)
        shutil.rmtree(PendingForms.for_store(store).folder, True)  # the forms kept, with their photos
        backend.drop(store)


def no_js_page(browser, viewport: dict):
    context = browser.new_context(viewport=viewport, java_script_enabled=False)
    page = context.new_page()
    page.route(
        "**/*",
        lambda route: route.continue_() if route.request.url.startswith("http://127.0.0.1") else route.abort(),
    )
    return page


def log_in(page) -> None:
    page.fill("#username", "lkm.a")
    page.fill("#password", PASSWORD)
    page.locator("#login-form button[type=submit]").click()
    page.wait_for_load_state()


@pytest.mark.parametrize("device", VIEWPORTS)
def test_without_javascript_an_expired_session_keeps_the_form(
    browser, site, tmp_path: Path, artifacts: Path, device: str
) -> None:
    url, location = site
    store = open_store(location)
    works = store.read("works", kelurahan_code=KALIAWI)
    here = works[works["work_id"] == WORK].geometry.iloc[0].interpolate(0.5, normalized=True)
    page = no_js_page(browser, VIEWPORTS[device])
    log = PageLog(page)
    page.goto(f"{url}/masuk")
    log_in(page)
    page.goto(url + PAGE)
    form = page.locator("#record-form")
    note = f"tanpa JavaScript, sesi habis ({device})"
    form.locator("input[name=fisik_pct]").fill("64")
    form.locator("input[name=spent_idr]").fill("61000000")
    form.locator("input[name=note]").fill(note)
    photo = tmp_path / "saluran.jpg"
    photo.write_bytes(camera_photo(here.x, here.y, datetime(2026, 11, 22, 9), size=(1600, 1200)))
    assert photo.stat().st_size > 64 * 1024  # above the anonymous body cap
    form.locator("input[name=photos]").set_input_files(str(photo))
    before = len(store.read("progress_records", work_id=WORK))

    page.context.clear_cookies()  # the session ended while the phone was away
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "/masuk" in page.url
    assert page.locator("#pending-login-note").is_visible()
    assert "Belum ada yang tersimpan" in page.locator("#pending-login-note").inner_text()
    page.screenshot(path=str(artifacts / f"lkm_nojs_login_{device}.png"), full_page=True)
    assert len(store.read("progress_records", work_id=WORK)) == before

    log_in(page)
    assert page.url.startswith(url + PAGE + "?tertunda=")
    assert page.locator("#pending-note").is_visible()
    assert "BELUM tersimpan" in page.locator("#pending-note").inner_text()
    assert "saluran.jpg" in page.locator("#pending-photos").inner_text()
    assert page.locator("#saved-flash").count() == 0
    assert form.locator("input[name=fisik_pct]").input_value() == "64"
    assert form.locator("input[name=spent_idr]").input_value() == "61000000"
    assert form.locator("input[name=note]").input_value() == note
    box = page.locator("#pending-note").bounding_box()
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= VIEWPORTS[device]["width"]  # no sideways scrolling on the phone
    page.screenshot(path=str(artifacts / f"lkm_nojs_refilled_{device}.png"), full_page=True)

    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "disimpan=" in page.url
    assert page.locator("#saved-flash").is_visible()
    assert note in page.locator("#records").inner_text()
    records = store.read("progress_records", work_id=WORK)
    assert len(records) == before + 1  # saved once
    record_id = records.loc[records["note"] == note, "record_id"].iloc[0]
    assert len(store.read("progress_photos", columns=["photo_id"], record_id=record_id)) == 1
    page.screenshot(path=str(artifacts / f"lkm_nojs_saved_{device}.png"), full_page=True)
    log.assert_clean()
