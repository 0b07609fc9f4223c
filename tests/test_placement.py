"""Point-in-polygon placement: the same answer as geopandas.sjoin(predicate="within"), always.

Every case compares :func:`geo.placement.points_in_polygons` with sjoin on the same data, through
the exact path (few points) and through the raster path (a cell size given), with tiny tiles so
that tile sides and halos are crossed.  The data are built to be hard: points on shared edges and
vertices, on hole rings, outside everything; overlapping, holed, multi-part and invalid polygons;
rings that pass exactly through the raster's cell corners.
"""

from __future__ import annotations

from itertools import pairwise

import geopandas as gpd
import numpy as np
import pytest
import shapely
import shapely.affinity
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import MultiPolygon, Point, Polygon, box

from geo.placement import PolygonIndex, points_in_polygons, xy_in_polygons
from geo.placement_raster import ORIGIN_FRACTION

CELL_SIZES = [None, 0.37, 1.0, 2.5, 40.0]
HYPOTHESIS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def sjoin_positions(points: list | np.ndarray, polygons: list | np.ndarray) -> np.ndarray:
    """What the project did before: sjoin within, first match per point (lowest polygon position)."""
    left = gpd.GeoDataFrame(geometry=gpd.GeoSeries(list(points), dtype="geometry"))
    right = gpd.GeoDataFrame(geometry=gpd.GeoSeries(list(polygons), dtype="geometry"))
    joined = gpd.sjoin(left, right, how="left", predicate="within")
    joined = joined[~joined.index.duplicated(keep="first")]
    return joined["index_right"].reindex(range(len(points))).fillna(-1).astype(np.int64).to_numpy()


def assert_same_as_sjoin(points, polygons, *, tile_cells: int = 16) -> None:
    expected = sjoin_positions(points, polygons)
    for cell in CELL_SIZES:
        got = points_in_polygons(
            np.array(points, dtype=object), np.array(polygons, dtype=object), cell_size=cell, tile_cells=tile_cells
        )
        mismatch = np.flatnonzero(got != expected)
        assert len(mismatch) == 0, (
            f"cell_size={cell}: {len(mismatch)} points differ, e.g. {points[mismatch[0]]} "
            f"got {got[mismatch[0]]}, sjoin {expected[mismatch[0]]}"
        )


def ring_points(polygons: list, rng: np.random.Generator, per_edge: int = 2) -> list:
    """Vertices, exact edge midpoints and random points on every edge of the polygons."""
    out = []
    for poly in polygons:
        if poly is None or poly.is_empty:
            continue
        coords = shapely.get_coordinates(shapely.get_rings(shapely.get_parts(poly)))
        out += [Point(c) for c in coords]
        a, b = coords[:-1], coords[1:]
        out += [Point(c) for c in (a + b) / 2]
        for _ in range(per_edge):
            t = rng.uniform(0, 1, (len(a), 1))
            out += [Point(c) for c in a + t * (b - a)]
    return out


def lattice_points(bounds: tuple[float, float, float, float], step: float) -> list:
    minx, miny, maxx, maxy = bounds
    xs = np.arange(minx - step, maxx + 2 * step, step)
    ys = np.arange(miny - step, maxy + 2 * step, step)
    return [Point(x, y) for x in xs for y in ys]


def voronoi(seeds: np.ndarray, frame: Polygon) -> list:
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=frame))
    return list(shapely.intersection(cells, frame))


# --- generated cases ---------------------------------------------------------------------------


@HYPOTHESIS
@given(
    xcuts=st.lists(st.integers(1, 19), min_size=1, max_size=5, unique=True),
    ycuts=st.lists(st.integers(1, 19), min_size=1, max_size=5, unique=True),
    seed=st.integers(0, 2**16),
)
def test_box_tessellation_with_points_on_shared_edges_and_vertices(xcuts, ycuts, seed) -> None:
    xs, ys = [0, *sorted(xcuts), 20], [0, *sorted(ycuts), 20]
    polygons = [box(x0, y0, x1, y1) for x0, x1 in pairwise(xs) for y0, y1 in pairwise(ys)]
    rng = np.random.default_rng(seed)
    points = lattice_points((0, 0, 20, 20), 0.5) + ring_points(polygons, rng)
    points += [Point(p) for p in rng.uniform(-2, 22, (200, 2))]
    assert_same_as_sjoin(points, polygons)


@HYPOTHESIS
@given(seed=st.integers(0, 2**16), n_seeds=st.integers(2, 40), scale=st.sampled_from([1.0, 1e-3, 1e3]))
def test_voronoi_rts_like_a_kelurahan(seed, n_seeds, scale) -> None:
    rng = np.random.default_rng(seed)
    frame = box(0, 0, 30 * scale, 20 * scale)
    polygons = voronoi(rng.uniform(0, 1, (n_seeds, 2)) * [30 * scale, 20 * scale], frame)
    points = ring_points(polygons, rng) + [Point(p) for p in rng.uniform(-1, 31, (400, 2)) * scale]
    expected = sjoin_positions(points, polygons)
    for cell in (None, 0.3 * scale, 1.7 * scale):
        got = points_in_polygons(np.array(points, dtype=object), polygons, cell_size=cell, tile_cells=16)
        assert (got == expected).all()


@HYPOTHESIS
@given(
    boxes=st.lists(
        st.tuples(st.integers(0, 15), st.integers(0, 15), st.integers(1, 8), st.integers(1, 8)), min_size=1, max_size=8
    ),
    seed=st.integers(0, 2**16),
)
def test_overlapping_polygons_lowest_position_wins(boxes, seed) -> None:
    polygons = [box(x, y, x + w, y + h) for x, y, w, h in boxes]
    rng = np.random.default_rng(seed)
    points = lattice_points((0, 0, 23, 23), 0.5) + ring_points(polygons, rng)
    points += [Point(p) for p in rng.uniform(0, 23, (300, 2))]
    assert_same_as_sjoin(points, polygons)


@HYPOTHESIS
@given(seed=st.integers(0, 2**16))
def test_multipolygons_with_holes(seed) -> None:
    rng = np.random.default_rng(seed)
    polygons = []
    for _ in range(rng.integers(1, 6)):
        x, y = rng.uniform(0, 20, 2)
        w, h = rng.uniform(3, 10, 2)
        shell = box(x, y, x + w, y + h)
        hole = box(x + w / 4, y + h / 4, x + w / 2, y + h / 2)
        part = box(x + w + 1, y, x + w + 3, y + 2)
        polygons.append(MultiPolygon([shell.difference(hole), part]))
    points = ring_points(polygons, rng) + [Point(p) for p in rng.uniform(-1, 35, (500, 2))]
    holes = [g.geoms[0].interiors[0] for g in polygons]
    points += [Point(shapely.get_coordinates(h).mean(axis=0)) for h in holes]  # in the hole: in no polygon
    assert_same_as_sjoin(points, polygons)


@HYPOTHESIS
@given(seed=st.integers(0, 2**16), step=st.sampled_from([1.0, 0.5, 0.25]))
def test_rings_through_raster_cell_corners(seed, step) -> None:
    """GDAL can skip a cell where a ring passes exactly through a cell corner; this aims rings at
    the corners of the grid the raster path will draw (cell 1, origin ORIGIN_FRACTION off the data)."""
    rng = np.random.default_rng(seed)
    # a frame fixes the total bounds (0, 0, 40, 40), so the grid corners are at (i - f, 40 + f - j)
    f = ORIGIN_FRACTION
    polygons = []
    for _ in range(12):
        i, j = rng.integers(2, 30, 2)
        di, dj = rng.integers(1, 8, 2) * step
        corners = [(i - f, 40 + f - j), (i + di - f, 40 + f - j - dj), (i - f, 40 + f - j - 2 * dj)]
        polygons.append(Polygon(corners))
    polygons.append(box(0, 0, 40, 40))
    points = ring_points(polygons, rng, per_edge=30) + [Point(p) for p in rng.uniform(0, 40, (2000, 2))]
    expected = sjoin_positions(points, polygons)
    got = points_in_polygons(np.array(points, dtype=object), polygons, cell_size=1.0, tile_cells=16)
    assert (got == expected).all()


@pytest.mark.parametrize(
    "polygon",
    [
        Polygon([(0, 0), (10, 10), (10, 0), (0, 10)]),  # bow-tie
        MultiPolygon([box(0, 0, 6, 6), box(3, 3, 10, 10)]),  # overlapping parts
        Polygon(box(0, 0, 10, 10).exterior.coords, [box(8, 8, 12, 12).exterior.coords]),  # hole crossing the shell
    ],
    ids=["bow-tie", "overlapping-parts", "hole-crossing-shell"],
)
def test_invalid_polygons_agree_with_sjoin(polygon) -> None:
    assert not polygon.is_valid
    rng = np.random.default_rng(1)
    polygons = [polygon, box(2, 2, 4, 4)]
    points = lattice_points((0, 0, 12, 12), 0.5) + ring_points(polygons, rng)
    points += [Point(p) for p in rng.uniform(-1, 13, (500, 2))]
    assert_same_as_sjoin(points, polygons)


def test_missing_and_empty_geometries() -> None:
    polygons = [None, box(0, 0, 2, 2), Polygon(), box(2, 0, 4, 2)]
    points = [Point(1, 1), None, Point(), Point(3, 1), Point(2, 1), Point(9, 9)]
    assert list(points_in_polygons(np.array(points, dtype=object), polygons)) == [1, -1, -1, 3, -1, -1]
    assert_same_as_sjoin(points, polygons)


def test_empty_inputs() -> None:
    assert points_in_polygons(gpd.GeoSeries([], crs=32748), gpd.GeoSeries([box(0, 0, 1, 1)], crs=32748)).size == 0
    got = points_in_polygons(gpd.GeoSeries([Point(0.5, 0.5)], crs=32748), gpd.GeoSeries([], crs=32748))
    assert list(got) == [-1]


def test_many_points_take_the_raster_path_by_default() -> None:
    rng = np.random.default_rng(3)
    polygons = voronoi(rng.uniform(0, 1000, (200, 2)), box(0, 0, 1000, 1000))
    xy = np.vstack([rng.uniform(-10, 1010, (60_000, 2)), shapely.get_coordinates(polygons)])
    points = shapely.points(xy)
    expected = sjoin_positions(points, polygons)
    assert (points_in_polygons(points, polygons) == expected).all()
    assert (xy_in_polygons(xy[:, 0], xy[:, 1], polygons) == expected).all()


def test_xy_arrays_with_missing_coordinates() -> None:
    got = xy_in_polygons([0.5, np.nan, 1.5], [0.5, 0.5, 0.5], [box(0, 0, 1, 1), box(1, 0, 2, 1)], cell_size=0.1)
    assert list(got) == [0, -1, 1]


def test_refuses_crs_mismatch_and_wrong_geometry_types() -> None:
    polys = gpd.GeoSeries([box(0, 0, 1, 1)], crs=32748)
    with pytest.raises(ValueError, match="share a CRS"):
        points_in_polygons(gpd.GeoSeries([Point(0, 0)], crs=4326), polys)
    with pytest.raises(ValueError, match="must be Point"):
        points_in_polygons(gpd.GeoSeries([Point(0, 0), shapely.MultiPoint([(0, 0), (1, 1)])], crs=32748), polys)
    with pytest.raises(ValueError, match="Polygon or MultiPolygon"):
        points_in_polygons([Point(0, 0)], [box(0, 0, 1, 1), shapely.LineString([(0, 0), (1, 1)])])
    with pytest.raises(ValueError, match="cell_size"):
        points_in_polygons([Point(0.5, 0.5)], [box(0, 0, 1, 1)], cell_size=0)


@HYPOTHESIS
@given(seed=st.integers(0, 2**16))
def test_groups_place_points_only_in_their_own_group(seed) -> None:
    """Two kelurahan whose RTs overlap: with groups, the answer of one sjoin per kelurahan."""
    rng = np.random.default_rng(seed)
    polygons = voronoi(rng.uniform(0, 20, (8, 2)), box(0, 0, 20, 20)) + voronoi(
        rng.uniform(5, 25, (8, 2)), box(5, 5, 25, 25)
    )
    polygon_groups = np.array(["a"] * 8 + ["b"] * 8)
    points = ring_points(polygons, rng) + [Point(p) for p in rng.uniform(-1, 26, (400, 2))]
    point_groups = rng.choice(["a", "b", "c"], len(points))
    expected = np.full(len(points), -1)
    for group in ("a", "b"):
        members = np.flatnonzero(polygon_groups == group)
        mine = np.flatnonzero(point_groups == group)
        local = sjoin_positions([points[i] for i in mine], [polygons[i] for i in members])
        expected[mine] = np.where(local >= 0, members[np.maximum(local, 0)], -1)
    for cell in (None, 0.7):
        got = points_in_polygons(
            np.array(points, dtype=object),
            polygons,
            point_groups=point_groups,
            polygon_groups=polygon_groups,
            cell_size=cell,
            tile_cells=16,
        )
        assert (got == expected).all()


def test_an_index_places_again_with_the_same_answers() -> None:
    rng = np.random.default_rng(5)
    polygons = voronoi(rng.uniform(0, 100, (30, 2)), box(0, 0, 100, 100))
    index = PolygonIndex(polygons, cell_size=1.3, tile_cells=16)
    for _ in range(2):
        points = ring_points(polygons, rng) + [Point(p) for p in rng.uniform(-5, 105, (500, 2))]
        assert (index.locate(np.array(points, dtype=object)) == sjoin_positions(points, polygons)).all()


def test_placing_again_after_an_rt_is_redrawn_uses_the_new_shape() -> None:
    """A drawn index is kept for the next placement in the same RTs (keyed by their content): an
    edited RT, or the same RTs read again as new objects, must still give sjoin's answer."""
    rng = np.random.default_rng(11)
    polygons = voronoi(rng.uniform(0, 1000, (200, 2)), box(0, 0, 1000, 1000))
    points = shapely.points(rng.uniform(-10, 1010, (60_000, 2)))
    first = points_in_polygons(points, np.array(polygons, dtype=object))
    again = points_in_polygons(shapely.from_wkb(shapely.to_wkb(points)), shapely.from_wkb(shapely.to_wkb(polygons)))
    assert (first == again).all()
    edited = list(polygons)
    edited[0] = shapely.affinity.translate(edited[0], 7.0, 3.0)  # a planner moves one RT's boundary
    got = points_in_polygons(points, np.array(edited, dtype=object))
    expected = sjoin_positions(points, edited)
    assert (got == expected).all()
    assert (got != first).any()


def test_a_non_point_is_named_by_its_position() -> None:
    points = [Point(0, 0)] * 5 + [shapely.LineString([(0, 0), (1, 1)])] + [Point(1, 1)] * 4
    with pytest.raises(ValueError, match="at 5"):
        points_in_polygons(np.array(points, dtype=object), [box(0, 0, 1, 1)])
