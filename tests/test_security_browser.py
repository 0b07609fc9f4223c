"""The pages issue 8 touched, in a real browser on a phone (390 x 844) and a desktop (1366 x 800):
the login page with its limit message, a work page with photo thumbnails served from their stored
renditions and the write forms carrying their idempotency key, the audit page after a password
change, and a malformed parameter's error page.  Screenshots go to test-artifacts/."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from geo.accounts import get_user, set_password
from geo.progress import Photo, ProgressInput, record_progress
from geo.store import open_store
from tests.browser import CHROMIUM, PageLog, new_page
from tests.conftest import KALIAWI, PASSWORD, start_server, stop_server
from tests.photos import jpeg

pytestmark = [
    pytest.mark.browser,
    pytest.mark.both_backends,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed"),
]
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 800}}
WORK = "CSR-2026-01"


@pytest.fixture(scope="module")
def site(backend, users_source):
    path = backend.copy(users_source, name="sec-browser")
    store = open_store(path, audit_rows="rows")  # the audit page shows rows before and after (hash redacted)
    photos = [Photo(f"lokasi{i}.jpg", "image/jpeg", jpeg(105.2428, -5.414, size=(2400, 1800))) for i in range(3)]
    record_progress(
        store,
        get_user(store, "lkm.a"),
        KALIAWI,
        ProgressInput(WORK, date.today().isoformat(), 72, note="pemasangan paving", photos=photos),
    )
    set_password(store, "planner.b", "kata-sandi-baru-99", actor="admin")  # an audit row with a "before"
    proc, url = start_server(path, PETAKAMPUNG_SECRET_KEY="browser-security-secret", PETAKAMPUNG_AUDIT_ROWS="rows")
    try:
        yield url
    finally:
        stop_server(proc)
        backend.drop(path)


def log_in(page, url: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{url}/masuk")
    page.fill("#username", username)
    page.fill("#password", password)
    page.locator("#login-form button[type=submit]").click()
    page.wait_for_load_state()


@pytest.mark.parametrize("device", VIEWPORTS)
def test_login_limit_message(browser, site: str, artifacts: Path, device: str) -> None:
    page = new_page(browser, VIEWPORTS[device])
    name = f"planner.a{'' if device == 'phone' else ' '}"  # the desktop run types a trailing space: same count
    for _ in range(6):
        log_in(page, site, name, "salah-sekali-123")
    error = page.locator("#login-error")
    assert "terlalu banyak percobaan masuk" in error.inner_text()
    assert error.is_visible()
    page.screenshot(path=str(artifacts / f"security_login_limited_{device}.png"), full_page=True)


@pytest.mark.parametrize("device", VIEWPORTS)
def test_work_page_photos_and_forms(browser, site: str, artifacts: Path, device: str) -> None:
    page = new_page(browser, VIEWPORTS[device])
    log = PageLog(page)
    log_in(page, site, "lkm.a")
    page.goto(f"{site}/kelurahan/{KALIAWI}/pekerjaan/{WORK}")
    thumbs = page.locator("#records img")
    assert thumbs.count() == 3
    thumbs.last.scroll_into_view_if_needed()  # loading="lazy", below the progress form: fetched in view
    page.wait_for_function("() => [...document.querySelectorAll('#records img')].every(i => i.complete)")
    sizes = thumbs.evaluate_all("imgs => imgs.map(i => [i.naturalWidth, i.naturalHeight])")
    assert all(0 < w <= 400 and 0 < h <= 400 for w, h in sizes), sizes  # the thumbnail rendition
    for form in ("#record-form", "#maintenance-form"):
        assert len(page.locator(f"{form} input[name=idempotency_key]").get_attribute("value")) >= 16
    page.screenshot(path=str(artifacts / f"security_work_page_{device}.png"), full_page=True)
    log.assert_clean()


@pytest.mark.parametrize("device", VIEWPORTS)
def test_audit_page_after_a_password_change(browser, site: str, artifacts: Path, device: str) -> None:
    page = new_page(browser, VIEWPORTS[device])
    log = PageLog(page)
    log_in(page, site, "admin")
    response = page.goto(f"{site}/admin/audit")
    assert response.status == 200
    assert "<redacted>" in page.locator("#audit").inner_text()
    page.screenshot(path=str(artifacts / f"security_audit_{device}.png"))
    log.assert_clean()


@pytest.mark.parametrize("device", VIEWPORTS)
def test_a_malformed_year_gets_a_friendly_page(browser, site: str, artifacts: Path, device: str) -> None:
    page = new_page(browser, VIEWPORTS[device])
    response = page.goto(f"{site}/kelurahan/{KALIAWI}/dasbor?tahun=%C2%B2")
    assert response.status == 400
    assert "bukan tahun" in page.locator("#error-message").inner_text()
    page.screenshot(path=str(artifacts / f"security_bad_year_{device}.png"))
