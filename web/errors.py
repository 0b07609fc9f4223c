"""Domain errors to HTTP, in one table.  No traceback or internal path ever reaches a user."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from geo.errors import GeoError, NotFoundError, PlaceError, SchemaError, SourceError, StoreError, ValidationFailed
from web.i18n import page_lang, ui

log = logging.getLogger("petakampung.web")

STATUS: dict[type[GeoError], int] = {
    NotFoundError: 404,
    PlaceError: 404,  # a malformed code names no kelurahan
    SchemaError: 400,
    SourceError: 400,
    ValidationFailed: 422,
    StoreError: 503,
}


def _status(exc: GeoError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 500


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api") or "application/json" in request.headers.get("accept", "")


def _error_page(request: Request, status: int, message: str) -> Response:
    templates = request.app.state.templates
    lang = page_lang(request)
    return templates.TemplateResponse(
        request, "error.html", {"lang": lang, "t": ui(lang), "status": status, "message": message}, status_code=status
    )


def add_exception_handlers(app: FastAPI) -> None:
    @app.exception_handler(GeoError)
    async def geo_error(request: Request, exc: GeoError) -> Response:
        status = _status(exc)
        lang = page_lang(request)
        message = exc.message(lang)
        if _wants_json(request):
            return JSONResponse({"error": exc.code, "detail": message}, status_code=status)
        return _error_page(request, status, message)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        lang = page_lang(request)
        message = ui(lang)["err_notfound"] if exc.status_code == 404 else str(exc.detail)
        if _wants_json(request):
            return JSONResponse({"error": exc.status_code, "detail": message}, status_code=exc.status_code)
        return _error_page(request, exc.status_code, message)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s", request.url.path)
        lang = page_lang(request)
        message = ui(lang)["err_internal"]
        if _wants_json(request):
            return JSONResponse({"error": "internal", "detail": message}, status_code=500)
        return HTMLResponse(f"<h1>500</h1><p>{message}</p>", status_code=500)
