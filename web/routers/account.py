"""Log in and out."""

from __future__ import annotations

from urllib.parse import urlparse

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from geo.accounts import authenticate
from geo.errors import TooManyAttempts
from geo.i18n import t
from web.auth import check_csrf, csrf_token, current_user, log_in
from web.deps import page_lang
from web.render import render

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    """Only our own paths: never an open redirect."""
    if not target or not target.startswith("/") or target.startswith("//") or urlparse(target).netloc:
        return "/lkm"
    return target


def _login_page(request: Request, error: str | None = None, status: int = 200, username: str = "") -> Response:
    return render(
        request,
        "login.html",
        status,
        csrf=csrf_token(request),
        error=error,
        username=username,
        next=_safe_next(request.query_params.get("next")),
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
    next_: str = Form("/lkm", alias="next"),
) -> Response:
    check_csrf(request, csrf_token_)
    limiter = request.app.state.login_limiter
    address = request.client.host if request.client else "?"
    lang = page_lang(request)
    try:
        limiter.check(username, address)
    except TooManyAttempts as exc:
        return _login_page(request, exc.message(lang), 429, username)
    user = authenticate(request.app.state.store, username.strip(), password)
    if user is None:
        limiter.failed(username, address)
        return _login_page(request, t("auth.failed", lang), 401, username)
    limiter.succeeded(username, address)
    log_in(request, user)
    return RedirectResponse(_safe_next(next_), status_code=303)


@router.post("/keluar")
def logout(request: Request, csrf_token_: str = Form("", alias="csrf_token")) -> Response:
    check_csrf(request, csrf_token_)
    request.session.clear()
    return RedirectResponse("/", status_code=303)


@router.get("/lkm", response_class=HTMLResponse)
def my_area(request: Request) -> Response:
    user = current_user(request)
    if user is None:
        return RedirectResponse("/masuk?next=/lkm", status_code=303)
    if user.role == "lkm" and user.kelurahan_code:
        return RedirectResponse(f"/kelurahan/{user.kelurahan_code}/dasbor", status_code=303)
    return RedirectResponse("/", status_code=303)
