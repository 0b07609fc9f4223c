"""Downloads of public layers as GeoPackage, GeoJSON or CSV (households only as RT aggregates)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, Response
from starlette.background import BackgroundTask

from geo.errors import NotFoundError
from geo.export import export_layer
from geo.layers import LAYERS
from geo.places import normalize_kelurahan_code
from web.auth import require_restricted
from web.limits import cached

router = APIRouter(tags=["Downloads"])
MEDIA = {"gpkg": "application/geopackage+sqlite3", "geojson": "application/geo+json", "csv": "text/csv"}


@router.get("/unduh/{layer}.{fmt}", summary="Download a public layer", response_class=Response)
def download(request: Request, layer: str, fmt: str, kelurahan: str | None = Query(None)) -> Response:
    """Written once per data version (then from the cache); at most two written at once, else 503
    with Retry-After."""
    if layer not in LAYERS or fmt not in MEDIA:
        raise NotFoundError(
            "download.layer", layer=f"{layer}.{fmt}", choices=", ".join(f"{n}.{f}" for n in LAYERS for f in MEDIA)
        )
    code = normalize_kelurahan_code(kelurahan) if kelurahan else None
    if code is not None:
        request.app.state.public.kelurahan(code)  # 404 for an unknown kelurahan
    settings = request.app.state.settings
    name = f"petakampung_{layer}{'_' + code if code else ''}.{fmt}"

    def build() -> Response:
        with tempfile.TemporaryDirectory(prefix="pk-unduh-") as folder:
            path = Path(folder) / name
            export_layer(request.app.state.store, layer, path, public=True, k=settings.suppression_k, code=code)
            body = path.read_bytes()
        return Response(body, media_type=MEDIA[fmt], headers={"Content-Disposition": f'attachment; filename="{name}"'})

    return cached(request, "download", (code,), build, code=code)


@router.get("/unduh/terbatas/{layer}.{fmt}", include_in_schema=False)
def restricted_download(request: Request, layer: str, fmt: str, kelurahan: str) -> Response:
    """The full restricted data of one kelurahan, for planners of its kota and admins."""
    code = normalize_kelurahan_code(kelurahan)
    require_restricted(request, code)
    request.app.state.public.kelurahan(code)  # 404 for an unknown kelurahan
    if layer not in LAYERS or fmt not in ("gpkg", "geojson", "csv"):
        raise NotFoundError("download.layer", layer=f"{layer}.{fmt}", choices="households.gpkg, ...")
    folder = Path(tempfile.mkdtemp(prefix="pk-terbatas-"))
    path = folder / f"petakampung_{layer}_{code}_TERBATAS.{fmt}"
    export_layer(request.app.state.store, layer, path, public=False, code=code)

    def cleanup() -> None:
        path.unlink(missing_ok=True)
        folder.rmdir()

    return FileResponse(
        path, filename=path.name, background=BackgroundTask(cleanup), headers={"Cache-Control": "no-store"}
    )
