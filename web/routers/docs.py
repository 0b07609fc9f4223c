"""The interactive API documentation (Swagger UI at ``/docs``, ReDoc at ``/redoc``), FastAPI's
own pages with this response's CSP nonce on their inline script and the site's sub-path in the
OpenAPI URL."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse

from web.paths import root_of
from web.security import nonce_scripts

router = APIRouter(include_in_schema=False)
TITLE = "petakampung API"


@router.get("/docs")
def swagger(request: Request) -> HTMLResponse:
    page = get_swagger_ui_html(openapi_url=root_of(request) + "/openapi.json", title=TITLE).body.decode()
    return HTMLResponse(nonce_scripts(page, request.state.csp_nonce))


@router.get("/redoc")
def redoc(request: Request) -> HTMLResponse:
    page = get_redoc_html(openapi_url=root_of(request) + "/openapi.json", title=TITLE).body.decode()
    return HTMLResponse(nonce_scripts(page, request.state.csp_nonce))
