"""Sessions, the current user, CSRF tokens and the login rate limit.

Sessions are signed cookies (Starlette's SessionMiddleware: HttpOnly, SameSite=Lax, Secure when
``cookie_secure``).  They carry the username, the user's ``session_version`` (so a password change,
a disabled account or a logout ends them) and a CSRF token that every form and every write request must
send back.  The login rate limit is kept in the store (:mod:`geo.login_limit`).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
from typing import Protocol

from fastapi import Request

from geo.accounts import User, get_user
from geo.errors import AuthRequired, Forbidden
from geo.login_limit import LoginTry
from geo.tokens import token_user

PENDING_KEY = "pk_pending"  # web.pending.SESSION_KEY

BEARER_NAME = "(bearer)"  # the limiter's account name for a Bearer try, which names no account


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


def api_user(request: Request) -> User | None:
    """The user of an API request: an API token in ``Authorization`` (``Bearer TOKEN``, or HTTP
    Basic with the user name and the token as password), else the session cookie.

    A wrong token is a failed login try (the same limiter, per name and address; a Bearer try
    counts under one name per address); once a key is full, even a good token waits out the
    window.  A good token takes no try: GIS clients send many requests at once."""
    header = request.headers.get("authorization")
    if not header:
        return current_user(request)
    name, token = _credentials(header)
    limiter = request.app.state.login_limiter
    address = client_address(request)
    limiter.peek(name or BEARER_NAME, address)
    user = token_user(request.app.state.store, token, username=name)
    if user is None:
        limiter.fail(limiter.check(name or BEARER_NAME, address))
        raise AuthRequired("auth.token")
    return user


def _credentials(header: str) -> tuple[str | None, str]:
    """(user name or None, token) from an ``Authorization`` header; never logged or echoed."""
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() == "bearer":
        return None, value.strip()
    if scheme.lower() == "basic":
        try:
            name, sep, token = base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            name, sep, token = "", "", ""
        if sep:
            return name, token
    return None, ""


def require_api_user(request: Request) -> User:
    user = api_user(request)
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
    kept = request.session.get(PENDING_KEY)  # forms typed before this login (web.pending), nothing else
    request.session.clear()  # a new session: no fixation
    if kept:
        request.session[PENDING_KEY] = kept
    request.session["user"] = user.username
    request.session["version"] = user.session_version
    request.session["csrf"] = secrets.token_urlsafe(32)


class LoginLimit(Protocol):
    """The login rate limit as the login route uses it (:class:`geo.login_limit.StoreLoginLimiter`).

    ``peek`` refuses a key already at its limit without writing anything; ``check`` counts the try
    *before* the password is checked (so concurrent tries, on any worker, cannot all pass a
    check-then-count race) and raises :class:`TooManyAttempts` when the key is full; ``fail``
    confirms the count; ``succeed`` clears the key; ``release`` takes back a try that never
    reached the password check."""

    def peek(self, name: str, address: str) -> None: ...
    def check(self, name: str, address: str) -> LoginTry: ...
    def fail(self, attempt: LoginTry) -> None: ...
    def succeed(self, attempt: LoginTry) -> None: ...
    def release(self, attempt: LoginTry) -> None: ...


def client_address(request: Request) -> str:
    """The visitor's address.  ``X-Forwarded-For`` has already been applied by the app's proxy
    middleware, and only when the connection came from a configured trusted proxy."""
    return request.client.host if request.client else "?"
