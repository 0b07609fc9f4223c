"""Page language: ``?lang=`` first (remembered in a cookie), then the cookie, then the site default."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from jinja2 import Environment, pass_context
from jinja2.runtime import Context

from geo.i18n import DEFAULT_LANG, LANGS, normalize_lang, prefixed, t

COOKIE = "pk_lang"


def page_lang(request: Request) -> str:
    """The language of this request (never fails: an unknown ``?lang`` is refused by middleware)."""
    asked = request.query_params.get("lang")
    if asked and asked.lower() in LANGS:
        return asked.lower()
    return normalize_lang(request.cookies.get(COOKIE) or request.app.state.settings.lang)


def ui(lang: str) -> dict[str, str]:
    """The pages' words (``ui.*`` in the catalogue) by short key: ``t.title`` in a template."""
    return prefixed("ui.", lang)


@pass_context
def template_gettext(context: Context, code: str, /, **params: Any) -> str:
    """``{{ _("ui.title") }}`` in a template: the catalogue's text in the page's language (``lang``)."""
    return t(code, context.get("lang") or DEFAULT_LANG, **params)


def register(env: Environment) -> None:
    """``_`` for every template, the same catalogue as :func:`geo.i18n.t` (one line in create_app)."""
    env.globals["_"] = template_gettext
