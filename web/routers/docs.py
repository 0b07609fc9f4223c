"""The interactive API documentation (Swagger UI at ``/docs``, ReDoc at ``/redoc``), FastAPI's
own pages with this response's CSP nonce on their inline script and the site's sub-path in the
OpenAPI URL.

Their JavaScript and CSS come from our own site, never a CDN (a machine or phone without internet
showed a blank page): the files are those the ``fastapi-offline`` package ships (Swagger UI,
Apache-2.0; ReDoc, MIT; the package itself MIT), served under a versioned path and cached."""

from __future__ import annotations

from functools import lru_cache
from importlib import metadata, resources
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, Response
from starlette.exceptions import HTTPException

from web.paths import root_of
from web.security import nonce_scripts

router = APIRouter(include_in_schema=False)
TITLE = "petakampung API"
ASSETS = ("swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js", "favicon.png")
_VERSION = metadata.version("fastapi-offline")
PREFIX = f"/static/vendor/apidocs/{_VERSION}"


def asset_dir() -> Path:
    return Path(str(resources.files("fastapi_offline") / "static"))


# ReDoc's "powered by" logo is the one thing its bundle fetches from a CDN: an empty image instead
REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"
FOREVER = {"Cache-Control": "public, max-age=31536000, immutable"}


@lru_cache(maxsize=1)
def _redoc_bundle() -> bytes:
    source = (asset_dir() / "redoc.standalone.js").read_bytes()
    return source.replace(REDOC_LOGO.encode(), b"data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E")


@router.get(PREFIX + "/{name}")
def docs_asset(name: str) -> Response:
    if name not in ASSETS:
        raise HTTPException(status_code=404)
    if name == "redoc.standalone.js":
        return Response(_redoc_bundle(), media_type="text/javascript; charset=utf-8", headers=FOREVER)
    return FileResponse(asset_dir() / name, headers=FOREVER)


@router.get("/docs")
def swagger(request: Request) -> HTMLResponse:
    base = root_of(request) + PREFIX
    page = get_swagger_ui_html(
        openapi_url=root_of(request) + "/openapi.json",
        title=TITLE,
        swagger_js_url=f"{base}/swagger-ui-bundle.js",
        swagger_css_url=f"{base}/swagger-ui.css",
        swagger_favicon_url=f"{base}/favicon.png",
    ).body.decode()
    return HTMLResponse(nonce_scripts(_with_lang(page), request.state.csp_nonce))


@router.get("/redoc")
def redoc(request: Request) -> HTMLResponse:
    base = root_of(request) + PREFIX
    page = get_redoc_html(
        openapi_url=root_of(request) + "/openapi.json",
        title=TITLE,
        redoc_js_url=f"{base}/redoc.standalone.js",
        redoc_favicon_url=f"{base}/favicon.png",
        with_google_fonts=False,
    ).body.decode()
    return HTMLResponse(nonce_scripts(_with_lang(page), request.state.csp_nonce))


def _with_lang(page: str) -> str:
    """The documentation is in English (the OpenAPI texts): say so, for screen readers."""
    return page.replace("<html>", '<html lang="en">', 1)
