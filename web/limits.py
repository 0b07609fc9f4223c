"""What keeps one visitor from taking the site down: per-route concurrency gates that answer 503
with ``Retry-After`` instead of queueing, a result cache keyed by data version, request body
caps checked before a body is read and ``HEAD`` on every ``GET`` route (the security headers are in
:mod:`web.security`).

Gates and the cache are per server process (with ``--workers N`` each worker has its own); the
login limit, which must hold across workers, lives in the store (:mod:`geo.login_limit`).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol

from fastapi import Request
from fastapi.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from geo.errors import Busy, TooLarge
from web.paths import route_path

KIB = 1024
MIB = 1024 * KIB

# expensive routes and how many of each may run at once (the rest get 503 + Retry-After at once)
GATE_LIMITS = {
    "report": 1,  # laporan.pdf: map, Kurva S and photos through matplotlib and ReportLab
    "chart": 2,  # kurva-s.png
    "rank": 2,  # budgeted site selection (MILP)
    "download": 2,  # /unduh/...: GeoPackage, GeoJSON, CSV written through GDAL
    "geojson": 4,  # API layers, map layers by bounding box, OGC items
    "photo_render": 1,  # a rendition made once for a photo stored before renditions existed
    "service_area": 2,  # walking distances along the roads, per kelurahan and distance (cached after)
    "upload": 2,  # photos decoded on upload (logged-in LKM only; these wait for a slot, see UPLOAD_WAIT_S)
}
UPLOAD_WAIT_S = 60.0  # a submitted form waits for a decoding slot rather than being lost to a 503
CACHE_MAX_BYTES = 64 * MIB
CACHE_MAX_ITEM_BYTES = 16 * MIB


class Gate:
    """At most ``limit`` holders at once; one more is refused at once (:class:`Busy`), never queued."""

    def __init__(self, limit: int, retry_after_s: int) -> None:
        self.limit = limit
        self.retry_after_s = retry_after_s
        self._slots = threading.BoundedSemaphore(limit)

    @contextmanager
    def admit(self, code: str = "busy.route", *, wait_s: float = 0, **params: object) -> Iterator[None]:
        """Hold a slot for the block; ``wait_s`` > 0 waits that long for one before refusing."""
        if not (self._slots.acquire(timeout=wait_s) if wait_s > 0 else self._slots.acquire(blocking=False)):
            raise Busy(code, seconds=self.retry_after_s, **params)
        try:
            yield
        finally:
            self._slots.release()


@dataclass(frozen=True)
class CachedResponse:
    body: bytes
    status_code: int
    media_type: str | None
    headers: tuple[tuple[str, str], ...]

    def response(self) -> Response:
        return Response(self.body, status_code=self.status_code, media_type=self.media_type, headers=dict(self.headers))


_NOT_CACHED_HEADERS = {"content-length", "set-cookie", "content-type"}


class ResultCache:
    """Finished responses of expensive public routes, least recently used out first, bounded in bytes.

    Keys carry the data version (:func:`web.deps.data_version`): a write makes old entries
    unreachable and they age out."""

    def __init__(self, max_bytes: int = CACHE_MAX_BYTES, max_item_bytes: int = CACHE_MAX_ITEM_BYTES) -> None:
        self.max_bytes = max_bytes
        self.max_item_bytes = max_item_bytes
        self._items: OrderedDict[tuple, CachedResponse] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: tuple) -> CachedResponse | None:
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
            return hit

    def put(self, key: tuple, response: Response) -> None:
        body = bytes(response.body)
        if response.status_code != 200 or len(body) > self.max_item_bytes:
            return
        headers = tuple((k, v) for k, v in response.headers.items() if k.lower() not in _NOT_CACHED_HEADERS)
        entry = CachedResponse(body, response.status_code, response.media_type, headers)
        with self._lock:
            old = self._items.pop(key, None)
            self._bytes -= len(old.body) if old else 0
            self._items[key] = entry
            self._bytes += len(body)
            while self._bytes > self.max_bytes and self._items:
                _, dropped = self._items.popitem(last=False)
                self._bytes -= len(dropped.body)

    def __len__(self) -> int:
        return len(self._items)


def cached(request: Request, gate: str, key: tuple, build: Callable[[], Response], *, code: str | None) -> Response:
    """The cached response for ``key`` at the current data version of ``code``, else ``build()``
    run under ``gate`` (503 at once when the gate is full) and remembered."""
    from web.deps import data_version, page_lang

    state = request.app.state
    full = (request.url.path, page_lang(request), *key, data_version(request, code))
    hit = state.result_cache.get(full)
    if hit is not None:
        return hit.response()
    with state.gates[gate].admit(path=request.url.path):
        response = build()
    state.result_cache.put(full, response)
    return response


def human_size(n: int) -> str:
    return f"{n / MIB:.0f} MB" if n >= MIB else f"{max(1, round(n / KIB))} KB"


@dataclass(frozen=True)
class BodyRule:
    """Requests whose path matches ``pattern`` may send up to ``limit`` bytes when logged in."""

    pattern: re.Pattern[str]
    limit: int


class _BodyTooLargeError(Exception):
    pass


class FormTicketCheck(Protocol):
    """:class:`web.pending.FormTickets` as the body cap uses it."""

    def in_scope(self, scope: Scope, path: str) -> bool: ...


class BodyLimitMiddleware:
    """Refuse a request body above its route's limit before it is read.

    A ``Content-Length`` above the limit gets 413 at once; a body without one (chunked) is
    counted as it streams and refused as soon as it passes the limit, so nothing big is ever
    spooled to disk.  Anonymous visitors get ``default_limit`` on every route (no anonymous route
    takes more than a login form); logged-in users get the larger limit of a matching rule.
    Runs inside the session middleware, so it knows who is logged in.
    """

    def __init__(
        self,
        app: ASGIApp,
        default_limit: int = 64 * KIB,
        rules: tuple[BodyRule, ...] = (),
        tickets: FormTicketCheck | None = None,
    ) -> None:
        self.app = app
        self.default_limit = default_limit
        self.rules = rules
        self.tickets = tickets  # an anonymous form with a valid ticket of ours (web.pending) gets its rule too

    def limit_for(self, scope: Scope) -> int:
        ticket = self.tickets is not None and self.tickets.in_scope(scope, scope["path"])
        if (scope.get("session") or {}).get("user") or ticket:
            for rule in self.rules:
                if rule.pattern.fullmatch(scope["path"]):
                    return rule.limit
        return self.default_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for({**scope, "path": route_path(scope)})
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None:
            text = declared.decode("latin-1").strip()
            if not text.isascii() or not text.isdigit() or int(text) > limit:
                size = int(text) if text.isascii() and text.isdigit() else 0
                await self._refuse(scope, receive, send, limit, size)
                return
        seen = 0
        exceeded = False

        async def counted_receive() -> Message:
            nonlocal seen, exceeded
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    exceeded = True
                    raise _BodyTooLargeError
            return message

        async def guarded_send(message: Message) -> None:
            if not exceeded:  # the app's own answer to a broken body is replaced by our 413
                await send(message)

        try:
            await self.app(scope, counted_receive, guarded_send)
        except Exception:
            if not exceeded:
                raise
        if exceeded:
            await self._refuse(scope, receive, send, limit, seen)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, limit: int, size: int) -> None:
        from web.errors import error_response

        request = Request(scope)
        path = route_path(scope)
        anonymous = not (scope.get("session") or {}).get("user")
        # a logged-in user's route (a progress record with photos) sent after the session ended: say so,
        # so the page keeps what was typed and asks for a new login (web/static/pk/work.js)
        login_route = any(rule.pattern.fullmatch(path) for rule in self.rules)
        code = "body.login_first" if anonymous and login_route else "body.too_large"
        exc = TooLarge(code, path=scope["path"][:100], size=human_size(size), limit=human_size(limit))
        response = error_response(request, exc, 413)
        response.headers["Connection"] = "close"
        await response(scope, receive, send)


class HeadMiddleware:
    """``HEAD`` on every ``GET`` route: answered as the ``GET`` would be, without the body.

    FastAPI routes declared with ``@router.get`` answer only ``GET``; adding ``HEAD`` to each route
    would put duplicate operations into the OpenAPI document."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return
        state = dict(scope.get("state") or {}, head=True)
        scope = {**scope, "method": "GET", "state": state}

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app(scope, receive, headers_only)
