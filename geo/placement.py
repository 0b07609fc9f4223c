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

How it is fast: above ``RASTER_MIN_POINTS`` points, each tile of the area is rasterised twice with
GDAL (``rasterio.features.rasterize``): the polygons' positions burnt at cell centres, then every
ring burnt with ``all_touched=True`` as "ambiguous".  A cell no ring touches lies wholly inside
(or wholly outside) each polygon, so its label is the answer for every point in it; points in
ambiguous cells are decided by the same exact test sjoin uses.  Three details keep the shortcut
exact: every geometry is burnt as one polygon of all its rings, which GDAL fills by the even-odd
rule that GEOS's prepared point-in-area test also follows (so holes, multi-part and even invalid
polygons agree); GDAL's line burning can skip a cell where a ring passes exactly through a cell
corner, so the rings are burnt a second time on a grid shifted by ``GRID_SHIFT`` of a cell (and
the grid origin sits at an irrational fraction of a cell off the data); and points within
``EDGE_EPS`` of a cell side are always tested exactly.  Tiles of at most ``tile_cells`` squared
cells keep memory bounded; tiles without points are never drawn.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Any

import numpy as np
import rasterio.features
import shapely
from affine import Affine

__all__ = ["RASTER_MIN_POINTS", "points_in_polygons", "xy_in_polygons"]

RASTER_MIN_POINTS = 50_000  # below this the exact test alone is as fast as drawing rasters
TILE_CELLS = 4096  # a tile's side in cells: a 4096 x 4096 uint16 raster is 32 MB
HALO_CELLS = 2  # cells drawn around each tile so rings crossing its side are burnt in full
ORIGIN_FRACTION = 0.3819660112501051  # (3 - sqrt 5) / 2: the grid never lines up with round coordinates
GRID_SHIFT = (0.7e-7, 1.3e-7)  # second ring pass, in cells: catches cells a corner-crossing ring skipped
EDGE_EPS = 1e-6  # points this close to a cell side (in cells) are tested exactly
AMBIGUOUS = np.iinfo(np.uint16).max
MAX_TILE_POLYGONS = int(AMBIGUOUS) - 1
# Cost model for the cell size (seconds, measured on the city benchmark): GDAL fills a cell in
# ~4 ns and burns a cell of ring in ~50 ns (twice), the exact test costs ~1.2 us per point, and
# about 0.6 cell widths of band per unit of ring length (summed over polygons) are ambiguous.
FILL_S_PER_CELL = 4e-9
RING_S_PER_CELL = 5e-8
EXACT_S_PER_POINT = 1.2e-6
BAND_CELLS_PER_RING = 0.6


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
        Side of a raster tile in cells (memory: 2 bytes per cell).

    Returns
    -------
    numpy.ndarray
        int64 positions, one per point; see the module docstring for the rule.
    """
    _check_crs(points, polygons)
    pts = _geometry_array(points, "points")
    polys = _polygon_array(polygons)
    x, y = _point_xy(pts)
    out = _place(x, y, pts, polys, cell_size=cell_size, tile_cells=tile_cells)
    if point_groups is None and polygon_groups is None:
        return out
    if point_groups is None or polygon_groups is None:
        raise ValueError("give both point_groups and polygon_groups, or neither")
    point_groups, polygon_groups = np.asarray(point_groups), np.asarray(polygon_groups)
    if point_groups.shape != (len(pts),) or polygon_groups.shape != (len(polys),):
        raise ValueError(
            f"point_groups and polygon_groups need one label per point ({len(pts)}) and per polygon "
            f"({len(polys)}); got {point_groups.shape} and {polygon_groups.shape}"
        )
    # the lowest polygon overall is the lowest of its group when the groups agree; else look again
    # among the polygons of the point's own group only
    hit = out >= 0
    other = np.flatnonzero(hit)[polygon_groups[out[hit]] != point_groups[hit]]
    if len(other):
        out[other] = _exact(x, y, pts, other, polys, groups=(point_groups[other], polygon_groups))
    return out


def xy_in_polygons(
    x: Sequence[float] | np.ndarray,
    y: Sequence[float] | np.ndarray,
    polygons: Any,
    *,
    cell_size: float | None = None,
    tile_cells: int = TILE_CELLS,
) -> np.ndarray:
    """:func:`points_in_polygons` for coordinate arrays (NaN: no point)."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError(f"x and y must be 1-d arrays of one length; got shapes {x.shape} and {y.shape}")
    return _place(x, y, None, _polygon_array(polygons), cell_size=cell_size, tile_cells=tile_cells)


# --- input checks ------------------------------------------------------------------------------


def _check_crs(points: Any, polygons: Any) -> None:
    a, b = getattr(points, "crs", None), getattr(polygons, "crs", None)
    if a is not None and b is not None and a != b:
        raise ValueError(f"points and polygons must share a CRS; got {a.to_string()} and {b.to_string()}")


def _geometry_array(values: Any, name: str) -> np.ndarray:
    if hasattr(values, "geometry"):
        values = values.geometry
    arr = np.asarray(values, dtype=object)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-d sequence of geometries; got shape {arr.shape}")
    return arr


def _point_xy(pts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x and y of every point (NaN where missing or empty) in one pass over the geometries."""
    coords, owner = shapely.get_coordinates(pts, return_index=True)
    if len(owner) > 1 and (owner[1:] == owner[:-1]).any():
        first = int(owner[1:][owner[1:] == owner[:-1]][0])
        raise ValueError(f"points must be Point geometries; got {shapely.get_type_id(pts[first])!r} at {first}")
    x = np.full(len(pts), np.nan)
    y = np.full(len(pts), np.nan)
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


# --- the placement -----------------------------------------------------------------------------


def _place(
    x: np.ndarray,
    y: np.ndarray,
    pts: np.ndarray | None,
    polys: np.ndarray,
    *,
    cell_size: float | None,
    tile_cells: int,
) -> np.ndarray:
    out = np.full(len(x), -1, dtype=np.int64)
    live = ~(shapely.is_empty(polys) | shapely.is_missing(polys))
    if not live.any() or len(x) == 0:
        return out
    minx, miny, maxx, maxy = shapely.total_bounds(polys[live])
    with np.errstate(invalid="ignore"):
        candidates = np.flatnonzero((x >= minx) & (x <= maxx) & (y >= miny) & (y <= maxy))
    if len(candidates) == 0:
        return out
    if cell_size is None:
        if len(candidates) < RASTER_MIN_POINTS:
            out[candidates] = _exact(x, y, pts, candidates, polys)
            return out
        cell_size = _cell_size(x[candidates], y[candidates], polys[live], (minx, miny, maxx, maxy))
    if not cell_size > 0:
        raise ValueError(f"cell_size must be a positive number; got {cell_size!r}")
    grid = _Grid((minx, miny, maxx, maxy), float(cell_size), int(tile_cells))
    labels, ambiguous = grid.lookup(x[candidates], y[candidates], polys, live)
    out[candidates] = labels
    unsure = candidates[ambiguous]
    if len(unsure):
        out[unsure] = _exact(x, y, pts, unsure, polys)
    return out


def _exact(
    x: np.ndarray,
    y: np.ndarray,
    pts: np.ndarray | None,
    which: np.ndarray,
    polys: np.ndarray,
    *,
    groups: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """The sjoin test for points ``which``: prepared polygons that ``contain`` them, lowest first
    (among polygons whose group equals the point's when ``groups`` is (point groups, polygon groups))."""
    geoms = pts[which] if pts is not None else shapely.points(x[which], y[which])
    tree = shapely.STRtree(geoms)
    poly_idx, pt_idx = tree.query(polys, predicate="contains")
    if groups is not None:
        same = groups[1][poly_idx] == groups[0][pt_idx]
        poly_idx, pt_idx = poly_idx[same], pt_idx[same]
    out = np.full(len(which), -1, dtype=np.int64)
    if len(pt_idx):
        order = np.lexsort((poly_idx, pt_idx))
        pt_idx, poly_idx = pt_idx[order], poly_idx[order]
        first = np.ones(len(pt_idx), dtype=bool)
        first[1:] = pt_idx[1:] != pt_idx[:-1]
        out[pt_idx[first]] = poly_idx[first]
    return out


def _cell_size(x: np.ndarray, y: np.ndarray, polys: np.ndarray, bounds: tuple[float, ...]) -> float:
    """The cell side that minimises drawing plus exact-test time for this density of points."""
    minx, miny, maxx, maxy = bounds
    width, height = max(maxx - minx, 1e-12), max(maxy - miny, 1e-12)
    # share of the area that holds points, on a 64 x 64 grid of buckets
    bx = np.minimum(((x - minx) / width * 64).astype(np.intp), 63)
    by = np.minimum(((y - miny) / height * 64).astype(np.intp), 63)
    occupied = np.count_nonzero(np.bincount(by * 64 + bx, minlength=64 * 64)) / (64 * 64)
    area = width * height * occupied
    ring = float(shapely.length(polys).sum()) * occupied
    n = len(x)
    sizes = np.sqrt(area) * np.logspace(-4, -0.5, 200)
    cost = (
        FILL_S_PER_CELL * area / sizes**2
        + RING_S_PER_CELL * 2 * ring / sizes
        + EXACT_S_PER_POINT * n * np.minimum(1.0, BAND_CELLS_PER_RING * ring * sizes / area)
    )
    return float(sizes[np.argmin(cost)])


class _Grid:
    """A grid of tiles over ``bounds``; draws only the tiles that hold points."""

    def __init__(self, bounds: tuple[float, ...], cell: float, tile_cells: int) -> None:
        if tile_cells < 16:
            raise ValueError(f"tile_cells must be at least 16; got {tile_cells}")
        minx, miny, maxx, maxy = bounds
        self.cell, self.tile = cell, tile_cells
        self.x0 = minx - ORIGIN_FRACTION * cell
        self.y1 = maxy + ORIGIN_FRACTION * cell
        self.ncols = int(np.floor((maxx - self.x0) / cell)) + 1
        self.nrows = int(np.floor((self.y1 - miny) / cell)) + 1
        self.tiles_x = -(-self.ncols // tile_cells)

    def lookup(
        self, x: np.ndarray, y: np.ndarray, polys: np.ndarray, live: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """(label or -1, ambiguous) for each point; labels are only meaningful where not ambiguous."""
        fx = (x - self.x0) / self.cell
        fy = (self.y1 - y) / self.cell
        col = np.clip(np.floor(fx).astype(np.int64), 0, self.ncols - 1)
        row = np.clip(np.floor(fy).astype(np.int64), 0, self.nrows - 1)
        fx -= col
        fy -= row
        ambiguous = (fx < EDGE_EPS) | (fx > 1 - EDGE_EPS) | (fy < EDGE_EPS) | (fy > 1 - EDGE_EPS)
        labels = np.full(len(x), -1, dtype=np.int64)
        tile_id = (row // self.tile) * self.tiles_x + col // self.tile
        if self.tiles_x == 1 and self.nrows <= self.tile:  # one tile: no need to sort points by tile
            order, starts, ends = np.arange(len(x)), np.array([0]), np.array([len(x)])
        else:
            order = np.argsort(tile_id, kind="stable")
            starts = np.flatnonzero(np.r_[True, tile_id[order][1:] != tile_id[order][:-1]])
            ends = np.r_[starts[1:], len(order)]
        bounds = shapely.bounds(polys)
        rings = _Rings(polys)
        for start, end in zip(starts, ends, strict=True):
            idx = order[start:end]
            tid = int(tile_id[idx[0]])
            ty, tx = divmod(tid, self.tiles_x)
            raster, members = self._draw(ty, tx, bounds, live, rings)
            r = row[idx] - ty * self.tile + HALO_CELLS
            c = col[idx] - tx * self.tile + HALO_CELLS
            value = raster[r, c]
            ambiguous[idx] |= value == AMBIGUOUS
            inside = (value != 0) & (value != AMBIGUOUS)
            labels[idx[inside]] = members[value[inside].astype(np.int64) - 1]
        return labels, ambiguous

    def _draw(
        self, ty: int, tx: int, bounds: np.ndarray, live: np.ndarray, rings: _Rings
    ) -> tuple[np.ndarray, np.ndarray]:
        """The tile's raster (0 none, k polygon ``members[k - 1]``, AMBIGUOUS) and its polygons."""
        c0, r0 = tx * self.tile - HALO_CELLS, ty * self.tile - HALO_CELLS
        side = self.tile + 2 * HALO_CELLS
        west, north = self.x0 + c0 * self.cell, self.y1 - r0 * self.cell
        east, south = west + side * self.cell, north - side * self.cell
        members = np.flatnonzero(
            live & (bounds[:, 0] <= east) & (bounds[:, 2] >= west) & (bounds[:, 1] <= north) & (bounds[:, 3] >= south)
        )
        raster = np.zeros((side, side), dtype=np.uint16)
        if len(members) == 0:
            return raster, members
        transform = Affine(self.cell, 0.0, west, 0.0, -self.cell, north)
        if len(members) > MAX_TILE_POLYGONS:  # more polygons than labels: the whole tile is tested exactly
            raster[:] = AMBIGUOUS
            return raster, members
        shapes = rings.polygons(members[::-1])  # lowest position drawn last, so it wins overlaps
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
