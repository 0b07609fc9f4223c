"""The label raster behind :mod:`geo.placement`: grid, tiles, and drawing them with GDAL.

A tile holds, for each cell, 0 (no polygon), k (the polygon ``members[k - 1]`` contains the whole
cell) or ``AMBIGUOUS`` (a ring touches the cell: its points need the exact test).  See
:mod:`geo.placement` for why the shortcut gives exactly sjoin's answers.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise
from typing import Any

import numpy as np
import rasterio.features
import shapely
from affine import Affine

TILE_CELLS = 4096  # a tile's side in cells at most: a 4096 x 4096 uint16 raster is 32 MB
HALO_CELLS = 2  # cells drawn around each tile so rings crossing its side are burnt in full
ORIGIN_FRACTION = 0.3819660112501051  # (3 - sqrt 5) / 2: the grid never lines up with round coordinates
GRID_SHIFT = (0.7e-7, 1.3e-7)  # second ring pass, in cells: catches cells a corner-crossing ring skipped
EDGE_EPS = 1e-6  # points this close to a cell side (in cells) are tested exactly
AMBIGUOUS = np.iinfo(np.uint16).max
MAX_TILE_POLYGONS = int(AMBIGUOUS) - 1
BUCKETS_PER_BOX = 2  # bucket side: half a typical polygon box (fewer candidates, more entries)
MAX_BUCKET_ENTRIES = 20_000_000  # (bucket, polygon) pairs of Buckets: 160 MB at most
# Cost model for the cell size, in seconds, measured on the city benchmark: GDAL draws a polygon
# in ~15 us (fill and two ring passes) plus ~4 ns a cell; the exact test costs ~0.7 us a point;
# about 0.6 cell widths of band per unit of ring length (summed over polygons) are ambiguous.
DRAW_S_PER_POLYGON = 1.5e-5
DRAW_S_PER_CELL = 4e-9
EXACT_S_PER_POINT = 7e-7
BAND_CELLS_PER_RING = 0.6


def choose_cell_size(polys: np.ndarray, bounds: tuple[float, ...], n_points: int) -> float:
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


class Grid:
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

    def cells(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(row, col, near a cell side, on the grid) of each point; NaN and points off the grid get
        row = col = 0 and ``on the grid`` False."""
        inv = 1.0 / self.cell
        fx = (x - self.x0) * inv
        fy = (self.y1 - y) * inv
        with np.errstate(invalid="ignore"):
            on = (fx >= 0) & (fx < self.ncols) & (fy >= 0) & (fy < self.nrows)
        if not on.all():
            fx[~on] = 0.5
            fy[~on] = 0.5
        col = fx.astype(np.intp)  # truncation is floor: fx >= 0 here
        row = fy.astype(np.intp)
        fx -= col
        fy -= row
        fx -= 0.5
        fy -= 0.5
        np.abs(fx, out=fx)
        np.abs(fy, out=fy)
        near = (fx > 0.5 - EDGE_EPS) | (fy > 0.5 - EDGE_EPS)
        return row, col, near, on

    def by_tile(self, row: np.ndarray, col: np.ndarray, which: np.ndarray) -> Iterator[tuple[int, np.ndarray]]:
        """(tile id, the entries of ``which`` whose cell lies in it) for every tile holding points."""
        if self.tiles_x * self.tiles_y == 1:
            yield 0, which
            return
        tile_id = (row[which] // self.tile) * self.tiles_x + col[which] // self.tile
        order = np.argsort(tile_id, kind="stable")
        ids = tile_id[order]
        starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
        for start, end in zip(starts, np.r_[starts[1:], len(order)], strict=True):
            yield int(ids[start]), which[order[start:end]]

    def lookup(
        self, tid: int, row: np.ndarray, col: np.ndarray, raster: np.ndarray, table: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """(label or -1, ambiguous cell) for cells (row, col) of tile ``tid``; ``table`` maps a raster
        value to a polygon position (see :func:`label_table`)."""
        ty, tx = divmod(tid, self.tiles_x)
        width = raster.shape[1]
        flat = (row - (ty * self.tile - HALO_CELLS)) * width + (col - (tx * self.tile - HALO_CELLS))
        value = raster.ravel()[flat]
        return table[value], value == AMBIGUOUS

    def draw(self, tid: int, rings: Rings) -> tuple[np.ndarray, np.ndarray]:
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


def label_table(members: np.ndarray) -> np.ndarray:
    """Raster value -> polygon position (-1 for none and for AMBIGUOUS) in one array lookup."""
    table = np.full(int(AMBIGUOUS) + 1, -1, dtype=np.int64)
    if len(members) <= MAX_TILE_POLYGONS:  # else the tile is AMBIGUOUS everywhere
        table[1 : len(members) + 1] = members
    table[AMBIGUOUS] = -1
    return table


class Buckets:
    """Which polygons' bounding boxes cover each cell of a coarse grid: the candidates for the
    exact test of a point (the same candidates an STRtree query by point gives), found with a
    few array operations instead of building a shapely point per point."""

    def __init__(self, boxes: np.ndarray, live: np.ndarray) -> None:
        ids = np.flatnonzero(live)
        b = boxes[ids]
        self.boxes = boxes
        minx, miny = b[:, 0].min(), b[:, 1].min()
        maxx, maxy = b[:, 2].max(), b[:, 3].max()
        # about one polygon per bucket side: cells the size of a typical polygon's box
        side = max(float(np.median(np.maximum(b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]))) / BUCKETS_PER_BOX, 1e-9)
        wanted = np.ceil(max(maxx - minx, maxy - miny) / side)
        most = np.ceil(np.sqrt(4 * BUCKETS_PER_BOX**2 * len(ids)))  # about 4 buckets a box on average
        self.n = int(max(1, min(wanted, most)))
        self.x0, self.y0 = minx, miny
        self.size = max(maxx - minx, maxy - miny, 1e-9) / self.n * (1 + 1e-9)
        bx0, by0 = self._index(b[:, 0], b[:, 1])
        bx1, by1 = self._index(b[:, 2], b[:, 3])
        nx, ny = bx1 - bx0 + 1, by1 - by0 + 1
        count = nx * ny
        self.entries = int(count.sum())
        if self.entries > MAX_BUCKET_ENTRIES:  # huge overlapping boxes: the caller uses an STRtree
            return
        owner = np.repeat(np.arange(len(ids)), count)
        k = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
        bucket = (by0[owner] + k // nx[owner]) * self.n + bx0[owner] + k % nx[owner]
        order = np.lexsort((ids[owner], bucket))  # by bucket, then polygon position
        self.members = ids[owner][order]
        self.starts = np.searchsorted(bucket[order], np.arange(self.n * self.n + 1))

    def _index(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        bx = np.clip(((x - self.x0) / self.size).astype(np.int64), 0, self.n - 1)
        by = np.clip(((y - self.y0) / self.size).astype(np.int64), 0, self.n - 1)
        return bx, by

    def candidates(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(point, polygon) pairs whose box holds the point, in point order then polygon order."""
        bx, by = self._index(x, y)
        bucket = by * self.n + bx
        start, end = self.starts[bucket], self.starts[bucket + 1]
        count = end - start
        pt = np.repeat(np.arange(len(x)), count)
        pos = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count) + start[pt]
        poly = self.members[pos]
        box = self.boxes[poly]
        px, py = x[pt], y[pt]
        inside = (box[:, 0] <= px) & (px <= box[:, 2]) & (box[:, 1] <= py) & (py <= box[:, 3])
        return pt[inside], poly[inside]


class Rings:
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
