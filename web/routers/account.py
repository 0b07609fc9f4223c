"""Log in and out."""

from __future__ import annotations

from urllib.parse import quote, urlparse

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from geo.accounts import authenticate, end_sessions
from geo.errors import Busy, TooManyAttempts
from geo.i18n import t
from web.auth import check_csrf, client_address, csrf_token, current_user, log_in
from web.deps import page_lang
from web.paths import root_of, site_url
from web.render import render

router = APIRouter(include_in_schema=False)


def _safe_next(request: Request, target: str | None) -> str:
    """Only our own paths (behind the site's sub-path): never an open redirect."""
    root = root_of(request)
    if (
        not target
        or not target.startswith(root + "/")
        or target.startswith("//")
        or "\\" in target
        or urlparse(target).netloc
    ):
        return root + "/lkm"
    return target


def _login_page(request: Request, error: str | None = None, status: int = 200, username: str = "") -> Response:
    return render(  # the name is shown back as typed (escaped by Jinja2); it is never trusted
        request,
        "login.html",
        status,
        csrf=csrf_token(request),
        error=error,
        username=username,
        next=_safe_next(request, request.query_params.get("next")),
    )


@router.get("/masuk", response_class=HTMLResponse)
def login_form(request: Request) -> Response:
    return _login_page(request)


@router.post("/masuk")
def login(
    request: Request,
    username: str = Form(""),
    password: str = Form(""),
    csrf_token_: str = Form("", alias="csrf_token"),
    next_: str = Form("", alias="next"),
) -> Response:
    """A name already at its limit is refused at once (429, no password check, nothing written).
    Otherwise a password-check slot is taken (503 at once when ``login_concurrency`` checks are
    running: nothing counted), the limiter counts the try in the store (shared by every worker;
    429 when it is full) and only then is Argon2 spent."""
    check_csrf(request, csrf_token_)
    limiter = request.app.state.login_limiter
    lang = page_lang(request)
    address = client_address(request)
    try:
        limiter.peek(username, address)
        with request.app.state.password_gate.admit("auth.busy"):
            attempt = limiter.check(username, address)
            user = authenticate(request.app.state.store, username, password)
    except TooManyAttempts as exc:
        return _login_page(request, exc.message(lang), 429, username)
    except Busy as exc:
        response = _login_page(request, exc.message(lang), 503, username)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    if user is None:
        limiter.fail(attempt)
        return _login_page(request, t("auth.failed", lang), 401, username)
    limiter.succeed(attempt)
    log_in(request, user)
    return RedirectResponse(_safe_next(request, next_), status_code=303)


@router.post("/keluar")
def logout(request: Request, csrf_token_: str = Form("", alias="csrf_token")) -> Response:
    """Ends the session for good: the user's session version moves on, so a copy of the cookie
    taken before the logout no longer works (this logs the user out on every device)."""
    check_csrf(request, csrf_token_)
    user = current_user(request)
    if user is not None:
        end_sessions(request.app.state.store, user.username)
    request.session.clear()
    return RedirectResponse(site_url(request, "/"), status_code=303)


@router.get("/lkm", response_class=HTMLResponse)
def my_area(request: Request) -> Response:
    user = current_user(request)
    if user is None:
        return RedirectResponse(site_url(request, "/masuk?next=") + quote(site_url(request, "/lkm")), status_code=303)
    if user.role == "lkm" and user.kelurahan_code:
        return RedirectResponse(site_url(request, f"/kelurahan/{user.kelurahan_code}/dasbor"), status_code=303)
    return RedirectResponse(site_url(request, "/"), status_code=303)
