"""The FastAPI site: ``create_app(settings)`` builds it; nothing is built at import time."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.templating import Jinja2Templates
from starlette.middleware.sessions import SessionMiddleware

from geo.errors import RequestError
from geo.i18n import LANGS
from geo.public import PublicData
from geo.store import open_store
from geo.tiles import TileService
from web.auth import LoginLimiter
from web.errors import add_exception_handlers, error_response
from web.i18n import COOKIE
from web.routers import account, api, downloads, kota, lkm, ogc, pages, static, tiles
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
    app.state.public = PublicData(app.state.store, k=settings.suppression_k)
    app.state.tiles = TileService(app.state.store, app.state.public)
    app.state.templates = Jinja2Templates(directory=TEMPLATES)
    app.state.login_limiter = LoginLimiter(settings.login_max_failures, settings.login_window_s)
    app.add_middleware(GZipMiddleware, minimum_size=1000)
    # added last, so it runs first: the session is there for every handler and error page
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.session_secret(),
        session_cookie="pk_session",
        max_age=8 * 3600,
        same_site="lax",
        https_only=settings.cookie_secure,
    )

    @app.middleware("http")
    async def language(request: Request, call_next):
        asked = request.query_params.get("lang")
        if asked is not None and asked.lower() not in LANGS:
            return error_response(request, RequestError("lang.unknown", lang=asked[:20]), 400)
        response = await call_next(request)
        if asked:
            response.set_cookie(COOKIE, asked.lower(), max_age=365 * 24 * 3600, samesite="lax", httponly=True)
        return response

    # added after the others, so it runs before them: a cached tile needs no session, cookie or routing
    app.add_middleware(tiles.CachedTiles)
    add_exception_handlers(app)
    for module in (static, account, lkm, pages, kota, api, ogc, downloads, tiles):
        app.include_router(module.router)
    app.include_router(kota.api)
    return app


def create_app_from_env() -> FastAPI:
    """For ``uvicorn --factory``: settings from PETAKAMPUNG_* environment variables."""
    return create_app(Settings())
