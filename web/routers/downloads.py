"""Downloads of public layers as GeoPackage, GeoJSON or CSV (households only as RT aggregates)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from geo.errors import NotFoundError
from geo.export import export_layer
from geo.layers import LAYERS
from geo.places import normalize_kelurahan_code

router = APIRouter(tags=["Downloads"])
MEDIA = {"gpkg": "application/geopackage+sqlite3", "geojson": "application/geo+json", "csv": "text/csv"}


@router.get("/unduh/{layer}.{fmt}", summary="Download a public layer", response_class=FileResponse)
def download(request: Request, layer: str, fmt: str, kelurahan: str | None = Query(None)) -> FileResponse:
    if layer not in LAYERS or fmt not in MEDIA:
        raise NotFoundError(
            "download.layer", layer=f"{layer}.{fmt}", choices=", ".join(f"{n}.{f}" for n in LAYERS for f in MEDIA)
        )
    code = normalize_kelurahan_code(kelurahan) if kelurahan else None
    if code is not None:
        request.app.state.public.kelurahan(code)  # 404 for an unknown kelurahan
    settings = request.app.state.settings
    folder = Path(tempfile.mkdtemp(prefix="pk-unduh-"))
    name = f"petakampung_{layer}{'_' + code if code else ''}.{fmt}"
    path = folder / name
    export_layer(request.app.state.store, layer, path, public=True, k=settings.suppression_k, code=code)

    def cleanup() -> None:
        path.unlink(missing_ok=True)
        folder.rmdir()

    return FileResponse(path, media_type=MEDIA[fmt], filename=name, background=BackgroundTask(cleanup))
