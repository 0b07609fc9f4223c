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
