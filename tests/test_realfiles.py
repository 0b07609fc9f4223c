"""Files as cities have them, in miniature: one regression test per defect of issue 9, and a
bad-input test for each new path (names, code table, published baselines, tolerance).

Every file is built here in a few lines, shaped like the real one it stands for."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box, mapping

from geo.errors import ValidationFailed
from geo.importer import ImportOptions, import_file, validate_file
from geo.settings import Settings
from geo.store import GpkgStore, Store, open_store
from tests.conftest import HASH_KEY, location_of, run

BATU_JAYA = "36.71.03.1002"  # Kota Tangerang: not in the demo
X0, Y0 = 660_000.0, 9_319_000.0  # EPSG:32748 metres near Batuceper


def square(x: float, y: float, w: float, h: float):
    return box(X0 + x, Y0 + y, X0 + x + w, Y0 + y + h)


def geojson(path: Path, features: list[tuple[object, dict]]) -> Path:
    gdf = gpd.GeoDataFrame([p for _, p in features], geometry=[g for g, _ in features], crs=32748).to_crs(4326)
    doc = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {k: v for k, v in r.items() if v == v}, "geometry": mapping(g)}
            for r, g in zip(gdf.drop(columns="geometry").to_dict("records"), gdf.geometry, strict=True)
        ],
    }
    path.write_text(json.dumps(doc))
    return path


KELURAHAN = (square(0, 0, 200, 200), {"kode": BATU_JAYA, "nama": "Batu Jaya"})


# --- defect 1: no RW layer -------------------------------------------------------------------------


def test_kelurahan_only_file_imports(empty_store: Store, tmp_path: Path) -> None:
    result = import_file(empty_store, "boundaries", geojson(tmp_path / "k.geojson", [KELURAHAN]), hash_key=HASH_KEY)
    assert result.report.ok
    assert list(empty_store.read("kelurahan")["kelurahan_code"]) == [BATU_JAYA]


def test_kelurahan_and_rts_without_rw_polygons_import(empty_store: Store, tmp_path: Path) -> None:
    rts = [
        (square(0, 0, 100, 200), {"kode": BATU_JAYA, "rt": "RT 001/RW 001"}),
        (square(100, 0, 100, 200), {"kode": BATU_JAYA, "rt": "RT 002/RW 001"}),
    ]
    result = import_file(
        empty_store, "boundaries", geojson(tmp_path / "b.geojson", [KELURAHAN, *rts]), hash_key=HASH_KEY
    )
    assert result.report.errors == []
    assert len(empty_store.read("rt")) == 2
    assert empty_store.read("rw").empty


# --- defect 2: a kelurahan with only its boundary ----------------------------------------------------


def test_boundary_only_kelurahan_has_a_map_and_pages(empty_store: Store, tmp_path: Path, capsys) -> None:
    from fastapi.testclient import TestClient

    from web.app import create_app

    import_file(empty_store, "boundaries", geojson(tmp_path / "k.geojson", [KELURAHAN]), hash_key=HASH_KEY)
    out = tmp_path / "peta.html"
    store = str(location_of(empty_store))
    code, _, err = run(["--store", store, "map", "--kelurahan", BATU_JAYA, "-o", str(out)], capsys)
    assert (code, err) == (0, "")
    assert "Batu Jaya" in out.read_text() or out.stat().st_size > 10_000
    client = TestClient(create_app(Settings(store=location_of(empty_store), secret_key="k" * 40)))
    for path in ("", "/peta", "/pekerjaan", "/perencanaan", "/dasbor"):
        response = client.get(f"/kelurahan/{BATU_JAYA}{path}")
        assert response.status_code == 200, path
    assert "Batu Jaya" in client.get(f"/kelurahan/{BATU_JAYA}").text
    pdf = tmp_path / "laporan.pdf"
    assert run(["--store", store, "report", "--kelurahan", BATU_JAYA, "-o", str(pdf)], capsys)[0] == 0
    assert pdf.read_bytes().startswith(b"%PDF")


# --- defect 3: common column names, nothing lost silently ---------------------------------------------


def test_kecamatan_kota_provinsi_under_common_names(empty_store: Store, tmp_path: Path) -> None:
    props = {"kode": BATU_JAYA, "nama": "Batu Jaya", "nama_kec": "Batuceper", "nama_kab": "Kota Tangerang"}
    props["nama_prov"] = "Banten"
    import_file(empty_store, "boundaries", geojson(tmp_path / "k.geojson", [(KELURAHAN[0], props)]), hash_key=HASH_KEY)
    row = empty_store.read("kelurahan").iloc[0]
    assert (row["kecamatan"], row["kota"], row["provinsi"]) == ("Batuceper", "Kota Tangerang", "Banten")


def test_missing_names_come_from_the_code_table(empty_store: Store, tmp_path: Path) -> None:
    import_file(empty_store, "boundaries", geojson(tmp_path / "k.geojson", [KELURAHAN]), hash_key=HASH_KEY)
    row = empty_store.read("kelurahan").iloc[0]
    assert (row["kecamatan"], row["kota"], row["provinsi"]) == ("Batuceper", "Kota Tangerang", "Banten")


def test_reimport_with_fewer_columns_changes_nothing_it_does_not_carry(demo_store: Store, tmp_path: Path) -> None:
    """Three works re-imported from a file without ksm, planned dates or progress keep those
    stored values; what the file does carry (a new name) is updated; every column the file has
    that no field takes is named once as dropped."""
    from geo.demo import DEFAULT_DATA_DIR

    before = demo_store.read("works").set_index("work_id")
    source = gpd.read_file(DEFAULT_DATA_DIR / "infrastructure" / "works_kaliawi_persada.geojson").head(3)
    absent = ["ksm", "planned_start", "planned_end", "progress_fisik", "progress_keuangan"]
    fewer = source.drop(columns=absent).assign(name=source["name"] + " (ganti nama)", catatan_petugas="x", OBJECTID=1)
    path = tmp_path / "pekerjaan.geojson"
    fewer.to_file(path, driver="GeoJSON")
    result = import_file(demo_store, "infrastructure", path, hash_key=HASH_KEY)
    after = demo_store.read("works").set_index("work_id")
    ids = list(source["work_id"])
    assert list(after.loc[ids, "name"]) == list(source["name"] + " (ganti nama)")
    for col in absent:
        assert after.loc[ids, col].equals(before.loc[ids, col]), col
    assert after.drop(ids).equals(before.drop(ids))
    assert after.loc[ids, "ksm"].notna().all()
    dropped = [p for p in result.report.warnings if p.code == "col.dropped"]
    assert len(dropped) == 1
    assert dropped[0].params["columns"] == "catatan_petugas, OBJECTID"
    assert "tidak diimpor (dibuang): catatan_petugas, OBJECTID" in result.report.render("id")


def test_reimported_kelurahan_without_name_columns_keeps_them(empty_store: Store, tmp_path: Path) -> None:
    props = {"kode": BATU_JAYA, "nama": "Batu Jaya", "kecamatan": "Kec. Uji", "unit_type": "Lingkungan"}
    import_file(empty_store, "boundaries", geojson(tmp_path / "a.geojson", [(KELURAHAN[0], props)]), hash_key=HASH_KEY)
    import_file(empty_store, "boundaries", geojson(tmp_path / "b.geojson", [KELURAHAN]), hash_key=HASH_KEY)
    row = empty_store.read("kelurahan").iloc[0]
    assert (row["kecamatan"], row["unit_type"]) == ("Kec. Uji", "Lingkungan")


# --- defect 4: the household key file ------------------------------------------------------------------


def test_key_file_only_when_households_are_written(demo_gpkg: GpkgStore, tmp_path: Path, capsys) -> None:
    """GeoPackage: the key file sits beside the store (PostGIS names it: PETAKAMPUNG_HASH_KEY_FILE)."""
    from tests.conftest import KALIAWI

    store = tmp_path / "s.gpkg"
    key = store.with_suffix(".key")
    bad = tmp_path / "kk.csv"
    bad.write_text(f"no_kk,kode_kelurahan,rt,desil\n123,{KALIAWI},RT 01/LK I,11\n")
    code, _, _ = run(["--store", str(store), "import", "households", str(bad)], capsys)
    assert code == 1
    assert not key.exists()
    code, _, _ = run(["--store", str(store), "import", "boundaries", str(tmp_path / "none.geojson")], capsys)
    assert not key.exists()
    demo = demo_gpkg.path
    demo.with_suffix(".key").unlink(missing_ok=True)
    good = tmp_path / "kk_ok.csv"
    good.write_text(f"no_kk,kode_kelurahan,rt,desil\n123,{KALIAWI},RT 01/LK I,2\n")
    assert run(["--store", str(demo), "import", "households", str(good)], capsys)[0] == 0
    assert demo.with_suffix(".key").exists()
    assert oct(demo.with_suffix(".key").stat().st_mode)[-3:] == "600"


# --- defect 5: spreadsheet rows after a blank row ------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_row_numbers_count_blank_rows(fmt: str, demo_store: Store, tmp_path: Path) -> None:
    from tests.conftest import KALIAWI

    rows = [
        {"no_kk": "1", "kode_kelurahan": KALIAWI, "rt": "RT 01/LK I", "desil": "2"},
        {"no_kk": None, "kode_kelurahan": None, "rt": None, "desil": None},  # spreadsheet row 3 is blank
        {"no_kk": "3", "kode_kelurahan": KALIAWI, "rt": "RT 01/LK I", "desil": "12"},  # row 4: bad decile
    ]
    frame = pd.DataFrame(rows)
    path = tmp_path / f"kk.{fmt}"
    if fmt == "csv":
        path.write_text(frame.to_csv(index=False).replace(",,,\n", "\n"))
    else:
        frame.to_excel(path, index=False)
    with pytest.raises(ValidationFailed) as info:
        import_file(demo_store, "households", path, hash_key=HASH_KEY)
    assert [(p.row, p.field) for p in info.value.report.errors] == [(4, "decile")]


# --- GeoParquet, several files, --layer, --within ------------------------------------------------------


def test_geoparquet_parts_import_as_one(empty_store: Store, tmp_path: Path) -> None:
    a = gpd.GeoDataFrame({"kode": [BATU_JAYA], "nama": ["Batu Jaya"]}, geometry=[KELURAHAN[0]], crs=32748)
    b = gpd.GeoDataFrame(
        {"kode": ["36.71.03.1003"], "nama": ["Batuceper"]}, geometry=[square(200, 0, 200, 200)], crs=32748
    )
    a.to_crs(4326).to_parquet(tmp_path / "part1.parquet")
    b.to_crs(4326).to_parquet(tmp_path / "part2.parquet")
    paths = [tmp_path / "part1.parquet", tmp_path / "part2.parquet"]
    result = import_file(empty_store, "boundaries", paths, hash_key=HASH_KEY)
    assert result.total.inserted == 2
    within = import_file(
        open_store(tmp_path / "w.gpkg"),
        "boundaries",
        paths,
        hash_key=HASH_KEY,
        options=ImportOptions(within="36.71.03.1003"),
    )
    assert within.total.inserted == 1
    assert [p.code for p in within.report.warnings] == ["import.within"]


def test_layer_option_picks_geopackage_layers(empty_store: Store, tmp_path: Path) -> None:
    path = tmp_path / "multi.gpkg"
    gpd.GeoDataFrame({"kode": [BATU_JAYA], "nama": ["Batu Jaya"]}, geometry=[KELURAHAN[0]], crs=32748).to_file(
        path, layer="kelurahan_uji"
    )
    gpd.GeoDataFrame({"nama": ["x"]}, geometry=[square(0, 0, 50, 50)], crs=32748).to_file(path, layer="sungai")
    with pytest.raises(ValidationFailed):
        import_file(empty_store, "boundaries", path, hash_key=HASH_KEY)
    result = import_file(
        empty_store, "boundaries", path, hash_key=HASH_KEY, options=ImportOptions(layers=("kelurahan_uji",))
    )
    assert result.total.inserted == 1
    report, _ = validate_file(
        empty_store, "boundaries", path, hash_key=HASH_KEY, options=ImportOptions(layers=("tidak_ada",))
    )
    assert [p.code for p in report.errors] == ["source.layers"]


# --- names and the code table ---------------------------------------------------------------------------


def _named(tmp_path: Path, **props: str) -> Path:
    return geojson(tmp_path / "nama.geojson", [(KELURAHAN[0], props)])


@pytest.mark.parametrize(
    "props",
    [
        {"nama": "KEL. BATU JAYA", "kecamatan": "Batuceper", "kota": "Kota Tangerang"},
        {"desa": "Batujaya", "kec": "KEC. BATUCEPER"},
        {"kelurahan": "Batu Jâya", "kabupaten_kota": "KOTA TANGERANG"},
    ],
)
def test_kelurahan_given_by_names_gets_its_code(props: dict, empty_store: Store, tmp_path: Path) -> None:
    result = import_file(empty_store, "boundaries", _named(tmp_path, **props), hash_key=HASH_KEY)
    assert result.report.ok
    row = empty_store.read("kelurahan").iloc[0]
    assert (row["kelurahan_code"], row["name"], row["kecamatan"]) == (BATU_JAYA, "Batu Jaya", "Batuceper")


def test_ambiguous_kelurahan_name_lists_candidate_codes(empty_store: Store, tmp_path: Path) -> None:
    report, _ = validate_file(empty_store, "boundaries", _named(tmp_path, nama="Sukamaju"), hash_key=HASH_KEY)
    [problem] = report.errors
    assert (problem.code, problem.row, problem.field, problem.value) == ("place.ambiguous", 1, "name", "Sukamaju")
    text = problem.render("id")
    assert "lebih dari satu wilayah" in text
    assert "11.02.02.2015 Suka Maju" in text  # candidates with their codes


def test_unknown_kelurahan_name_names_the_closest(empty_store: Store, tmp_path: Path) -> None:
    props = {"nama": "Batu Jayyyya Raya", "kecamatan": "Batuceper", "kota": "Kota Tangerang"}
    report, _ = validate_file(empty_store, "boundaries", _named(tmp_path, **props), hash_key=HASH_KEY)
    [problem] = report.errors
    assert problem.code == "place.unknown_name"
    assert f"{BATU_JAYA} Batu Jaya" in problem.render("en")
    assert not empty_store.exists()


def test_wilayah_cari(capsys) -> None:
    code, out, _ = run(["wilayah", "cari", "Kaliawi", "Persada"], capsys)
    assert code == 0
    assert "18.71.06.1012 Kaliawi Persada (Tanjungkarang Pusat, Kota Bandar Lampung, Lampung)" in out
    code, out, _ = run(["--lang", "en", "wilayah", "cari", "Kota Pekalongan"], capsys)
    assert out.splitlines()[0].startswith("33.75 Kota Pekalongan")
    code, _, err = run(["wilayah", "cari", "Qqqqqqqq"], capsys)
    assert code == 1
    assert "tidak ada wilayah bernama 'Qqqqqqqq'" in err


# --- hierarchy: tolerance, gaps, one pass ----------------------------------------------------------------


def _rw_file(tmp_path: Path, rw2, extra: list | None = None) -> Path:
    feats = [
        (square(0, 0, 200, 200), {"level": "kelurahan", "kode": BATU_JAYA, "nama": "Batu Jaya"}),
        (square(0, 0, 100, 200), {"level": "rw", "kode": BATU_JAYA, "rw": "RW 01"}),
        (rw2, {"level": "rw", "kode": BATU_JAYA, "rw": "RW 02"}),
        *(extra or []),
    ]
    return geojson(tmp_path / "rw.geojson", feats)


@pytest.mark.parametrize(("width", "ok"), [(2.8, True), (3.2, False)])
def test_overlap_just_under_and_over_the_tolerance(width: float, ok: bool, empty_store: Store, tmp_path: Path) -> None:
    path = _rw_file(tmp_path, square(100 - width, 0, 100 + width, 200))  # RW 02 reaches `width` m into RW 01
    report, _ = validate_file(empty_store, "boundaries", path, hash_key=HASH_KEY, options=ImportOptions(tolerance_m=3))
    codes = {p.code for p in report.problems}
    assert report.ok is ok
    assert ("place.overlap_sliver" if ok else "place.overlap") in codes
    problem = next(p for p in report.problems if p.code.startswith("place.overlap"))
    assert problem.params["area_m2"] == round(width * 200)
    assert float(problem.params["width_m"]) == pytest.approx(width, abs=0.2)
    # the same file with a wider tolerance is fine
    wide, _ = validate_file(empty_store, "boundaries", path, hash_key=HASH_KEY, options=ImportOptions(tolerance_m=5))
    assert wide.ok


@pytest.mark.parametrize(("width", "ok"), [(2.5, True), (3.5, False)])
def test_rw_outside_its_kelurahan_just_under_and_over(
    width: float, ok: bool, empty_store: Store, tmp_path: Path
) -> None:
    path = _rw_file(tmp_path, square(100, 0, 100 + width, 200))
    report, _ = validate_file(empty_store, "boundaries", path, hash_key=HASH_KEY)
    assert report.ok is ok
    [problem] = [p for p in report.problems if p.code.startswith("place.outside")]
    assert problem.code == ("place.outside_sliver" if ok else "place.outside")
    assert problem.row == 3


def test_gap_in_rw_coverage_is_a_warning_with_its_area(empty_store: Store, tmp_path: Path) -> None:
    report, _ = validate_file(empty_store, "boundaries", _rw_file(tmp_path, square(100, 0, 60, 200)), hash_key=HASH_KEY)
    assert report.ok
    [gap] = [p for p in report.warnings if p.code == "place.gap_rw"]
    assert gap.params["area_m2"] == 8000
    assert "8000 m² (20.0 %) tidak tercakup RW mana pun" in gap.render("id")


def test_row_errors_and_hierarchy_problems_in_one_report(empty_store: Store, tmp_path: Path) -> None:
    bad_row = (square(0, 0, 50, 50), {"level": "rw", "kode": "99.99.99.9999", "rw": "RW 03"})
    path = _rw_file(tmp_path, square(60, 0, 140, 200), [bad_row])  # RW 02 overlaps RW 01 by 40 m, and a bad code
    report, _ = validate_file(empty_store, "boundaries", path, hash_key=HASH_KEY)
    codes = {p.code for p in report.errors}
    assert {"code.province", "place.overlap"} <= codes


def test_neighbouring_kelurahan_overlap_is_a_warning(empty_store: Store, tmp_path: Path) -> None:
    other = (square(190, 0, 200, 200), {"kode": "36.71.03.1003", "nama": "Batuceper"})  # 10 m into Batu Jaya
    result = import_file(
        empty_store, "boundaries", geojson(tmp_path / "k.geojson", [KELURAHAN, other]), hash_key=HASH_KEY
    )
    [overlap] = [p for p in result.report.warnings if p.code == "place.overlap_neighbour"]
    assert overlap.params["area_m2"] == 2000
    assert len(empty_store.read("kelurahan")) == 2


def test_skip_errors_imports_the_rest_and_lists_what_was_left_out(empty_store: Store, tmp_path: Path) -> None:
    bad_row = (square(0, 0, 50, 50), {"level": "rw", "kode": BATU_JAYA, "rw": "RW 1a"})
    path = _rw_file(tmp_path, square(100, 0, 100, 200), [bad_row])
    result = import_file(empty_store, "boundaries", path, hash_key=HASH_KEY, options=ImportOptions(skip_errors=True))
    assert result.report.ok
    assert result.report.warnings[0].code == "import.skipped"
    assert any(p.code == "label.unit_format" and p.row == 4 for p in result.report.warnings)
    assert sorted(empty_store.read("rw")["unit_number"]) == [1, 2]


def test_named_area_in_an_rw_layer_is_left_out_with_a_warning(empty_store: Store, tmp_path: Path) -> None:
    park = (square(150, 150, 40, 40), {"level": "rw", "kode": BATU_JAYA, "rw": "Kawasan Industri"})
    result = import_file(
        empty_store, "boundaries", _rw_file(tmp_path, square(100, 0, 100, 200), [park]), hash_key=HASH_KEY
    )
    [note] = [p for p in result.report.warnings if p.code == "boundaries.no_unit"]
    assert (note.row, note.params["area_m2"]) == (4, 1600)
    assert len(empty_store.read("rw")) == 2
