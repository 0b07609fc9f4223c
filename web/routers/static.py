"""Front-end files: vendored Leaflet under a versioned path (cached for a year) and our own."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse
from starlette.exceptions import HTTPException

from geo.assets import LEAFLET_VERSION, VECTORGRID_VERSION, map_script_path, vectorgrid_path, vendor_path

router = APIRouter(include_in_schema=False)
VENDOR_PREFIX = f"/static/vendor/leaflet/{LEAFLET_VERSION}"
VECTORGRID_PREFIX = f"/static/vendor/vectorgrid/{VECTORGRID_VERSION}"
MAP_PREFIX = "/static/map"
OWN = Path(__file__).resolve().parents[1] / "static" / "pk"
FOREVER = "public, max-age=31536000, immutable"
HOUR = "public, max-age=3600"


@router.get(VENDOR_PREFIX + "/{name:path}")
def vendor(name: str) -> FileResponse:
    path = vendor_path(name)
    if path is None:
        raise HTTPException(status_code=404)
    return FileResponse(path, headers={"Cache-Control": FOREVER})


@router.get("/static/pk/{name}")
def own(name: str) -> FileResponse:
    path = (OWN / name).resolve()
    if path.parent != OWN or not path.is_file():
        raise HTTPException(status_code=404)
    return FileResponse(path, headers={"Cache-Control": HOUR})


@router.get(VECTORGRID_PREFIX + "/{name}")
def vectorgrid(name: str) -> FileResponse:
    path = vectorgrid_path(name)
    if path is None:
        raise HTTPException(status_code=404)
    media = "text/markdown; charset=utf-8" if name.endswith(".md") else None
    return FileResponse(path, media_type=media, headers={"Cache-Control": FOREVER})


@router.get(MAP_PREFIX + "/{name}")
def map_script(name: str) -> FileResponse:
    path = map_script_path(name)
    if path is None:
        raise HTTPException(status_code=404)
    return FileResponse(path, headers={"Cache-Control": HOUR})
