"""City-wide RT indicators: the same table as rt_indicators kelurahan by kelurahan."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal
from shapely.geometry import LineString, Point, box

from bench.synthetic_city import generate
from geo.indicators import city_rt_indicators, rt_indicators

LAYERS = ("rt", "households", "works", "gardens", "facilities")


def per_kelurahan(frames: dict[str, gpd.GeoDataFrame]) -> dict[str, pd.DataFrame]:
    out = {}
    for code in frames["rt"]["kelurahan_code"].unique():
        parts = [frames[name][frames[name]["kelurahan_code"] == code] for name in LAYERS]
        out[code] = rt_indicators(*parts)
    return out


def assert_city_equals_per_kelurahan(frames: dict[str, gpd.GeoDataFrame]) -> pd.DataFrame:
    city = city_rt_indicators(*(frames[name] for name in LAYERS))
    one_by_one = per_kelurahan(frames)
    assert len(city.table) == sum(len(r.table) for r in one_by_one.values())
    for code, result in one_by_one.items():
        rows = city.table[city.table["kelurahan_code"] == code].reset_index(drop=True)
        assert_frame_equal(rows[result.table.columns], result.table, check_exact=True)
        extra = [c for c in rows.columns if c not in result.table.columns]
        assert all(c.startswith("fac_") for c in extra)
        assert (rows[extra] == 0).all().all()
        mine = city.disagreements[city.disagreements["kelurahan_code"] == code].drop(columns="kelurahan_code")
        assert_frame_equal(mine.reset_index(drop=True), result.disagreements)
    return city.table


def test_demo_city_equals_each_kelurahan(demo_store) -> None:
    frames = {name: demo_store.read(name) for name in LAYERS}
    table = assert_city_equals_per_kelurahan(frames)
    assert table["kelurahan_code"].nunique() == 5  # the five seed kelurahan
    assert table["kk_total"].sum() == len(frames["households"])


def test_synthetic_city_equals_each_kelurahan() -> None:
    """Five kelurahan whose works cross kelurahan borders and some of whose GPS points lie far away."""
    city = generate(0.05, seed=11)
    frames = {name: getattr(city, name).to_crs(4326) for name in LAYERS}
    table = assert_city_equals_per_kelurahan(frames)
    assert table["kk_total"].sum() == len(city.households)
    assert table["road_m"].sum() > 0


X0, Y0 = 720_000.0, 9_300_000.0  # Bekasi, EPSG:32748 metres


def test_points_and_lines_count_only_in_their_own_kelurahan() -> None:
    """A household, a well and a road of kelurahan A that lie in kelurahan B's RT stay in A."""
    rt = gpd.GeoDataFrame(
        {
            "kelurahan_code": ["32.75.01.1101", "32.75.01.1102"],
            "unit_type": ["RW", "RW"],
            "unit_number": [1, 1],
            "rt_number": [1, 1],
            "rt_label": ["RT 001 / RW 001"] * 2,
        },
        geometry=[box(X0, Y0, X0 + 100, Y0 + 100), box(X0 + 100, Y0, X0 + 200, Y0 + 100)],
        crs=32748,
    )
    households = gpd.GeoDataFrame(
        {
            "kk_key": ["a", "b"],
            "kelurahan_code": ["32.75.01.1101", "32.75.01.1101"],
            "unit_type": ["RW", "RW"],
            "unit_number": [1, 1],
            "rt_number": [1, 1],
            "decile": [2, 8],
            **{
                c: [None, None] for c in ("floor", "wall", "roof", "water_source", "toilet", "lighting", "cooking_fuel")
            },
        },
        geometry=[Point(X0 + 150, Y0 + 50), Point(X0 + 50, Y0 + 50)],
        crs=32748,
    )
    works = gpd.GeoDataFrame(
        {
            "work_id": ["road", "well"],
            "kelurahan_code": ["32.75.01.1101", "32.75.01.1101"],
            "work_type": ["jalan_rabat_beton", "sumur_bor"],
            "status": ["selesai", "selesai"],
            "budget_idr": [1_000_000, 50_000],
        },
        geometry=[LineString([(X0 + 50, Y0 + 10), (X0 + 150, Y0 + 10)]), Point(X0 + 160, Y0 + 60)],
        crs=32748,
    )
    empty = gpd.GeoDataFrame({"kelurahan_code": [], "garden_id": [], "category": []}, geometry=[], crs=32748)
    table = city_rt_indicators(rt, households, works, empty, empty).table.set_index("kelurahan_code")
    a, b = table.loc["32.75.01.1101"], table.loc["32.75.01.1102"]
    assert (a["kk_total"], b["kk_total"]) == (2, 0)
    assert a["road_m"] == pytest.approx(50, abs=0.01)
    assert b["road_m"] == 0
    assert (a["wells"], b["wells"]) == (0, 0)
    assert a["works_budget_idr"] == pytest.approx(500_000, abs=2)


def test_a_household_on_the_line_between_two_rts_counts_in_its_labelled_rt() -> None:
    """What a planner sees: a GPS point exactly on the border (an edge or a shared corner) decides
    nothing, so the household stays in the RT its label names, whichever of the two that is."""
    rt = gpd.GeoDataFrame(
        {
            "kelurahan_code": ["32.75.01.1101"] * 2,
            "unit_type": ["RW", "RW"],
            "unit_number": [1, 1],
            "rt_number": [1, 2],
            "rt_label": ["RT 001 / RW 001", "RT 002 / RW 001"],
        },
        geometry=[box(X0, Y0, X0 + 100, Y0 + 100), box(X0 + 100, Y0, X0 + 200, Y0 + 100)],
        crs=32748,
    )
    on_edge, on_corner, inside_rt2 = Point(X0 + 100, Y0 + 50), Point(X0 + 100, Y0 + 100), Point(X0 + 150, Y0 + 50)
    labels_and_points = [(1, on_edge), (2, on_edge), (1, on_corner), (1, on_corner), (1, inside_rt2)]
    households = gpd.GeoDataFrame(
        {
            "kk_key": [f"k{i}" for i in range(len(labels_and_points))],
            "kelurahan_code": ["32.75.01.1101"] * len(labels_and_points),
            "unit_type": ["RW"] * len(labels_and_points),
            "unit_number": [1] * len(labels_and_points),
            "rt_number": [r for r, _ in labels_and_points],
            "decile": [3] * len(labels_and_points),
            **{
                c: [None] * len(labels_and_points)
                for c in ("floor", "wall", "roof", "water_source", "toilet", "lighting", "cooking_fuel")
            },
        },
        geometry=[p for _, p in labels_and_points],
        crs=32748,
    )
    empty = gpd.GeoDataFrame(
        {"work_id": [], "work_type": [], "status": [], "budget_idr": [], "garden_id": [], "category": []},
        geometry=[],
        crs=32748,
    )
    result = rt_indicators(rt, households, empty, empty, empty)
    assert list(result.table["kk_total"]) == [3, 2]  # RT 1: edge + two corners; RT 2: edge + the one inside it
    assert list(result.disagreements["kk_key"]) == ["k4"]  # only the point truly inside another RT
