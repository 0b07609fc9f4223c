"""The planner pages answer for themselves (issue 12), in a real browser on a desktop and a phone:
every RT with its reason and cost (cards on a phone, no horizontal scrolling), the budget grouped
as rupiah while typing, the weights as effective shares, the map coloured by priority with the
chosen RTs named in its legend, and the sensitivity in words on request.

Screenshots land in test-artifacts/ (planner_kelurahan_*.png, planner_kota_*.png).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser import CHROMIUM, PageLog, new_page
from tests.city_store import build_city_store
from tests.conftest import KALIAWI, start_server, stop_server

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")]
DESKTOP = {"width": 1366, "height": 800}
PHONE = {"width": 390, "height": 844}
PRIORITY_FILLS = {"#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15", "#d9d9d9"}  # classes and "not ranked"
REASON_WORDS = re.compile(
    r"^(Terpilih|Tidak diberi peringkat|Biayanya melebihi|Tidak muat|Kombinasi yang lebih murah|Prioritas 0|Muat di)"
)
SENTENCE = re.compile(r"^(Bila bobot .+ (naik|turun) 20 %, .+\.|Pilihan tidak berubah .+\.)$")


@pytest.fixture(scope="module")
def city_server(backend, demo_source, tmp_path_factory):
    store = build_city_store(backend, demo_source, tmp_path_factory.mktemp("planner-kota"))
    proc, url = start_server(store)
    try:
        yield url
    finally:
        stop_server(proc)
        backend.drop(store)


def rows_text(page, selector: str) -> list[str]:
    return [t.strip() for t in page.locator(f"#plan-table tbody tr {selector}").all_inner_texts()]


def assert_reasons(page) -> None:
    """Every row says why, chosen or not; rank "-" only on excluded rows, and the page explains it."""
    whys = rows_text(page, "td.pk-why")
    assert whys
    assert all(REASON_WORDS.match(w) for w in whys), whys
    assert not [w for w in whys if re.search(r"\b\w+_\w+\b", w)]  # no raw codes such as tidak_jelas
    ranks = rows_text(page, "td.pk-rank")
    for rank, why in zip(ranks, whys, strict=True):
        assert (rank == "-") == why.startswith("Tidak diberi peringkat"), (rank, why)
    if "-" in ranks:
        assert "Peringkat \u201c-\u201d" in page.locator("#plan-rank-note").inner_text()
    assert all(c.startswith("Rp ") for c in rows_text(page, "td.pk-cost"))


def type_budget(page, digits: str) -> str:
    field = page.locator("#budget")
    field.fill("")
    field.press_sequentially(digits)
    return field.input_value()


def assert_shares(page) -> None:
    """Sliders say the share each weight becomes: all add up to about 100 %; moving one moves all."""

    def shares() -> list[int]:
        return [int(s.rstrip(" %")) for s in page.locator("output.pk-share").all_inner_texts()]

    before = shares()
    assert abs(sum(before) - 100) <= 3, before
    assert before[0] == 35  # slum score 0.35 of a total of 1.0
    page.locator("input[name=w_kumuh]").evaluate("el => { el.value = '1'; el.dispatchEvent(new Event('input')); }")
    after = shares()
    assert after[0] == round(100 / 1.65)  # 1 of 1 + 0.65: the share, not the slider's 1
    assert abs(sum(after) - 100) <= 3
    assert after[1] < before[1]


def assert_phone_cards(page) -> None:
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], width
    for kind in ("chosen", "other"):
        row = page.locator("#plan-table tbody tr.chosen" if kind == "chosen" else "#plan-table tbody tr:not(.chosen)")
        if row.count() == 0:
            continue
        first = row.first
        first.scroll_into_view_if_needed()
        for cell in ("td.pk-cost", "td.pk-why"):
            box = first.locator(cell).bounding_box()
            assert first.locator(cell).is_visible(), (kind, cell)
            assert box["x"] >= 0, (kind, cell, box)
            assert box["x"] + box["width"] <= PHONE["width"], (kind, cell, box)
        assert first.locator("td.pk-cost").inner_text().startswith("Rp ")
        label = first.locator("td.pk-cost").evaluate("el => getComputedStyle(el, '::before').content")
        assert "Biaya" in label or "attr(data-label)" in label  # each value is labelled in its card
        assert first.locator("td.pk-cost").get_attribute("data-label") in ("Biaya", "Cost")
    assert page.locator("#plan-table thead").bounding_box()["height"] <= 1  # the header row gave way to cards


def test_kelurahan_planner_desktop(browser, server: str, artifacts: Path) -> None:
    page = new_page(browser, DESKTOP)
    log = PageLog(page)
    page.goto(f"{server}/kelurahan/{KALIAWI}/perencanaan")
    page.wait_for_selector("#plan-table tbody tr.chosen")
    assert page.locator("#budget").input_value() == "1.500.000.000"
    assert_reasons(page)
    chosen = rows_text(page, "td.pk-rt")
    chosen = [r for r, c in zip(chosen, rows_text(page, "td.pk-chosen"), strict=True) if c == "\u2714"]
    legend = page.locator(".pk-plan-legend").inner_text()
    assert f"RT terpilih ({len(chosen)})" in legend
    assert all(label in legend for label in chosen[:12])
    assert "Prioritas" in legend
    fills = set(page.locator(".leaflet-overlay-pane path").evaluate_all("ps => ps.map(p => p.getAttribute('fill'))"))
    assert fills <= PRIORITY_FILLS, fills  # priority classes, not the poverty colours
    assert len(fills) >= 2, fills
    thick = page.locator('.leaflet-overlay-pane path[stroke="#08519c"][stroke-width="5"]').count()
    assert thick == len(chosen)
    assert "belum dijalankan" in page.locator("#plan-sensitivity").inner_text()  # "Hitung" did not wait for it

    assert type_budget(page, "3000000000") == "3.000.000.000"  # grouped while typing
    page.get_by_role("button", name="Hitung").click()
    page.wait_for_function("() => document.querySelector('#plan-summary').textContent.includes('/ Rp 3.000.000.000')")
    assert_shares(page)
    page.get_by_role("button", name="Uji kepekaan").click()
    page.wait_for_function("() => !document.querySelector('#plan-sensitivity').textContent.includes('\u2026')")
    sentences = page.locator("#plan-sensitivity li").all_inner_texts()
    assert sentences
    assert all(SENTENCE.match(s) for s in sentences), sentences
    assert not re.search(r"\b(flood|kumuh|poverty) [+-]20%", " ".join(sentences))  # no raw keys
    page.screenshot(path=str(artifacts / "planner_kelurahan_desktop.png"), full_page=True)
    log.assert_clean()


def test_kelurahan_planner_phone(browser, server: str, artifacts: Path) -> None:
    page = new_page(browser, PHONE)
    log = PageLog(page)
    page.goto(f"{server}/kelurahan/{KALIAWI}/perencanaan")
    page.wait_for_selector("#plan-table tbody tr.chosen")
    assert_reasons(page)
    assert_phone_cards(page)
    fold = page.locator(".pk-plan-legend details.pk-legend-fold")
    assert fold.evaluate("d => d.open") is False  # folded on a phone: the map stays in view
    n = page.locator("#plan-table tbody tr.chosen").count()
    assert fold.locator("summary").inner_text() == f"Keterangan \u00b7 RT terpilih ({n})"
    page.screenshot(path=str(artifacts / "planner_kelurahan_phone.png"), full_page=True)
    fold.locator("summary").click()
    assert "Prioritas (0-1)" in fold.inner_text()  # one tap opens it
    page.locator("#plan-table tbody tr").first.screenshot(path=str(artifacts / "planner_kelurahan_phone_card.png"))
    log.assert_clean()


def test_kelurahan_planner_in_english(browser, server: str) -> None:
    page = new_page(browser, PHONE)
    page.goto(f"{server}/kelurahan/{KALIAWI}/perencanaan?lang=en")
    page.wait_for_selector("#plan-table tbody tr.chosen")
    whys = rows_text(page, "td.pk-why")
    starts = ("Chosen", "Not ranked", "Costs more", "Does not fit", "A cheaper", "Priority 0")
    assert all(w.startswith(starts) for w in whys), whys
    page.get_by_role("button", name="Test sensitivity").click()
    page.wait_for_function("() => !document.querySelector('#plan-sensitivity').textContent.includes('\u2026')")
    for s in page.locator("#plan-sensitivity li").all_inner_texts():
        assert re.match(r"^(If .+ weighs 20% (more|less), .+\.|The choice stays the same .+\.)$", s), s


def test_kota_planner_desktop(browser, city_server: str, artifacts: Path) -> None:
    page = new_page(browser, DESKTOP)
    log = PageLog(page)
    page.goto(f"{city_server}/kota/18.71/perencanaan")
    page.wait_for_selector("#plan-table tbody tr.chosen")
    assert page.locator("#budget").input_value() == "5.000.000.000"
    assert_reasons(page)
    n = page.locator("#plan-table tbody tr.chosen").count()
    legend = page.locator(".pk-plan-legend").inner_text()
    assert f"RT terpilih ({n})" in legend
    first = page.locator("#plan-table tbody tr.chosen").first.locator("td.pk-rt").inner_text()
    assert first in legend
    assert type_budget(page, "2500000000") == "2.500.000.000"
    page.get_by_role("button", name="Hitung").click()
    page.wait_for_function("() => document.querySelector('#plan-summary').textContent.includes('/ Rp 2.500.000.000')")
    assert_shares(page)
    page.get_by_role("button", name="Uji kepekaan").click()
    page.wait_for_function("() => !document.querySelector('#plan-sensitivity').textContent.includes('\u2026')")
    sentences = [s for s in page.locator("#plan-sensitivity li").all_inner_texts() if "batas waktu" not in s]
    assert sentences
    assert all(SENTENCE.match(s) for s in sentences), sentences
    page.screenshot(path=str(artifacts / "planner_kota_desktop.png"), full_page=True)
    log.assert_clean()


def test_kota_planner_phone(browser, city_server: str, artifacts: Path) -> None:
    page = new_page(browser, PHONE)
    log = PageLog(page)
    page.goto(f"{city_server}/kota/18.71/perencanaan")
    page.wait_for_selector("#plan-table tbody tr.chosen")
    assert_reasons(page)
    assert_phone_cards(page)
    assert page.locator(".pk-plan-legend details.pk-legend-fold").evaluate("d => d.open") is False
    page.screenshot(path=str(artifacts / "planner_kota_phone.png"), full_page=True)
    log.assert_clean()
