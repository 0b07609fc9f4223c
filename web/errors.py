"""Domain errors to HTTP, in one table.  No traceback or internal path ever reaches a user."""

from __future__ import annotations

import logging
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from geo.errors import (
    AuthRequired,
    Busy,
    Conflict,
    Forbidden,
    GeoError,
    Gone,
    NotFoundError,
    PlaceError,
    RequestError,
    SchemaError,
    SourceError,
    StoreError,
    TooLarge,
    TooManyAttempts,
    ValidationFailed,
)
from geo.formats import Amount
from geo.i18n import t
from geo.selection import MAX_BUDGET_IDR
from web.i18n import page_lang, ui
from web.paths import route_path, site_url
from web.public_text import page_message

log = logging.getLogger("petakampung.web")

STATUS: dict[type[GeoError], int] = {
    AuthRequired: 401,
    Forbidden: 403,
    TooManyAttempts: 429,
    Gone: 410,
    NotFoundError: 404,
    Conflict: 409,
    TooLarge: 413,
    Busy: 503,
    PlaceError: 404,  # a malformed code names no kelurahan
    RequestError: 400,
    SchemaError: 400,
    SourceError: 400,
    ValidationFailed: 422,
    StoreError: 503,
}


def status_of(exc: GeoError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 500


def _wants_json(request: Request) -> bool:
    path = route_path(request)
    json_paths = ("/api", "/ogc", "/unduh", "/tiles")
    return path.startswith(json_paths) or "application/json" in request.headers.get("accept", "")


def json_error(request: Request, code: str, message: str, status: int) -> JSONResponse:
    """The JSON error body: under ``/ogc`` the OGC API exception shape ``{"code", "description"}``
    (OGC 17-069r4, exception.yaml, what OGC clients read), elsewhere ``{"error", "detail"}``.
    ``code`` is the same message id in both."""
    if _is_ogc(request):
        response = JSONResponse({"code": code, "description": message}, status_code=status)
        if status == 401:  # RFC 7235: say how to authenticate (a token: Bearer, or Basic with the name)
            response.headers.append("WWW-Authenticate", 'Basic realm="petakampung API token", charset="UTF-8"')
            response.headers.append("WWW-Authenticate", 'Bearer realm="petakampung API token"')
        return response
    return JSONResponse({"error": code, "detail": message}, status_code=status)


def _is_ogc(request: Request) -> bool:
    path = route_path(request)
    return path == "/ogc" or path.startswith("/ogc/")


def _page(request: Request, status: int, message: str) -> Response:
    from web.render import render

    return render(request, "error.html", status, status=status, message=message)


def error_response(request: Request, exc: GeoError, status: int | None = None) -> Response:
    status = status or status_of(exc)
    if isinstance(exc, StoreError) and exc.code.startswith("store.pg_"):
        # the database's host, roles and tables are for the operator's log, not for visitors
        log.error("store error on %s: %s", request.url.path, exc.message("en"))
        exc = StoreError("store.unavailable")
    message = exc.message(page_lang(request))
    if _wants_json(request):
        response: Response = json_error(request, exc.code, message, status)
    else:
        response = _page(request, status, message)
    if isinstance(exc, Busy):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


INVALID_PARAMS = {
    ("limit",): lambda: RequestError("req.limit", max=10_000),
    ("offset",): lambda: RequestError("req.offset"),
    ("budget",): lambda: RequestError("req.budget", max=Amount(MAX_BUDGET_IDR)),
}


def add_exception_handlers(app: FastAPI) -> None:
    @app.exception_handler(GeoError)
    async def geo_error(request: Request, exc: GeoError) -> Response:
        if isinstance(exc, AuthRequired) and not _wants_json(request) and request.method == "GET":
            target = quote(str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""), safe="")
            return RedirectResponse(site_url(request, f"/masuk?next={target}"), status_code=303)
        return error_response(request, exc)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        names = sorted({str(e["loc"][-1]) for e in exc.errors() if e.get("loc")})
        if tuple(names) in INVALID_PARAMS:
            return error_response(request, INVALID_PARAMS[tuple(names)](), 400)
        if names and all(n.startswith("w_") for n in names):
            return error_response(request, RequestError("req.weights", names=", ".join(names), max=100), 400)
        message = ui(page_lang(request))["err_invalid"].format(names=", ".join(names))
        if _wants_json(request):
            return json_error(request, "req.invalid", message, 400)
        return _page(request, 400, message)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        lang = page_lang(request)
        headers = dict(exc.headers or {})
        code: str | int = exc.status_code
        if exc.status_code == 404 and _is_ogc(request):
            code, message = "ogc.not_found", t("ogc.not_found", lang, path=route_path(request)[:100])
        elif exc.status_code == 404:
            message = ui(lang)["err_notfound"]
        elif exc.status_code == 405:  # say what is allowed, in the body and in the Allow header
            allowed = [m.strip() for m in headers.get("Allow", "").split(",") if m.strip()]
            if "GET" in allowed and "HEAD" not in allowed:
                allowed.append("HEAD")  # web.limits.HeadMiddleware answers HEAD on every GET route
            headers["Allow"] = ", ".join(sorted(allowed))
            method = "HEAD" if request.scope.get("state", {}).get("head") else request.method
            message = t("method.not_allowed", lang, method=method, path=request.url.path[:100], allow=headers["Allow"])
            code = "method.not_allowed" if _is_ogc(request) else code
            if not _wants_json(request):  # a visitor in a browser: words for a person, not for a client
                message = page_message("method", lang, path=request.url.path[:100])
        elif _wants_json(request):
            message = t("err.internal", lang, detail=exc.status_code)
        else:  # never the command-line hint (PETAKAMPUNG_DEBUG) on a web page
            message = page_message("http", lang, status=exc.status_code)
        if _wants_json(request) and _is_ogc(request):
            response: Response = json_error(request, str(code), message, exc.status_code)
        elif _wants_json(request):
            response = JSONResponse({"error": exc.status_code, "detail": message}, status_code=exc.status_code)
        else:
            response = _page(request, exc.status_code, message)
        response.headers.update(headers)
        return response

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s", request.url.path)
        lang = page_lang(request)
        message = ui(lang)["err_internal"]
        if _wants_json(request):
            return json_error(request, "internal", message, 500)
        return HTMLResponse(f"<!doctype html><h1>500</h1><p>{message}</p>", status_code=500)
