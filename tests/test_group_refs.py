"""Works name their KSM and KPP, gardens their KWT, as groups of the groups layer.

By id or by name (exact or normalised), always a group of the right type in the row's own
kelurahan; every wrong reference is refused naming row, field and value, in Bahasa Indonesia and
English, with the store exactly as it was.  Files made before groups existed import as before.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from geo.demo import DEFAULT_DATA_DIR
from geo.errors import ValidationFailed
from geo.importer import import_file
from geo.store import Store, open_store
from tests.conftest import HASH_KEY, JATIRANGGA, KALIAWI, location_of
from web.app import create_app

KALIAWI_POINT = [105.2428, -5.414]  # inside Kaliawi Persada (the demo's RT 07 Lingkungan I)


def _work(work_id: str = "UJI-KSM-1", **over) -> dict:
    props = {
        "work_id": work_id, "kode_kelurahan": KALIAWI, "jenis": "sumur bor", "kriteria": "3a", "volume": 12,
        "tahun": 2025, "sumber_dana": "swadaya", "anggaran": 20_000_000, "status": "selesai", **over,
    }  # fmt: skip
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": KALIAWI_POINT}, "properties": props}


def _garden(garden_id: str = "UJI-KWT-1", code: str = KALIAWI, **over) -> dict:
    x, y = KALIAWI_POINT
    ring = [[x, y], [x + 0.0001, y], [x + 0.0001, y + 0.0001], [x, y + 0.0001], [x, y]]
    props = {"id_kebun": garden_id, "kode_kelurahan": code, "tanaman": "kangkung", **over}
    return {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]}, "properties": props}


def _file(path: Path, *features: dict) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": list(features)}), encoding="utf-8")
    return path


def _refused(store: Store, layer: str, path: Path, id_words: list[str], en_words: list[str]) -> None:
    before = store.checksum()
    with pytest.raises(ValidationFailed) as info:
        import_file(store, layer, path, hash_key=HASH_KEY)
    assert store.checksum() == before  # one transaction: nothing written
    for lang, words in (("id", id_words), ("en", en_words)):
        text = info.value.report.render(lang)
        for word in words:
            assert word in text, (lang, word, text)


# --- the demo seeds -------------------------------------------------------------------------------


def test_demo_works_and_gardens_name_their_groups(demo_source) -> None:
    store = open_store(demo_source)
    groups = store.read("groups", geometry=False).set_index("group_id")
    works = store.read("works", kelurahan_code=KALIAWI, geometry=False).set_index("work_id")
    assert works["ksm_group_id"].notna().all()
    for work_id, row in works.iterrows():  # each KSM a KSM of Kaliawi, its name the group's
        group = groups.loc[row["ksm_group_id"]]
        assert (group["group_type"], group["kelurahan_code"], group["name"]) == ("ksm", KALIAWI, row["ksm"]), work_id
    assert works.loc["KTK-2019-01", "ksm"] == "KSM Maju Bersama"
    # KPP Persada Lestari maintains what the 2019 BPM money built (DOMAIN.md: Kaliawi's KPP)
    bpm = works["funding"] == "BPM"
    assert set(works.loc[bpm, "kpp_group_id"]) == {"KLP-1012-KPP"}
    assert set(works.loc[bpm, "kpp"]) == {"KPP Persada Lestari"}
    assert works.loc[~bpm, "kpp_group_id"].isna().all()
    jatirangga = store.read("works", kelurahan_code=JATIRANGGA, geometry=False)
    assert set(groups.loc[jatirangga["ksm_group_id"], "kelurahan_code"]) == {JATIRANGGA}
    gardens = store.read("gardens", geometry=False)
    kaliawi_gardens = gardens[gardens["kelurahan_code"] == KALIAWI]
    assert set(kaliawi_gardens["kwt_group_id"]) == {"KLP-1012-KWT"}
    assert set(kaliawi_gardens["kwt_name"]) == {"KWT Sukawangi Sejahtera"}
    assert set(gardens.loc[gardens["kelurahan_code"] == JATIRANGGA, "kwt_group_id"]) == {"KLP-1004-KWT"}


# --- good references ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ksm", "kpp"),
    [
        ({"ksm_group_id": "KLP-1012-KSM3"}, {"kpp_group_id": "KLP-1012-KPP"}),  # ids
        ({"id_ksm": "KSM Persada Jaya"}, {"kpp": "KPP Persada Lestari"}),  # exact names
        ({"ksm_group_id": "  ksm persada-JAYA "}, {"nama_kpp": "persada lestari"}),  # as people type them
        ({"nama_ksm": "Persada Jaya"}, {}),  # today's KSM name column, resolved in a kelurahan with KSM groups
    ],
)
def test_a_work_names_its_ksm_and_kpp_by_id_or_name(demo_store: Store, tmp_path: Path, ksm: dict, kpp: dict) -> None:
    import_file(demo_store, "infrastructure", _file(tmp_path / "w.geojson", _work(**ksm, **kpp)), hash_key=HASH_KEY)
    work = demo_store.read("works", work_id="UJI-KSM-1", geometry=False).iloc[0]
    assert (work["ksm_group_id"], work["ksm"]) == ("KLP-1012-KSM3", "KSM Persada Jaya")
    if kpp:
        assert (work["kpp_group_id"], work["kpp"]) == ("KLP-1012-KPP", "KPP Persada Lestari")


@pytest.mark.parametrize(
    "props",
    [{"id_kwt": "KLP-1012-KWT"}, {"nama_kwt": "kwt sukawangi sejahtera"}, {"kwt": "Sukawangi  Sejahtera"}],
)
def test_a_garden_names_its_kwt_by_id_or_name(demo_store: Store, tmp_path: Path, props: dict) -> None:
    import_file(demo_store, "gardens", _file(tmp_path / "kebun.geojson", _garden(**props)), hash_key=HASH_KEY)
    garden = demo_store.read("gardens", garden_id="UJI-KWT-1").iloc[0]
    assert (garden["kwt_group_id"], garden["kwt_name"]) == ("KLP-1012-KWT", "KWT Sukawangi Sejahtera")


def test_files_from_before_groups_import_as_before(empty_store: Store, demo_store: Store, tmp_path: Path) -> None:
    """A kelurahan that keeps no KSM/KWT in the groups layer takes the names as written; a file
    without the KSM/KPP columns leaves the stored references as they are."""
    boundaries = DEFAULT_DATA_DIR / "boundaries" / "kaliawi_persada.geojson"
    import_file(empty_store, "boundaries", boundaries, hash_key=HASH_KEY)
    path = _file(tmp_path / "lama.geojson", _work(ksm="KSM Tanpa Kelompok"))
    import_file(empty_store, "infrastructure", path, hash_key=HASH_KEY)
    work = empty_store.read("works", work_id="UJI-KSM-1", geometry=False).iloc[0]
    assert work["ksm"] == "KSM Tanpa Kelompok"
    assert work["ksm_group_id"] is None
    import_file(empty_store, "gardens", _file(tmp_path / "kebun.geojson", _garden(kwt="KWT Lama")), hash_key=HASH_KEY)
    assert list(empty_store.read("gardens")["kwt_name"]) == ["KWT Lama"]

    before = demo_store.read("works", work_id="KTK-2019-01", geometry=False).iloc[0]
    again = _work("KTK-2019-01", jenis="jalan rabat beton", kriteria="2b", volume=before["volume"], tahun=2019,
                  sumber_dana="BPM", anggaran=int(before["budget_idr"]))  # fmt: skip
    again["geometry"] = json.loads(demo_store.read("works", work_id="KTK-2019-01").geometry.to_json(drop_id=True))[
        "features"
    ][0]["geometry"]
    import_file(demo_store, "infrastructure", _file(tmp_path / "tanpa.geojson", again), hash_key=HASH_KEY)
    after = demo_store.read("works", work_id="KTK-2019-01", geometry=False).iloc[0]
    assert (after["ksm_group_id"], after["ksm"], after["kpp_group_id"], after["kpp"]) == (
        before["ksm_group_id"],
        before["ksm"],
        before["kpp_group_id"],
        before["kpp"],
    )


# --- bad references -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("props", "field", "value", "id_words", "en_words"),
    [
        (  # no such group
            {"ksm_group_id": "KLP-TIDAK-ADA"}, "ksm_group_id", "KLP-TIDAK-ADA",
            ["tidak ada kelompok KSM 'KLP-TIDAK-ADA' di kelurahan ini"], ["no KSM group 'KLP-TIDAK-ADA'"],
        ),
        (  # a KWT is not a KSM
            {"ksm_group_id": "KLP-1012-KWT"}, "ksm_group_id", "KLP-1012-KWT",
            ["kelompok KWT Sukawangi Sejahtera adalah KWT, bukan KSM"],
            ["group KWT Sukawangi Sejahtera is a KWT, not a KSM"],
        ),
        (  # a KSM is not a KPP
            {"kpp_group_id": "KSM Maju Bersama"}, "kpp_group_id", "KSM Maju Bersama",
            ["adalah KSM, bukan KPP"], ["is a KSM, not a KPP"],
        ),
        (  # Jatirangga's KSM cannot build in Kaliawi
            {"ksm_group_id": "KLP-1004-KSM1"}, "ksm_group_id", "KLP-1004-KSM1",
            [f"terdaftar di kelurahan {JATIRANGGA}, bukan di kelurahan baris ini ({KALIAWI})"],
            [f"belongs to kelurahan {JATIRANGGA}, not to this row's kelurahan ({KALIAWI})"],
        ),
        (  # today's KSM name column, in a kelurahan that keeps its KSM as groups
            {"ksm": "KSM Salah Ketik"}, "ksm", "KSM Salah Ketik",
            ["tidak ada kelompok KSM 'KSM Salah Ketik'"], ["no KSM group 'KSM Salah Ketik'"],
        ),
    ],
)  # fmt: skip
def test_a_work_naming_a_wrong_group_is_refused(
    demo_store: Store, tmp_path: Path, props: dict, field: str, value: str, id_words: list, en_words: list
) -> None:
    path = _file(tmp_path / "w.geojson", _work("UJI-BAIK"), _work("UJI-SALAH", **props))
    _refused(
        demo_store,
        "infrastructure",
        path,
        ["baris 2", f"kolom '{field}'", value, *id_words],  # GeoJSON rows: features counted from 1
        ["row 2", f"field '{field}'", value, *en_words],
    )
    assert demo_store.read("works", where={"work_id": ["UJI-BAIK", "UJI-SALAH"]}).empty


@pytest.mark.parametrize(
    ("props", "field", "id_words"),
    [
        ({"kwt_group_id": "KLP-1012-KPP"}, "kwt_group_id", ["adalah KPP, bukan KWT"]),
        ({"kwt": "KWT Tidak Terdaftar"}, "kwt_name", ["tidak ada kelompok KWT 'KWT Tidak Terdaftar'"]),
        ({"kwt_group_id": "KLP-1004-KWT"}, "kwt_group_id", [f"terdaftar di kelurahan {JATIRANGGA}"]),
        ({}, "kwt_name", ["wajib"]),
    ],
)
def test_a_garden_naming_a_wrong_kwt_is_refused(
    demo_store: Store, tmp_path: Path, props: dict, field: str, id_words: list
) -> None:
    path = _file(tmp_path / "kebun.geojson", _garden("UJI-BAIK", kwt_group_id="KLP-1012-KWT"), _garden(**props))
    _refused(demo_store, "gardens", path, ["baris 2", f"kolom '{field}'", *id_words], ["row 2", f"field '{field}'"])


def test_a_name_shared_by_two_groups_asks_for_the_id(demo_store: Store, tmp_path: Path) -> None:
    twin = tmp_path / "kembar.csv"
    twin.write_text(
        "id_kelompok,kode_kelurahan,jenis,nama,berdiri,jumlah_anggota,kontak\n"
        f"KLP-UJI-KSM9,{KALIAWI},ksm,KSM Maju-Bersama,2019-02-01,5,ketua\n",
        encoding="utf-8",
    )
    import_file(demo_store, "groups", twin, hash_key=HASH_KEY)
    path = _file(tmp_path / "w.geojson", _work(ksm_group_id="ksm maju bersama"))
    _refused(demo_store, "infrastructure", path, ["baris 1", "KLP-1012-KSM1, KLP-UJI-KSM9", "isi id_kelompok"], [])
    import_file(demo_store, "infrastructure", _file(tmp_path / "w2.geojson", _work(ksm_group_id="KLP-UJI-KSM9")),
                hash_key=HASH_KEY)  # fmt: skip
    assert demo_store.read("works", work_id="UJI-KSM-1")["ksm"].iloc[0] == "KSM Maju-Bersama"


# --- what the public sees -------------------------------------------------------------------------


def test_work_page_shows_the_ksm_and_kpp_names(backend, demo_store: Store, tmp_path: Path) -> None:
    client = TestClient(create_app(backend.settings(location_of(demo_store), tmp_path, hash_key="x")))
    page = client.get(f"/kelurahan/{KALIAWI}/pekerjaan/KTK-2019-01").text
    assert '<span id="ksm">KSM Maju Bersama</span>' in page
    assert '<span id="kpp">KPP Persada Lestari</span>' in page
    other = client.get(f"/kelurahan/{KALIAWI}/pekerjaan/CSR-2026-01?lang=en").text
    assert 'id="kpp"' not in other  # no KPP recorded: nothing shown
    gardens = client.get(f"/api/kelurahan/{KALIAWI}/gardens").json()["features"]
    assert {f["properties"]["kwt_name"] for f in gardens} == {"KWT Sukawangi Sejahtera"}
