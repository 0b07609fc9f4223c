"""Every page writes numbers, rupiah and dates one way per language (issue 12), and an RT reads the
same everywhere.

Walked in a real browser on the demo site (the planners' tables, the map legends and the slider
shares are written by scripts, so the server's HTML alone would not show them) and through the A4
PDF with ``pdftotext``:

- Bahasa Indonesia: "45,0 %", "Rp 1.500.000", "1 Desember 2026"; never "45.0 %", "1,500,000" or an
  English month;
- English: "45.0%", "Rp 1,500,000", "1 December 2026"; never "45,0 %", "1.500.000" or an Indonesian
  month.

Screenshots (phone and desktop) of the pages whose numbers changed land in test-artifacts/formats_*.png.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from pathlib import Path
from urllib.request import urlopen

import pytest

from geo import formats
from geo.places import rt_label
from tests.browser import CHROMIUM, PHONE, PageLog, new_page
from tests.conftest import KALIAWI

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")]

DESKTOP = {"width": 1366, "height": 800}
BATU_JAYA = "36.71.03.1002"  # jimpitan ledgers: rupiah by month on the community page
PENYENGAT_RENDAH = "15.71.01.1010"  # Rumah DataKu: family counts and shares
WORK = "KTK-2019-01"
PAGES = {
    "home": "/",
    "kota": "/kota/18.71",
    "kelurahan": f"/kelurahan/{KALIAWI}",
    "rt": f"/kelurahan/{KALIAWI}/rt/1/3",
    "works": f"/kelurahan/{KALIAWI}/pekerjaan",
    "work": f"/kelurahan/{KALIAWI}/pekerjaan/{WORK}",
    "dashboard": f"/kelurahan/{KALIAWI}/dasbor?tahun=semua",
    "planner": f"/kelurahan/{KALIAWI}/perencanaan",
    "kota_planner": "/kota/18.71/perencanaan",
    "community": f"/kelurahan/{BATU_JAYA}/program",
    "rumah_dataku": f"/kelurahan/{PENYENGAT_RENDAH}/rumah-dataku",
    "layanan": f"/kelurahan/{KALIAWI}/layanan",
}
WAIT_FOR = {"planner": "#plan-table tbody tr", "kota_planner": "#plan-table tbody tr"}
SCREENSHOTS = ("planner", "dashboard", "kelurahan", "work")

# the other language's forms, as a reader would spot them
ENGLISH_FORMS = {
    "thousands with commas": re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3}){2,}(?![\d,])"),
    "rupiah with commas": re.compile(r"Rp[ \u00a0]?\d{1,3},\d{3}(?!\d)"),
    "decimal point before %": re.compile(r"(?<![\d.])\d+\.\d+[ \u00a0]?%"),
    "English month": re.compile(r"\b(?:January|February|March|April|June|July|August|October|December)\b"),
}
INDONESIAN_FORMS = {
    "thousands with dots": re.compile(r"(?<![\d.,])\d{1,3}(?:\.\d{3}){2,}(?![\d.])"),
    "rupiah with dots": re.compile(r"Rp[ \u00a0]?\d{1,3}\.\d{3}(?!\d)"),
    "decimal comma before %": re.compile(r"(?<![\d,])\d+,\d+[ \u00a0]?%"),
    "space before %": re.compile(r"\d[ \u00a0]%"),
    "Indonesian month": re.compile(r"\b(?:Januari|Februari|Maret|Mei|Juni|Juli|Agustus|Oktober|Desember)\b"),
}
# what each language's pages must show (over the whole walk: not every page has money or shares)
OWN_FORMS = {
    "id": {
        "rupiah": re.compile(r"Rp \d{1,3}(?:\.\d{3})+(?!\d)"),
        "share": re.compile(r"\d,\d %"),
        "date": re.compile(r"\b\d{1,2} (?:Januari|Februari|Maret|April|Mei|Juni|Juli|Agustus|September|"
                           r"Oktober|November|Desember) \d{4}\b"),
    },
    "en": {
        "rupiah": re.compile(r"Rp \d{1,3}(?:,\d{3})+(?!\d)"),
        "share": re.compile(r"\d\.\d%"),
        "date": re.compile(r"\b\d{1,2} (?:January|February|March|April|May|June|July|August|September|"
                           r"October|November|December) \d{4}\b"),
    },
}  # fmt: skip


def wrong_forms(text: str, lang: str) -> dict[str, list[str]]:
    """The other language's number and date forms found in ``text``."""
    forms = ENGLISH_FORMS if lang == "id" else INDONESIAN_FORMS
    found = {
        name: [text[max(0, m.start() - 40) : m.end() + 20] for m in pattern.finditer(text)]
        for name, pattern in forms.items()
    }
    return {name: hits for name, hits in found.items() if hits}  # each hit with the words around it


def visible_text(page, url: str, name: str) -> str:
    page.goto(url)
    if name in WAIT_FOR:
        page.wait_for_selector(WAIT_FOR[name])
    page.wait_for_load_state("networkidle")
    return page.evaluate("() => document.body.innerText")


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_page_writes_numbers_and_dates_in_its_language(browser, server: str, lang: str) -> None:
    page = new_page(browser, DESKTOP)
    log = PageLog(page)
    seen = {kind: [] for kind in OWN_FORMS[lang]}
    for name, path in PAGES.items():
        text = visible_text(page, f"{server}{path}{'&' if '?' in path else '?'}lang={lang}", name)
        assert wrong_forms(text, lang) == {}, name
        for kind, pattern in OWN_FORMS[lang].items():
            seen[kind] += [name] if pattern.search(text) else []
    assert {"kelurahan", "works", "work", "dashboard", "planner", "community"} <= set(seen["rupiah"]), seen
    assert {"kelurahan", "rt", "dashboard", "rumah_dataku"} <= set(seen["share"]), seen
    assert {"kelurahan", "work"} <= set(seen["date"]), seen  # the source note's "as of" and the work dates
    log.assert_clean()


@pytest.mark.parametrize("lang", ["id", "en"])
def test_planner_slider_shares_and_map_legend_follow_the_language(browser, server: str, lang: str) -> None:
    """The script-written parts: slider shares as they move, the priority legend, costs and totals."""
    page = new_page(browser, DESKTOP)
    page.goto(f"{server}/kelurahan/{KALIAWI}/perencanaan?lang={lang}")
    page.wait_for_selector("#plan-table tbody tr.chosen")
    page.locator("input[name=w_kumuh]").evaluate("el => { el.value = '1'; el.dispatchEvent(new Event('input')); }")
    shares = page.locator("output.pk-share").all_inner_texts()
    assert shares[0] == ("61 %" if lang == "id" else "61%")  # 1 of 1.65, rounded half-up
    costs = [c.strip() for c in page.locator("#plan-table tbody td.pk-cost").all_inner_texts()]
    assert costs
    assert all(OWN_FORMS[lang]["rupiah"].fullmatch(c) or c == "Rp 0" for c in costs), costs
    summary = page.locator("#plan-summary").inner_text()
    assert formats.rupiah(1_500_000_000, lang) in summary
    legend = page.locator(".pk-plan-legend").inner_text()
    assert re.search(r"\d,\d{2} – \d,\d{2}" if lang == "id" else r"\d\.\d{2} – \d\.\d{2}", legend), legend


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_pdf_report_writes_numbers_and_dates_in_its_language(server: str, tmp_path: Path, lang: str) -> None:
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils (pdftotext) is not installed")
    pdf = tmp_path / f"laporan_{lang}.pdf"
    with urlopen(f"{server}/kelurahan/{KALIAWI}/laporan.pdf?tahun=2019&lang={lang}", timeout=120) as r:
        pdf.write_bytes(r.read())
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert wrong_forms(text, lang) == {}
    assert formats.date(date.today(), lang) in text  # the report's date
    assert formats.rupiah(1_500_000_000, lang) in text  # the 2019 BPM package of the seed story
    assert OWN_FORMS[lang]["share"].search(text) or re.search(r"\d %" if lang == "id" else r"\d%", text)


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_screenshots_of_the_pages_whose_numbers_changed(browser, server: str, artifacts: Path, viewport: str) -> None:
    page = new_page(browser, DESKTOP if viewport == "desktop" else PHONE)
    for name in SCREENSHOTS:
        text = visible_text(page, f"{server}{PAGES[name]}", name)
        assert wrong_forms(text, "id") == {}, name
        width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], (name, width)  # the longer Indonesian numbers still fit a phone
        page.screenshot(path=str(artifacts / f"formats_{name}_{viewport}.png"), full_page=True)


def test_an_rt_reads_the_same_on_its_profile_the_planner_the_map_and_the_pdf(
    browser, server: str, tmp_path: Path
) -> None:
    """RT 3 of Lingkungan 1 in Kaliawi Persada, written by one function (geo.places.rt_label)."""
    label = rt_label(3, 1, "Lingkungan")
    assert label == "RT 003 / LK 001"
    page = new_page(browser, DESKTOP)
    page.goto(f"{server}/kelurahan/{KALIAWI}/rt/1/3")
    assert page.locator("h1").inner_text() == label

    page.goto(f"{server}/kelurahan/{KALIAWI}/perencanaan")
    page.wait_for_selector("#plan-table tbody tr")
    assert label in [t.strip() for t in page.locator("#plan-table tbody td.pk-rt").all_inner_texts()]

    page.goto(f"{server}/kelurahan/{KALIAWI}")
    page.wait_for_function("() => window.pk && window.pk.layers && window.pk.layers.rt")
    page.evaluate(
        """label => window.pk.layers.rt.eachLayer(l => {  // a click on the RT: folium binds the popup there
             if (l.feature.properties.rt_label !== label) { return; }
             l.fire("click", {latlng: l.getBounds().getCenter()}, true);
           })""",
        label,
    )
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert popup.inner_text().splitlines()[0].split("\t")[-1].strip() == label  # the row "RT | RT 003 / LK 001"

    with urlopen(f"{server}/unduh/households.csv?kelurahan={KALIAWI}", timeout=60) as r:
        assert f",{label}," in r.read().decode("utf-8-sig")

    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils (pdftotext) is not installed")
    pdf = tmp_path / "laporan.pdf"
    with urlopen(f"{server}/kelurahan/{KALIAWI}/laporan.pdf?tahun=2019", timeout=120) as r:
        pdf.write_bytes(r.read())
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert label in text  # under the work's name in the works table
