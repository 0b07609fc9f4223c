"""Sessions, the current user, CSRF tokens and the login rate limit.

Sessions are signed cookies (Starlette's SessionMiddleware: HttpOnly, SameSite=Lax, Secure when
``cookie_secure``).  They carry the username, the user's ``session_version`` (so a password change
or a disabled account ends them) and a CSRF token that every form and every write request must
send back.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import defaultdict, deque

from fastapi import Request

from geo.accounts import User, get_user
from geo.errors import AuthRequired, Forbidden, TooManyAttempts


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def check_csrf(request: Request, sent: str | None) -> None:
    expected = request.session.get("csrf")
    sent = sent or request.headers.get("x-csrf-token")
    if not expected or not sent or not hmac.compare_digest(str(expected), str(sent)):
        raise Forbidden("auth.csrf")


def current_user(request: Request) -> User | None:
    name = request.session.get("user")
    if not name:
        return None
    user = get_user(request.app.state.store, name)
    if user is None or not user.active or user.session_version != request.session.get("version"):
        request.session.pop("user", None)
        return None
    return user


def require_user(request: Request) -> User:
    user = current_user(request)
    if user is None:
        raise AuthRequired("auth.required")
    return user


def require_recorder(request: Request, code: str) -> User:
    user = require_user(request)
    if not user.can_record(code):
        raise Forbidden("auth.forbidden")
    return user


def require_restricted(request: Request, code: str) -> User:
    user = require_user(request)
    if not user.can_read_restricted(code):
        raise Forbidden("auth.forbidden")
    return user


def require_admin(request: Request) -> User:
    user = require_user(request)
    if not user.is_admin:
        raise Forbidden("auth.forbidden")
    return user


def log_in(request: Request, user: User) -> None:
    request.session.clear()  # a new session: no fixation
    request.session["user"] = user.username
    request.session["version"] = user.session_version
    request.session["csrf"] = secrets.token_urlsafe(32)


class LoginLimiter:
    """At most ``max_failures`` failed logins per (name, address) within ``window`` seconds."""

    def __init__(self, max_failures: int, window: float) -> None:
        self.max_failures = max_failures
        self.window = window
        self._failures: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        q = self._failures[key]
        while q and q[0] < now - self.window:
            q.popleft()
        return q

    def check(self, name: str, address: str) -> None:
        now = time.monotonic()
        with self._lock:
            q = self._recent((name.lower(), address), now)
            if len(q) >= self.max_failures:
                raise TooManyAttempts("auth.limited", minutes=max(1, round((q[0] + self.window - now) / 60)))

    def failed(self, name: str, address: str) -> None:
        with self._lock:
            self._failures[(name.lower(), address)].append(time.monotonic())

    def succeeded(self, name: str, address: str) -> None:
        with self._lock:
            self._failures.pop((name.lower(), address), None)
