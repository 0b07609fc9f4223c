"""The FastAPI site: ``create_app(settings)`` builds it; nothing is built at import time."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.templating import Jinja2Templates

from geo.store import open_store
from web.errors import add_exception_handlers
from web.i18n import COOKIE, page_lang
from web.routers import pages, static
from web.settings import Settings

TEMPLATES = Path(__file__).parent / "templates"


def create_app(settings: Settings) -> FastAPI:
    app = FastAPI(
        title="petakampung",
        version="0.1.0",
        description="Peta kampung: kemiskinan, penanganan kumuh dan kegiatan warga",
    )
    app.state.settings = settings
    app.state.store = open_store(settings.store)
    app.state.templates = Jinja2Templates(directory=TEMPLATES)
    app.add_middleware(GZipMiddleware, minimum_size=1000)

    @app.middleware("http")
    async def remember_language(request: Request, call_next):
        response = await call_next(request)
        asked = request.query_params.get("lang")
        if asked and page_lang(request) == asked.lower()[:2]:
            response.set_cookie(COOKIE, page_lang(request), max_age=365 * 24 * 3600, samesite="lax", httponly=True)
        return response

    add_exception_handlers(app)
    app.include_router(static.router)
    app.include_router(pages.router)
    return app


def create_app_from_env() -> FastAPI:
    """For ``uvicorn --factory``: settings from PETAKAMPUNG_* environment variables."""
    return create_app(Settings())
