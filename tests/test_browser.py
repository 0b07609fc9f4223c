"""Pages in a real browser: Debian's chromium driven by Playwright, no network beyond localhost.

Base-map tiles fail here on purpose (as on a bad connection): the vector layers, the legend and
the popups must still work.  Screenshots land in test-artifacts/.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from geo.mapping import write_map
from tests.browser import CHROMIUM, PHONE, PageLog, new_page
from tests.conftest import KALIAWI, start_server, stop_server

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")]


def click_on_line(page, selector: str) -> None:
    """A real mouse click on a point half-way along an SVG line drawn by Leaflet."""
    line = page.locator(selector).first
    x, y = line.evaluate("""el => {
        const p = el.getPointAtLength(el.getTotalLength() / 2);
        const m = el.getScreenCTM();
        return [p.x * m.a + p.y * m.c + m.e, p.x * m.b + p.y * m.d + m.f];
    }""")
    page.mouse.click(x, y)


COMPLETED_LINE = '.leaflet-overlay-pane path[stroke="#1a9641"][stroke-width="6"]'


def test_standalone_map_renders_offline(browser, demo_store, tmp_path: Path, artifacts: Path) -> None:
    html = write_map(demo_store, KALIAWI, tmp_path / "peta.html", lang="id")
    page = new_page(browser)
    log = PageLog(page)
    page.goto(html.as_uri())
    page.wait_for_selector(".leaflet-overlay-pane path")
    page.wait_for_timeout(300)
    page.screenshot(path=str(artifacts / "map_standalone_kaliawi.png"))
    rts = len(demo_store.read("rt", kelurahan_code=KALIAWI))
    assert page.locator(".leaflet-overlay-pane path.leaflet-interactive").count() >= rts + 8
    assert page.locator(".pk-icon").count() == len(demo_store.read("facilities", kelurahan_code=KALIAWI))
    legend = page.locator(".pk-legend")
    assert "KK miskin (desil 1-4)" in legend.inner_text()
    control = page.locator(".leaflet-control-layers").inner_text()
    for name in ("Pekerjaan infrastruktur", "Kebun KWT", "Fasilitas"):
        assert name in control
    assert page.locator(".leaflet-control-scale").is_visible()
    before = page.locator(".leaflet-overlay-pane path.leaflet-interactive").first.get_attribute("fill")
    page.select_option(".pk-picker select", "garden_share")
    assert "Luas kebun KWT" in legend.inner_text()
    assert page.locator(".leaflet-overlay-pane path.leaflet-interactive").first.get_attribute("fill") != before
    log.assert_clean()


def test_clicking_a_work_opens_its_popup(browser, demo_store, tmp_path: Path, artifacts: Path) -> None:
    html = write_map(demo_store, KALIAWI, tmp_path / "peta.html", lang="en")
    page = new_page(browser)
    log = PageLog(page)
    page.goto(html.as_uri())
    page.wait_for_selector(".leaflet-overlay-pane path")
    page.locator(".leaflet-control-layers label", has_text="RT: selected indicator").click()
    click_on_line(page, COMPLETED_LINE)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    text = popup.inner_text()
    page.screenshot(path=str(artifacts / "map_work_popup.png"))
    assert "Rp " in text
    assert "Completed" in text
    assert "2019" in text
    assert "2,019" not in text
    log.assert_clean()


def test_home_search_to_map_page_to_popup(browser, server: str, artifacts: Path) -> None:
    page = new_page(browser)
    log = PageLog(page)
    page.goto(server + "/")
    page.fill("#q", "jati")
    # the list filters as the visitor types (and may ask the server): wait for it, as a visitor would
    expect(page.locator("#kelurahan-list tbody tr:visible")).to_have_count(1)
    page.fill("#q", "kaliawi")
    page.screenshot(path=str(artifacts / "site_home.png"))
    page.get_by_role("link", name="Kaliawi Persada").click()
    page.wait_for_url(f"**/kelurahan/{KALIAWI}")
    page.wait_for_selector(".leaflet-overlay-pane path")
    page.locator(".leaflet-control-layers label", has_text="RT: indikator terpilih").click()
    click_on_line(page, COMPLETED_LINE)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert "Selesai" in popup.inner_text()
    assert "Anggaran" in popup.inner_text()
    page.screenshot(path=str(artifacts / "site_map_popup.png"))
    log.assert_clean()


def test_list_entry_shows_its_work_on_the_map(browser, server: str) -> None:
    page = new_page(browser)
    log = PageLog(page)
    page.goto(f"{server}/kelurahan/{KALIAWI}")
    page.wait_for_selector(".leaflet-overlay-pane path")
    page.locator('#works-list a.focus[data-id="KTK-2019-04"]').click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert "Sumur bor RT 05 LK I" in popup.inner_text()
    page.goto(f"{server}/kelurahan/{KALIAWI}/pekerjaan?status=berjalan")
    assert page.locator("#works-table tbody tr").count() == 1
    page.locator("#works-table").get_by_role("link", name="lihat di peta").click()  # the name: its work page
    page.locator(".leaflet-popup-content").wait_for()
    assert "Jalan paving" in page.locator(".leaflet-popup-content").inner_text()
    log.assert_clean()


def test_indicator_picker_restyles_the_map(browser, server: str) -> None:
    page = new_page(browser)
    page.goto(f"{server}/kelurahan/{KALIAWI}")
    page.wait_for_selector(".leaflet-overlay-pane path")
    page.select_option("#indicator", "works_budget_idr")
    assert "Anggaran pekerjaan" in page.locator(".pk-rt-legend").inner_text()
    assert "Rp" in page.locator(".pk-rt-legend").inner_text()


def test_rt_profile(browser, server: str, artifacts: Path) -> None:
    page = new_page(browser)
    log = PageLog(page)
    page.goto(f"{server}/kelurahan/{KALIAWI}")
    page.locator("#rt-table").get_by_role("link", name="RT 003 / LK 001").click()
    page.wait_for_url("**/rt/1/3")
    assert page.locator("h1").inner_text() == "RT 003 / LK 001"
    assert page.locator("svg.chart rect").count() >= 10
    assert "Jalan rabat beton RT 03 LK I" in page.locator("#rt-works").inner_text()
    page.screenshot(path=str(artifacts / "site_rt_profile.png"), full_page=True)
    log.assert_clean()


def test_language_switch_is_remembered(browser, server: str) -> None:
    page = new_page(browser)
    page.goto(server + "/")
    assert page.locator("h1").inner_text() == "Pilih kota, lalu kelurahan"
    page.locator("#lang-switch").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Pick a city, then a kelurahan"
    page.goto(f"{server}/kelurahan/{KALIAWI}")
    assert page.locator("h1").inner_text() == "Map of Kelurahan Kaliawi Persada"
    assert "Poor households (decile 1-4)" in page.locator(".pk-legend").inner_text()
    page.goto(server + "/kelurahan/18.71.06.1099")
    assert "is not in the store" in page.locator("#error-message").inner_text()


def test_phone_layout(browser, server: str, artifacts: Path) -> None:
    page = new_page(browser, PHONE)
    log = PageLog(page)
    page.goto(f"{server}/kelurahan/{KALIAWI}")
    page.wait_for_selector(".leaflet-overlay-pane path")
    page.wait_for_timeout(300)
    page.screenshot(path=str(artifacts / "site_map_phone.png"))
    assert page.locator(".leaflet-control-layers-expanded").count() == 0  # folded on a phone
    assert not page.locator(".pk-legend details").get_attribute("open")
    map_box = page.locator(".map-wrap").bounding_box()
    list_box = page.locator("#works-list").bounding_box()
    assert list_box["y"] > map_box["y"] + map_box["height"]  # the list sits below the map
    log.assert_clean()


def test_map_page_weighs_under_one_megabyte(browser, server: str) -> None:
    """Everything the page transfers (compressed), base-map tiles excluded, for both demo places."""
    for code in (KALIAWI, "32.75.10.1004"):
        page = new_page(browser)
        page.goto(f"{server}/kelurahan/{code}")
        page.wait_for_selector(".leaflet-overlay-pane path")
        total = page.evaluate("""() => {
            const nav = performance.getEntriesByType("navigation")[0].transferSize;
            return nav + performance.getEntriesByType("resource")
              .filter(r => !r.name.includes("tile.openstreetmap.org"))
              .reduce((sum, r) => sum + r.transferSize, 0);
        }""")
        assert 10_000 < total < 1_000_000, total


@pytest.mark.both_backends
def test_large_layers_load_by_bounding_box(browser, demo_source, clone) -> None:
    """Above the inline threshold the map fetches works by bounding box from the API and draws them."""
    store = clone(demo_source, "lazy")
    proc, url = start_server(store, PETAKAMPUNG_MAP_INLINE_MAX_FEATURES="0")
    try:
        page = new_page(browser)
        log = PageLog(page)
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(f"{url}/kelurahan/{KALIAWI}")
        page.wait_for_selector(COMPLETED_LINE)
        assert any(f"/api/kelurahan/{KALIAWI}/map/works" in r and "bbox=" in r for r in requests)
        assert page.locator(".pk-icon").count() > 0
        html = page.content()
        assert "KTK-2019-01" not in html.split("<body")[0]  # not inlined in the page head
        log.assert_clean()
    finally:
        stop_server(proc)


def test_planner_page_weights_change_the_plan(browser, server: str, artifacts: Path) -> None:
    page = new_page(browser)
    log = PageLog(page)
    page.goto(f"{server}/kelurahan/{KALIAWI}/perencanaan")
    page.wait_for_selector("#plan-table tbody tr.chosen")
    first = page.locator("#plan-summary").inner_text()
    assert "Rp 1.500.000.000" in first
    page.fill("#budget", "3000000000")
    page.get_by_role("button", name="Hitung").click()
    page.wait_for_function("() => document.querySelector('#plan-summary').textContent.includes('3.000.000.000')")
    assert page.locator("#plan-table tbody tr.chosen").count() >= 2
    thick = page.locator('.leaflet-overlay-pane path[stroke="#08519c"][stroke-width="5"]').count()
    assert thick == page.locator("#plan-table tbody tr.chosen").count()  # chosen RTs outlined on the map
    page.screenshot(path=str(artifacts / "site_planner.png"), full_page=True)
    log.assert_clean()


@pytest.fixture(scope="module")
def lkm_server(backend, users_source):
    store = backend.copy(users_source, name="lkm-site")
    proc, url = start_server(store, PETAKAMPUNG_SECRET_KEY="browser-test-secret")
    try:
        yield url
    finally:
        stop_server(proc)
        backend.drop(store)


def log_in_page(page, server: str, username: str) -> None:
    from tests.conftest import PASSWORD

    page.goto(f"{server}/masuk")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.locator("#login-form button[type=submit]").click()
    page.wait_for_load_state()


def fisik_points(page) -> str:
    return page.locator("#kurva-s #kurva-fisik_pct path").get_attribute("d") or ""


@pytest.mark.both_backends
def test_lkm_records_progress_with_a_photo(browser, lkm_server: str, tmp_path: Path, artifacts: Path) -> None:
    from datetime import datetime

    from tests.photos import jpeg

    work = "CSR-2026-01"
    page = new_page(browser)
    log = PageLog(page)
    log_in_page(page, lkm_server, "lkm.a")
    assert page.url.endswith(f"/kelurahan/{KALIAWI}/dasbor")
    page.goto(f"{lkm_server}/kelurahan/{KALIAWI}/pekerjaan/{work}")
    before = fisik_points(page)
    photo = tmp_path / "lokasi.jpg"
    photo.write_bytes(jpeg(105.2428, -5.4140, datetime(2026, 11, 20, 9)))
    form = page.locator("#record-form")
    form.locator("input[name=fisik_pct]").fill("88")
    form.locator("input[name=spent_idr]").fill("120000000")
    form.locator("input[name=note]").fill("pemasangan paving hampir selesai")
    form.locator("input[name=photos]").set_input_files(str(photo))
    form.locator("button[type=submit]").click()
    page.wait_for_url("**disimpan=*")
    assert "pemasangan paving hampir selesai" in page.locator("#records").inner_text()
    assert page.locator("#records img").count() == 1
    assert fisik_points(page) != before  # the Kurva S moved
    assert page.locator("#fisik-now").inner_text().startswith("88")
    page.screenshot(path=str(artifacts / "lkm_record_progress.png"), full_page=True)
    log.assert_clean()


@pytest.mark.both_backends
def test_other_kelurahan_lkm_is_refused(browser, lkm_server: str) -> None:
    page = new_page(browser)
    log_in_page(page, lkm_server, "lkm.b")
    page.goto(f"{lkm_server}/kelurahan/{KALIAWI}/pekerjaan/CSR-2026-01")
    assert page.locator("#record-form").count() == 0
    status = page.evaluate("""async () => {
        const r = await fetch(location.pathname + "/progres", {method: "POST",
            body: new URLSearchParams({record_date: "2026-11-20", fisik_pct: "99"})});
        return r.status; }""")
    assert status == 403


@pytest.mark.both_backends
def test_pdf_report_renders(browser, lkm_server: str, tmp_path: Path, artifacts: Path) -> None:
    import subprocess
    from urllib.request import urlopen

    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    pdf = tmp_path / "laporan.pdf"
    with urlopen(f"{lkm_server}/kelurahan/{KALIAWI}/laporan.pdf", timeout=60) as resp:
        assert resp.headers["Content-Type"] == "application/pdf"
        pdf.write_bytes(resp.read())
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(tmp_path / "hal")], check=True)
    pages = sorted(tmp_path.glob("hal-*.png"))
    assert len(pages) >= 2
    from PIL import Image, ImageStat

    for i, png in enumerate(pages, start=1):
        with Image.open(png) as img:
            assert img.size[1] > img.size[0]  # portrait A4
            assert ImageStat.Stat(img.convert("L")).stddev[0] > 10  # not a blank page
        shutil.copy(png, artifacts / f"laporan_hal_{i}.png")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=False).stdout
    if text:
        assert "Laporan Kemajuan Pekerjaan" in text
        assert "Kaliawi Persada" in text
