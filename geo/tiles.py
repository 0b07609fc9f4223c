"""Mapbox Vector Tiles of the public layers, cached per tile and keyed by the kelurahan they touch.

A tile ``(layer, z, x, y)`` holds the public features of one layer that intersect the tile (with a
small buffer), projected to Web Mercator, clipped, simplified for its zoom and quantised to the
tile's integer grid (4096 units a side) before encoding with ``mapbox-vector-tile``.  Tile maths
comes from ``mercantile``.

Privacy: properties are an explicit allow-list per layer.  RT and works features come from the
per-kelurahan public frames (:class:`geo.public.PublicData`), so RT polygons carry the
*suppressed* household indicators and nothing else about households; a suppressed value is
simply absent from the feature (MVT has no null).

Caching: a built tile remembers the data version of every kelurahan it holds.  A request costs
one look-up of the store-wide version; only when that moved (some write, anywhere) are the tile's
kelurahan looked up again, and the tile is rebuilt only when one of *its* kelurahan changed or a
kelurahan appeared in or left it.  The ETag is a hash of those versions, so a write to one
kelurahan changes the ETag of that kelurahan's tiles only.
"""

from __future__ import annotations

import gzip
import hashlib
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import mapbox_vector_tile
import mercantile
import numpy as np
import pandas as pd
import shapely

from geo.errors import NotFoundError, RequestError
from geo.public import PublicData, concat_frames
from geo.store import Store

__all__ = [
    "EXTENT",
    "MAX_ZOOM",
    "TILE_LAYERS",
    "Tile",
    "TileBudget",
    "TileLayer",
    "TileService",
    "encode_tile",
    "tile_bbox",
]

EXTENT = 4096  # tile grid units a side: 16 per screen pixel of a 256-px tile
BUFFER = 64  # units drawn beyond each edge, so strokes and labels do not stop at the seam
MAX_ZOOM = 20
FORMAT = "1"  # bump when what goes into a tile changes: old ETags must not match new bodies


@dataclass(frozen=True)
class TileLayer:
    """One tile layer: the store table it comes from, the zoom it appears at, its public properties.

    ``derived`` layers are taken from the per-kelurahan public frames (RT with suppressed
    indicators, works with their latest progress) rather than read as stored.
    """

    name: str
    table: str
    min_zoom: int
    derived: bool
    properties: tuple[str, ...]


TILE_LAYERS: dict[str, TileLayer] = {
    spec.name: spec
    for spec in (
        TileLayer("kelurahan", "kelurahan", 8, False, ("kelurahan_code", "name", "kecamatan", "kota")),
        TileLayer(
            "rt",
            "rt",
            12,
            True,
            (
                "kelurahan_code",
                "unit_number",
                "rt_number",
                "rt_label",
                "kk_total",
                "kk_poor",
                "poor_share",
                "share_unsafe_water",
                "share_no_own_toilet",
                "garden_share",
                "works_budget_idr",
                "road_m",
                "drainage_m",
                "wells",
                "garden_m2",
            ),
        ),
        TileLayer(
            "works",
            "works",
            13,
            True,
            (
                "work_id",
                "kelurahan_code",
                "name",
                "work_type",
                "status",
                "year",
                "budget_idr",
                "funding",
                "progress_fisik",
                "progress_keuangan",
            ),
        ),
        TileLayer(
            "gardens",
            "gardens",
            14,
            False,
            ("garden_id", "kelurahan_code", "kwt_name", "crops", "site_type", "area_m2"),
        ),
        TileLayer(
            "facilities", "facilities", 14, False, ("facility_id", "kelurahan_code", "name", "category", "programme")
        ),
    )
}


@dataclass(frozen=True)
class TileBudget:
    """How much one tile may hold: features per layer and encoded bytes.  Over the byte budget the
    tile is simplified harder once, then its smallest features are left out until it fits."""

    max_features: int = 20_000
    max_bytes: int = 512 * 1024


@dataclass
class Tile:
    """An encoded tile (``body`` empty when no feature falls in it) and what it was built from."""

    body: bytes
    etag: str
    deps: dict[str, str] = field(default_factory=dict)  # kelurahan code -> data version
    star: str = ""  # the store-wide version when the tile was last known current
    gzip: bytes = b""

    @property
    def empty(self) -> bool:
        return not self.body

    @property
    def size(self) -> int:
        return len(self.body) + len(self.gzip)


def tile_bbox(z: int, x: int, y: int, buffer: float = BUFFER / EXTENT) -> tuple[float, float, float, float]:
    """The tile's bounds in lon/lat, widened by ``buffer`` (a fraction of the tile's side)."""
    b = mercantile.bounds(x, y, z)
    dx, dy = (b.east - b.west) * buffer, (b.north - b.south) * buffer
    return (b.west - dx, max(b.south - dy, -85.0511), b.east + dx, min(b.north + dy, 85.0511))


def check_tile(layer: str, z: int, x: int, y: int) -> TileLayer:
    """The layer's spec, after checking the tile address (404 for an unknown layer, 400 off the grid)."""
    spec = TILE_LAYERS.get(layer)
    if spec is None:
        raise NotFoundError("tiles.unknown_layer", layer=layer[:40], layers=", ".join(TILE_LAYERS))
    if not 0 <= z <= MAX_ZOOM or not (0 <= x < 2**z and 0 <= y < 2**z):
        raise RequestError("tiles.address", z=z, x=x, y=y, max=MAX_ZOOM)
    return spec


# --- encoding ----------------------------------------------------------------------------------------


def _tolerance(z: int) -> float:
    """Douglas-Peucker tolerance in tile units (16 units = 1 screen pixel): about half a pixel at
    city zooms, a quarter when close in; tile units shrink with every zoom, so so does the metre
    tolerance (about 19 m at z8, 1.2 m at z12, 0.15 m at z16)."""
    return 8.0 if z < 15 else 4.0


def _to_tile_units(z: int, x: int, y: int) -> Callable[[np.ndarray], np.ndarray]:
    n = 2**z

    def project(coords: np.ndarray) -> np.ndarray:
        lon = coords[:, 0]
        lat = np.clip(coords[:, 1], -85.0511, 85.0511)
        s = np.sin(np.radians(lat))
        mx = (lon + 180.0) / 360.0
        my = 0.5 - np.log((1 + s) / (1 - s)) / (4 * np.pi)
        return np.column_stack(((mx * n - x) * EXTENT, (my * n - y) * EXTENT))

    return project


def _tile_geometries(geoms: np.ndarray, z: int, x: int, y: int, tolerance: float) -> np.ndarray:
    """Lon/lat geometries as tile-unit integer geometries: projected, clipped, simplified, snapped
    to the grid (keeping polygons valid) and wound as MVT wants (exterior clockwise on screen)."""
    geoms = shapely.transform(geoms, _to_tile_units(z, x, y))
    geoms = shapely.clip_by_rect(geoms, -BUFFER, -BUFFER, EXTENT + BUFFER, EXTENT + BUFFER)
    geoms = shapely.simplify(geoms, tolerance, preserve_topology=True)
    geoms = shapely.set_precision(geoms, 1.0)
    return shapely.orient_polygons(geoms, exterior_cw=False)  # y points down: counter-clockwise in maths terms


def _size(geoms: np.ndarray) -> np.ndarray:
    """How much of the tile a feature covers: area for polygons, length for lines, 1 for points."""
    return np.maximum(np.maximum(shapely.area(geoms), shapely.length(geoms)), 1.0)


def _properties(frame: pd.DataFrame, names: Iterable[str]) -> list[dict[str, Any]]:
    """Per feature, its allowed properties as plain Python values; missing values are left out."""
    cols = [c for c in names if c in frame.columns]
    records: list[dict[str, Any]] = [{} for _ in range(len(frame))]
    for col in cols:
        values = frame[col].astype(object).to_numpy()
        for rec, value in zip(records, values, strict=True):
            plain = _plain(value)
            if plain is not None:
                rec[col] = plain
    return records


def _plain(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        if math.isnan(value):
            return None
        return int(value) if float(value).is_integer() and abs(value) < 2**53 else round(float(value), 6)
    return str(value)


def _layer_features(
    frame: gpd.GeoDataFrame, spec: TileLayer, z: int, x: int, y: int, tolerance: float, max_features: int
) -> list[dict[str, Any]]:
    if frame.empty:
        return []
    geoms = _tile_geometries(frame.geometry.to_numpy(), z, x, y, tolerance)
    keep = ~(shapely.is_empty(geoms) | shapely.is_missing(geoms))
    idx = np.flatnonzero(keep)
    if len(idx) > max_features:  # the biggest features first: the small ones are invisible anyway
        order = np.argsort(-_size(geoms[idx]), kind="stable")
        idx = np.sort(idx[order[:max_features]])
    props = _properties(frame.iloc[idx], spec.properties)
    return [{"geometry": g, "properties": p} for g, p in zip(geoms[idx], props, strict=True)]


def encode_tile(
    frames: dict[str, gpd.GeoDataFrame], z: int, x: int, y: int, *, budget: TileBudget | None = None
) -> bytes:
    """Encode lon/lat frames (layer name -> frame) as one MVT; ``b""`` when no feature falls in it."""
    budget = budget or TileBudget()
    tolerance = _tolerance(z)
    max_features = budget.max_features
    for _attempt in range(8):
        layers = []
        for name, frame in frames.items():
            features = _layer_features(frame, TILE_LAYERS[name], z, x, y, tolerance, max_features)
            if features:
                layers.append({"name": name, "features": features})
        if not layers:
            return b""
        body = mapbox_vector_tile.encode(
            layers, default_options={"extents": EXTENT, "y_coord_down": True, "check_winding_order": False}
        )
        if len(body) <= budget.max_bytes:
            return body
        count = max(len(layer["features"]) for layer in layers)
        if tolerance < 32:
            tolerance *= 4
        else:
            max_features = max(1, int(count * budget.max_bytes / len(body) * 0.9))
    return body


# --- the service ---------------------------------------------------------------------------------------


def _etag(layer: str, z: int, x: int, y: int, k: int, deps: dict[str, str]) -> str:
    text = "|".join([FORMAT, layer, str(z), str(x), str(y), str(k), *(f"{c}={v}" for c, v in sorted(deps.items()))])
    return '"' + hashlib.sha256(text.encode()).hexdigest()[:24] + '"'


class TileService:
    """Tiles of one store for every request of a server process (thread-safe).

    ``max_bytes`` bounds the memory the cache holds (least recently used tiles go first).
    """

    def __init__(
        self,
        store: Store,
        public: PublicData,
        *,
        max_bytes: int = 256 * 1024 * 1024,
        budget: TileBudget | None = None,
    ) -> None:
        self.store = store
        self.public = public
        self.max_bytes = max_bytes
        self.budget = budget or TileBudget()
        self._cache: OrderedDict[tuple[str, int, int, int], Tile] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._building = [threading.Lock() for _ in range(64)]
        self.builds = 0  # how many tiles were encoded (for tests and the benchmark)

    def star(self) -> str:
        return self.store.versions(["*"])["*"]

    def cached(self, layer: str, z: int, x: int, y: int) -> Tile | None:
        """The tile if it is cached and nothing was written since (one version look-up), else None.
        Cheap enough to run on the event loop; everything else belongs in a worker thread."""
        spec = check_tile(layer, z, x, y)
        if z < spec.min_zoom:
            return self._below_min_zoom(spec, z, x, y)
        with self._lock:
            hit = self._cache.get((layer, z, x, y))
        if hit is not None and hit.star == self.star():
            with self._lock:
                if (layer, z, x, y) in self._cache:
                    self._cache.move_to_end((layer, z, x, y))
            return hit
        return None

    def tile(self, layer: str, z: int, x: int, y: int) -> Tile:
        """The current tile: from the cache when its kelurahan have not changed, else built."""
        spec = check_tile(layer, z, x, y)
        if z < spec.min_zoom:
            return self._below_min_zoom(spec, z, x, y)
        key = (layer, z, x, y)
        with self._building[hash(key) % len(self._building)]:
            star = self.star()
            with self._lock:
                hit = self._cache.get(key)
            if hit is not None and hit.star == star:
                return hit
            tile = self._build(spec, z, x, y, star, hit)
            self._put(key, tile)
            return tile

    def _below_min_zoom(self, spec: TileLayer, z: int, x: int, y: int) -> Tile:
        return Tile(b"", _etag(spec.name, z, x, y, self.public.k, {"min_zoom": str(spec.min_zoom)}))

    def _build(self, spec: TileLayer, z: int, x: int, y: int, star: str, old: Tile | None) -> Tile:
        """Read what the tile holds; reuse the old body when its kelurahan and their versions are the
        same (a write elsewhere), else encode.  Retried while a write lands during the read."""
        bbox = tile_bbox(z, x, y)
        if not spec.derived and hasattr(self.store, "mvt"):
            built = self._build_in_database(spec, z, x, y, bbox, star, old)
            if built is not None:
                return built
        for _attempt in range(5):
            frame, deps = self._read(spec, bbox)
            now = self.star()
            if now == star:
                break
            star = now
        etag = _etag(spec.name, z, x, y, self.public.k, deps)
        if old is not None and old.etag == etag:
            return Tile(old.body, etag, deps, star, old.gzip)
        body = encode_tile({spec.name: frame}, z, x, y, budget=self.budget)
        self.builds += 1
        return Tile(body, etag, deps, star, gzip.compress(body, 6, mtime=0) if body else b"")

    def _build_in_database(
        self,
        spec: TileLayer,
        z: int,
        x: int,
        y: int,
        bbox: tuple[float, float, float, float],
        star: str,
        old: Tile | None,
    ) -> Tile | None:
        """A plain table's tile encoded by the database (PostGIS ``ST_AsMVT``, :mod:`geo.store_pg_tiles`):
        the same features, properties and simplification as :func:`encode_tile`.  None (encode it
        here instead) when the tile is over the byte budget, which the Python encoder knows how to meet."""
        for _attempt in range(5):
            body, codes = self.store.mvt(  # type: ignore[attr-defined]
                spec.table,
                spec.name,
                z,
                x,
                y,
                bbox=bbox,
                properties=spec.properties,
                extent=EXTENT,
                buffer=BUFFER,
                tolerance=_tolerance(z),
                max_features=self.budget.max_features,
            )
            deps = self.store.versions(codes) if codes else {}
            now = self.star()
            if now == star:
                break
            star = now
        if len(body) > self.budget.max_bytes:
            return None
        etag = _etag(spec.name, z, x, y, self.public.k, deps)
        if old is not None and old.etag == etag:
            return Tile(old.body, etag, deps, star, old.gzip)
        self.builds += 1
        return Tile(body, etag, deps, star, gzip.compress(body, 6, mtime=0) if body else b"")

    def _read(
        self, spec: TileLayer, bbox: tuple[float, float, float, float]
    ) -> tuple[gpd.GeoDataFrame, dict[str, str]]:
        if not spec.derived:
            frame = self.store.read(spec.table, bbox=bbox, columns=list(spec.properties))
            codes = sorted(set(frame["kelurahan_code"].dropna()))
            return frame, self.store.versions(codes) if codes else {}
        near = self.store.read(spec.table, bbox=bbox, columns=["kelurahan_code"], geometry=False)
        codes = sorted(set(near["kelurahan_code"].dropna()))
        parts, deps = [], {}
        box = shapely.box(*bbox)
        for kel in self.public.many(codes):
            frame = getattr(kel, spec.table)
            deps[kel.info["kelurahan_code"]] = kel.version
            parts.append(frame[frame.geometry.intersects(box)])
        return concat_frames(parts), deps

    def _put(self, key: tuple[str, int, int, int], tile: Tile) -> None:
        with self._lock:
            old = self._cache.pop(key, None)
            if old is not None:
                self._bytes -= old.size
            self._cache[key] = tile
            self._bytes += tile.size
            while self._bytes > self.max_bytes and len(self._cache) > 1:
                _, dropped = self._cache.popitem(last=False)
                self._bytes -= dropped.size
