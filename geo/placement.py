"""Which polygon each point lies in: households to RTs at city scale, no I/O.

The rule, identical to ``geopandas.sjoin(points, polygons, predicate="within")``:

* a point belongs to a polygon whose **interior** contains it (GEOS ``within``, evaluated the way
  sjoin does: the polygon prepared, ``contains`` the point);
* a point exactly **on an edge or a vertex** belongs to no polygon, so on the line between two RTs
  it is in neither (a household there is counted in the RT of its label);
* where polygons **overlap**, the polygon with the **lowest position** wins (sjoin lists the matches
  of a point in polygon order; "keep the first" is the same rule);
* missing or empty points and points outside every polygon get ``-1``;
* with ``point_groups`` and ``polygon_groups`` (e.g. kelurahan codes), a point is placed only in
  polygons of its own group: the same answer as one sjoin per group.

How it is fast: above ``RASTER_MIN_POINTS`` points, each tile of the area is rasterised with GDAL
(``rasterio.features.rasterize``): the polygons' positions burnt at cell centres, then every ring
burnt with ``all_touched=True`` as "ambiguous".  A cell no ring touches lies wholly inside (or
wholly outside) each polygon, so its label is the answer for every point in it; points in
ambiguous cells get the exact test sjoin uses (GEOS's prepared point-in-area test, through
``shapely.contains_xy`` on the polygons whose bounding box holds the point).  Three details keep
the shortcut exact: every geometry is burnt as one polygon of all its rings, which GDAL fills by
the even-odd rule that GEOS's prepared point-in-area test also follows (so holes, multi-part and
even invalid polygons agree); GDAL's line burning can skip a cell where a ring passes exactly
through a cell corner, so the rings are burnt a second time on a grid shifted by ``GRID_SHIFT``
of a cell (and the grid origin sits at an irrational fraction of a cell off the data); and points
within ``EDGE_EPS`` of a cell side are always tested exactly.  Tiles of at most ``tile_cells``
squared cells keep memory bounded; tiles without points are never drawn.

A second core reads the points' coordinates (shapely releases the GIL) while GDAL draws (rasterio
does not).  A :class:`PolygonIndex` keeps its drawn tiles, so placing more points in the same
polygons (the next import, the next page) only looks them up.  Polygons are prepared in place
(``shapely.prepare``), which caches an index on them and changes nothing else.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from itertools import pairwise
from typing import Any

import numpy as np
import rasterio.features
import shapely
from affine import Affine

__all__ = ["RASTER_MIN_POINTS", "PolygonIndex", "points_in_polygons", "xy_in_polygons"]

RASTER_MIN_POINTS = 50_000  # below this the exact test alone is as fast as drawing rasters
TILE_CELLS = 4096  # a tile's side in cells at most: a 4096 x 4096 uint16 raster is 32 MB
HALO_CELLS = 2  # cells drawn around each tile so rings crossing its side are burnt in full
ORIGIN_FRACTION = 0.3819660112501051  # (3 - sqrt 5) / 2: the grid never lines up with round coordinates
GRID_SHIFT = (0.7e-7, 1.3e-7)  # second ring pass, in cells: catches cells a corner-crossing ring skipped
EDGE_EPS = 1e-6  # points this close to a cell side (in cells) are tested exactly
AMBIGUOUS = np.iinfo(np.uint16).max
MAX_TILE_POLYGONS = int(AMBIGUOUS) - 1
POINTS_PER_POLYGON = 100  # the load an index is sized for when nobody says (about the KK of an RT)
# Cost model for the cell size, in seconds, measured on the city benchmark: GDAL draws a polygon
# in ~15 us (fill and two ring passes) plus ~4 ns a cell; the exact test costs ~0.7 us a point;
# about 0.6 cell widths of band per unit of ring length (summed over polygons) are ambiguous.
DRAW_S_PER_POLYGON = 1.5e-5
DRAW_S_PER_CELL = 4e-9
EXACT_S_PER_POINT = 7e-7
BAND_CELLS_PER_RING = 0.6

Groups = tuple[np.ndarray, np.ndarray]


def points_in_polygons(
    points: Any,
    polygons: Any,
    *,
    point_groups: Sequence[Any] | np.ndarray | None = None,
    polygon_groups: Sequence[Any] | np.ndarray | None = None,
    cell_size: float | None = None,
    tile_cells: int = TILE_CELLS,
) -> np.ndarray:
    """Position in ``polygons`` of the polygon each point lies in, ``-1`` for none.

    Parameters
    ----------
    points
        Point geometries (GeoSeries, GeoDataFrame or array); None and empty points get -1.
    polygons
        Polygon or MultiPolygon geometries (GeoSeries, GeoDataFrame or array); None and empty
        ones never match.  Both must be in the same CRS when both carry one.
    point_groups, polygon_groups
        Optional labels (one per point, one per polygon): a point is only placed in a polygon
        with an equal label.  Give both or neither.
    cell_size
        Raster cell side in CRS units.  By default chosen from the data, and no raster is drawn
        below ``RASTER_MIN_POINTS`` points; giving one always uses the raster path.
    tile_cells
        Largest side of a raster tile in cells (memory: 2 bytes per cell).

    Returns
    -------
    numpy.ndarray
        int64 positions, one per point; see the module docstring for the rule.
    """
    n = len(_geometry_array(points, "points"))
    index = PolygonIndex(polygons, cell_size=cell_size, expected_points=n, tile_cells=tile_cells)
    return index.locate(points, point_groups=point_groups, polygon_groups=polygon_groups)


def xy_in_polygons(
    x: Sequence[float] | np.ndarray,
    y: Sequence[float] | np.ndarray,
    polygons: Any,
    *,
    cell_size: float | None = None,
    tile_cells: int = TILE_CELLS,
) -> np.ndarray:
    """:func:`points_in_polygons` for coordinate arrays (NaN: no point)."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError(f"x and y must be 1-d arrays of one length; got shapes {x.shape} and {y.shape}")
    index = PolygonIndex(polygons, cell_size=cell_size, expected_points=len(x), tile_cells=tile_cells)
    return index.locate_xy(x, y)


class PolygonIndex:
    """Polygons made ready to place points in, once or many times (same rule, same answers).

    Parameters
    ----------
    polygons
        As for :func:`points_in_polygons`.
    cell_size
        Raster cell side; by default sized for ``expected_points`` (default 100 per polygon).
    expected_points
        How many points a call is expected to place: below ``RASTER_MIN_POINTS`` (and without a
        ``cell_size``) every point gets the exact test and no raster is drawn.
    tile_cells
        As for :func:`points_in_polygons`.
    """

    def __init__(
        self,
        polygons: Any,
        *,
        cell_size: float | None = None,
        expected_points: int | None = None,
        tile_cells: int = TILE_CELLS,
    ) -> None:
        if cell_size is not None and not cell_size > 0:
            raise ValueError(f"cell_size must be a positive number; got {cell_size!r}")
        if tile_cells < 16:
            raise ValueError(f"tile_cells must be at least 16; got {tile_cells}")
        self.crs = getattr(polygons, "crs", None)
        self.polygons = _polygon_array(polygons)
        self._live = ~(shapely.is_empty(self.polygons) | shapely.is_missing(self.polygons))
        expected = POINTS_PER_POLYGON * len(self.polygons) if expected_points is None else expected_points
        self._raster = self._live.any() and (cell_size is not None or expected >= RASTER_MIN_POINTS)
        self._cell, self._expected, self._tile_cells = cell_size, expected, tile_cells
        self._lock = threading.Lock()
        self._tree: shapely.STRtree | None = None
        self._grid: _Grid | None = None
        self._rings: _Rings | None = None
        self._tiles: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def locate(
        self,
        points: Any,
        *,
        point_groups: Sequence[Any] | np.ndarray | None = None,
        polygon_groups: Sequence[Any] | np.ndarray | None = None,
    ) -> np.ndarray:
        """Position of the polygon each point lies in, ``-1`` for none (see the module docstring)."""
        a, b = getattr(points, "crs", None), self.crs
        if a is not None and b is not None and a != b:
            raise ValueError(f"points and polygons must share a CRS; got {a.to_string()} and {b.to_string()}")
        pts = _geometry_array(points, "points")
        groups = None
        if point_groups is not None or polygon_groups is not None:
            groups = _check_groups(point_groups, polygon_groups, len(pts), len(self.polygons))
        x, y = self._read_xy(pts)
        out = self._locate(x, y, pts)
        if groups is not None:
            # the lowest polygon overall is the lowest of the point's group when the groups agree;
            # otherwise look again among the polygons of the point's own group only
            hit = out >= 0
            other = np.flatnonzero(hit)[groups[1][out[hit]] != groups[0][hit]]
            out[other] = self._exact(x, y, pts, other, groups=(groups[0][other], groups[1]))
        return out

    def _read_xy(self, pts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The points' coordinates, read on a second thread (shapely releases the GIL) while this one
        draws the raster (GDAL holds it), or half on each thread when there is nothing to draw."""
        with ThreadPoolExecutor(1) as helper:
            if self._raster and self._grid is None:
                xy = helper.submit(_point_xy, pts)
                self._prepare()  # rings, and the raster of a one-tile grid
                return xy.result()
            half = len(pts) // 2
            first = helper.submit(_point_xy, pts[:half])
            x2, y2 = _point_xy(pts[half:], half)
            x1, y1 = first.result()
        return np.concatenate([x1, x2]), np.concatenate([y1, y2])

    def locate_xy(self, x: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray) -> np.ndarray:
        """:meth:`locate` for coordinate arrays (NaN: no point)."""
        self._prepare()
        return self._locate(np.asarray(x, dtype=float), np.asarray(y, dtype=float), None)

    # --- internals -----------------------------------------------------------------------------

    def _prepare(self) -> None:
        with self._lock, _no_gc():
            if not self._raster or self._grid is not None:
                return
            live = self.polygons[self._live]
            bounds = tuple(shapely.total_bounds(live))
            cell = self._cell or _cell_size(live, bounds, self._expected)
            self._rings = _Rings(self.polygons)
            self._grid = _Grid(bounds, float(cell), self._tile_cells, shapely.bounds(self.polygons), self._live)
            if self._grid.tiles_x * self._grid.tiles_y == 1:
                self._tiles[0] = self._grid.draw(0, self._rings)

    def _tile(self, tid: int) -> tuple[np.ndarray, np.ndarray]:
        with self._lock, _no_gc():
            if tid not in self._tiles:
                self._tiles[tid] = self._grid.draw(tid, self._rings)
            return self._tiles[tid]

    def _locate(self, x: np.ndarray, y: np.ndarray, pts: np.ndarray | None) -> np.ndarray:
        out = np.full(len(x), -1, dtype=np.int64)
        if not self._live.any() or len(x) == 0:
            return out
        minx, miny, maxx, maxy = shapely.total_bounds(self.polygons[self._live])
        with np.errstate(invalid="ignore"):
            unsure = np.flatnonzero((x >= minx) & (x <= maxx) & (y >= miny) & (y <= maxy))
        if self._grid is not None and len(unsure):
            ambiguous = []
            for tid, which in self._grid.by_tile(x[unsure], y[unsure], unsure):
                raster, members = self._tile(tid)
                labels, unclear = self._grid.lookup(tid, x[which], y[which], raster, members)
                out[which] = labels
                ambiguous.append(which[unclear])
            unsure = np.concatenate(ambiguous)
        out[unsure] = self._exact(x, y, pts, unsure)
        return out

    def _exact(
        self, x: np.ndarray, y: np.ndarray, pts: np.ndarray | None, which: np.ndarray, *, groups: Groups | None = None
    ) -> np.ndarray:
        """sjoin's test for points ``which``: the lowest polygon whose prepared geometry contains
        the point, among polygons of the point's group when ``groups`` = (theirs, the polygons')."""
        out = np.full(len(which), -1, dtype=np.int64)
        if len(which) == 0:
            return out
        with self._lock:
            if self._tree is None:
                shapely.prepare(self.polygons[self._live])
                self._tree = shapely.STRtree(self.polygons)
        geoms = pts[which] if pts is not None else shapely.points(x[which], y[which])
        pt_idx, poly_idx = self._tree.query(geoms)  # bounding boxes only
        if groups is not None:
            same = groups[1][poly_idx] == groups[0][pt_idx]
            pt_idx, poly_idx = pt_idx[same], poly_idx[same]
        with self._lock:  # a prepared geometry builds its point index lazily: one thread at a time
            inside = shapely.contains_xy(self.polygons[poly_idx], x[which][pt_idx], y[which][pt_idx])
        pt_idx, poly_idx = pt_idx[inside], poly_idx[inside]
        if len(pt_idx):
            order = np.lexsort((poly_idx, pt_idx))
            pt_idx, poly_idx = pt_idx[order], poly_idx[order]
            first = np.r_[True, pt_idx[1:] != pt_idx[:-1]]
            out[pt_idx[first]] = poly_idx[first]
        return out


@contextmanager
def _no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while the rings become ~100k small lists: with a million
    household geometries alive, each full collection it would trigger costs ~0.1 s."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# --- input checks ------------------------------------------------------------------------------


def _check_groups(point_groups: Any, polygon_groups: Any, n_points: int, n_polygons: int) -> Groups:
    if point_groups is None or polygon_groups is None:
        raise ValueError("give both point_groups and polygon_groups, or neither")
    point_groups, polygon_groups = np.asarray(point_groups), np.asarray(polygon_groups)
    if point_groups.shape != (n_points,) or polygon_groups.shape != (n_polygons,):
        raise ValueError(
            f"point_groups and polygon_groups need one label per point ({n_points}) and per polygon "
            f"({n_polygons}); got {point_groups.shape} and {polygon_groups.shape}"
        )
    return point_groups, polygon_groups


def _geometry_array(values: Any, name: str) -> np.ndarray:
    if hasattr(values, "geometry"):
        values = values.geometry
    arr = np.asarray(values, dtype=object)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-d sequence of geometries; got shape {arr.shape}")
    return arr


def _point_xy(pts: np.ndarray, offset: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """x and y of every point (NaN where missing or empty) in one pass over the geometries;
    ``offset`` is the position of ``pts[0]`` in the caller's points, for the error message."""
    coords, owner = shapely.get_coordinates(pts, return_index=True)
    if len(owner) > 1 and (owner[1:] == owner[:-1]).any():
        first = int(owner[1:][owner[1:] == owner[:-1]][0])
        got = shapely.get_type_id(pts[first])
        raise ValueError(f"points must be Point geometries; got {got!r} at {first + offset}")
    x, y = np.full(len(pts), np.nan), np.full(len(pts), np.nan)
    x[owner], y[owner] = coords[:, 0], coords[:, 1]
    return x, y


def _polygon_array(polygons: Any) -> np.ndarray:
    polys = _geometry_array(polygons, "polygons")
    types = shapely.get_type_id(polys)
    ok = (types == -1) | (types == shapely.GeometryType.POLYGON) | (types == shapely.GeometryType.MULTIPOLYGON)
    bad = np.flatnonzero(~ok)
    if len(bad):
        raise ValueError(
            f"polygons must be Polygon or MultiPolygon; got {shapely.get_type_id(polys[bad[0]])!r} at {bad[0]}"
        )
    return polys


# --- the raster --------------------------------------------------------------------------------


def _cell_size(polys: np.ndarray, bounds: tuple[float, ...], n_points: int) -> float:
    """The cell side that minimises drawing plus exact-test time for ``n_points`` in these polygons."""
    minx, miny, maxx, maxy = bounds
    area = min(max(maxx - minx, 1e-12) * max(maxy - miny, 1e-12), max(float(shapely.area(polys).sum()), 1e-12))
    ring = float(shapely.length(polys).sum())
    sizes = np.sqrt(area) * np.logspace(-4, -0.5, 200)
    cost = (
        DRAW_S_PER_POLYGON * len(polys)
        + DRAW_S_PER_CELL * area / sizes**2
        + EXACT_S_PER_POINT * max(n_points, 1) * np.minimum(1.0, BAND_CELLS_PER_RING * ring * sizes / area)
    )
    return float(sizes[np.argmin(cost)])


class _Grid:
    """A grid of square tiles of cells over ``bounds``, its origin off the data by ORIGIN_FRACTION."""

    def __init__(
        self, bounds: tuple[float, ...], cell: float, tile_cells: int, boxes: np.ndarray, live: np.ndarray
    ) -> None:
        minx, miny, maxx, maxy = bounds
        self.cell, self.tile = cell, tile_cells
        self.boxes, self.live = boxes, live  # every polygon's bounds, and which polygons exist
        self.x0 = minx - ORIGIN_FRACTION * cell
        self.y1 = maxy + ORIGIN_FRACTION * cell
        self.ncols = int(np.floor((maxx - self.x0) / cell)) + 1
        self.nrows = int(np.floor((self.y1 - miny) / cell)) + 1
        self.tiles_x = -(-self.ncols // tile_cells)
        self.tiles_y = -(-self.nrows // tile_cells)

    def _cells(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(row, col, near a cell side) of each point."""
        fx, fy = (x - self.x0) / self.cell, (self.y1 - y) / self.cell
        col = np.clip(np.floor(fx).astype(np.int64), 0, self.ncols - 1)
        row = np.clip(np.floor(fy).astype(np.int64), 0, self.nrows - 1)
        fx -= col
        fy -= row
        near = (fx < EDGE_EPS) | (fx > 1 - EDGE_EPS) | (fy < EDGE_EPS) | (fy > 1 - EDGE_EPS)
        return row, col, near

    def by_tile(self, x: np.ndarray, y: np.ndarray, which: np.ndarray) -> Iterator[tuple[int, np.ndarray]]:
        """(tile id, the entries of ``which`` whose point lies in it) for every tile holding points."""
        if self.tiles_x * self.tiles_y == 1:
            yield 0, which
            return
        row, col, _ = self._cells(x, y)
        tile_id = (row // self.tile) * self.tiles_x + col // self.tile
        order = np.argsort(tile_id, kind="stable")
        ids = tile_id[order]
        starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
        for start, end in zip(starts, np.r_[starts[1:], len(order)], strict=True):
            yield int(ids[start]), which[order[start:end]]

    def lookup(
        self, tid: int, x: np.ndarray, y: np.ndarray, raster: np.ndarray, members: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """(label or -1, ambiguous) for points of tile ``tid``; labels of ambiguous points are void."""
        row, col, ambiguous = self._cells(x, y)
        ty, tx = divmod(tid, self.tiles_x)
        value = raster[row - ty * self.tile + HALO_CELLS, col - tx * self.tile + HALO_CELLS]
        ambiguous |= value == AMBIGUOUS
        labels = np.full(len(x), -1, dtype=np.int64)
        inside = (value != 0) & ~ambiguous
        labels[inside] = members[value[inside].astype(np.int64) - 1]
        return labels, ambiguous

    def draw(self, tid: int, rings: _Rings) -> tuple[np.ndarray, np.ndarray]:
        """Tile ``tid``'s raster (0 none, k the polygon ``members[k - 1]``, AMBIGUOUS) and members."""
        ty, tx = divmod(tid, self.tiles_x)
        width = min(self.tile, self.ncols - tx * self.tile) + 2 * HALO_CELLS
        height = min(self.tile, self.nrows - ty * self.tile) + 2 * HALO_CELLS
        west = self.x0 + (tx * self.tile - HALO_CELLS) * self.cell
        north = self.y1 - (ty * self.tile - HALO_CELLS) * self.cell
        east, south = west + width * self.cell, north - height * self.cell
        box = self.boxes
        members = np.flatnonzero(
            self.live & (box[:, 0] <= east) & (box[:, 2] >= west) & (box[:, 1] <= north) & (box[:, 3] >= south)
        )
        raster = np.zeros((height, width), dtype=np.uint16)
        if len(members) == 0:
            return raster, members
        if len(members) > MAX_TILE_POLYGONS:  # more polygons than labels: every point is tested exactly
            raster[:] = AMBIGUOUS
            return raster, members
        transform = Affine(self.cell, 0.0, west, 0.0, -self.cell, north)
        shapes = rings.polygons(members[::-1])  # the lowest position drawn last, so it wins overlaps
        rasterio.features.rasterize(
            zip(shapes, range(len(members), 0, -1), strict=True), out=raster, transform=transform
        )
        outline = [(rings.outline(members), int(AMBIGUOUS))]
        for dx, dy in ((0.0, 0.0), GRID_SHIFT):
            shifted = transform @ Affine.translation(dx, dy)
            rasterio.features.rasterize(outline, out=raster, transform=shifted, all_touched=True)
        return raster, members


class _Rings:
    """Each geometry's rings as GeoJSON-like coordinates, built once from one coordinate array."""

    def __init__(self, polys: np.ndarray) -> None:
        parts, part_of = shapely.get_parts(polys, return_index=True)
        rings, ring_of_part = shapely.get_rings(parts, return_index=True)
        coords, ring_of_coord = shapely.get_coordinates(rings, return_index=True)
        flat = coords.tolist()
        cuts = np.searchsorted(ring_of_coord, np.arange(len(rings) + 1)).tolist()
        self._ring_coords = [flat[a:b] for a, b in pairwise(cuts)]
        ring_geom = part_of[ring_of_part]
        self._first = np.searchsorted(ring_geom, np.arange(len(polys) + 1))

    def _of(self, i: int) -> list[list[list[float]]]:
        return self._ring_coords[self._first[i] : self._first[i + 1]]

    def polygons(self, members: np.ndarray) -> list[dict[str, Any]]:
        """One polygon per geometry holding all its rings, so GDAL fills it by the even-odd rule."""
        return [{"type": "Polygon", "coordinates": self._of(i)} for i in members.tolist()]

    def outline(self, members: np.ndarray) -> dict[str, Any]:
        lines: list[list[list[float]]] = []
        for i in members.tolist():
            lines.extend(self._of(i))
        return {"type": "MultiLineString", "coordinates": lines}
