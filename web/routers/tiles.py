"""Mapbox Vector Tiles: ``/tiles/{layer}/{z}/{x}/{y}.pbf`` (public data only, see geo.tiles).

A cached tile is answered after one version look-up by :class:`CachedTiles`, a small ASGI layer
in front of the app (sessions, language cookies, compression and routing are not needed to hand
back bytes already built); a tile to build goes through the route below, to a worker thread.
Every answer carries an ETag (changed only when a kelurahan in the tile changed) and
``Cache-Control: no-cache``, so browsers keep tiles and revalidate them with a cheap ``304``.
An empty tile (no feature there, or below the layer's zoom) is a ``204``.
"""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from geo.errors import GeoError
from geo.tiles import TILE_LAYERS, Tile, TileService
from web.paths import route_path

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


def answer(tile: Tile, if_none_match: str, accept_encoding: str) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body for a tile, given what the client sent."""
    headers = {"ETag": tile.etag, "Cache-Control": CACHE_CONTROL, "Vary": "Accept-Encoding"}
    if tile.etag in _etags(if_none_match):
        return 304, headers, b""
    if tile.empty:
        return 204, headers, b""
    headers["Content-Type"] = MEDIA_TYPE
    if "gzip" in accept_encoding and tile.gzip:
        headers["Content-Encoding"] = "gzip"  # compressed once when built; GZipMiddleware leaves it alone
        return 200, headers, tile.gzip
    return 200, headers, tile.body


def tile_response(request: Request, tile: Tile) -> Response:
    status, headers, body = answer(
        tile, request.headers.get("if-none-match", ""), request.headers.get("accept-encoding", "")
    )
    return Response(body, status_code=status, headers=headers)


TILE_PATH = re.compile(r"^/tiles/([a-z]+)/(\d{1,2})/(\d{1,7})/(\d{1,7})\.pbf$")


class CachedTiles:
    """ASGI: answers a GET of a tile that is cached and current straight away; everything else
    (a tile to build, a bad address, any other path) goes on to the app unchanged."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and not scope.get("query_string"):
            m = TILE_PATH.match(route_path(scope))
            service = getattr(scope["app"].state, "tiles", None) if m and "app" in scope else None
            if service is not None:
                try:
                    tile = service.cached(m.group(1), int(m.group(2)), int(m.group(3)), int(m.group(4)))
                except GeoError:
                    tile = None  # the route answers it with the error in the visitor's language
                if tile is not None:
                    request_headers = dict(scope["headers"])
                    status, headers, body = answer(
                        tile,
                        request_headers.get(b"if-none-match", b"").decode("latin-1"),
                        request_headers.get(b"accept-encoding", b"").decode("latin-1"),
                    )
                    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
                    if status == 200:
                        raw.append((b"content-length", str(len(body)).encode()))
                    await send({"type": "http.response.start", "status": status, "headers": raw})
                    await send({"type": "http.response.body", "body": body})
                    return
        await self.app(scope, receive, send)


def _etags(header: str) -> set[str]:
    return {part.strip().removeprefix("W/") for part in header.split(",") if part.strip()}
