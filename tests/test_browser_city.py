"""The city planner page in a real browser (Debian chromium via Playwright), desktop and phone.

Screenshots land in test-artifacts/ (kota_planner_desktop.png, kota_planner_phone.png).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser import CHROMIUM, PageLog, new_page
from tests.city_store import SECOND_NAME, build_city_store
from tests.conftest import start_server, stop_server

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")]
DESKTOP = {"width": 1366, "height": 800}
PHONE = {"width": 390, "height": 844}
CHOSEN_PATH = '.leaflet-overlay-pane path[stroke="#08519c"]'


@pytest.fixture(scope="module")
def city_server(backend, demo_source, tmp_path_factory):
    store = build_city_store(backend, demo_source, tmp_path_factory.mktemp("kota-site"))
    proc, url = start_server(store)
    try:
        yield url
    finally:
        stop_server(proc)
        backend.drop(store)


def rupiah_in(text: str) -> list[int]:
    return [int(m.replace(".", "")) for m in re.findall(r"Rp ([\d.]+)", text)]


def test_budget_change_updates_the_choice_the_total_and_the_map(browser, city_server: str, artifacts: Path) -> None:
    page = new_page(browser, DESKTOP)
    log = PageLog(page)
    page.goto(f"{city_server}/kota/18.71/perencanaan")
    page.wait_for_selector("#plan-table tbody tr.chosen")
    summary = page.locator("#plan-summary").inner_text()
    total, budget = rupiah_in(summary)
    assert budget == 5_000_000_000
    assert 0 < total <= budget
    assert "Optimal (terbukti)" in page.locator("#plan-solver").inner_text()
    first = page.locator("#plan-table tbody tr.chosen").count()
    assert page.locator(CHOSEN_PATH).count() == first  # every chosen RT drawn, nothing else in that colour
    assert "RT terpilih" in page.locator(".pk-plan-legend").inner_text()
    kelurahan = page.locator("#plan-kelurahan").inner_text()
    assert "Kaliawi Persada" in kelurahan
    assert SECOND_NAME in kelurahan

    page.fill("#budget", "1.500.000.000")
    page.get_by_role("button", name="Hitung").click()
    page.wait_for_function("() => document.querySelector('#plan-summary').textContent.includes('/ Rp 1.500.000.000')")
    total, budget = rupiah_in(page.locator("#plan-summary").inner_text())
    assert budget == 1_500_000_000
    assert 0 < total <= budget
    now = page.locator("#plan-table tbody tr.chosen").count()
    assert 0 < now < first  # a smaller budget, fewer RTs
    assert page.locator(CHOSEN_PATH).count() == now
    chosen_rows = page.locator("#plan-table tbody tr.chosen")
    for i in range(now):  # each chosen row names its kelurahan, links its RT and says why
        cells = chosen_rows.nth(i).locator("td")
        assert cells.nth(1).locator("a").get_attribute("href").startswith("/kelurahan/18.71.06.")
        assert "/rt/" in cells.nth(2).locator("a").get_attribute("href")
        assert "skor kumuh" in cells.nth(7).inner_text()
    page.wait_for_timeout(300)
    page.screenshot(path=str(artifacts / "kota_planner_desktop.png"), full_page=True)
    log.assert_clean()


def test_phone_layout_has_no_horizontal_scrolling(browser, city_server: str, artifacts: Path) -> None:
    page = new_page(browser, PHONE)
    log = PageLog(page)
    page.goto(f"{city_server}/kota/18.71/perencanaan?lang=en")
    page.wait_for_selector("#plan-table tbody tr.chosen")
    page.fill("#budget", "3000000000")
    page.get_by_role("button", name="Calculate").click()  # the summary in English grouping (geo/formats.py)
    page.wait_for_function("() => document.querySelector('#plan-summary').textContent.includes('/ Rp 3,000,000,000')")
    assert page.locator(CHOSEN_PATH).count() == page.locator("#plan-table tbody tr.chosen").count()
    page.wait_for_timeout(300)
    page.screenshot(path=str(artifacts / "kota_planner_phone.png"), full_page=True)
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], width
    map_box = page.locator(".map-wrap").bounding_box()
    table_box = page.locator("#plan-table").bounding_box()
    assert table_box["y"] > map_box["y"] + map_box["height"]  # the table below the map
    assert map_box["width"] <= PHONE["width"]
    log.assert_clean()


def test_bad_budget_on_the_page_is_said_not_crashed(browser, city_server: str) -> None:
    page = new_page(browser, DESKTOP)
    page.goto(f"{city_server}/kota/18.71/perencanaan")
    page.wait_for_selector("#plan-table tbody tr.chosen")
    page.fill("#budget", "banyak")
    page.get_by_role("button", name="Hitung").click()
    page.wait_for_function("() => document.querySelector('#plan-summary').textContent.includes('anggaran harus')")
    page.fill("#budget", "1000")
    page.get_by_role("button", name="Hitung").click()
    page.wait_for_function("() => !document.querySelector('#plan-message').hidden")
    assert "lebih kecil dari biaya RT termurah" in page.locator("#plan-message").inner_text()
    assert page.locator(CHOSEN_PATH).count() == 0
