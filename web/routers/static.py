"""Vendored front-end files (Leaflet), served with long cache lifetimes under a versioned path."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse
from starlette.exceptions import HTTPException

from geo.assets import LEAFLET_VERSION, vendor_path

router = APIRouter()
VENDOR_PREFIX = f"/static/vendor/leaflet/{LEAFLET_VERSION}"
CACHE = "public, max-age=31536000, immutable"


@router.get(VENDOR_PREFIX + "/{name:path}", include_in_schema=False)
def vendor(name: str) -> FileResponse:
    path = vendor_path(name)
    if path is None:
        raise HTTPException(status_code=404)
    return FileResponse(path, headers={"Cache-Control": CACHE})
