"""Rumah DataKu and Kampung Tangguh pages in a real browser: phone and desktop, and the A4 print."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.browser import PHONE, PageLog, new_page
from tests.conftest import JATIRANGGA

pytestmark = pytest.mark.browser
PENYENGAT_RENDAH = "15.71.01.1010"  # Kampung KB with the Rumah DataKu of the story (RT 07)
TANAH_TINGGI = "31.71.08.1004"  # Kampung Tangguh, Jakarta; the demo has a road layer for it
DESKTOP = {"width": 1366, "height": 800}


@pytest.mark.parametrize(("name", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_rumah_dataku_page(browser, server: str, artifacts: Path, name: str, viewport: dict) -> None:
    page = new_page(browser, viewport)
    log = PageLog(page)
    page.goto(f"{server}/kelurahan/{PENYENGAT_RENDAH}")
    page.click("#link-dataku")
    page.wait_for_url(f"**/kelurahan/{PENYENGAT_RENDAH}/rumah-dataku")
    assert "Rumah DataKu" in page.locator("h1").inner_text()
    rows = page.locator("#dataku-table tbody tr")
    assert rows.count() == 16
    assert "RT 007" in page.locator("#dataku-table").inner_text()
    header = page.locator("#dataku-table thead").inner_text()
    for word in ("PUS", "Peserta KB", "MKJP", "Berisiko stunting", "Ikut poktan"):
        assert word in header
    # every published count is at least k; shares read the Indonesian way ("58,3 %")
    cells = page.locator("#dataku-table tbody td.num").all_inner_texts()
    assert any(re.fullmatch(r"\d+,\d %", c) for c in cells)
    assert all(c == "*" or c.endswith("%") or int(c.replace(".", "")) >= 5 for c in cells)
    assert page.locator("#dataku-map svg path.rt").count() == 16
    groups = page.locator("#dataku-groups").inner_text()  # the Pokja and its poktan, from the groups layer
    assert "Pokja Kampung KB Penyengat Rendah" in groups
    assert "BKB Melati" in groups
    assert "25 anggota" in groups
    page.screenshot(path=str(artifacts / f"rumah_dataku_{name}.png"), full_page=True)
    log.assert_clean()


def test_rumah_dataku_prints_on_a4(browser, server: str, artifacts: Path, tmp_path: Path) -> None:
    page = new_page(browser)
    page.goto(f"{server}/kelurahan/{PENYENGAT_RENDAH}/rumah-dataku")
    page.emulate_media(media="print")
    assert not page.locator("header").is_visible()  # the site's header and buttons are left off paper
    assert not page.locator("#print-button").is_visible()
    pdf = artifacts / "rumah_dataku_print.pdf"
    page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Page size:\s+59[45]\.\d+ x 841\.\d+ pts \(A4\)", info), info
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert 1 <= pages <= 2
    png = tmp_path / "p"
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(png)], check=True)
    (artifacts / "rumah_dataku_print_p1.png").write_bytes(next(tmp_path.glob("p*.png")).read_bytes())


@pytest.mark.parametrize(("name", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_service_area_page_along_the_roads(browser, server: str, artifacts: Path, name: str, viewport: dict) -> None:
    page = new_page(browser, viewport)
    log = PageLog(page)
    page.goto(f"{server}/kelurahan/{TANAH_TINGGI}")
    page.click("#link-layanan")
    page.wait_for_url(f"**/kelurahan/{TANAH_TINGGI}/layanan")
    assert "menyusuri jaringan jalan" in page.locator("#layanan-mode").inner_text()
    rts = page.locator("#gap-map svg path.rt").count()
    assert rts == 27
    assert page.locator("#gap-map svg path.roads").count() == 1
    assert page.locator("#gap-map svg circle.fac").count() == 1  # Tanah Tinggi's one posyandu
    gaps = page.locator("#gap-map svg path.gap").count()
    listed = page.locator("#gap-list").inner_text()
    assert gaps == (0 if listed.startswith("Tidak ada") else len(listed.split(", ")))
    assert gaps > 0  # one posyandu for 27 RTs leaves RTs outside 500 m
    pillars = page.locator("#pillar-table tbody tr")
    assert pillars.count() == rts
    page.screenshot(path=str(artifacts / f"layanan_tanah_tinggi_{name}.png"), full_page=True)
    # a longer walk and another service, through the form
    page.fill("input[name=jarak]", "1000")
    page.select_option("select[name=layanan]", "pos_ronda")
    page.click("#layanan-form button")
    page.wait_for_url("**jarak=1000**")
    assert page.locator("#gap-map svg circle.fac").count() == 2  # the two pos ronda
    assert page.locator("#gap-map svg path.gap").count() <= rts
    log.assert_clean()


def test_service_area_page_in_straight_lines_in_english(browser, server: str, artifacts: Path) -> None:
    page = new_page(browser, PHONE)
    log = PageLog(page)
    page.goto(f"{server}/kelurahan/{JATIRANGGA}/layanan?lang=en&layanan=pendidikan")
    assert "straight lines" in page.locator("#layanan-mode").inner_text()
    assert "Kampung Tangguh service areas" in page.locator("h1").inner_text()
    assert page.locator("#gap-map svg path.roads").count() == 0
    page.screenshot(path=str(artifacts / "layanan_jatirangga_en_phone.png"), full_page=True)
    log.assert_clean()
