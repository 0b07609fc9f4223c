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
through a cell corner, so the rings are burnt a second time on a grid shifted by a ten-millionth
of a cell (and the grid origin sits at an irrational fraction of a cell off the data); and points
within a millionth of a cell of a cell side are always tested exactly.  Tiles of at most
``tile_cells`` squared cells keep memory bounded; tiles without points are never drawn.  The
raster itself is :mod:`geo.placement_raster`.

The candidates for the exact test come from a coarse grid of buckets listing the polygons whose
bounding box covers each bucket (:class:`geo.placement_raster.Buckets`): the same candidates an
STRtree query gives, found with array operations, with no shapely point built per point.

A second core reads the points' coordinates (shapely releases the GIL) while GDAL draws (rasterio
does not).  A :class:`PolygonIndex` keeps its drawn tiles, so placing more points in the same
polygons only looks them up; :func:`points_in_polygons` keeps the last two drawn indexes of the
process, keyed by the polygons' content (WKB digest), so the next placement in the same RTs (the
next import, the indicators after it) reuses the raster, and an edited RT draws a new one.
Polygons are prepared in place (``shapely.prepare``), which caches an index on them and changes
nothing else.
"""

from __future__ import annotations

import gc
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import numpy as np
import shapely

from geo.placement_raster import MAX_BUCKET_ENTRIES, TILE_CELLS, Buckets, Grid, Rings, choose_cell_size, label_table

__all__ = ["RASTER_MIN_POINTS", "PolygonIndex", "clear_index_cache", "points_in_polygons", "xy_in_polygons"]

RASTER_MIN_POINTS = 50_000  # below this the exact test alone is as fast as drawing rasters
POINTS_PER_POLYGON = 100  # the load an index is sized for when nobody says (about the KK of an RT)

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
    index = _index_for(polygons, cell_size=cell_size, expected_points=n, tile_cells=tile_cells)
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
    index = _index_for(polygons, cell_size=cell_size, expected_points=len(x), tile_cells=tile_cells)
    return index.locate_xy(x, y)


_CACHE_SIZE = 2  # drawn indexes kept per process (a city's raster is ~20-40 MB)
_cache: OrderedDict[tuple, PolygonIndex] = OrderedDict()
_cache_lock = threading.Lock()


def clear_index_cache() -> None:
    """Forget the drawn indexes kept by :func:`points_in_polygons` (benchmarks of one-shot time)."""
    with _cache_lock:
        _cache.clear()


def _index_for(polygons: Any, *, cell_size: float | None, expected_points: int, tile_cells: int) -> PolygonIndex:
    """A :class:`PolygonIndex` for these polygons; when it draws a raster (a city's worth of points),
    the index is kept, keyed by the polygons' content, so placing more points in the same RTs (the
    next import, the indicators after it) only looks them up.  Same answers either way."""
    index = PolygonIndex(polygons, cell_size=cell_size, expected_points=expected_points, tile_cells=tile_cells)
    if not index._raster:
        return index
    digest = hashlib.blake2b(b"".join(shapely.to_wkb(index.polygons[index._live]).tolist()), digest_size=16)
    digest.update(np.packbits(index._live).tobytes())
    crs = index.crs.to_string() if index.crs is not None else None
    key = (digest.hexdigest(), crs, cell_size, tile_cells)
    with _cache_lock:
        cached = _cache.get(key)
        if cached is not None and (cell_size is not None or cached._expected >= expected_points // 4):
            _cache.move_to_end(key)
            return cached
        _cache[key] = index
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return index


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
        self._buckets: Buckets | None = None
        self._grid: Grid | None = None
        self._rings: Rings | None = None
        self._tiles: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # tile id -> (raster, label table)

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
            cell = self._cell or choose_cell_size(live, bounds, self._expected)
            self._rings = Rings(self.polygons)
            self._grid = Grid(bounds, float(cell), self._tile_cells, shapely.bounds(self.polygons), self._live)
            if self._grid.tiles_x * self._grid.tiles_y == 1:
                self._tiles[0] = self._draw(0)

    def _tile(self, tid: int) -> tuple[np.ndarray, np.ndarray]:
        with self._lock, _no_gc():
            if tid not in self._tiles:
                self._tiles[tid] = self._draw(tid)
            return self._tiles[tid]

    def _draw(self, tid: int) -> tuple[np.ndarray, np.ndarray]:
        raster, members = self._grid.draw(tid, self._rings)
        return raster, label_table(members)

    def _locate(self, x: np.ndarray, y: np.ndarray, pts: np.ndarray | None) -> np.ndarray:
        if not self._live.any() or len(x) == 0:
            return np.full(len(x), -1, dtype=np.int64)
        if self._grid is None:
            minx, miny, maxx, maxy = shapely.total_bounds(self.polygons[self._live])
            out = np.full(len(x), -1, dtype=np.int64)
            with np.errstate(invalid="ignore"):
                unsure = np.flatnonzero((x >= minx) & (x <= maxx) & (y >= miny) & (y <= maxy))
            out[unsure] = self._exact(x, y, pts, unsure)
            return out
        row, col, near, on = self._grid.cells(x, y)
        if self._grid.tiles_x * self._grid.tiles_y == 1:  # the city case: no grouping by tile
            raster, table = self._tile(0)
            out, ambiguous = self._grid.lookup(0, row, col, raster, table)
            out[~on] = -1
            unsure = np.flatnonzero(on & (ambiguous | near))
        else:
            out = np.full(len(x), -1, dtype=np.int64)
            parts = []
            for tid, which in self._grid.by_tile(row, col, np.flatnonzero(on)):
                raster, table = self._tile(tid)
                labels, ambiguous = self._grid.lookup(tid, row[which], col[which], raster, table)
                out[which] = labels
                parts.append(which[ambiguous | near[which]])
            unsure = np.concatenate(parts) if parts else np.zeros(0, dtype=np.intp)
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
            if self._buckets is None and self._tree is None:
                shapely.prepare(self.polygons[self._live])
                buckets = Buckets(shapely.bounds(self.polygons), self._live)
                if buckets.entries <= MAX_BUCKET_ENTRIES:
                    self._buckets = buckets
                else:
                    self._tree = shapely.STRtree(self.polygons)
        wx, wy = x[which], y[which]
        if self._buckets is not None:  # candidates by bounding box, in point then polygon order
            pt_idx, poly_idx = self._buckets.candidates(wx, wy)
        else:
            geoms = pts[which] if pts is not None else shapely.points(wx, wy)
            pt_idx, poly_idx = self._tree.query(geoms)  # bounding boxes only
            order = np.lexsort((poly_idx, pt_idx))
            pt_idx, poly_idx = pt_idx[order], poly_idx[order]
        if groups is not None:
            same = groups[1][poly_idx] == groups[0][pt_idx]
            pt_idx, poly_idx = pt_idx[same], poly_idx[same]
        with self._lock:  # a prepared geometry builds its point index lazily: one thread at a time
            inside = shapely.contains_xy(self.polygons[poly_idx], wx[pt_idx], wy[pt_idx])
        pt_idx, poly_idx = pt_idx[inside], poly_idx[inside]
        if len(pt_idx):
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
