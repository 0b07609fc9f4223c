"""Headers every response carries: a Content-Security-Policy with a nonce per response, who may
frame us, no content-type guessing, no Referer to other sites, and HSTS behind HTTPS.

Scripts run only from our own origin or, inline, with this response's nonce (templates write
``nonce="{{ nonce }}"``); there are no inline event handlers (``onchange="..."``).  Styles may be
inline: matplotlib's SVG charts, Leaflet and folium's popups carry ``style`` attributes, and
templates escape everything, so no visitor can add a rule.  Pictures come from our origin, ``data:``
URLs and the OpenStreetMap base-map tiles.  Only the map alone (``/kelurahan/{code}/peta``) may be
framed by other sites; every other page says ``frame-ancestors 'none'``.
"""

from __future__ import annotations

import re
import secrets

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from web.paths import route_path

__all__ = ["EMBEDDABLE", "SecurityHeadersMiddleware", "content_security_policy"]

OSM_TILES = "https://tile.openstreetmap.org"
EMBEDDABLE = re.compile(r"/kelurahan/[^/]+/peta")
# the interactive API documentation loads Swagger UI / ReDoc from our own site (web.routers.docs);
# ReDoc runs its search in a worker made from a blob: URL, on those two pages only
DOCS = {"/docs", "/redoc"}
DOCS_EXTRA = {"worker-src": "blob:"}
HSTS = b"max-age=31536000"


def content_security_policy(nonce: str, path: str) -> str:
    """The policy of the page at ``path`` (its route path)."""
    policy = {
        "default-src": "'self'",
        "script-src": f"'self' 'nonce-{nonce}'",
        "style-src": "'self' 'unsafe-inline'",
        "img-src": f"'self' data: {OSM_TILES}",
        "connect-src": "'self'",
        "font-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'none'",
        "form-action": "'self'",
        "frame-ancestors": "*" if EMBEDDABLE.fullmatch(path) else "'none'",
    }
    if path in DOCS:
        for name, extra in DOCS_EXTRA.items():
            policy[name] = f"{policy.get(name, chr(39) + 'self' + chr(39))} {extra}"
    return "; ".join(f"{k} {v}" for k, v in policy.items())


class SecurityHeadersMiddleware:
    """Adds the headers above to every response; the nonce is in ``request.state.csp_nonce``."""

    BASE = ((b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin"))

    def __init__(self, app: ASGIApp, *, hsts: bool = False) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = secrets.token_urlsafe(18)
        scope = {**scope, "state": {**(scope.get("state") or {}), "csp_nonce": nonce}}
        path = route_path(scope)
        extra = [*self.BASE, (b"content-security-policy", content_security_policy(nonce, path).encode())]
        if not EMBEDDABLE.fullmatch(path):
            extra.append((b"x-frame-options", b"DENY"))  # for browsers without frame-ancestors
        if self.hsts:
            extra.append((b"strict-transport-security", HSTS))

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                added = [(k, v) for k, v in extra if k not in names]
                message = {**message, "headers": [*message.get("headers", []), *added]}
            await send(message)

        await self.app(scope, receive, with_headers)


_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*\bnonce=)(?=[\s>])")


def nonce_scripts(trusted_html: str, nonce: str) -> str:
    """``trusted_html`` with ``nonce`` on each inline ``<script>``.

    Only for markup the site itself generated with no visitor's or imported text in it (folium's
    page header, FastAPI's documentation page): a nonce on whatever is in a string would let an
    injected script run."""
    return _INLINE_SCRIPT.sub(f'<script nonce="{nonce}"', trusted_html)
