"""Vector tiles of plain tables straight from PostGIS (``ST_AsMVT``).

:class:`geo.tiles.TileService` asks the store for a tile of a layer that is stored as it is
published (kelurahan outlines, KWT gardens, facilities): PostGIS selects the features that
intersect the tile's buffered lon/lat box (the GiST index, then ``ST_Intersects``, exactly as a
Python-built tile selects them), projects them to Web Mercator, simplifies them by the same
tolerance in tile units, keeps the biggest ``max_features``, clips and quantises them to the
4096-unit grid with ``ST_AsMVTGeom`` and encodes them with ``ST_AsMVT``.  Only the body and the
kelurahan codes of the features (the tile's cache dependencies) come back to Python.

RT and works tiles are not built here: their properties (the suppressed household indicators,
the latest progress) are computed in Python per kelurahan version, so those layers keep the
Python encoder over the cached public frames.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from geo.store_pg_sql import q

__all__ = ["mvt_tile"]

WORLD_M = 40_075_016.685578488  # the Web Mercator world's width in metres


def mvt_tile(
    store: Any,
    table: str,
    layer: str,
    z: int,
    x: int,
    y: int,
    *,
    bbox: tuple[float, float, float, float],
    properties: Sequence[str],
    extent: int,
    buffer: int,
    tolerance: float,
    max_features: int,
) -> tuple[bytes, list[str]]:
    """One layer of one tile as MVT bytes (``b""`` when no feature falls in it), and the kelurahan
    codes of its features."""
    spec = store.specs[table]
    names = [p for p in properties if p in spec.column_names]
    columns = ", ".join(q(n) for n in names)
    metres = tolerance * WORLD_M / (2**z) / extent  # tile units to metres at this zoom
    box = "ST_MakeEnvelope(%s, %s, %s, %s, 4326)"
    sql = f"""
WITH picked AS (
  SELECT {columns}, ST_SimplifyPreserveTopology(ST_Transform(geom, 3857), %s) AS g
  FROM {q(table)}
  WHERE geom && {box} AND ST_Intersects(geom, {box})
  ORDER BY greatest(ST_Area(ST_Transform(geom, 3857)), ST_Length(ST_Transform(geom, 3857)), 1) DESC, fid
  LIMIT %s
), feature AS (
  SELECT {columns}, ST_AsMVTGeom(g, ST_TileEnvelope(%s, %s, %s), %s, %s, true) AS geom FROM picked
)
SELECT (SELECT ST_AsMVT(feature.*, %s, %s, 'geom') FROM feature WHERE geom IS NOT NULL),
       (SELECT array_agg(DISTINCT kelurahan_code) FROM feature WHERE geom IS NOT NULL AND kelurahan_code IS NOT NULL)
"""
    params = [metres, *bbox, *bbox, max_features, z, x, y, extent, buffer, layer, extent]
    with store.connection(table) as con:
        body, codes = con.execute(sql, params).fetchone()
    return (bytes(body) if body else b""), sorted(codes or [])
