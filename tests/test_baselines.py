"""Slum baselines as cities publish them (KOTAKU / kawanku exports), in miniature."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
from shapely.geometry import box, mapping

from geo.criteria import PROFILE_FIELDS
from geo.errors import ValidationFailed
from geo.importer import ImportOptions, import_file, validate_file
from geo.kumuh import score
from geo.layers.kumuh import baseline_location
from geo.store import Store
from tests.conftest import HASH_KEY, location_of, run

BATU_JAYA = "36.71.03.1002"
CRIT = ["1a", "1b", "1c", "2a", "2b", "3a", "3b", "4a", "4b", "4c", "5a", "5b", "6a", "6b", "7a", "7b"]
PROFILE = dict(
    zip(PROFILE_FIELDS, (1.0, 40, 160, 50, 400.0, 500.0), strict=True)
)  # luas ha, bangunan, penduduk, KK, jalan m, drainase m
VOLUMES = dict(zip(CRIT, (30, 0.2, 10, 100, 50, 20, 0, 0.1, 300, 100, 45, 10, 50, 50, 40, 0), strict=True))


def published_row(label: str, **extra: object) -> dict:
    """A row as a kawanku export has it: names, not codes; volumes, shares as fractions, scores."""
    row = {"provinsi": "Banten", "kabkota": "Tangerang", "kecamatan": "Batuceper", "kelurahan": "Batu Jaya"}
    row["rt_label"] = label
    row.update(PROFILE)
    frame = pd.DataFrame([{**PROFILE, **{f"v_{c}": v for c, v in VOLUMES.items()}}])
    ours = score(frame).iloc[0]
    for c, v in VOLUMES.items():
        row[f"v_{c}"] = v
        row[f"p_{c}"] = ours[f"p_{c}"] / 100  # published as fractions 0-1, like the Pekalongan export
        row[f"s_{c}"] = int(ours[f"s_{c}"])
    row["total_score"], row["level"] = int(ours["total"]), ours["level"]
    row.update(extra)
    return row


def csv_file(path: Path, rows: list[dict]) -> Path:
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


@pytest.fixture
def batu_jaya(empty_store: Store, tmp_path: Path) -> Store:
    """A store with Batu Jaya's outline only: no RT polygons."""
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"kode": BATU_JAYA, "nama": "Batu Jaya"},
                "geometry": mapping(box(106.64, -6.16, 106.65, -6.15)),
            }
        ],
    }
    (tmp_path / "k.geojson").write_text(json.dumps(doc))
    import_file(empty_store, "boundaries", tmp_path / "k.geojson", hash_key=HASH_KEY)
    return empty_store


@pytest.mark.parametrize(
    ("text", "kind", "label"),
    [
        ("Bakungan - RT004-RW002", "rt", "RT 004 / RW 002"),
        ("RT 3 Lingkungan 1", "rt", "RT 003 / RW 001"),
        ("Dusun 3", "unit", "DS 003"),
        ("DUSUN TIKUNG", "area", "Dusun Tikung"),
        ("Labuhan Timur", "area", "Labuhan Timur"),
    ],
)
def test_baseline_locations_as_published(text: str, kind: str, label: str) -> None:
    loc = baseline_location(text, None, "RW")
    assert (loc.kind, loc.label) == (kind, label)


def test_published_baseline_imports_by_names_and_scores_without_polygons(
    batu_jaya: Store, tmp_path: Path, capsys
) -> None:
    rows = [published_row("Batu Jaya - RT001-RW002"), published_row("Batu Jaya - RT002-RW002")]
    path = csv_file(tmp_path / "baseline_2019.csv", rows)
    with pytest.raises(ValidationFailed) as info:  # no year column: the report says so
        import_file(batu_jaya, "kumuh", path, hash_key=HASH_KEY)
    assert [p.field for p in info.value.report.errors] == ["year"]
    result = import_file(batu_jaya, "kumuh", path, hash_key=HASH_KEY, options=ImportOptions(year=2019))
    assert result.report.ok
    assert {p.code for p in result.report.warnings} == {"kumuh.shares_fraction"}  # all published values agree
    stored = batu_jaya.read("kumuh_baseline")
    assert list(stored["location"]) == ["RT 001 / RW 002", "RT 002 / RW 002"]
    assert set(stored["kelurahan_code"]) == {BATU_JAYA}
    assert batu_jaya.read("rt").empty  # scored although no RT has a polygon
    code, out, _ = run(
        ["--store", str(location_of(batu_jaya)), "score", "--kelurahan", BATU_JAYA, "--detail", "--format", "csv"],
        capsys,
    )
    assert code == 0
    long = pd.read_csv(io.StringIO(out))
    assert len(long) == 2 * 16
    assert list(long.columns[:4]) == ["location", "location_type", "criterion", "aspect"]
    first = long[long["location"] == "RT 001 / RW 002"].set_index("criterion")
    assert first.loc["1a", "percentage"] == 75.0
    assert first.loc["1a", "score"] == 3
    assert first["kumuh_total"].nunique() == 1


def test_published_score_that_disagrees_is_listed(batu_jaya: Store, tmp_path: Path) -> None:
    row = published_row("RT001-RW002", tahun=2019)
    row["s_1a"] = 5  # we compute 3 (75.00 % < 76)
    row["p_2a"] = 0.30  # we compute 25.00 %
    row["total_score"] = row["total_score"] + 2
    path = csv_file(tmp_path / "b.csv", [row])
    result = import_file(batu_jaya, "kumuh", path, hash_key=HASH_KEY)
    differs = [
        (p.row, p.field, p.params["published"], p.params["computed"])
        for p in result.report.warnings
        if p.code == "kumuh.published_differs"
    ]
    assert (2, "s_1a", 5, 3) in differs
    shares = [(p.params["published"].text(lang), p.params["computed"].text(lang)) for lang in ("id", "en")
              for p in result.report.warnings if p.code == "kumuh.published_differs" and p.field == "p_2a"]  # fmt: skip
    assert shares == [("30,00 %", "25,00 %"), ("30.00%", "25.00%")]  # in the reader's language
    assert (2, "total_score", row["total_score"], row["total_score"] - 2) in differs
    text = result.report.render("id")
    assert "baris 2, kolom 's_1a', nilai '5': kriteria 1a: nilai terbitan 5, hitungan petakampung 3" in text
    assert "kolom 'p_2a', nilai '0.3': kriteria 2a: nilai terbitan 30,00 %, hitungan petakampung 25,00 %" in text
    assert "criterion 2a: published 30.00%, petakampung computes 25.00%" in result.report.render("en")
    assert batu_jaya.read("kumuh_baseline")["published_total"].iloc[0] == row["total_score"]


def test_dusun_level_row_is_a_location_of_its_own(batu_jaya: Store, tmp_path: Path) -> None:
    rows = [published_row("RT001-RW002", tahun=2019), published_row("DUSUN TIKUNG", tahun=2019)]
    result = import_file(batu_jaya, "kumuh", csv_file(tmp_path / "b.csv", rows), hash_key=HASH_KEY)
    [note] = [p for p in result.report.warnings if p.code == "kumuh.location_area"]
    assert (note.row, note.field, note.value) == (3, "rt", "DUSUN TIKUNG")
    stored = batu_jaya.read("kumuh_baseline").set_index("location")
    assert stored.loc["Dusun Tikung", "location_type"] == "area"
    assert pd.isna(stored.loc["Dusun Tikung", "rt_number"])  # not forced into a fake RT
    assert stored.loc["RT 001 / RW 002", "rt_number"] == 1


def test_baseline_for_an_unknown_kelurahan_name_is_refused(batu_jaya: Store, tmp_path: Path) -> None:
    row = published_row("RT001-RW002", tahun=2019, kelurahan="Batu Jauh Sekali")
    report, _ = validate_file(batu_jaya, "kumuh", csv_file(tmp_path / "b.csv", [row]), hash_key=HASH_KEY)
    assert [(p.code, p.row, p.field) for p in report.errors] == [("place.unknown_name", 2, "kelurahan_name")]
