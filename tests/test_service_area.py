"""Walking distances along a road network checked against a network computed by hand.

The test network, in metres (UTM zone 48S, offset from X0, Y0)::

        (0,100) ======================= C ======================== (800,100)
                                  |  (B crosses C at (400,100) without a shared vertex:
                                  B   a flyover, so C is NOT connected to A or B)
        (0,0) ------- A1 ------ (400,0) -------- A2 ------- (800,0)
        F posyandu at (0,-10): 10 m off the road, joins A1 at its start (0,0)
        B runs from (400,0) up to (400,300)

Households, where each joins the road, and the walk worked out by hand:

    H1 (300,5)    -> A1 at 300 m, 5 m off:  5 + 300 + 10             = 315 m  (straight 300.37)
    H2 (405,290)  -> B  at 290 m, 5 m off:  5 + 290 + 400 + 10       = 705 m  (straight 504.01)
    H3 (410,200)  -> B  at 200 m, 10 m off: 10 + 200 + 400 + 10      = 620 m  (straight 460.65)
    H4 (100,95)   -> C (5 m away, nearer than A1 at 95 m): C is cut off -> unreachable (straight 145.00)
    H5 (600,-20)  -> A2 at 200 m, 20 m off: 20 + 200 + 400 + 10      = 630 m  (straight 600.08)
    H6 (50,-5)    -> A1 at 50 m, the facility's own edge: 5 + 50 + 10 = 65 m  (straight 50.25)

Within 500 m: along the network H1, H6 (2 of 6); in a straight line H1, H3, H4, H6 (4 of 6).
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import LineString, Point, box

from geo.kampung_tangguh import public_table, service_areas
from geo.service_area import RoadNetwork, straight_distances, walking_distances

X0, Y0 = 700_000.0, 9_300_000.0  # about 106.8 E, 6.3 S: UTM zone 48S (EPSG:32748)
UTM = "EPSG:32748"


def at(x: float, y: float) -> Point:
    return Point(X0 + x, Y0 + y)


def line(*xy: tuple[float, float]) -> LineString:
    return LineString([(X0 + x, Y0 + y) for x, y in xy])


ROADS = [
    line((0, 0), (400, 0), (800, 0)),  # A1 and A2: one way with a vertex at (400,0)
    line((400, 0), (400, 300)),  # B shares the vertex (400,0)
    line((0, 100), (800, 100)),  # C crosses B without a shared vertex
]
FACILITY = at(0, -10)
HOUSEHOLDS = [at(300, 5), at(405, 290), at(410, 200), at(100, 95), at(600, -20), at(50, -5)]
NETWORK_M = [315.0, 705.0, 620.0, math.inf, 630.0, 65.0]
STRAIGHT_M = [math.hypot(*d) for d in ((300, 15), (405, 300), (410, 210), (100, 105), (600, 10), (50, 5))]


def test_network_distances_equal_the_hand_computed_walks() -> None:
    network = RoadNetwork.from_lines(ROADS)
    got = network.distances(np.array([FACILITY]), np.array(HOUSEHOLDS), cutoff_m=1000)
    assert got == pytest.approx(NETWORK_M, abs=1e-6)


def test_straight_line_distances() -> None:
    got = straight_distances(np.array([FACILITY]), np.array(HOUSEHOLDS))
    assert got == pytest.approx(STRAIGHT_M, abs=1e-3)


def test_share_within_500_m_network_two_of_six_straight_four_of_six() -> None:
    network = RoadNetwork.from_lines(ROADS)
    along = walking_distances(np.array([FACILITY]), np.array(HOUSEHOLDS), network=network, cutoff_m=500)
    straight = walking_distances(np.array([FACILITY]), np.array(HOUSEHOLDS), network=None, cutoff_m=500)
    assert np.isfinite(along).tolist() == [True, False, False, False, False, True]
    assert np.isfinite(straight).tolist() == [True, False, True, True, False, True]


def test_a_facility_and_a_house_on_one_edge_walk_along_it() -> None:
    """Pos ronda at (200,10) and a house at (250,-5), both on A1: 10 + 50 + 5 = 65 m, where going
    round by either end of the edge would be 365 m (via (400,0)) or 465 m (via (0,0))."""
    network = RoadNetwork.from_lines(ROADS)
    got = network.distances(np.array([at(200, 10)]), np.array([at(250, -5)]), cutoff_m=1000)
    assert got == pytest.approx([65.0], abs=1e-6)


def test_nearest_of_several_facilities_and_cutoff() -> None:
    """A second posyandu at (400,310) (10 m beyond B's top end) brings H2 to 5 + 10 + 10 = 25 m
    H3 to 10 + 100 + 10 = 120 m and H5 to 20 + 200 + 300 + 10 = 530 m; with a 100 m cutoff only
    H6 (65 m) and H2 (25 m) are reached."""
    network = RoadNetwork.from_lines(ROADS)
    sources = np.array([FACILITY, at(400, 310)])
    got = network.distances(sources, np.array(HOUSEHOLDS), cutoff_m=1000)
    assert got == pytest.approx([315.0, 25.0, 120.0, math.inf, 530.0, 65.0], abs=1e-6)
    near = network.distances(sources, np.array(HOUSEHOLDS), cutoff_m=100)
    assert np.isfinite(near).tolist() == [False, True, False, False, False, True]


def test_motorways_are_not_walked() -> None:
    """The same roads with A1+A2 tagged as a motorway: F and H1 both join C instead (F 110 m off at
    (0,100), H1 95 m off at (300,100)): 110 + 300 + 95 = 505 m, no longer within 500 m."""
    network = RoadNetwork.from_lines(ROADS, highway=["motorway", "residential", "residential"])
    got = network.distances(np.array([FACILITY]), np.array(HOUSEHOLDS[:1]), cutoff_m=1000)
    assert got == pytest.approx([505.0], abs=1e-6)
    assert RoadNetwork.from_lines(ROADS[:1], highway=["motorway"]) is None


# --- per RT, through frames in EPSG:4326 -------------------------------------------------------


def _frames(with_roads: bool) -> tuple:
    rt = gpd.GeoDataFrame(
        {
            "kelurahan_code": ["31.71.01.1001"] * 2,
            "unit_type": ["RW", "RW"],
            "unit_number": [1, 1],
            "rt_number": [1, 2],
            "rt_label": ["RT 1 RW 1", "RT 2 RW 1"],
        },
        geometry=[box(X0 - 50, Y0 - 60, X0 + 380, Y0 + 320), box(X0 + 380, Y0 - 60, X0 + 850, Y0 + 320)],
        crs=UTM,
    ).to_crs(4326)
    hh = gpd.GeoDataFrame(
        {
            "kk_key": [f"k{i}" for i in range(6)],
            "kelurahan_code": ["31.71.01.1001"] * 6,
            "unit_type": ["RW"] * 6,
            "unit_number": [1] * 6,
            "rt_number": [1, 2, 2, 1, 2, 1],  # H1, H4, H6 lie in RT 1; H2, H3, H5 in RT 2
        },
        geometry=HOUSEHOLDS,
        crs=UTM,
    ).to_crs(4326)
    fac = gpd.GeoDataFrame({"category": ["posyandu"]}, geometry=[FACILITY], crs=UTM).to_crs(4326)
    roads = gpd.GeoDataFrame({"highway": ["residential"] * 3}, geometry=ROADS, crs=UTM).to_crs(4326)
    return rt, hh, fac, roads if with_roads else None


def test_rt_shares_along_the_network_and_in_a_straight_line() -> None:
    """RT 1 holds H1, H4, H6: network 2/3 (H4 is cut off), straight 3/3.  RT 2 holds H2, H3, H5:
    network 0/3, straight 1/3 (H3)."""
    network = service_areas(*_frames(with_roads=True), distance_m=500)
    straight = service_areas(*_frames(with_roads=False), distance_m=500)
    assert network.mode == "network"
    assert straight.mode == "straight"
    assert network.table["kk_located"].tolist() == [3, 3]
    assert network.table["kk_reach_posyandu"].tolist() == [2, 0]
    assert network.table["share_posyandu"].tolist() == pytest.approx([0.6667, 0.0])
    assert straight.table["kk_reach_posyandu"].tolist() == [3, 1]
    assert straight.table["share_posyandu"].tolist() == pytest.approx([1.0, 0.3333])
    # services with no facility at all reach nobody
    assert network.table["kk_reach_puskesmas"].tolist() == [0, 0]
    # the ground within reach shrinks along the network too, and RT 2 is a gap either way
    assert (network.table["area_posyandu"] <= straight.table["area_posyandu"] + 1e-9).all()
    assert network.table["area_posyandu"].iloc[1] < 0.5


def test_small_rts_are_suppressed_in_public() -> None:
    """Three located KK per RT is below k = 5: every household count and share is hidden, the
    ground share (no household data) is not."""
    result = service_areas(*_frames(with_roads=True), distance_m=500)
    public = public_table(result, k=5)
    assert public["kk_located"].isna().all()
    assert public["kk_reach_posyandu"].isna().all()
    assert public["share_posyandu"].isna().all()
    assert public["area_posyandu"].notna().all()


def test_pillars_count_what_is_within_reach() -> None:
    rt, hh, fac, roads = _frames(with_roads=True)
    rt = rt.assign(road_m=[120.0, 0.0], drainage_m=[0.0, 0.0], wells=[0, 0])
    result = service_areas(rt, hh, fac, roads, distance_m=500)
    table = result.table
    assert table["pillar_infrastruktur"].tolist() == [True, False]
    assert table["pillar_keamanan"].tolist() == [False, False]  # no pos ronda anywhere
    assert table["pillars"].tolist() == (table[[c for c in table if c.startswith("pillar_")]].sum(axis=1)).tolist()
    assert isinstance(table, pd.DataFrame)


def test_network_needs_roads_inside_the_kelurahan() -> None:
    """Roads 5 km away do not turn on network mode: straight-line distances are used."""
    rt, hh, fac, roads = _frames(with_roads=True)
    far = roads.to_crs(UTM)
    far["geometry"] = far.geometry.translate(5000, 5000)
    result = service_areas(rt, hh, fac, far.to_crs(4326), distance_m=500)
    assert result.mode == "straight"
    assert result.table["kk_reach_posyandu"].tolist() == [3, 1]


def test_no_shapely_object_left_in_the_table() -> None:
    table = service_areas(*_frames(with_roads=True)).table
    assert not any(isinstance(v, shapely.Geometry) for v in table.to_numpy().ravel())
