"""Issue 13's last pieces in a real browser, phone and desktop: the data links of Rumah DataKu and
the service areas, the KSM and KPP on a work page, and the kota planner's "already served" weight.

Screenshots land in test-artifacts/ (community_data_*.png).
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from tests.browser import CHROMIUM, PHONE, PageLog, new_page
from tests.conftest import KALIAWI
from tests.test_browser_planner import city_server  # noqa: F401 (a fixture: the test kotas' site)

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")]
DESKTOP = {"width": 1366, "height": 800}
VIEWPORTS = [("phone", PHONE), ("desktop", DESKTOP)]
PENYENGAT_RENDAH = "15.71.01.1010"  # Kampung KB with a Rumah DataKu
TANAH_TINGGI = "31.71.08.1004"  # Kampung Tangguh with a road layer


@pytest.mark.parametrize(("name", "viewport"), VIEWPORTS)
def test_rumah_dataku_links_its_table(browser, server: str, artifacts: Path, name: str, viewport: dict) -> None:
    page = new_page(browser, viewport)
    log = PageLog(page)
    page.goto(f"{server}/kelurahan/{PENYENGAT_RENDAH}/rumah-dataku")
    csv_link, json_link = page.locator("#dataku-csv"), page.locator("#dataku-json")
    assert csv_link.inner_text() == "Unduh tabel (CSV)"
    assert csv_link.is_visible()
    with page.expect_download() as caught:
        csv_link.click()
    download = caught.value
    assert download.suggested_filename == f"rumah_dataku_{PENYENGAT_RENDAH}.csv"
    table = pd.read_csv(download.path())
    shown = page.locator("#dataku-table tbody tr").count()
    assert len(table) == shown  # one row per RT of the page
    assert "RT 007" in " ".join(table["rt_label"])
    page.screenshot(path=str(artifacts / f"community_data_dataku_{name}.png"), full_page=True)
    json_link.click()
    page.wait_for_url(f"**/api/kelurahan/{PENYENGAT_RENDAH}/rumah-dataku")
    assert f'"kelurahan_code":"{PENYENGAT_RENDAH}"' in page.content().replace(" ", "")
    log.assert_clean()


@pytest.mark.parametrize(("name", "viewport"), VIEWPORTS)
def test_service_area_links_follow_the_distance(
    browser, server: str, artifacts: Path, name: str, viewport: dict
) -> None:
    page = new_page(browser, viewport)
    log = PageLog(page)
    page.goto(f"{server}/kelurahan/{TANAH_TINGGI}/layanan")
    page.fill("#layanan-form input[name=jarak]", "750")
    page.click("#layanan-form button[type=submit]")
    page.wait_for_url("**/layanan?jarak=750**")
    href = page.locator("#layanan-csv").get_attribute("href")
    assert href.endswith(f"/api/kelurahan/{TANAH_TINGGI}/layanan.csv?jarak=750")
    with page.expect_download() as caught:
        page.locator("#layanan-csv").click()
    table = pd.read_csv(caught.value.path())
    assert caught.value.suggested_filename == f"layanan_{TANAH_TINGGI}_750m.csv"
    gaps = page.locator("#gap-list").inner_text()
    outside = table.loc[table["area_posyandu"] < 0.5, "rt_label"].tolist()  # the page's gap list, from the CSV
    assert gaps == ("Tidak ada: semua RT terjangkau." if not outside else ", ".join(outside))
    body = page.request.get(server + page.locator("#layanan-json").get_attribute("href"))
    assert body.ok
    assert body.json()["distance_m"] == 750
    assert body.json()["mode"] == "network"
    page.screenshot(path=str(artifacts / f"community_data_layanan_{name}.png"), full_page=True)
    log.assert_clean()


@pytest.mark.parametrize(("name", "viewport"), VIEWPORTS)
def test_work_page_names_its_ksm_and_kpp(browser, server: str, artifacts: Path, name: str, viewport: dict) -> None:
    page = new_page(browser, viewport)
    log = PageLog(page)
    page.goto(f"{server}/kelurahan/{KALIAWI}/pekerjaan/KTK-2019-01")
    assert page.locator("#ksm").inner_text() == "KSM Maju Bersama"
    assert page.locator("#kpp").inner_text() == "KPP Persada Lestari"
    assert page.locator("#kpp").is_visible()
    page.screenshot(path=str(artifacts / f"community_data_work_{name}.png"), full_page=False)
    log.assert_clean()


@pytest.mark.parametrize(("name", "viewport"), VIEWPORTS)
def test_kota_planner_already_served_weight(
    browser,
    city_server: str,  # noqa: F811
    artifacts: Path,
    name: str,
    viewport: dict,
) -> None:
    page = new_page(browser, viewport)
    log = PageLog(page)
    page.goto(f"{city_server}/kota/18.71/perencanaan")
    page.wait_for_selector("#plan-table tbody tr.chosen")
    served = page.locator("input[name=w_served]")
    assert served.input_value() == "0"
    share = page.locator("label", has=served).locator("output")
    assert share.inner_text() == "0 %"
    served.evaluate("r => { r.value = '1'; r.dispatchEvent(new Event('input', {bubbles: true})); }")
    assert share.inner_text() == "50 %"  # its effective share: 1 against the others' 1
    with page.expect_response(lambda r: "/api/kota/18.71/rank" in r.url and "w_served=1" in r.url) as answer:
        page.get_by_role("button", name="Hitung").click()
    assert answer.value.ok
    body = answer.value.json()
    chosen = [r for r in body["ranking"] if r["chosen"]]
    assert any(r["already_served"] == 0 for r in chosen)
    page.wait_for_function(f"() => document.querySelectorAll('#plan-table tbody tr.chosen').length == {len(chosen)}")
    csv = page.request.get(f"{city_server}/api/kota/18.71/rank.csv?budget=5000000000&w_served=1")
    assert "already_served" in pd.read_csv(io.StringIO(csv.text())).columns
    page.screenshot(path=str(artifacts / f"community_data_kota_served_{name}.png"), full_page=True)
    log.assert_clean()
