"""Issue 12, "LKM members on a phone", in a real browser (Debian chromium, 390x844 and 1366x800):
log in, open the work, fill the form, send it with an error (the form keeps everything), fix it,
send it ("tersimpan"); a session that expires mid-form (what was typed survives a new login);
no signal (the form stays); a 4000 x 3000 camera photo made smaller in the browser before upload
(with its EXIF place and time kept), and sent as it is where the browser cannot. Screenshots land
in test-artifacts/lkm_*.png."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import pytest
from PIL import Image

from geo.formats import date as long_date
from geo.store import open_store
from tests.browser import CHROMIUM, PageLog, new_page
from tests.conftest import KALIAWI, PASSWORD, start_server, stop_server
from tests.photos import camera_photo

pytestmark = [
    pytest.mark.browser,
    pytest.mark.both_backends,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed"),
]

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 800}}
WORK = "CSR-2026-01"
PAGE = f"/kelurahan/{KALIAWI}/pekerjaan/{WORK}"


@pytest.fixture(scope="module")
def lkm_site(backend, users_source):
    """The site on its own store (its location too, to read what was written)."""
    store = backend.copy(users_source, name="lkm-phone")
    proc, url = start_server(store, PETAKAMPUNG_SECRET_KEY="lkm-phone-secret")
    try:
        yield url, store
    finally:
        stop_server(proc)
        backend.drop(store)


def log_in(page, url: str) -> None:
    page.fill("#username", "lkm.a")
    page.fill("#password", PASSWORD)
    page.locator("#login-form button[type=submit]").click()
    page.wait_for_load_state()


def records_text(page) -> str:
    return page.locator("#records").inner_text()


def near_the_work(location) -> tuple[float, float]:
    works = open_store(location).read("works", kelurahan_code=KALIAWI)
    p = works[works["work_id"] == WORK].geometry.iloc[0].interpolate(0.5, normalized=True)
    return p.x, p.y


def stored_photos(location, record_note: str) -> list[dict]:
    store = open_store(location)
    records = store.read("progress_records", work_id=WORK)
    record_id = records.loc[records["note"] == record_note, "record_id"].iloc[0]
    photos = store.read("progress_photos", columns=["photo_id", "flags", "width", "data"], record_id=record_id)
    return photos.to_dict("records")


@pytest.mark.parametrize("device", VIEWPORTS)
def test_an_lkm_member_records_progress_on_a_phone(browser, lkm_site, artifacts: Path, device: str) -> None:
    url, _ = lkm_site
    page = new_page(browser, VIEWPORTS[device])
    log = PageLog(page)
    page.goto(f"{url}/masuk")
    log_in(page, url)
    assert page.url.endswith(f"/kelurahan/{KALIAWI}/dasbor")
    year = page.locator("label", has=page.locator("#tahun"))
    assert year.inner_text().startswith("Paket tahun anggaran")  # blank before issue 12
    assert page.locator("#tahun option[value=semua]").inner_text() == "Semua tahun"
    page.screenshot(path=str(artifacts / f"lkm_dashboard_{device}.png"))

    page.goto(url + PAGE)
    form = page.locator("#record-form")
    assert form.bounding_box()["y"] < page.locator("#kurva-s").bounding_box()["y"]  # the form first
    assert page.locator("#record-form-box").bounding_box()["y"] < VIEWPORTS[device]["height"]  # on the first screen
    assert page.locator("#required-note").is_visible()
    page.screenshot(path=str(artifacts / f"lkm_work_form_{device}.png"))

    note = f"talud sisi utara ({device})"
    form.locator("input[name=spent_idr]").fill("45000000")  # the percent forgotten (the browser checks 0-100)
    form.locator("input[name=note]").fill(note)
    form.locator("button[type=submit]").click()
    error = page.locator("#error-fisik_pct")
    error.wait_for()
    assert error.is_visible()
    assert error.inner_text().startswith("Progres fisik (%): progres fisik harus 0 sampai 100 %")
    assert page.locator("#form-status").is_visible()
    assert "Belum tersimpan" in page.locator("#form-status").inner_text()
    assert page.url == url + PAGE  # still the form: no error page
    assert form.locator("input[name=note]").input_value() == note
    assert form.locator("input[name=spent_idr]").input_value() == "45000000"
    page.screenshot(path=str(artifacts / f"lkm_work_error_{device}.png"))

    form.locator("input[name=fisik_pct]").fill("65")
    form.locator("button[type=submit]").click()
    page.wait_for_url("**disimpan=*")
    flash = page.locator("#saved-flash")
    assert flash.is_visible()
    assert flash.inner_text().startswith(f"✓ Tersimpan: catatan progres {long_date(date.today(), 'id')}, 65,0 %")
    assert note in records_text(page)
    assert page.evaluate("() => Object.keys(localStorage).filter(k => k.startsWith('pk-draft'))") == []
    page.screenshot(path=str(artifacts / f"lkm_work_saved_{device}.png"))
    page.reload()
    assert page.locator("#saved-flash").count() == 0  # said once
    assert log.page_errors == []
    assert log.failed == []
    # the one line the browser logs is the refused record's answer, which the page showed on the form
    assert log.console_errors == ["Failed to load resource: the server responded with a status of 400 (Bad Request)"]


@pytest.mark.parametrize("device", VIEWPORTS)
def test_typed_data_survives_an_expired_session(
    browser, lkm_site, tmp_path: Path, artifacts: Path, device: str
) -> None:
    url, location = lkm_site
    page = new_page(browser, VIEWPORTS[device])
    page.goto(f"{url}/masuk")
    log_in(page, url)
    page.goto(url + PAGE)
    form = page.locator("#record-form")
    note = f"dikerjakan saat sinyal hilang ({device})"
    form.locator("input[name=fisik_pct]").fill("70")
    form.locator("input[name=spent_idr]").fill("52000000")
    form.locator("input[name=note]").fill(note)
    photo = tmp_path / "talud.jpg"
    photo.write_bytes(camera_photo(*near_the_work(location), datetime(2026, 11, 21, 8), size=(800, 600)))
    form.locator("input[name=photos]").set_input_files(str(photo))

    page.context.set_offline(True)  # no signal: the form stays, nothing is lost
    form.locator("button[type=submit]").click()
    page.locator("#form-status.error-box").wait_for()
    assert "Tidak tersambung ke server" in page.locator("#form-status").inner_text()
    assert form.locator("input[name=note]").input_value() == note
    page.context.set_offline(False)

    page.context.clear_cookies()  # the session ended while the phone was away
    form.locator("button[type=submit]").click()
    relogin = page.locator("#relogin-link")
    relogin.wait_for()
    status = page.locator("#form-status").inner_text()
    assert "Sesi Anda sudah berakhir" in status
    assert "Foto perlu dipilih ulang setelah masuk" in status
    assert form.locator("input[name=fisik_pct]").input_value() == "70"
    page.screenshot(path=str(artifacts / f"lkm_session_expired_{device}.png"))

    relogin.click()
    page.wait_for_load_state()
    assert page.locator("#draft-login-note").is_visible()
    log_in(page, url)
    assert page.url == url + PAGE  # back to the work
    assert page.locator("#form-status").get_attribute("data-restored") == "1"
    restored = page.locator("#form-status").inner_text()
    assert "Isian yang belum terkirim dipulihkan" in restored
    assert "pilih ulang fotonya" in restored
    assert form.locator("input[name=fisik_pct]").input_value() == "70"
    assert form.locator("input[name=spent_idr]").input_value() == "52000000"
    assert form.locator("input[name=note]").input_value() == note
    page.screenshot(path=str(artifacts / f"lkm_draft_restored_{device}.png"))

    form.locator("input[name=photos]").set_input_files(str(photo))
    form.locator("button[type=submit]").click()
    page.wait_for_url("**disimpan=*")
    assert page.locator("#saved-flash").is_visible()
    assert note in records_text(page)
    assert len(stored_photos(location, note)) == 1
    page.reload()
    assert page.locator("#form-status").is_hidden()  # nothing waits to be restored any more
    assert form.locator("input[name=note]").input_value() == ""


def _send_camera_photo(page, url: str, location, path: Path, note: str):
    """Log in, pick the photo, send; returns the size of the request body the browser sent."""
    page.goto(f"{url}/masuk")
    log_in(page, url)
    page.goto(url + PAGE)
    form = page.locator("#record-form")
    form.locator("input[name=fisik_pct]").fill("45")
    form.locator("input[name=note]").fill(note)
    form.locator("input[name=photos]").set_input_files(str(path))
    form.locator("button[type=submit]").click()
    page.wait_for_url("**disimpan=*", timeout=120_000)
    return page.evaluate("() => sessionStorage.getItem('sent-bytes')")


# counts the bytes of every form the page hands to fetch() (Playwright does not report file parts)
COUNT_SENT = """(() => {
  const send = window.fetch;
  window.fetch = function (url, options) {
    if (options && options.body instanceof FormData) {
      let n = 0;
      for (const [, v] of options.body.entries()) { n += typeof v === "string" ? v.length : v.size; }
      sessionStorage.setItem("sent-bytes", String(n));
    }
    return send.apply(this, arguments);
  };
})();"""


def test_a_camera_photo_is_made_smaller_before_upload(browser, lkm_site, tmp_path: Path, artifacts: Path) -> None:
    url, location = lkm_site
    original = camera_photo(*near_the_work(location), datetime(2026, 11, 22, 10, 15))
    path = tmp_path / "IMG_20261122_101500.jpg"
    path.write_bytes(original)
    with Image.open(io.BytesIO(original)) as img:
        assert img.size == (4000, 3000)
    assert len(original) > 5 * 2**20
    page = new_page(browser, VIEWPORTS["phone"])
    page.add_init_script(COUNT_SENT)
    log = PageLog(page)
    body = int(_send_camera_photo(page, url, location, path, "foto kamera diperkecil"))
    assert 0 < body < 2 * 2**20  # a 7 MB photo crossed the phone's connection as less than 2 MB
    [photo] = stored_photos(location, "foto kamera diperkecil")
    with Image.open(io.BytesIO(bytes(photo["data"]))) as img:
        assert img.size == (2048, 1536)  # made smaller in the browser, not by the server (2560)
    assert photo["flags"] == ""  # its EXIF place and time came along: near the work, in its period
    thumb = page.locator("#records tr", has_text="foto kamera diperkecil").locator("img")
    thumb.scroll_into_view_if_needed()  # loading="lazy": fetched when it comes into view
    page.wait_for_function("i => i.complete && i.naturalWidth > 0", arg=thumb.element_handle())
    assert thumb.evaluate("i => Math.max(i.naturalWidth, i.naturalHeight)") == 400
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    page.screenshot(path=str(artifacts / "lkm_camera_photo_phone.png"), full_page=True)
    log.assert_clean()


def test_without_canvas_the_original_is_sent_and_bounded_by_the_server(
    browser, lkm_site, tmp_path: Path, artifacts: Path
) -> None:
    url, location = lkm_site
    original = camera_photo(*near_the_work(location), datetime(2026, 11, 22, 11), seed=2)
    path = tmp_path / "IMG_20261122_110000.jpg"
    path.write_bytes(original)
    page = new_page(browser, VIEWPORTS["phone"])
    page.add_init_script("delete window.createImageBitmap;")  # an old phone browser
    page.add_init_script(COUNT_SENT)
    body = int(_send_camera_photo(page, url, location, path, "foto asli tanpa kanvas"))
    assert body > len(original)  # the original went as it is
    [photo] = stored_photos(location, "foto asli tanpa kanvas")
    with Image.open(io.BytesIO(bytes(photo["data"]))) as img:
        assert img.size == (2560, 1920)  # re-encoded to the stored bound by the server
    assert photo["flags"] == ""
    assert len(bytes(photo["data"])) < len(original) / 2
