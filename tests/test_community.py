"""Groups, programme areas, funds ledgers, RW products and proposals: the seed stories as stored,
ledgers that balance, and bad rows refused with the store left exactly as it was."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from geo.community import ledger_months, load_community, owner_of, served_rts
from geo.errors import ValidationFailed
from geo.importer import import_file
from geo.public import PublicData
from geo.store import open_store
from tests.conftest import HASH_KEY, JATIRANGGA, KALIAWI

BATU_JAYA, PENYENGAT, TANAH_TINGGI = "36.71.03.1002", "15.71.01.1010", "31.71.08.1004"
SEEDS = (KALIAWI, JATIRANGGA, BATU_JAYA, PENYENGAT, TANAH_TINGGI)


def csv_file(path: Path, rows: list[dict]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.mark.parametrize("code", SEEDS)
def test_ledger_balances_per_book_and_month(demo_source, code: str) -> None:
    """balance at each month's end = every earlier entry in - out, and the last = the book's total."""
    funds = open_store(demo_source).read("fund_entries", kelurahan_code=code)
    assert len(funds)
    months = ledger_months(funds)
    signed = funds["amount_idr"].astype(int) * funds["direction"].map({"masuk": 1, "keluar": -1})
    owners = owner_of(funds)
    for owner, book in months.groupby("owner"):
        previous = 0
        for row in book.itertuples():
            assert row.balance_idr == previous + row.in_idr - row.out_idr
            mine = (owners == owner) & (funds["month"] == row.month)
            assert row.in_idr == funds.loc[mine & (funds["direction"] == "masuk"), "amount_idr"].sum()
            assert row.out_idr == funds.loc[mine & (funds["direction"] == "keluar"), "amount_idr"].sum()
            previous = row.balance_idr
            assert previous >= 0, f"{owner} spends money it does not have in {row.month}"
        assert previous == signed[owners == owner].sum()


def test_kaliawi_groups_and_kwt_profit(demo_source) -> None:
    com = load_community(open_store(demo_source), KALIAWI)
    groups = com.groups.set_index("name")
    assert groups.loc["LKM Persada Mandiri", "group_type"] == "lkm"
    assert groups.loc["LKM Persada Mandiri", "member_count"] == 9  # DOMAIN.md section 3
    assert groups.loc["KWT Sukawangi Sejahtera", "group_type"] == "kwt"
    assert "kpp" in set(com.groups["group_type"])
    kwt = com.funds[com.funds["group_id"] == groups.loc["KWT Sukawangi Sejahtera", "group_id"]]
    profit = kwt[kwt["kind"] == "laba"].groupby("month")["amount_idr"].sum()
    assert len(profit) >= 12
    assert set(profit) == {1_200_000}
    lkm = com.funds[com.funds["group_id"] == groups.loc["LKM Persada Mandiri", "group_id"]]
    assert lkm.loc[lkm["kind"] == "bpm", "amount_idr"].sum() == 1_500_000_000
    assert set(lkm.loc[lkm["direction"] == "keluar", "asset_type"]) == {"work"}


def test_jatirangga_products_and_klm_proposals(demo_source) -> None:
    com = load_community(open_store(demo_source), JATIRANGGA)
    status = dict(zip(com.products["category"], com.products["status"], strict=True))
    assert status == {
        "bank_sampah": "diusulkan",
        "otomotif": "berjalan",
        "kuliner": "dibentuk",
        "perikanan": "dibentuk",
        "peternakan": "disiapkan",
        "konveksi": "diusulkan",
    }
    assert int(com.products.loc[com.products["category"] == "bank_sampah", "unit_number"].iloc[0]) == 1
    klm = com.groups[com.groups["name"] == "Koperasi Kranggan Lembur Mandiri"]
    assert list(klm["group_type"]) == ["koperasi"]
    assert set(com.proposals["coop_group_id"]) == set(klm["group_id"])
    funded = com.proposals[com.proposals["status"].isin(["didanai", "dilaporkan"])]
    assert list(funded["product_id"].str.contains("OTOMOTIF")) == [True]
    repaid = com.funds[(com.funds["kind"] == "angsuran") & (com.funds["proposal_id"] == funded["proposal_id"].iloc[0])]
    assert repaid["amount_idr"].sum() == funded["approved_idr"].iloc[0]  # "dari warga untuk warga": repaid in full


def test_batu_jaya_jimpitan_four_years_and_what_it_built(demo_source) -> None:
    store = open_store(demo_source)
    com = load_community(store, BATU_JAYA)
    jimpitan = com.funds[com.funds["kind"] == "jimpitan"]
    monthly = jimpitan.groupby("month")["amount_idr"].sum()
    assert len(monthly) == 48  # four years
    assert monthly.between(3_000_000, 5_000_000).all()  # Rp 3-5 million a month
    assert jimpitan["rt_number"].notna().all()  # booked per RT
    facilities = store.read("facilities", kelurahan_code=BATU_JAYA).set_index("facility_id")
    built = com.funds[com.funds["asset_id"].notna()]
    categories = set(facilities.loc[built["asset_id"], "category"])
    assert categories == {"balai_warga", "sekretariat", "dapur_stunting", "ambulans", "arena_bermain", "musala"}
    assert "kwt" in set(com.groups["group_type"])


def test_penyengat_rendah_pokja_poktan_and_rotating_meetings(demo_source) -> None:
    store = open_store(demo_source)
    com = load_community(store, PENYENGAT)
    assert {"pokja_kkb", "bkb", "bkr", "bkl", "uppks", "pik_r"} <= set(com.groups["group_type"])
    hosts = com.meetings["rt_number"].astype(int)
    assert hosts.nunique() == len(hosts)  # every quarter another RT hosts
    rt07 = com.meetings[hosts == 7].iloc[0]
    assert set(rt07["speakers"].split(";")) == {"bkkbn", "kelurahan", "pkb", "perguruan_tinggi"}
    data = store.read("facilities", kelurahan_code=PENYENGAT)
    rumah = data[data["category"] == "rumah_data"]
    assert len(rumah) == 1
    rt = store.read("rt", kelurahan_code=PENYENGAT)
    home = rt[rt.contains(rumah.geometry.iloc[0])]
    assert list(home["rt_number"].astype(int)) == [7]


def test_tanah_tinggi_kampung_tangguh_five_pillars(demo_source) -> None:
    store = open_store(demo_source)
    com = load_community(store, TANAH_TINGGI)
    assert set(com.areas["programme"]) == {"Kampung Tangguh"}
    assert set(com.groups["pillar"]) == {"ekonomi", "kesehatan", "pendidikan", "infrastruktur", "keamanan"}
    ronda = store.read("facilities", category="pos_ronda")
    assert set(ronda.loc[ronda["programme"] == "Kampung Tangguh", "kelurahan_code"]) == {TANAH_TINGGI}
    rumah = store.read("facilities", category="rumah_data")
    assert set(rumah["kelurahan_code"]) == {PENYENGAT}


def test_overlap_marks_programme_rts_only(demo_source) -> None:
    store = open_store(demo_source)
    kel = PublicData(store, k=5).kelurahan(TANAH_TINGGI)
    served = served_rts(kel.rt, load_community(store, TANAH_TINGGI), kel.works, kel.gardens, kel.facilities)
    tangguh = served[served["p_kampung_tangguh"] == 1]
    assert set(tangguh["unit_number"].astype(int)) == {2, 3}  # the area's RTs, not the whole kelurahan
    assert (served.loc[served["unit_number"].astype(int) == 1, "served"] == 0).all()


# --- bad input: a clear error naming row and field, and the store exactly as before --------------


def _refused(store, layer: str, path: Path, *expected: str) -> str:
    before = store.checksum()
    with pytest.raises(ValidationFailed) as info:
        import_file(store, layer, path, hash_key=HASH_KEY)
    assert store.checksum() == before
    text = info.value.report.render("id")
    for part in expected:
        assert part in text, text
    return text


def _entry(**over) -> dict:
    row = {"no_bukti": "UJI-1", "id_kelompok": "KLP-1012-KWT", "tanggal": "2021-05-31", "jenis": "laba", "jumlah": 5}
    return {**row, **over}


def test_funds_unknown_group_is_refused(demo_store, tmp_path: Path) -> None:
    path = csv_file(tmp_path / "kas.csv", [_entry(), _entry(no_bukti="UJI-2", id_kelompok="KLP-TIDAK-ADA")])
    _refused(demo_store, "funds", path, "baris 3", "kolom 'group_id'", "KLP-TIDAK-ADA", "tidak dikenal")


def test_funds_negative_amount_is_refused(demo_store, tmp_path: Path) -> None:
    path = csv_file(tmp_path / "kas.csv", [_entry(jumlah="-1.200.000")])
    _refused(demo_store, "funds", path, "baris 2", "kolom 'amount_idr'", "-1.200.000")


def test_funds_date_outside_the_groups_life_is_refused(demo_store, tmp_path: Path) -> None:
    path = csv_file(tmp_path / "kas.csv", [_entry(tanggal="2018-01-31")])  # KWT founded 1 October 2019
    _refused(demo_store, "funds", path, "baris 2", "kolom 'entry_date'", "2018-01-31", "2019-10-01")


def test_funds_book_with_a_wrong_saldo_is_refused(demo_store, tmp_path: Path) -> None:
    rows = [
        {"tanggal": "2021-01-31", "id_kelompok": "KLP-1012-KWT", "jenis": "laba", "masuk": 1_200_000, "keluar": "",
         "saldo": 1_200_000},
        {"tanggal": "2021-02-28", "id_kelompok": "KLP-1012-KWT", "jenis": "kegiatan", "masuk": "", "keluar": 200_000,
         "saldo": 1_100_000},
    ]  # fmt: skip
    _refused(demo_store, "funds", csv_file(tmp_path / "buku.csv", rows), "baris 3", "kolom 'saldo'", "1000000")


def test_proposal_skipping_a_status_is_refused(demo_store, tmp_path: Path) -> None:
    row = {
        "id_usulan": "USL-UJI", "kode_kelurahan": JATIRANGGA, "rw": "RW 02", "judul": "Modal uji", "jumlah": 5_000_000,
        "status": "didanai", "tanggal_diajukan": "2021-01-04", "tanggal_keputusan": "2021-02-01",
        "tanggal_didanai": "2021-03-01", "nilai_disetujui": 5_000_000, "koperasi": "KLP-1004-KLM",
    }  # fmt: skip
    text = _refused(demo_store, "proposals", csv_file(tmp_path / "usulan.csv", [row]), "baris 2", "'assessed_on'")
    assert "melewati tahap 'dinilai'" in text


def test_proposal_status_going_back_is_refused(demo_store, tmp_path: Path) -> None:
    row = {
        "id_usulan": "USL-1004-OTOMOTIF", "kode_kelurahan": JATIRANGGA, "rw": "RW 04", "judul": "Modal usaha otomotif",
        "jumlah": 25_000_000, "status": "diajukan", "tanggal_diajukan": "2019-11-04",
    }  # fmt: skip
    _refused(demo_store, "proposals", csv_file(tmp_path / "usulan.csv", [row]), "baris 2", "tidak boleh mundur")


def test_group_meeting_of_unknown_group_and_group_dissolved_before_founded(demo_store, tmp_path: Path) -> None:
    meeting = {"id_kelompok": "KLP-TIDAK-ADA", "tanggal": "2023-05-18", "rt": "RT 07 RW 01", "narasumber": "pkb"}
    _refused(demo_store, "groups", csv_file(tmp_path / "pertemuan.csv", [meeting]), "baris 2", "KLP-TIDAK-ADA")
    group = {
        "kode_kelurahan": KALIAWI, "jenis": "KWT", "nama": "KWT Uji", "berdiri": "2020-01-01", "bubar": "2019-01-01",
        "jumlah_anggota": 10,
    }  # fmt: skip
    _refused(demo_store, "groups", csv_file(tmp_path / "kelompok.csv", [group]), "baris 2", "kolom 'dissolved'")


def test_speaker_names_are_refused(demo_store, tmp_path: Path) -> None:
    """Only kinds of speakers are kept (BKKBN, PKB, ...): a person's name is not stored."""
    meeting = {
        "id_kelompok": "KLP-1010-POKJAKKB",
        "tanggal": "2024-05-18",
        "rt": "RT 07 RW 01",
        "narasumber": "Ibu Siti",
    }
    _refused(demo_store, "groups", csv_file(tmp_path / "pertemuan.csv", [meeting]), "baris 2", "Ibu Siti")


def test_programme_area_with_unknown_rt_and_product_of_unknown_group(demo_store, tmp_path: Path) -> None:
    area = {"kode_kelurahan": TANAH_TINGGI, "program": "Kampung Tangguh", "nama": "Uji", "daftar_rt": "RT 09 RW 02",
            "mulai": "2021-01-01"}  # fmt: skip
    _refused(demo_store, "programmes", csv_file(tmp_path / "kawasan.csv", [area]), "baris 2", "kolom 'rts'")
    product = {"kode_kelurahan": JATIRANGGA, "rw": "RW 02", "kategori": "kuliner", "nama": "Uji", "status": "berjalan",
               "id_kelompok": "KLP-1012-KWT"}  # fmt: skip
    _refused(demo_store, "products", csv_file(tmp_path / "produk.csv", [product]), "baris 2", "KLP-1012-KWT")


def test_good_ledger_rows_import_and_reimport_changes_nothing(demo_store, tmp_path: Path) -> None:
    path = csv_file(tmp_path / "kas.csv", [_entry(no_bukti="UJI-OK", jumlah="Rp 1.200.000")])
    first = import_file(demo_store, "funds", path, hash_key=HASH_KEY)
    assert first.total.inserted == 1
    stored = demo_store.read("fund_entries", entry_id="UJI-OK")
    assert list(stored["amount_idr"]) == [1_200_000]
    assert list(stored["direction"]) == ["masuk"]
    assert import_file(demo_store, "funds", path, hash_key=HASH_KEY).total.changed == 0


def test_planner_already_served_factor(demo_source) -> None:
    """With only the optional "served" weight, RTs where no programme acts rank first."""
    from geo.planning import planning_table
    from geo.selection import DEFAULT_WEIGHTS, PlanOptions, rank

    store = open_store(demo_source)
    table = planning_table(store, KALIAWI, public=True)
    works = store.read("works", kelurahan_code=KALIAWI, funding="BPM", geometry=False)  # KOTAKU's
    with_works = set(zip(works["unit_number"].astype(int), works["rt_number"].astype(int), strict=True))
    served = table[table["already_served"] == 1]
    assert with_works <= set(zip(served["unit_number"], served["rt_number"], strict=True))
    unserved = int((table["already_served"] == 0).sum())
    assert 0 < unserved < len(table)
    ranked = rank(table, PlanOptions(weights={"served": 1.0}, legal_only=False, slum_only=False))
    assert (ranked.head(unserved)["already_served"] == 0).all()
    default = rank(table, PlanOptions(weights=dict(DEFAULT_WEIGHTS), legal_only=False, slum_only=False))
    assert (default["c_served"] == 0).all()  # optional: the default ranking does not use it


def test_a_work_carries_its_programme(demo_store, tmp_path: Path) -> None:
    """A work imported with a programme counts for it in the overlap view; without one, BPM is KOTAKU."""
    import json

    feature = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [106.6611, -6.1548]},
        "properties": {
            "work_id": "UJI-KKB-1", "kode_kelurahan": BATU_JAYA, "rt": "RT 01 RW 01", "jenis": "sumur bor",
            "kriteria": "3a", "volume": 10, "tahun": 2022, "sumber_dana": "swadaya", "anggaran": 15_000_000,
            "status": "selesai", "program": "Kampung KB",
        },
    }  # fmt: skip
    path = tmp_path / "work.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    import_file(demo_store, "infrastructure", path, hash_key=HASH_KEY)
    assert list(demo_store.read("works", work_id="UJI-KKB-1")["programme"]) == ["Kampung KB"]
    kel = PublicData(demo_store, k=5).kelurahan(BATU_JAYA)
    served = served_rts(kel.rt, load_community(demo_store, BATU_JAYA), kel.works, kel.gardens, kel.facilities)
    first = served[(served["unit_number"] == 1) & (served["rt_number"] == 1)].iloc[0]
    assert first["p_kampung_kb"] == 1
    assert first["p_kotaku"] == 0


def test_facility_owner_refers_to_a_group(demo_source, demo_store, tmp_path: Path) -> None:
    owners = open_store(demo_source).read("facilities", kelurahan_code=BATU_JAYA, category="ambulans")
    assert list(owners["owner_group_id"]) == ["KLP-1002-POKJA"]  # the jimpitan Pokja runs the ambulance
    row = {"kode_kelurahan": BATU_JAYA, "nama": "Ambulans Uji", "kategori": "ambulans", "program": "Kampung KB",
           "pengelola": "KLP-1012-KWT", "lat": -6.1548, "lon": 106.6611}  # fmt: skip
    path = csv_file(tmp_path / "fasilitas.csv", [row])  # a Kaliawi group cannot run a Batu Jaya facility
    _refused(demo_store, "facilities", path, "baris 2", "kolom 'owner_group_id'", "KLP-1012-KWT")


@pytest.mark.parametrize(
    ("url", "needle"),
    [
        ("/kelurahan/18.71.06.1099/program", "tidak ada di penyimpanan"),
        ("/kelurahan/bukan-kode/program", "PP.KK.CC.DDDD"),
        ("/kelurahan/" + "9" * 5000 + "/program", "PP.KK.CC.DDDD"),
        ("/kelurahan/18.71.06.1012%00/program", "PP.KK.CC.DDDD"),
    ],
)
def test_community_page_refuses_unknown_and_malformed_codes(demo_settings, url: str, needle: str) -> None:
    from fastapi.testclient import TestClient

    from web.app import create_app

    r = TestClient(create_app(demo_settings)).get(url)
    assert r.status_code == 404
    assert needle in r.text
    assert "Traceback" not in r.text


def test_community_page_in_english_with_english_numbers(demo_settings) -> None:
    from fastapi.testclient import TestClient

    from web.app import create_app

    r = TestClient(create_app(demo_settings)).get(f"/kelurahan/{BATU_JAYA}/program?lang=en")
    assert r.status_code == 200
    assert "Programmes and community groups" in r.text
    assert "What the funds built" in r.text
    assert "January 2019 - December 2022" in r.text
    assert "Rp 199,200,000" in r.text  # four years of jimpitan, grouped the English way (geo.formats)
    assert "Rp 199.200.000" not in r.text
