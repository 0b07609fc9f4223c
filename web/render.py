"""One way to render a page: the language, its texts, the suppression k and the formatters."""

from __future__ import annotations

import math

import pandas as pd
from fastapi import Request
from fastapi.responses import Response

from geo.layers.infrastructure import STATUS_COLORS, STATUS_LABELS
from geo.mapping import idr
from web.i18n import page_lang, ui
from web.paths import root_of


def pct(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "*"
    return f"{100 * float(value):.1f} %"


def render(request: Request, template: str, status_code: int = 200, **extra: object) -> Response:
    lang = page_lang(request)
    ctx = {
        "root": root_of(request),  # every link, form and asset URL starts with it (the site's sub-path)
        "nonce": getattr(request.state, "csp_nonce", ""),  # on every inline <script> (the CSP allows no other)
        "lang": lang,
        "t": ui(lang),
        "k": request.app.state.settings.suppression_k,
        "idr": idr,
        "pct": pct,
        "status_labels": STATUS_LABELS,
        "status_colors": STATUS_COLORS,
        **extra,
    }
    return request.app.state.templates.TemplateResponse(request, template, ctx, status_code=status_code)
