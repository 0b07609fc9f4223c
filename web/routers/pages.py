"""Public pages: the kelurahan list and each kelurahan's map."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from geo.mapping import build_map
from geo.queries import indicators, kelurahan_list, load_kelurahan
from web.i18n import page_lang, ui
from web.routers.static import VENDOR_PREFIX

router = APIRouter()


def _ctx(request: Request, **extra: object) -> dict:
    lang = page_lang(request)
    settings = request.app.state.settings
    return {"lang": lang, "t": ui(lang), "k": settings.suppression_k, **extra}


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    store = request.app.state.store
    rows = kelurahan_list(store).to_dict("records") if store.exists() else []
    return request.app.state.templates.TemplateResponse(request, "home.html", _ctx(request, rows=rows))


@router.get("/kelurahan/{code}", response_class=HTMLResponse)
def kelurahan_page(request: Request, code: str) -> Response:
    data = load_kelurahan(request.app.state.store, code)
    return request.app.state.templates.TemplateResponse(request, "kelurahan.html", _ctx(request, info=data.info))


@router.get("/kelurahan/{code}/peta", response_class=HTMLResponse)
def kelurahan_map(request: Request, code: str) -> HTMLResponse:
    store = request.app.state.store
    settings = request.app.state.settings
    lang = page_lang(request)
    data = load_kelurahan(store, code)
    table = indicators(store, data.info["kelurahan_code"], public=True, k=settings.suppression_k).table
    fmap = build_map(data, table, lang=lang, k=settings.suppression_k, asset_prefix=VENDOR_PREFIX)
    return HTMLResponse(fmap.get_root().render())
