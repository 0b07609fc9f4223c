"""The FastAPI site: ``create_app(settings)`` builds it; nothing is built at import time."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.templating import Jinja2Templates
from jinja2 import StrictUndefined
from starlette.middleware.sessions import SessionMiddleware

from geo.errors import RequestError
from geo.formats import jinja_filters as format_filters
from geo.i18n import LANGS, t
from geo.login_limit import StoreLoginLimiter
from geo.photos import MAX_PHOTO_BYTES
from geo.public import PublicData
from geo.store import open_store
from geo.tiles import TileService
from web.errors import add_exception_handlers, error_response
from web.i18n import COOKIE
from web.i18n import register as register_gettext
from web.limits import (
    GATE_LIMITS,
    MIB,
    BodyLimitMiddleware,
    BodyRule,
    Gate,
    HeadMiddleware,
    ResultCache,
)
from web.paths import root_of
from web.pending import FormTickets, PendingForms
from web.public_text import register as register_public_text
from web.routers import (
    account,
    api,
    audit,
    community,
    docs,
    downloads,
    health,
    kampung,
    kampung_api,
    kota,
    ogc,
    pages,
    plan,
    reports,
    static,
    tiles,
    works,
)
from web.security import SecurityHeadersMiddleware, nonce_scripts
from web.settings import Settings

TEMPLATES = Path(__file__).parent / "templates"
log = logging.getLogger("petakampung.web")
# a progress record (logged-in recorders only): six photos made smaller in the browser (about 1 MB
# each), or a few camera originals sent as they are (up to MAX_PHOTO_BYTES each), plus the form fields
UPLOAD_RULE = BodyRule(re.compile(r"/kelurahan/[^/]+/pekerjaan/[^/]+/progres"), 3 * MAX_PHOTO_BYTES + MIB)


def create_app(settings: Settings) -> FastAPI:
    app = FastAPI(
        title="petakampung",
        version="0.1.0",
        description="Peta kampung: kemiskinan, penanganan kumuh dan kegiatan warga. Public data only: household "
        "numbers are per-RT aggregates with small counts suppressed.",
        docs_url=None,  # web.routers.docs: the same pages, with the CSP nonce on their script
        redoc_url=None,
    )
    app.state.settings = settings
    # two database roles on PostGIS: the public pages read with one that cannot read households,
    # accounts or the audit log (PETAKAMPUNG_STORE_PUBLIC); logins, LKM and planner routes, and the
    # per-RT household counts (aggregated and suppressed in geo.public), use the full one
    app.state.store = open_store(settings.store, audit_rows=settings.audit_rows)
    app.state.pending = PendingForms.for_store(settings.store)  # progress forms kept across a login
    app.state.public_store = open_store(settings.store_public) if settings.store_public else app.state.store
    app.state.public = PublicData(app.state.public_store, k=settings.suppression_k, households=app.state.store)
    app.state.tiles = TileService(app.state.public_store, app.state.public)
    app.state.templates = Jinja2Templates(directory=TEMPLATES)
    app.state.templates.env.filters["with_nonce"] = nonce_scripts  # folium's map header, see web.security
    if settings.strict_templates:  # a missing key or variable fails the page (and so the test) instead of going blank
        app.state.templates.env.undefined = StrictUndefined
    register_public_text(app.state.templates.env)  # notes, source/as-of and code words on public pages
    register_gettext(app.state.templates.env)  # _("id") in templates: the gettext catalogue (geo/locale)
    app.state.templates.env.filters.update(format_filters())  # |number |percent |rupiah |date |month (geo.formats)
    secret = settings.session_secret()
    app.state.form_tickets = FormTickets(secret)  # progress forms' photos kept across a login
    # counts in the store: every worker process shares them (keys are HMACs under the session secret)
    app.state.login_limiter = StoreLoginLimiter(
        app.state.store, secret, settings.login_max_failures, settings.login_window_s
    )
    app.state.password_gate = Gate(settings.login_concurrency, settings.busy_retry_after_s)
    app.state.gates = {name: Gate(n, settings.busy_retry_after_s) for name, n in GATE_LIMITS.items()}
    app.state.result_cache = ResultCache()
    if settings.secret_beside_store():
        log.warning(t("secret.beside_store", settings.lang, path=settings.secret_path()))
    # middleware added later runs earlier (outside): gzip, HEAD, body caps, session, language, the
    # trusted proxies' X-Forwarded-For, cached tiles, then (outermost) the security headers
    app.add_middleware(GZipMiddleware, minimum_size=1000)
    app.add_middleware(HeadMiddleware)
    app.add_middleware(BodyLimitMiddleware, rules=(UPLOAD_RULE,), tickets=app.state.form_tickets)
    # the session is there for the body caps, every handler and every error page
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret,
        session_cookie="pk_session",
        path=settings.root_path or "/",
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
            response.set_cookie(
                COOKIE,
                asked.lower(),
                max_age=365 * 24 * 3600,
                path=root_of(request) or "/",
                samesite="lax",
                httponly=True,
                secure=settings.cookie_secure,
            )
        return response

    if settings.trusted_proxies:  # uvicorn's middleware, with our list; `serve` turns uvicorn's own off
        from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    # added after the others, so it runs before them: a cached tile needs no session, cookie or routing
    app.add_middleware(tiles.CachedTiles)
    # outermost: every response, a cached tile's and an error's included, carries the security headers
    app.add_middleware(SecurityHeadersMiddleware, hsts=settings.cookie_secure)
    add_exception_handlers(app)
    for module in (
        static,
        health,
        docs,
        account,
        works,
        reports,
        audit,
        pages,
        community,
        kampung,
        kampung_api,
        kota,
        api,
        plan,
        ogc,
        downloads,
        tiles,
    ):
        app.include_router(module.router)
    app.include_router(kota.api)
    return app


def create_app_from_env() -> FastAPI:
    """For ``uvicorn --factory``: settings from PETAKAMPUNG_* environment variables."""
    return create_app(Settings())
