"""The kelurahan map after the split of geo/mapping.py: its words come from the gettext catalogue in
the page's language, its behaviour from web/static/pk/kelurahan-map.js (served by the site under the
CSP, inlined in a stand-alone file that must open with no network).  Phone and desktop, id and en,
with screenshots in test-artifacts/."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.i18n import t
from geo.mapping import write_map
from tests.browser import CHROMIUM, PHONE, PageLog, new_page
from tests.conftest import KALIAWI

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")]

DESKTOP = {"width": 1366, "height": 800}
SCRIPT = "/static/pk/kelurahan-map.js"


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize(("device", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_kelurahan_map_speaks_the_page_language(
    browser, server: str, artifacts: Path, lang: str, device: str, viewport: dict
) -> None:
    page = new_page(browser, viewport)
    log = PageLog(page)
    scripts: dict[str, tuple[int, str]] = {}

    def seen(response) -> None:
        if SCRIPT in response.url:
            scripts[response.url] = (response.status, response.headers.get("cache-control", ""))

    page.on("response", seen)
    page.goto(f"{server}/kelurahan/{KALIAWI}?lang={lang}")
    page.wait_for_selector(".leaflet-overlay-pane path.leaflet-interactive")
    page.wait_for_timeout(300)
    page.screenshot(path=str(artifacts / f"map_kelurahan_{lang}_{device}.png"))
    assert [status for status, _ in scripts.values()] == [200]  # the map script came from our own site
    assert "max-age" in next(iter(scripts.values()))[1]
    legend = page.locator(".pk-legend")
    assert legend.locator("summary").inner_text() == t("map.legend", lang)
    if device == "phone":  # folded on a phone: one tap opens it
        legend.locator("summary").click()
    text = legend.inner_text()
    assert t("indicator.poor_share", lang) in text
    assert t("map.color_status", lang) in text
    other = "en" if lang == "id" else "id"
    assert t("indicator.poor_share", other) not in text
    if device == "phone":
        page.locator(".leaflet-control-layers-toggle").click()
    control = page.locator(".leaflet-control-layers").inner_text()
    assert t("map.works", lang) in control
    assert page.locator(f'a.pk-btn[aria-label="{t("map.fullscreen", lang)}"]').count() == 1
    log.assert_clean()  # a script the CSP refused would show here as a console error


def test_work_colour_and_indicator_switch_in_english(browser, server: str) -> None:
    """The functions the page's own controls call (pk.setWorkColor, pk.setIndicator) live in the static file."""
    page = new_page(browser, DESKTOP)
    log = PageLog(page)
    page.goto(f"{server}/kelurahan/{KALIAWI}?lang=en")
    page.wait_for_selector(".pk-works-legend")
    page.evaluate("window.pk.setWorkColor('deviation')")
    assert t("map.deviation_late", "en") in page.locator(".pk-works-legend").inner_text()
    page.evaluate("window.pk.setIndicator('works_budget_idr')")
    assert t("indicator.works_budget_idr", "en") in page.locator(".pk-rt-legend").inner_text()
    log.assert_clean()


@pytest.mark.parametrize(("device", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_standalone_map_carries_its_script_and_works_offline(
    browser, demo_store, tmp_path: Path, artifacts: Path, device: str, viewport: dict
) -> None:
    path = write_map(demo_store, KALIAWI, tmp_path / "map.html", lang="en")
    html = path.read_text(encoding="utf-8")
    assert "petakampung-inline:" not in html
    assert "<script src=" not in html  # Leaflet and kelurahan-map.js are inside the file
    assert "pk.initKelurahanMap = function" in html
    page = new_page(browser, viewport)
    page.route("http://**/*", lambda route: route.abort())  # not even localhost: a file opened on a bus
    log = PageLog(page)
    page.goto(path.as_uri())
    page.wait_for_selector(".leaflet-overlay-pane path.leaflet-interactive")
    page.wait_for_timeout(300)
    page.screenshot(path=str(artifacts / f"map_standalone_en_{device}.png"))
    assert page.locator("h1").inner_text().startswith("Map of Kelurahan")
    assert page.locator(".pk-picker select").get_attribute("aria-label") == t("map.picker", "en")
    page.select_option(".pk-picker select", "garden_share")
    legend = page.locator(".pk-legend")
    if device == "phone":
        legend.locator("summary").click()
    assert t("indicator.garden_share", "en") in legend.inner_text()
    log.assert_clean()
