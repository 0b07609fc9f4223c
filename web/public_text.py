"""What public pages explain beside their numbers: short notes on the terms a visitor meets
("desil 1-4", "*", Kurva S, deviation), the data source and "as of" date, and the template
helpers that turn stored codes into words (:mod:`geo.public_text`)."""

from __future__ import annotations

from fastapi import Request
from jinja2 import Environment

from geo.i18n import LANGS, prefixed, t
from geo.public_text import code_label, deviation_words, ksm_label, source_note

__all__ = ["page_message", "register", "source_of"]


def page_message(key: str, lang: str, **values: object) -> str:
    """An error as a web page says it: what happened and what to do, never a developer's hint."""
    return t(f"page_error.{key}", lang, **values)


def source_of(request: Request, lang: str, code: str = "*") -> str:
    """The source and "as of" line of a kelurahan's data (``code``), or of the whole site ("*")."""
    public = request.app.state.public
    return source_note(public.store.versions([code])[code], lang)


def register(env: Environment) -> None:
    """Make the helpers available to every template (one line in :func:`web.app.create_app`)."""
    env.globals.update(
        notes={lang: prefixed("note.", lang) for lang in LANGS},
        code_label=code_label,
        deviation_words=deviation_words,
        ksm_label=ksm_label,
        source_note=source_note,
        source_of=source_of,
    )
