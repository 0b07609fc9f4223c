"""Public visitor flows in a real browser (Debian chromium, Playwright), desktop 1366x800 and phone
390x844, only localhost reachable: legends that match the map, the kelurahan left free of the
legend, links to the work page, no horizontal scrolling, readable badges, axe-core clean, and the
API documentation rendered from our own site.  Screenshots land in test-artifacts/public_*.png."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.axe import axe_source, serious_violations
from tests.browser import CHROMIUM, PHONE, PageLog, new_page
from tests.conftest import KALIAWI

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")]

DESKTOP = {"width": 1366, "height": 800}
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}
PAGES = {
    "home": "/",
    "kota": "/kota/18.71",
    "kelurahan": f"/kelurahan/{KALIAWI}",
    "works": f"/kelurahan/{KALIAWI}/pekerjaan",
    "rt": f"/kelurahan/{KALIAWI}/rt/1/3",
    "work": f"/kelurahan/{KALIAWI}/pekerjaan/KTK-2019-01",
    "dashboard": f"/kelurahan/{KALIAWI}/dasbor",
    "error": "/kelurahan/99.99.99.9999",
}
WORK_PATHS = ".leaflet-overlay-pane path.leaflet-interactive[stroke-width='6']"
KELURAHAN_OUTLINE = ".leaflet-overlay-pane path[stroke='#000000'][stroke-width='3']"


def _box_overlap(a: dict, b: dict) -> float:
    """The area two boxes share (0 when apart)."""
    w = min(a["x"] + a["width"], b["x"] + b["width"]) - max(a["x"], b["x"])
    h = min(a["y"] + a["height"], b["y"] + b["height"]) - max(a["y"], b["y"])
    return max(w, 0) * max(h, 0)


@pytest.mark.parametrize("mode", ["status", "fisik", "deviation"])
def test_the_works_legend_matches_what_is_drawn(browser, server: str, artifacts: Path, mode: str) -> None:
    page = new_page(browser, DESKTOP)
    log = PageLog(page)
    page.goto(f"{server}/kelurahan/{KALIAWI}?lang=id")
    page.wait_for_selector(WORK_PATHS)
    page.select_option("#work-color", mode)
    drawn = set(page.eval_on_selector_all(WORK_PATHS, "els => els.map(e => e.getAttribute('stroke'))"))
    legend = page.locator(".pk-works-legend")
    swatches = set(legend.locator("i").evaluate_all("els => els.map(e => e.style.background)"))
    as_hex = set(
        page.evaluate(
            """cs => cs.map(c => { const m = c.match(/\\d+/g).map(Number);
                 return '#' + m.slice(0, 3).map(v => v.toString(16).padStart(2, '0')).join(''); })""",
            list(swatches),
        )
    )
    assert drawn, "no works drawn"
    assert drawn <= as_hex, (mode, drawn - as_hex)  # every colour on the map is explained
    words = {"status": "Selesai", "fisik": "%", "deviation": "poin persen"}[mode]
    assert words in legend.inner_text()
    page.screenshot(path=str(artifacts / f"public_legend_{mode}_desktop.png"))
    log.assert_clean()


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_legend_and_layer_list_leave_the_kelurahan_free(browser, server: str, artifacts: Path, viewport: str) -> None:
    page = new_page(browser, VIEWPORTS[viewport])
    page.goto(f"{server}/kelurahan/{KALIAWI}")
    outline = page.locator(KELURAHAN_OUTLINE).first
    outline.wait_for()
    page.wait_for_timeout(400)  # the first fit runs once the controls are on the map
    kel = outline.bounding_box()
    legend = page.locator(".pk-legend").bounding_box()
    layers = page.locator(".leaflet-control-layers").bounding_box()
    page.screenshot(path=str(artifacts / f"public_map_first_view_{viewport}.png"))
    for control in (legend, layers):
        assert _box_overlap(kel, control) <= 0.02 * kel["width"] * kel["height"], (kel, control)
    assert _box_overlap(legend, layers) == 0  # neither hides the other's entries
    if viewport == "phone":  # folded: one tap opens each
        assert page.locator(".pk-legend details").get_attribute("open") is None
        assert "leaflet-control-layers-expanded" not in (page.locator(".leaflet-control-layers").get_attribute("class"))


def test_a_popup_leads_to_the_work_page(browser, server: str, artifacts: Path) -> None:
    page = new_page(browser, PHONE)
    log = PageLog(page)
    page.goto(f"{server}/kelurahan/{KALIAWI}?work=KTK-2019-01&lang=id")
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    page.screenshot(path=str(artifacts / "public_popup_phone.png"))
    popup.get_by_role("link", name="Rincian pekerjaan").click()
    page.wait_for_url("**/pekerjaan/KTK-2019-01?lang=id")
    assert page.locator("h1").inner_text() == "Jalan rabat beton RT 03 LK I"
    log.assert_clean()


def test_the_works_list_leads_to_the_work_page(browser, server: str) -> None:
    page = new_page(browser, PHONE)
    page.goto(f"{server}/kelurahan/{KALIAWI}/pekerjaan")
    link = page.locator("#works-table").get_by_role("link", name="Jalan rabat beton RT 03 LK I", exact=True)
    link.click()
    page.wait_for_url("**/pekerjaan/KTK-2019-01")
    assert page.locator("h1").inner_text() == "Jalan rabat beton RT 03 LK I"
    assert page.locator("#records tr.from-impor").count() > 0  # the imported history the Kurva S comes from


@pytest.mark.parametrize("name", list(PAGES))
@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_public_pages_fit_the_screen_with_readable_badges(
    browser, server: str, artifacts: Path, name: str, viewport: str
) -> None:
    size = VIEWPORTS[viewport]
    page = new_page(browser, size)
    log = PageLog(page)
    page.goto(server + PAGES[name])
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(artifacts / f"public_{name}_{viewport}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]  # no sideways scrolling
    ratios = page.eval_on_selector_all(
        ".badge",
        """els => els.map(e => {
            const lum = c => { const v = c.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number).map(x => {
                x /= 255; return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
              return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
            const s = getComputedStyle(e), a = lum(s.color), b = lum(s.backgroundColor);
            return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05); })""",
    )
    assert all(r >= 4.5 for r in ratios), ratios  # WCAG AA for small text
    if viewport == "phone":
        sizes = page.eval_on_selector_all(
            "svg.chart text", "els => els.map(e => e.getBoundingClientRect().height).filter(h => h > 0)"
        )
        assert all(h >= 8.5 for h in sizes), min(sizes)  # chart text still readable on a phone
    if name != "error":
        log.assert_clean()


@pytest.fixture(scope="module")
def axe() -> str:
    return axe_source()


@pytest.mark.parametrize("name", list(PAGES))
@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_axe_finds_no_serious_problem(browser, server: str, axe: str, name: str, viewport: str) -> None:
    assert serious_violations(browser, server + PAGES[name], VIEWPORTS[viewport], axe) == []


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_api_docs_render_offline(browser, server: str, artifacts: Path, viewport: str) -> None:
    page = new_page(browser, VIEWPORTS[viewport])  # only localhost: no CDN to lean on
    log = PageLog(page)
    page.goto(f"{server}/docs")
    page.wait_for_selector(".opblock-summary", timeout=30_000)
    assert page.locator(".opblock").count() >= 10
    assert page.get_by_text("/api/kelurahan/{code}/indicators", exact=True).first.is_visible()
    page.screenshot(path=str(artifacts / f"public_docs_{viewport}.png"))
    log.assert_clean()
    page.goto(f"{server}/redoc")
    page.locator("h2", has_text="Map-ready features of a layer inside a bbox").first.wait_for(timeout=30_000)
    page.screenshot(path=str(artifacts / f"public_redoc_{viewport}.png"))
    log.assert_clean()
