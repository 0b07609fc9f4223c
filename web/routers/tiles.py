"""Mapbox Vector Tiles: ``/tiles/{layer}/{z}/{x}/{y}.pbf`` (public data only, see geo.tiles).

A cached tile is answered on the event loop after one version look-up; a tile to build goes to
a worker thread.  Every answer carries an ETag (changed only when a kelurahan in the tile
changed) and ``Cache-Control: no-cache``, so browsers keep tiles and revalidate them with a
cheap ``304``.  An empty tile (no feature there, or below the layer's zoom) is a ``204``.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from geo.tiles import TILE_LAYERS, Tile, TileService

router = APIRouter(tags=["tiles"])
MEDIA_TYPE = "application/vnd.mapbox-vector-tile"
CACHE_CONTROL = "public, no-cache"  # keep, but ask (If-None-Match) before reuse: writes show at once


def tile_service(request: Request) -> TileService:
    return request.app.state.tiles


@router.get(
    "/tiles/{layer}/{z:int}/{x:int}/{y:int}.pbf",
    summary="Mapbox Vector Tile of a public layer",
    description="Layers and the zoom they start at: "
    + ", ".join(f"`{name}` (z{spec.min_zoom})" for name, spec in TILE_LAYERS.items())
    + ". RT polygons carry the public, suppressed indicators (a suppressed value is absent).",
    response_class=Response,
    responses={200: {"content": {MEDIA_TYPE: {}}}, 204: {"description": "no feature in this tile"}, 304: {}},
)
async def tile(request: Request, layer: str, z: int, x: int, y: int) -> Response:
    service = tile_service(request)
    found = service.cached(layer, z, x, y)
    if found is None:
        found = await run_in_threadpool(service.tile, layer, z, x, y)
    return tile_response(request, found)


def tile_response(request: Request, tile: Tile) -> Response:
    headers = {"ETag": tile.etag, "Cache-Control": CACHE_CONTROL, "Vary": "Accept-Encoding"}
    if tile.etag in _etags(request.headers.get("if-none-match", "")):
        return Response(status_code=304, headers=headers)
    if tile.empty:
        return Response(status_code=204, headers=headers)
    if "gzip" in request.headers.get("accept-encoding", "") and tile.gzip:
        headers["Content-Encoding"] = "gzip"  # compressed once when built; GZipMiddleware leaves it alone
        return Response(tile.gzip, media_type=MEDIA_TYPE, headers=headers)
    return Response(tile.body, media_type=MEDIA_TYPE, headers=headers)


def _etags(header: str) -> set[str]:
    return {part.strip().removeprefix("W/") for part in header.split(",") if part.strip()}
