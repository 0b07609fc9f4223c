"""The FastAPI site: ``create_app(settings)`` builds it; nothing is built at import time."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.templating import Jinja2Templates

from geo.errors import RequestError
from geo.i18n import LANGS
from geo.public import PublicCache
from geo.store import open_store
from web.errors import add_exception_handlers, error_response
from web.i18n import COOKIE
from web.routers import api, downloads, ogc, pages, static
from web.settings import Settings

TEMPLATES = Path(__file__).parent / "templates"


def create_app(settings: Settings) -> FastAPI:
    app = FastAPI(
        title="petakampung",
        version="0.1.0",
        description="Peta kampung: kemiskinan, penanganan kumuh dan kegiatan warga. Public data only: household "
        "numbers are per-RT aggregates with small counts suppressed.",
    )
    app.state.settings = settings
    app.state.store = open_store(settings.store)
    app.state.public = PublicCache(app.state.store, k=settings.suppression_k)
    app.state.templates = Jinja2Templates(directory=TEMPLATES)
    app.add_middleware(GZipMiddleware, minimum_size=1000)

    @app.middleware("http")
    async def language(request: Request, call_next):
        asked = request.query_params.get("lang")
        if asked is not None and asked.lower() not in LANGS:
            return error_response(request, RequestError("lang.unknown", lang=asked[:20]), 400)
        response = await call_next(request)
        if asked:
            response.set_cookie(COOKIE, asked.lower(), max_age=365 * 24 * 3600, samesite="lax", httponly=True)
        return response

    add_exception_handlers(app)
    for module in (static, pages, api, ogc, downloads):
        app.include_router(module.router)
    return app


def create_app_from_env() -> FastAPI:
    """For ``uvicorn --factory``: settings from PETAKAMPUNG_* environment variables."""
    return create_app(Settings())
