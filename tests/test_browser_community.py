"""Each seed kelurahan's community page in a real browser: the story's facts read off the page,
on a phone and on a desktop (screenshots in test-artifacts/)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser import CHROMIUM, PHONE, PageLog, new_page
from tests.conftest import JATIRANGGA, KALIAWI

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")]

SEED_FACTS = {
    KALIAWI: ["LKM Persada Mandiri", "KPP Persada Lestari", "KWT Sukawangi Sejahtera", "Rp 1.200.000",
              "Rp 1.500.000.000"],
    JATIRANGGA: ["Koperasi Kranggan Lembur Mandiri", "Otomotif (perbengkelan)", "Berjalan", "Kelompok dibentuk",
                 "Disiapkan", "Diusulkan (belum dibahas)", "Bank sampah", "Konveksi", "Dilaporkan", "Diajukan"],
    "36.71.03.1002": ["Kampung KB Jimpitan", "Pokja Kampung KB Jimpitan", "Ambulans Warga Jimpitan",
                      "Dapur Stunting Jimpitan", "Arena Belajar dan Bermain Anak", "Musala Jimpitan",
                      "Balai Warga Kampung KB Jimpitan", "Sekretariat Kampung KB Jimpitan", "KWT Jimpitan Hijau",
                      "Januari 2019 - Desember 2022"],
    "15.71.01.1010": ["Pokja Kampung KB Penyengat Rendah", "BKB", "BKR", "BKL", "UPPKS", "PIK-R",
                      "RT 007 / RW 001", "BKKBN / perwakilan", "Pemerintah kelurahan", "PKB (penyuluh KB)",
                      "Perguruan tinggi (KKN)"],
    "31.71.08.1004": ["Kampung Tangguh Jaya Tanah Tinggi", "Pemberdayaan ekonomi", "Kesehatan dan gizi", "Pendidikan",
                      "Infrastruktur", "Keamanan", "Pos Ronda Kampung Tangguh RW 02"],
}  # fmt: skip


RW_COUNT = {KALIAWI: 2, JATIRANGGA: 16, "36.71.03.1002": 6, "15.71.01.1010": 1, "31.71.08.1004": 6}
ASSETS = {KALIAWI: 8, JATIRANGGA: 0, "36.71.03.1002": 6, "15.71.01.1010": 0, "31.71.08.1004": 2}


def _money(text: str) -> int:
    digits = int(re.sub(r"\D", "", text) or 0)
    return -digits if "-" in text else digits


@pytest.mark.parametrize("code", sorted(SEED_FACTS))
def test_seed_facts_on_the_community_page(browser, server: str, artifacts: Path, code: str) -> None:
    for name, viewport in (("phone", PHONE), ("desktop", {"width": 1366, "height": 800})):
        page = new_page(browser, viewport)
        log = PageLog(page)
        page.goto(f"{server}/kelurahan/{code}/program")
        page.wait_for_selector("#community-map .leaflet-overlay-pane path")
        rws = page.locator('#community-map path[stroke="#555"]').count()
        assets = page.locator('#community-map path[stroke="#7a0177"]').count()
        assert rws == RW_COUNT[code]
        assert assets == ASSETS[code]  # what the ledgers bought or built, on the map
        page.locator("#map-section").screenshot(path=str(artifacts / f"community_{code}_{name}_map.png"))
        page.screenshot(path=str(artifacts / f"community_{code}_{name}.png"), full_page=False)
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        text = page.locator("main").inner_text()
        for fact in SEED_FACTS[code]:
            assert fact in text, (code, fact)
        assert "Warga Contoh" not in text
        # the ledger as a reader checks it: each month's balance = last month's + in - out
        for table in page.locator("table.months").all():
            balance = 0
            for row in table.locator("tbody tr").all():
                cells = [c.inner_text() for c in row.locator("td").all()]
                balance += _money(cells[1]) - _money(cells[2])
                assert _money(cells[3]) == balance, cells
        log.assert_clean()
        page.context.close()


def test_kelurahan_page_links_to_the_community_page(browser, server: str) -> None:
    page = new_page(browser, PHONE)
    page.goto(f"{server}/kelurahan/{KALIAWI}")
    page.get_by_role("link", name="Program dan kelompok warga").click()
    page.wait_for_url(re.compile(r"/program$"))
    assert "LKM Persada Mandiri" in page.locator("main").inner_text()
    page.context.close()


@pytest.mark.parametrize("viewport", [PHONE, {"width": 1366, "height": 800}], ids=["phone", "desktop"])
def test_axe_finds_no_serious_problem_on_the_community_page(browser, server: str, viewport: dict) -> None:
    from tests.axe import axe_source, serious_violations

    assert serious_violations(browser, f"{server}/kelurahan/{JATIRANGGA}/program", viewport, axe_source()) == []
