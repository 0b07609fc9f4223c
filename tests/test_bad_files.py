"""The corpus in tests/data/bad/: every file is refused with a message naming the problem, in
Bahasa Indonesia and in English, and the store is byte for byte what it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.cli import main
from geo.errors import ValidationFailed
from geo.importer import import_file
from geo.store import Store, open_store
from tests.conftest import HASH_KEY

BAD = Path(__file__).parent / "data" / "bad"

# file: (layer, message code, row, field)   row None = the whole file
CASES: dict[str, tuple[str, str, int | None, str | None]] = {
    "self_intersecting_rt.geojson": ("boundaries", "geom.invalid", 1, "geometry"),
    "hole_outside_shell_rt.geojson": ("boundaries", "geom.invalid", 1, "geometry"),
    "duplicate_rt.geojson": ("boundaries", "val.duplicate", 2, "rt"),
    "rt_outside_kelurahan.geojson": ("boundaries", "place.outside", 1, "geometry"),
    "no_crs_shapefile.zip": ("facilities", "source.no_crs", None, None),
    "truncated_shapefile.zip": ("facilities", "source.zip_broken", None, None),
    "path_traversal.zip": ("facilities", "source.zip_unsafe", None, None),
    "not_a_geopackage.gpkg": ("facilities", "source.unreadable", None, None),
    "wrong_geometry_type_facility.geojson": ("facilities", "geom.type", 1, "geometry"),
    "outside_indonesia_facility.geojson": ("facilities", "geom.outside", 1, "geometry"),
    "bad_kelurahan_code_facility.geojson": ("facilities", "code.format", 1, "kelurahan_code"),
    "swapped_latlon_households.csv": ("households", "geom.swapped", 2, "geometry"),
    "unknown_rt_households.csv": ("households", "place.unknown_rt", 2, "rt"),
    "unparseable_label_households.csv": ("households", "label.format", 2, "rt"),
    "decile_out_of_range_households.csv": ("households", "val.range", 2, "decile"),
    "text_in_number_households.csv": ("households", "val.int", 2, "decile"),
    "text_in_coordinate_households.csv": ("households", "val.number", 2, "lat"),
    "unknown_kelurahan_households.csv": ("households", "place.unknown_kelurahan", 2, "kelurahan_code"),
    "unknown_choice_households.csv": ("households", "val.choice", 2, "floor"),
    "no_key_households.csv": ("households", "val.no_key", None, "no_kk"),
    "missing_decile_households.csv": ("households", "col.missing", None, "decile"),
    "non_utf8_households.csv": ("households", "source.encoding", None, None),
    "header_only_households.csv": ("households", "source.no_rows", None, None),
    "empty.csv": ("households", "source.empty", None, None),
    "negative_budget_work.geojson": ("infrastructure", "val.min", 1, "budget_idr"),
    "text_in_budget_works.csv": ("infrastructure", "val.int", 2, "budget_idr"),
    "end_before_start_work.geojson": ("infrastructure", "val.date_order", 1, "planned_end"),
    "criterion_mismatch_work.geojson": ("infrastructure", "val.criterion_for_work", 1, "criterion_id"),
    "point_road_work.geojson": ("infrastructure", "geom.type_for_work", 1, "geometry"),
    "unknown_work_progress.csv": ("infrastructure", "place.unknown_work", 2, "work_id"),
    "negative_profile_kumuh.csv": ("kumuh", "val.min", 2, "jumlah_kk"),
}


def test_corpus_is_complete() -> None:
    """Every file in the corpus has an expectation, and there are at least 15 kinds."""
    files = {p.name for p in BAD.iterdir() if p.is_file()}
    assert files == set(CASES)
    assert len({code for _, code, _, _ in CASES.values()}) >= 15


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_file_is_refused_and_store_unchanged(name: str, demo_store: Store) -> None:
    layer, code, row, field = CASES[name]
    before = demo_store.checksum()
    with pytest.raises(ValidationFailed) as info:
        import_file(demo_store, layer, BAD / name, hash_key=HASH_KEY)
    report = info.value.report
    matching = [p for p in report.errors if p.code == code]
    assert matching, report.render("en")
    problem = matching[0]
    assert (problem.row, problem.field) == (row, field)
    assert demo_store.checksum() == before
    text_id, text_en = problem.render("id"), problem.render("en")
    assert text_id != text_en
    if row is not None:
        assert f"baris {row}" in text_id
        assert f"row {row}" in text_en
    if field is not None:
        assert f"kolom '{field}'" in text_id
        assert f"field '{field}'" in text_en
    assert "/work" not in text_id
    assert "/tmp" not in text_id  # noqa: S108 - asserting its absence


@pytest.mark.parametrize("name", ["unknown_rt_households.csv", "no_crs_shapefile.zip", "empty.csv"])
def test_cli_exits_non_zero_with_report_in_both_languages(name: str, demo_settings, capsys) -> None:
    layer = CASES[name][0]
    before = open_store(demo_settings.store).checksum()
    assert main(["--store", str(demo_settings.store), "import", layer, str(BAD / name)]) == 1
    err = capsys.readouterr().err
    assert "Laporan validasi" in err
    assert "Impor dibatalkan" in err
    assert main(["--store", str(demo_settings.store), "--lang", "en", "import", layer, str(BAD / name)]) == 1
    err = capsys.readouterr().err
    assert "Validation report" in err
    assert "Import cancelled" in err
    assert open_store(demo_settings.store).checksum() == before


def test_validate_reports_every_problem_at_once(demo_settings, capsys, tmp_path: Path) -> None:
    """A file with three different problems gets all three in one report."""
    src = tmp_path / "tiga_masalah.csv"
    src.write_text(
        "no_kk,kelurahan_code,rt,desil\n"
        "1,18.71.06.1012,RT 01 LK I,12\n"
        "2,18.71.06.1012,Blok C,3\n"
        "3,18.71.6.1012,RT 01 LK I,4\n",
        encoding="utf-8",
    )
    assert main(["--store", str(demo_settings.store), "validate", "households", str(src)]) == 1
    err = capsys.readouterr().err
    assert "3 kesalahan" in err
    for needle in ("baris 2, kolom 'decile'", "baris 3, kolom 'rt'", "baris 4, kolom 'kelurahan_code'"):
        assert needle in err
