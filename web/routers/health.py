"""``/healthz``: is this worker able to read the store?  For load balancers, Docker and monitoring.

One cheap read (the store's metadata table, a handful of rows) and an answer in JSON:
``{"status": "ok", "store": "ok", "worker": <pid>}`` with 200, or ``{"status": "error", ...}`` with
503.  No data and no path ever appear in the answer; the reason goes to the server log.
"""

from __future__ import annotations

import logging
import os

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from geo.errors import StoreError
from geo.i18n import t
from web.i18n import page_lang

router = APIRouter(include_in_schema=False)
log = logging.getLogger("petakampung.web")
NO_STORE = {"Cache-Control": "no-store"}


@router.get("/healthz")
def healthz(request: Request) -> JSONResponse:
    store = request.app.state.store
    lang = page_lang(request)
    try:
        if not store.exists():
            raise StoreError("store.missing", path=store.location)
        store.metadata()
    except Exception as exc:  # any failure to read is "unhealthy", never a 500 with a traceback
        log.error("healthz: the store cannot be read: %s", exc)
        body = {"status": "error", "store": "error", "detail": t("health.store", lang), "worker": os.getpid()}
        return JSONResponse(body, status_code=503, headers=NO_STORE)
    body = {"status": "ok", "store": "ok", "detail": t("health.ok", lang), "worker": os.getpid()}
    return JSONResponse(body, headers=NO_STORE)
