"""Importing real files of every supported format, idempotently, without keeping personal data."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely
from shapely.geometry import Point

from geo.demo import DEFAULT_DATA_DIR
from geo.errors import ValidationFailed
from geo.importer import import_file
from geo.store import Store
from tests.conftest import HASH_KEY, KALIAWI, stored_bytes

# Three facilities inside Kaliawi Persada, with short column names a Shapefile can keep.
POINTS = [(105.2428, -5.4140), (105.2431, -5.4137), (105.2425, -5.4143)]


def facilities_frame() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "kode_fas": ["T-1", "T-2", "T-3"],
            "kode_kel": [KALIAWI] * 3,
            "nama": ["Posyandu Uji", "Pos Ronda Uji", "Bank Sampah Uji"],
            "kategori": ["Posyandu", "Pos Kamling", "bank sampah"],
            "program": ["Kampung KB", "Kampung Tangguh", "KOTAKU"],
        },
        geometry=[Point(xy) for xy in POINTS],
        crs=4326,
    )


def write_format(frame: gpd.GeoDataFrame, tmp_path: Path, fmt: str) -> Path:
    if fmt == "geojson":
        path = tmp_path / "f.geojson"
        frame.to_file(path, driver="GeoJSON")
    elif fmt == "gpkg":
        path = tmp_path / "f.gpkg"
        frame.to_file(path, driver="GPKG", layer="fasilitas")
    elif fmt == "gpkg-utm":
        path = tmp_path / "f.gpkg"
        frame.to_crs(32748).to_file(path, driver="GPKG", layer="fasilitas")
    elif fmt == "shp-zip":
        import zipfile

        folder = tmp_path / "shp"
        folder.mkdir()
        frame.to_crs(32748).to_file(folder / "fasilitas.shp")
        path = tmp_path / "f.zip"
        with zipfile.ZipFile(path, "w") as zf:
            for part in folder.iterdir():
                zf.write(part, part.name)
    elif fmt == "kml":
        path = tmp_path / "f.kml"
        pyogrio.write_dataframe(frame, path, driver="KML")
    elif fmt in ("csv", "csv-semicolon", "xlsx"):
        table = pd.DataFrame(frame.drop(columns="geometry"))
        table["lintang"], table["bujur"] = frame.geometry.y, frame.geometry.x
        if fmt == "xlsx":
            path = tmp_path / "f.xlsx"
            table.to_excel(path, index=False)
        else:
            path = tmp_path / "f.csv"
            table.to_csv(path, index=False, sep=";" if fmt == "csv-semicolon" else ",")
    else:
        raise AssertionError(fmt)
    return path


@pytest.mark.parametrize("fmt", ["geojson", "gpkg", "gpkg-utm", "shp-zip", "kml", "csv", "csv-semicolon", "xlsx"])
def test_facilities_import_from_every_format(fmt: str, demo_store: Store, tmp_path: Path) -> None:
    path = write_format(facilities_frame(), tmp_path, fmt)
    result = import_file(demo_store, "facilities", path, hash_key=HASH_KEY)
    assert result.report.ok
    stored = demo_store.read("facilities", kelurahan_code=KALIAWI)
    mine = stored[stored["name"].str.endswith("Uji")].sort_values("name")
    assert list(mine["category"]) == ["bank_sampah", "pos_ronda", "posyandu"]
    assert list(mine["programme"]) == ["KOTAKU", "Kampung Tangguh", "Kampung KB"]
    # reprojected back to lon/lat within a centimetre, whatever the file's CRS was
    got = sorted((round(p.x, 6), round(p.y, 6)) for p in mine.geometry)
    assert got == sorted((round(x, 6), round(y, 6)) for x, y in POINTS)


def test_declared_crs_for_projected_csv(demo_store: Store, tmp_path: Path) -> None:
    frame = facilities_frame().to_crs(32748)
    table = pd.DataFrame(frame.drop(columns="geometry"))
    table["x"], table["y"] = frame.geometry.x, frame.geometry.y
    path = tmp_path / "utm.csv"
    table.to_csv(path, index=False)
    import_file(demo_store, "facilities", path, hash_key=HASH_KEY, crs="EPSG:32748")
    stored = demo_store.read("facilities")
    point = stored[stored["name"] == "Posyandu Uji"].geometry.iloc[0]
    assert (round(point.x, 6), round(point.y, 6)) == (105.2428, -5.414)


def test_reimport_is_idempotent_and_changes_are_updates(demo_store: Store, tmp_path: Path) -> None:
    path = write_format(facilities_frame(), tmp_path, "geojson")
    first = import_file(demo_store, "facilities", path, hash_key=HASH_KEY).total
    assert (first.inserted, first.updated) == (3, 0)
    checksum = demo_store.checksum()
    again = import_file(demo_store, "facilities", path, hash_key=HASH_KEY).total
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 3)
    assert demo_store.checksum() == checksum  # not one byte written
    changed = facilities_frame()
    changed.loc[0, "nama"] = "Posyandu Uji Baru"
    (tmp_path / "second").mkdir()
    path2 = write_format(changed, tmp_path / "second", "geojson")
    third = import_file(demo_store, "facilities", path2, hash_key=HASH_KEY).total
    assert (third.inserted, third.updated, third.unchanged) == (0, 1, 2)
    log = demo_store.read("pk_import_log")
    assert list(log["layer"].tail(2)) == ["facilities", "facilities"]


def test_demo_store_holds_no_names_or_kk_numbers(demo_source) -> None:
    """The demo CSVs carry synthetic names and KK numbers; the store must hold neither."""
    from geo.store import open_store

    raw = stored_bytes(open_store(demo_source))
    source = pd.read_csv(DEFAULT_DATA_DIR / "households" / "households_kaliawi_persada.csv", dtype=str)
    assert b"Warga Contoh" not in raw
    for kk in source["no_kk"].head(50):
        assert kk.encode() not in raw
    stored = open_store(demo_source).read("households")
    assert set(stored.columns) >= {"kk_key", "decile", "rt_number"}
    assert not {"nik", "no_kk", "nama", "nama_kepala_keluarga"} & set(stored.columns)
    assert stored["kk_key"].str.fullmatch(r"[0-9a-f]{32}").all()


def test_household_reimport_matches_by_keyed_hash(demo_store: Store, tmp_path: Path) -> None:
    src = tmp_path / "kk.csv"
    src.write_text(
        "no_kk;nama;kode_kelurahan;rt;desil\n1871069999000001;Ibu Uji;18.71.06.1012;RT 03 / LK I;2\n", encoding="utf-8"
    )
    assert import_file(demo_store, "households", src, hash_key=HASH_KEY).total.inserted == 1
    src.write_text(src.read_text().replace(";2\n", ";5\n"))
    total = import_file(demo_store, "households", src, hash_key=HASH_KEY).total
    assert (total.inserted, total.updated) == (0, 1)
    # another key makes another hash: without the key a re-import cannot match
    assert import_file(demo_store, "households", src, hash_key=b"other").total.inserted == 1


def test_point_and_label_disagreement_is_a_warning(demo_store: Store, tmp_path: Path) -> None:
    rt = demo_store.read("rt", kelurahan_code=KALIAWI)
    inside_rt2 = rt[(rt["unit_number"] == 1) & (rt["rt_number"] == 2)].geometry.iloc[0].representative_point()
    src = tmp_path / "kk.csv"
    src.write_text(
        "no_kk,kelurahan_code,rt,desil,lat,lon\n"
        f"1871069999000002,{KALIAWI},RT 1 LK 1,3,{inside_rt2.y},{inside_rt2.x}\n",
        encoding="utf-8",
    )
    result = import_file(demo_store, "households", src, hash_key=HASH_KEY)
    warning = [p for p in result.report.warnings if p.code == "place.point_label"]
    assert len(warning) == 1
    assert "RT 002 / LK 001" in warning[0].render("id")
    assert "RT 001 / LK 001" in warning[0].render("id")


def test_a_point_on_the_border_of_its_own_rt_is_no_disagreement(demo_store: Store, tmp_path: Path) -> None:
    """The import warns by the indicators' rule: on the line between two RTs a point is in neither
    RT, so the household's label stands and there is nothing to warn about."""
    rt = demo_store.read("rt", kelurahan_code=KALIAWI).set_index(["unit_number", "rt_number"]).geometry
    shared = rt[(1, 1)].boundary.intersection(rt[(1, 2)].boundary)
    lon, lat = (float(v) for v in shapely.get_coordinates(shared)[0])  # a vertex both RTs have
    src = tmp_path / "kk.csv"
    src.write_text(
        "no_kk,kelurahan_code,rt,desil,lat,lon\n"
        f"1871069999000004,{KALIAWI},RT 1 LK 1,3,{lat!r},{lon!r}\n"
        f"1871069999000005,{KALIAWI},RT 2 LK 1,3,{lat!r},{lon!r}\n",
        encoding="utf-8",
    )
    result = import_file(demo_store, "households", src, hash_key=HASH_KEY)
    assert result.report.ok
    assert not [p for p in result.report.warnings if p.code.startswith("place.point")]


def test_works_progress_history_needs_known_works(demo_store: Store, tmp_path: Path) -> None:
    src = tmp_path / "progress.csv"
    src.write_text("work_id,tanggal,fisik,keuangan\nCSR-2026-01,2026-11-20,60,55\n", encoding="utf-8")
    import_file(demo_store, "infrastructure", src, hash_key=HASH_KEY)
    from geo.queries import load_kelurahan

    works = load_kelurahan(demo_store, KALIAWI).works
    assert works.set_index("work_id").loc["CSR-2026-01", "progress_fisik"] == 60.0


def test_unit_type_mismatch_is_a_warning_not_an_error(demo_store: Store, tmp_path: Path) -> None:
    src = tmp_path / "kk.csv"
    src.write_text(f"no_kk,kelurahan_code,rt,desil\n1871069999000003,{KALIAWI},RT 02 RW 01,3\n", encoding="utf-8")
    result = import_file(demo_store, "households", src, hash_key=HASH_KEY)
    assert [p.code for p in result.report.warnings if p.code == "place.unit_type"] == ["place.unit_type"]


def test_an_import_with_one_bad_row_writes_nothing(demo_store: Store, tmp_path: Path) -> None:
    before = demo_store.checksum()
    frame = facilities_frame()
    frame.loc[2, "program"] = "Program Tidak Ada"
    path = write_format(frame, tmp_path, "geojson")
    with pytest.raises(ValidationFailed):
        import_file(demo_store, "facilities", path, hash_key=HASH_KEY)
    assert demo_store.checksum() == before


def test_long_imports_report_progress(demo_store: Store) -> None:
    """What the CLI's progress bar is fed: each stage climbs to its total."""
    seen: dict[str, list[tuple[int, int]]] = {}
    path = DEFAULT_DATA_DIR / "households" / "households_jatirangga.csv"
    import_file(
        demo_store,
        "households",
        path,
        hash_key=HASH_KEY,
        progress=lambda stage, done, total: seen.setdefault(stage, []).append((done, total)),
    )
    for stage in ("stage.validate", "stage.write"):
        done = [d for d, _ in seen[stage]]
        assert done == sorted(done)
        assert len(done) > 3
        assert seen[stage][-1][0] == seen[stage][-1][1] == 3600
