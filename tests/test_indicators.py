"""RT indicators: tiny frames built in code, and the demo data end to end."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString, Point, box

from geo.indicators import public_indicators, rt_indicators
from geo.queries import indicators, load_kelurahan
from geo.store import open_store
from tests.conftest import JATIRANGGA, KALIAWI

X0, Y0 = 530_000.0, 9_401_000.0  # a spot in Bandar Lampung, EPSG:32748 metres


def utm(geoms: list, **cols) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(cols, geometry=geoms, crs=32748).to_crs(4326)


@pytest.fixture
def two_rts() -> gpd.GeoDataFrame:
    return utm(
        [box(X0, Y0, X0 + 100, Y0 + 100), box(X0 + 100, Y0, X0 + 200, Y0 + 100)],
        kelurahan_code=["18.71.06.1012"] * 2,
        unit_type=["Lingkungan"] * 2,
        unit_number=[1, 1],
        rt_number=[1, 2],
        rt_label=["RT 001 / LK 001", "RT 002 / LK 001"],
    )


def households(rows: list[tuple[int, int, object]]) -> gpd.GeoDataFrame:
    """(rt_number by label, decile, point or None) per household."""
    pts = [p for _, _, p in rows]
    frame = utm(
        [p if p is not None else None for p in pts],
        kk_key=[f"k{i}" for i in range(len(rows))],
        kelurahan_code=["18.71.06.1012"] * len(rows),
        unit_type=["Lingkungan"] * len(rows),
        unit_number=[1] * len(rows),
        rt_number=[r for r, _, _ in rows],
        decile=[d for _, d, _ in rows],
    )
    for col in ("floor", "wall", "roof", "water_source", "toilet", "lighting", "cooking_fuel"):
        frame[col] = "tanah" if col == "floor" else None
    return frame


def empty(kind: str) -> gpd.GeoDataFrame:
    cols = {
        "works": ["work_id", "work_type", "status", "budget_idr"],
        "gardens": ["garden_id"],
        "facilities": ["category"],
    }[kind]
    return gpd.GeoDataFrame({c: [] for c in cols}, geometry=gpd.GeoSeries([], crs=4326))


def test_lines_are_split_at_rt_boundaries_and_budget_follows_length(two_rts) -> None:
    road = LineString([(X0 + 50, Y0 + 50), (X0 + 150, Y0 + 50)])  # 50 m in each RT
    drain = LineString([(X0 + 10, Y0 + 10), (X0 + 10, Y0 + 90)])  # 80 m in RT 1
    well = Point(X0 + 150, Y0 + 20)
    works = utm(
        [road, drain, well],
        work_id=["a", "b", "c"],
        work_type=["jalan_rabat_beton", "drainase", "sumur_bor"],
        status=["selesai", "berjalan", "selesai"],
        budget_idr=[1_000_000, 400_000, 90_000],
    )
    table = rt_indicators(two_rts, households([]), works, empty("gardens"), empty("facilities")).table
    rt1, rt2 = table.iloc[0], table.iloc[1]
    assert rt1["road_m"] == pytest.approx(50, abs=0.01)
    assert rt2["road_m"] == pytest.approx(50, abs=0.01)
    assert rt1["drainage_m"] == pytest.approx(80, abs=0.01)
    assert rt2["drainage_m"] == 0
    assert (rt1["wells"], rt2["wells"]) == (0, 1)
    assert rt1["works_budget_idr"] == pytest.approx(500_000 + 400_000, abs=2)
    assert rt2["works_budget_idr"] == pytest.approx(500_000 + 90_000, abs=2)


def test_cancelled_works_are_not_counted(two_rts) -> None:
    works = utm(
        [LineString([(X0 + 10, Y0 + 10), (X0 + 90, Y0 + 10)])],
        work_id=["x"],
        work_type=["drainase"],
        status=["batal"],
        budget_idr=[5],
    )
    table = rt_indicators(two_rts, households([]), works, empty("gardens"), empty("facilities")).table
    assert table["drainage_m"].sum() == 0


def test_households_placed_by_point_else_label(two_rts) -> None:
    rows = [
        (1, 2, None),
        (1, 7, None),
        (1, 3, Point(X0 + 20, Y0 + 20)),
        (1, 1, Point(X0 + 160, Y0 + 60)),  # labelled RT 1, standing in RT 2
        (2, 9, Point(X0 + 500, Y0 + 500)),
    ]  # point outside every RT: label wins
    result = rt_indicators(two_rts, households(rows), empty("works"), empty("gardens"), empty("facilities"))
    table = result.table
    assert list(table["kk_total"]) == [3, 2]
    assert list(table["kk_poor"]) == [2, 1]
    assert table["poor_share"].iloc[0] == pytest.approx(2 / 3, abs=1e-4)
    assert list(table["kk_earth_floor"]) == [3, 2]
    assert len(result.disagreements) == 1
    assert result.disagreements.iloc[0]["point_rt"] == "RT 002 / LK 001"


def test_garden_area_and_share(two_rts) -> None:
    gardens = utm(
        [box(X0 + 10, Y0 + 10, X0 + 20, Y0 + 20), box(X0 + 95, Y0 + 10, X0 + 105, Y0 + 20)], garden_id=["g1", "g2"]
    )
    table = rt_indicators(two_rts, households([]), empty("works"), gardens, empty("facilities")).table
    assert table["garden_m2"].iloc[0] == pytest.approx(150, abs=0.5)
    assert table["garden_m2"].iloc[1] == pytest.approx(50, abs=0.5)
    assert table["garden_share"].iloc[0] == pytest.approx(0.015, abs=1e-4)


def test_facilities_counted_by_category(two_rts) -> None:
    facilities = utm(
        [Point(X0 + 5, Y0 + 5), Point(X0 + 6, Y0 + 6), Point(X0 + 150, Y0 + 50)],
        category=["posyandu", "posyandu", "pos_ronda"],
    )
    table = rt_indicators(two_rts, households([]), empty("works"), empty("gardens"), facilities).table
    assert list(table["fac_posyandu"]) == [2, 0]
    assert list(table["fac_pos_ronda"]) == [0, 1]


@pytest.mark.parametrize("code", [KALIAWI, JATIRANGGA])
def test_demo_kk_sum_equals_households_in_rts(demo_source, code: str) -> None:
    store = open_store(demo_source)
    table = indicators(store, code, public=False).table
    assert table["kk_total"].sum() == len(store.read("households", kelurahan_code=code))


@pytest.mark.parametrize("code", [KALIAWI, JATIRANGGA])
def test_demo_road_and_drainage_sum_to_works_inside_kelurahan(demo_source, code: str) -> None:
    """Per-RT metres add up to the length of those works inside the kelurahan, within 1 m."""
    store = open_store(demo_source)
    data = load_kelurahan(store, code)
    table = indicators(store, code, public=False).table
    lines = data.works[
        data.works["work_type"].isin(["jalan_rabat_beton", "jalan_paving", "drainase"])
        & (data.works["status"] != "batal")
    ]
    metric = data.rt.estimate_utm_crs()
    kel = data.kelurahan.to_crs(metric).geometry.iloc[0]
    inside = lines.to_crs(metric).geometry.intersection(kel).length.sum()
    assert inside > 500
    assert table["road_m"].sum() + table["drainage_m"].sum() == pytest.approx(inside, abs=1.0)


def test_demo_jatirangga_has_910_poor_of_3600(demo_source) -> None:
    table = indicators(open_store(demo_source), JATIRANGGA, public=False).table
    assert (table["kk_total"].sum(), table["kk_poor"].sum()) == (3600, 910)


def test_public_table_of_demo_has_no_small_counts(demo_source) -> None:
    for code in (KALIAWI, JATIRANGGA):
        table = indicators(open_store(demo_source), code, public=True).table
        counts = table.filter(regex="^kk_").to_numpy(dtype=float)
        assert not ((counts < 5) & ~np.isnan(counts)).any()


def test_public_indicators_hide_small_rt() -> None:
    table = pd.DataFrame(
        {
            "kelurahan_code": ["a"] * 3,
            "kk_total": [3, 40, 50],
            "kk_poor": [1, 20, 25],
            "poor_share": [1 / 3, 0.5, 0.5],
            **{
                c: [0, 10, 10]
                for c in (
                    "kk_earth_floor",
                    "kk_poor_wall",
                    "kk_poor_roof",
                    "kk_unsafe_water",
                    "kk_no_own_toilet",
                    "kk_no_pln_power",
                    "kk_wood_fuel",
                )
            },
            **{
                c: [0.0, 0.25, 0.2]
                for c in (
                    "share_earth_floor",
                    "share_poor_wall",
                    "share_poor_roof",
                    "share_unsafe_water",
                    "share_no_own_toilet",
                    "share_no_pln_power",
                    "share_wood_fuel",
                )
            },
        }
    )
    out = public_indicators(table, k=5)
    assert out["kk_total"].isna().iloc[0]
    assert out["poor_share"].isna().iloc[0]
    assert out["kk_total"].isna().sum() >= 2  # the second-smallest RT hides too, or RT 1 = total - others
