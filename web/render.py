"""One way to render a page: the language, its texts and the suppression k.

Numbers, rupiah and dates are Jinja filters (``|number``, ``|percent``, ``|rupiah``, ``|date``,
``|month``: :mod:`geo.formats`), registered on the template environment in :func:`web.app.create_app`."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from geo.layers.infrastructure import STATUS_COLORS, STATUS_LABELS
from web.i18n import page_lang, ui
from web.paths import root_of


def render(request: Request, template: str, status_code: int = 200, **extra: object) -> Response:
    lang = page_lang(request)
    ctx = {
        "root": root_of(request),  # every link, form and asset URL starts with it (the site's sub-path)
        "nonce": getattr(request.state, "csp_nonce", ""),  # on every inline <script> (the CSP allows no other)
        "lang": lang,
        "t": ui(lang),
        "k": request.app.state.settings.suppression_k,
        "status_labels": STATUS_LABELS,
        "status_colors": STATUS_COLORS,
        **extra,
    }
    return request.app.state.templates.TemplateResponse(request, template, ctx, status_code=status_code)
