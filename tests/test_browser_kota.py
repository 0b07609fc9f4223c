"""The kota map, the home map and the stand-alone city map in a real browser (Debian browser),
drawn from vector tiles with no network beyond localhost.  Screenshots land in test-artifacts/."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.kota_map import write_kota_map
from tests.browser import CHROMIUM, PHONE, PageLog, new_page
from tests.conftest import JATIRANGGA

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")]
DESKTOP = {"width": 1366, "height": 800}
RT_PATH = '.leaflet-tile path[stroke="#555555"]'  # RT polygons (kelurahan outlines are #222222)
KELURAHAN_FILLED = '.leaflet-tile path[stroke="#222222"]:not([fill="none"])'


def click_inside(page, selector: str) -> None:
    """A real mouse click on a point inside the largest SVG path the selector finds."""
    areas = page.locator(selector).evaluate_all(
        "els => els.map(e => { const r = e.getBoundingClientRect(); return r.width * r.height; })"
    )
    index = max(range(len(areas)), key=areas.__getitem__)
    x, y = (
        page.locator(selector)
        .nth(index)
        .evaluate("""el => {
        const box = el.getBBox(), m = el.getScreenCTM(), svg = el.ownerSVGElement;
        for (let i = 1; i < 40; i++) {
            for (let j = 1; j < 40; j++) {
                const p = svg.createSVGPoint();
                p.x = box.x + box.width * i / 40; p.y = box.y + box.height * j / 40;
                if (el.isPointInFill(p)) {
                    const sx = p.x * m.a + p.y * m.c + m.e, sy = p.x * m.b + p.y * m.d + m.f;
                    if (document.elementFromPoint(sx, sy) === el) { return [sx, sy]; }
                }
            }
        }
        return null;
    }""")
    )
    page.mouse.click(x, y)


def fills(page) -> list[str]:
    return page.locator(RT_PATH).evaluate_all("els => els.map(e => e.getAttribute('fill'))")


def test_kota_page_draws_tiles_with_legend_picker_and_popups(browser, server: str, artifacts: Path) -> None:
    page = new_page(browser, DESKTOP)
    log = PageLog(page)
    tiles: list[tuple[str, int]] = []
    page.on("response", lambda r: tiles.append((r.url, r.status)) if "/tiles/" in r.url else None)
    page.goto(f"{server}/kota/32.75")
    page.wait_for_function(f"() => document.querySelectorAll('{RT_PATH}').length >= 81")
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(artifacts / "kota_desktop.png"), full_page=True)
    assert tiles
    assert all(status in (200, 204) for _, status in tiles)
    assert {url.split("/tiles/")[1].split("/")[0] for url, _ in tiles} >= {"kelurahan", "rt", "works", "facilities"}
    legend = page.locator(".pk-legend")
    assert "RT: KK miskin (desil 1-4)" in legend.inner_text()
    assert "disembunyikan (< 5 KK)" in legend.inner_text()
    before = fills(page)
    page.select_option("#indicator", "works_budget_idr")
    assert "RT: Anggaran pekerjaan" in legend.inner_text()
    assert "Rp " in legend.inner_text()
    assert fills(page) != before  # the RT polygons were recoloured
    page.select_option("#indicator", "poor_share")
    click_inside(page, RT_PATH)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    text = popup.inner_text()
    assert "RT " in text
    assert "KK miskin (desil 1-4)" in text
    assert "Jatirangga" in text
    profile = popup.get_by_role("link", name="Profil RT")
    assert f"/kelurahan/{JATIRANGGA}/rt/" in profile.get_attribute("href")
    page.screenshot(path=str(artifacts / "kota_rt_popup.png"))
    page.wait_for_load_state("networkidle")
    log.assert_clean()  # before leaving: tile requests still under way when a page is left are aborted
    page.locator("#kota-table").get_by_role("link", name="Jatirangga").click()
    page.wait_for_url(f"**/kelurahan/{JATIRANGGA}")


def test_kota_map_zoomed_out_colours_kelurahan(browser, server: str) -> None:
    page = new_page(browser, DESKTOP)
    log = PageLog(page)
    page.goto(f"{server}/kota/32.75")
    page.wait_for_selector(RT_PATH)
    page.evaluate("() => window.pkTiles.map.setZoom(11, {animate: false})")
    page.wait_for_function("() => document.querySelector('.pk-legend').innerText.includes('Kelurahan: ')")
    assert "Perbesar peta untuk melihat RT" in page.locator(".pk-legend").inner_text()
    page.wait_for_selector(KELURAHAN_FILLED)
    assert page.locator(RT_PATH).count() == 0  # no RT polygons below z12
    log.assert_clean()


def test_kota_page_on_a_phone(browser, server: str, artifacts: Path) -> None:
    page = new_page(browser, PHONE)
    log = PageLog(page)
    page.goto(f"{server}/kota/32.75")
    page.wait_for_selector(RT_PATH)
    page.wait_for_timeout(300)
    page.screenshot(path=str(artifacts / "kota_phone.png"))
    assert not page.locator(".pk-legend details").get_attribute("open")  # folded on a phone
    assert page.locator(".leaflet-control-layers-expanded").count() == 0
    map_box = page.locator("#kota-map").bounding_box()
    assert map_box["width"] <= PHONE["width"]
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scroll
    table = page.locator("#kota-table").bounding_box()
    assert table["y"] > map_box["y"] + map_box["height"]
    page.screenshot(path=str(artifacts / "kota_phone_full.png"), full_page=True)
    log.assert_clean()


def test_home_map_leads_to_the_kota_page(browser, server: str, artifacts: Path) -> None:
    page = new_page(browser, DESKTOP)
    log = PageLog(page)
    page.goto(server + "/")
    page.wait_for_selector(".pk-kota-point")
    assert page.locator(".pk-kota-point").count() == 5  # the five seed kelurahan sit in five kota
    assert "Kota Bekasi" in page.locator(".pk-kota-label").all_inner_texts()
    page.screenshot(path=str(artifacts / "home_map.png"), full_page=True)
    page.locator(".pk-kota-point").first.click(force=True)
    link = page.locator(".leaflet-popup-content a.pk-kota-link")
    link.wait_for()
    href = link.get_attribute("href")
    page.wait_for_load_state("networkidle")
    log.assert_clean()
    link.click()
    page.wait_for_url(f"**{href}")
    page.wait_for_selector(RT_PATH)
    page.goto(server + "/")
    page.locator("#kota-list").get_by_role("link", name="Kota Bandar Lampung").click()
    page.wait_for_url("**/kota/18.71")


def test_stand_alone_city_map_works_offline(browser, demo_store, tmp_path: Path, artifacts: Path) -> None:
    path, zoom = write_kota_map(demo_store, "32.75", tmp_path / "kota.html")
    page = new_page(browser, DESKTOP)
    log = PageLog(page)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri())
    page.wait_for_function(f"() => document.querySelectorAll('{RT_PATH}').length >= 81")
    page.wait_for_timeout(300)
    page.screenshot(path=str(artifacts / "kota_standalone.png"))
    assert not [u for u in requests if u.startswith("http") and "tile.openstreetmap.org" not in u]
    before = fills(page)
    page.select_option("#indicator", "share_no_own_toilet")
    assert "RT: KK tanpa jamban sendiri" in page.locator(".pk-legend").inner_text()
    assert fills(page) != before
    page.evaluate(f"() => window.pkTiles.map.setZoom({zoom + 2}, {{animate: false}})")  # beyond the embedded zoom
    page.wait_for_timeout(500)
    assert page.locator(RT_PATH).count() > 0
    widths = page.locator(RT_PATH).evaluate_all("els => els.map(e => parseFloat(e.getAttribute('stroke-width')))")
    assert max(widths) < 0.5  # lines keep their width on screen when tiles are drawn 4x larger
    log.assert_clean()
