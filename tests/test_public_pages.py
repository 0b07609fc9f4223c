"""Public visitor pages as a visitor meets them (issue 12): what each page says beside its numbers,
where its links lead, and the work page that agrees with itself.  Served through the real app
(TestClient); the browser side is in tests/test_public_browser.py."""

from __future__ import annotations

import re
from datetime import date

import pytest
from fastapi.testclient import TestClient

from geo.accounts import get_user
from geo.formats import date as long_date
from geo.formats import number
from geo.mapping import Classes, classify, write_map
from geo.progress import record_maintenance
from geo.public_text import code_label, deviation_words, ksm_label
from geo.store import open_store
from tests.conftest import KALIAWI, login
from web.app import create_app

WORK_IMPORTED = "KTK-2019-01"  # 21 imported progress rows, no LKM record in the demo data


@pytest.fixture
def client(demo_settings) -> TestClient:
    return TestClient(create_app(demo_settings))


def test_words_for_codes_deviation_dates_and_numbers() -> None:
    assert code_label("rusak_ringan", "id") == "Rusak ringan"
    assert code_label("tanpa_gps", "en") == "Photo without GPS location"
    assert code_label("kode_baru", "id") == "kode baru"  # an unknown code never shows its underscores
    assert deviation_words(-12.34, "id") == "Terlambat 12,3 poin persen dari rencana"
    assert deviation_words(5.0, "en") == "5.0 percentage points ahead of plan"
    assert deviation_words(0.0, "id") == "Sesuai rencana"
    assert deviation_words(None, "id") == "Belum ada jadwal rencana"
    assert long_date("2026-12-01", "id") == "1 Desember 2026"
    assert long_date(date(2026, 8, 17), "en") == "17 August 2026"
    assert number(1234.5, "id", 1) == "1.234,5"
    assert ksm_label("KSM Maju Bersama") == "KSM Maju Bersama"
    assert ksm_label("Maju Bersama") == "KSM Maju Bersama"


def test_a_legend_class_never_reads_rp_0_to_rp_0() -> None:
    import pandas as pd

    zero = classify("works_budget_idr", pd.Series([0.0, 0.0, 0.0]))
    assert [text for _, text in zero.legend_rows("id")] == ["Rp 0 (semua RT)"]
    spread = classify("works_budget_idr", pd.Series([0.0, 0.0, 5e6, 1e8, 2e8, 3e8]))
    rows = [text for _, text in spread.legend_rows("id")]
    assert rows[0].startswith("Rp 0")
    assert all(not re.fullmatch(r"(>\s)?(Rp [\d.]+) – \2", r) for r in rows), rows
    shares = Classes("poor_share", [0.108, 0.5], ["#a", "#b"], low=0.088)
    assert [t for _, t in shares.legend_rows("id")] == ["8,8 % – 10,8 %", "> 10,8 % – 50,0 %"]


def test_home_says_what_the_site_is_with_source_and_date(client: TestClient) -> None:
    page = client.get("/?lang=id").text
    assert 'id="about"' in page
    assert "peta tiap kelurahan" in page
    assert 'id="home-map"' in page
    assert re.search(r"Data per \d{1,2} [A-Z][a-z]+ \d{4}", page)
    en = client.get("/?lang=en").text
    assert "shows a map of each kelurahan" in en
    assert "Data as of" in en


@pytest.mark.parametrize(
    "path",
    [
        f"/kelurahan/{KALIAWI}",
        f"/kelurahan/{KALIAWI}/pekerjaan",
        f"/kelurahan/{KALIAWI}/rt/1/3",
        f"/kelurahan/{KALIAWI}/dasbor",
        "/kota/18.71",
    ],
)
def test_every_map_and_table_names_its_source_and_date(client: TestClient, path: str) -> None:
    page = client.get(path + "?lang=id").text
    assert "Sumber: data kelurahan" in page
    assert re.search(
        r"Data per \d{1,2} (Januari|Februari|Maret|April|Mei|Juni|Juli|Agustus|September|"
        r"Oktober|November|Desember) \d{4}",
        page,
    )


def test_desil_suppression_and_kurva_s_are_explained_where_they_appear(client: TestClient) -> None:
    kel = client.get(f"/kelurahan/{KALIAWI}?lang=id").text
    assert "desil 1-4 data kesejahteraan nasional (DTSEN)" in kel
    assert "*: disembunyikan karena kurang dari 5 KK" in kel
    rt = client.get(f"/kelurahan/{KALIAWI}/rt/1/3?lang=en").text
    assert "deciles 1-4" in rt
    assert "fewer than 5 households" in rt
    work = client.get(f"/kelurahan/{KALIAWI}/pekerjaan/{WORK_IMPORTED}?lang=id").text
    assert "Kurva S: progres kumulatif menurut rencana" in work
    dash = client.get(f"/kelurahan/{KALIAWI}/dasbor?lang=id").text
    assert "Kurva S: progres kumulatif" in dash
    assert "negatif berarti terlambat" in dash


def test_works_list_links_to_the_work_pages(client: TestClient, demo_store) -> None:
    page = client.get(f"/kelurahan/{KALIAWI}/pekerjaan").text
    works = set(demo_store.read("works", kelurahan_code=KALIAWI)["work_id"])
    linked = set(re.findall(rf'href="/kelurahan/{re.escape(KALIAWI)}/pekerjaan/([^"?]+)" class="work-link"', page))
    assert linked == works
    side = client.get(f"/kelurahan/{KALIAWI}").text
    assert set(re.findall(r'/pekerjaan/([^"?]+)" class="work-link"', side)) == works
    for work_id in sorted(works)[:2]:
        assert client.get(f"/kelurahan/{KALIAWI}/pekerjaan/{work_id}").status_code == 200


def test_map_popups_and_bbox_layers_link_to_the_work_page(client: TestClient) -> None:
    page = client.get(f"/kelurahan/{KALIAWI}?lang=id").text
    assert f"/kelurahan/{KALIAWI}/pekerjaan/KTK-2019-01?lang=id" in page
    fc = client.get(f"/api/kelurahan/{KALIAWI}/map/works?lang=en").json()
    first = fc["features"][0]["properties"]
    assert f"/kelurahan/{KALIAWI}/pekerjaan/{first['work_id']}?lang=en" in first["page"]
    assert "Work details" in first["page"]


def test_rt_profile_shows_the_rt_on_a_small_map(client: TestClient) -> None:
    page = client.get(f"/kelurahan/{KALIAWI}/rt/1/3").text
    svg = re.search(r'<figure class="locator-box" id="rt-locator">(.*?)</figure>', page, re.S).group(1)
    assert svg.count('fill="#f0f0f0"') >= 10  # the other RTs of the kelurahan
    assert svg.count('fill="#b2182b"') == 1  # this one, highlighted
    assert "<title>RT 003 / LK 001" in svg


def test_the_work_page_lists_imported_history_and_speaks_in_words(client: TestClient, demo_store) -> None:
    page = client.get(f"/kelurahan/{KALIAWI}/pekerjaan/{WORK_IMPORTED}?lang=id").text
    imported = demo_store.read("work_progress", work_id=WORK_IMPORTED)
    rows = re.findall(r'<tr class="from-impor">', page)
    assert len(rows) == len(imported) > 0  # the history the Kurva S is drawn from is listed
    assert "Impor (data awal)" in page
    assert "KSM KSM" not in page
    assert ">KSM Maju Bersama<" in page
    deviation = re.search(r'<dd id="deviation">([^<]+)</dd>', page).group(1)
    assert deviation in ("Sesuai rencana",) or "poin persen dari rencana" in deviation
    assert "1 Juli 2019" in page  # planned start written the Indonesian way


def test_codes_are_words_on_the_work_page(users_settings) -> None:
    store = open_store(users_settings.store)
    user = get_user(store, "lkm.a")
    record_maintenance(
        store,
        user,
        KALIAWI,
        WORK_IMPORTED,
        log_date="2026-11-02",
        kind="inspeksi",
        condition="rusak_ringan",
        cost_idr=None,
        user_fee_idr=None,
    )
    client = TestClient(create_app(users_settings))
    page = client.get(f"/kelurahan/{KALIAWI}/pekerjaan/{WORK_IMPORTED}?lang=id").text
    body = page.split('id="pemeliharaan"', 1)[1].split("</table>", 1)[0]
    assert "Rusak ringan" in body
    assert "Pemeriksaan" in body
    assert "rusak_ringan" not in body
    assert ">inspeksi<" not in body
    login(client, "lkm.a")  # the LKM's own view of the history table too
    assert "rusak_ringan</td>" not in client.get(f"/kelurahan/{KALIAWI}/pekerjaan/{WORK_IMPORTED}").text


def test_a_405_on_a_page_speaks_to_a_person(client: TestClient) -> None:
    r = client.post(f"/kelurahan/{KALIAWI}", headers={"accept": "text/html"})
    assert r.status_code == 405
    assert "PETAKAMPUNG_DEBUG" not in r.text
    assert "Buka halamannya lewat tautan" in r.text
    assert r.headers["allow"] == "GET, HEAD"
    api = client.post(f"/api/kelurahan/{KALIAWI}")
    assert api.status_code == 405
    assert "yang bisa: GET, HEAD" in api.json()["detail"]


def test_docs_assets_come_from_our_site(client: TestClient) -> None:
    for path, asset in (("/docs", "swagger-ui-bundle.js"), ("/redoc", "redoc.standalone.js")):
        page = client.get(path)
        assert "cdn.jsdelivr" not in page.text
        assert "fonts.googleapis" not in page.text
        src = re.search(rf'src="([^"]*{asset})"', page.text).group(1)
        assert src.startswith("/static/vendor/apidocs/")
        served = client.get(src)
        assert served.status_code == 200
        assert len(served.content) > 100_000
        assert "cdn.jsdelivr" not in page.headers["content-security-policy"]
    assert client.get("/static/vendor/apidocs/1/../../../pyproject.toml").status_code == 404


def test_standalone_map_has_title_lang_and_heading(demo_store, tmp_path) -> None:
    page = write_map(demo_store, KALIAWI, tmp_path / "peta.html", lang="en").read_text(encoding="utf-8")
    assert '<html lang="en">' in page
    assert "<title>Map of Kelurahan Kaliawi Persada · petakampung</title>" in page
    heading = re.search(r'<header class="pk-heading".*?</header>', page, re.S).group(0)
    assert "Kaliawi Persada" in heading
    assert KALIAWI in heading
    assert "Data as of" in heading
    assert "user-scalable=no" not in page
