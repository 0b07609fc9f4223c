"""Hierarchy checks on boundary imports: nesting, overlaps and gaps, with the units named."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box, mapping

from geo.errors import ValidationFailed
from geo.importer import import_file
from geo.store import Store
from tests.conftest import HASH_KEY

CODE = "36.71.03.1002"  # Batu Jaya, Kota Tangerang: not in the demo, so the store starts clean of it
X0, Y0 = 660_000.0, 9_319_000.0  # EPSG:32748 metres near Batuceper


def write(path: Path, features: list[tuple[object, dict]]) -> Path:
    gdf = gpd.GeoDataFrame([p for _, p in features], geometry=[g for g, _ in features], crs=32748).to_crs(4326)
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {k: v for k, v in rec.items() if k != "geometry" and v == v},
                "geometry": mapping(rec["geometry"]),
            }
            for rec in gdf.to_dict("records")
        ],
    }
    path.write_text(json.dumps(doc))
    return path


def square(x: float, y: float, w: float, h: float):
    return box(X0 + x, Y0 + y, X0 + x + w, Y0 + y + h)


def base(rts: list[tuple[str, str, object]]) -> list[tuple[object, dict]]:
    feats = [
        (
            square(0, 0, 200, 200),
            {"level": "kelurahan", "kelurahan_code": CODE, "name": "Batu Jaya", "unit_type": "RW"},
        ),
        (square(0, 0, 100, 200), {"level": "rw", "kelurahan_code": CODE, "rw": "RW 01"}),
        (square(100, 0, 100, 200), {"level": "rw", "kelurahan_code": CODE, "rw": "RW 02"}),
    ]
    feats += [(geom, {"level": "rt", "kelurahan_code": CODE, "rw": rw, "rt": rt}) for rw, rt, geom in rts]
    return feats


GOOD = [
    ("RW 01", "1", square(0, 0, 100, 100)),
    ("RW 01", "2", square(0, 100, 100, 100)),
    ("RW 02", "1", square(100, 0, 100, 100)),
    ("RW 02", "2", square(100, 100, 100, 100)),
]


def test_clean_boundaries_import_without_warnings(empty_store: Store, tmp_path: Path) -> None:
    result = import_file(empty_store, "boundaries", write(tmp_path / "b.geojson", base(GOOD)), hash_key=HASH_KEY)
    assert result.report.problems == []
    assert len(empty_store.read("rt")) == 4
    assert set(empty_store.read("rt")["rt_label"]) == {
        "RT 001 / RW 001",
        "RT 002 / RW 001",
        "RT 001 / RW 002",
        "RT 002 / RW 002",
    }


def test_rt_reaching_into_the_next_rw_is_named(empty_store: Store, tmp_path: Path) -> None:
    rts = [*GOOD[:3], ("RW 02", "2", square(60, 100, 140, 100))]  # 40 m into RW 01
    with pytest.raises(ValidationFailed) as info:
        import_file(empty_store, "boundaries", write(tmp_path / "b.geojson", base(rts)), hash_key=HASH_KEY)
    text = info.value.report.render("id")
    assert "RT 002 / RW 002 keluar dari RW 002 seluas 4000 m²" in text
    assert "bertumpang tindih" in text
    assert "RT 002 / RW 001" in text
    assert not empty_store.exists()


def test_gap_is_a_warning_naming_the_kelurahan(empty_store: Store, tmp_path: Path) -> None:
    result = import_file(empty_store, "boundaries", write(tmp_path / "b.geojson", base(GOOD[:3])), hash_key=HASH_KEY)
    gaps = [p for p in result.report.warnings if p.code == "place.gap"]
    assert len(gaps) == 1
    assert "Kelurahan Batu Jaya (36.71.03.1002): 10000 m² (25.0 %)" in gaps[0].render("id")


def test_small_slivers_are_tolerated(empty_store: Store, tmp_path: Path) -> None:
    rts = [("RW 01", "1", square(0, 0, 100, 100.05)), *GOOD[1:]]  # 5 m² overlap, under 10 m²
    result = import_file(empty_store, "boundaries", write(tmp_path / "b.geojson", base(rts)), hash_key=HASH_KEY)
    assert result.report.ok


def test_rts_of_a_stored_kelurahan_are_checked_against_it(empty_store: Store, tmp_path: Path) -> None:
    import_file(empty_store, "boundaries", write(tmp_path / "k.geojson", base([])), hash_key=HASH_KEY)
    far = [(square(400, 0, 50, 50), {"level": "rt", "kelurahan_code": CODE, "rw": "RW 02", "rt": "9"})]
    with pytest.raises(ValidationFailed) as info:
        import_file(empty_store, "boundaries", write(tmp_path / "r.geojson", far), hash_key=HASH_KEY)
    assert {p.code for p in info.value.report.errors} == {"place.outside"}
