"""What routes get from the app: the public data of the current store state, the language."""

from __future__ import annotations

from fastapi import Request

from geo.public import PublicData
from web.i18n import page_lang

__all__ = ["data_version", "page_lang", "public_data"]


def public_data(request: Request) -> PublicData:
    """The public view of the store: kelurahan built on first use, cached by data version."""
    return request.app.state.public


def data_version(request: Request, code: str | None = None) -> str:
    """The data version of kelurahan ``code`` (or of the whole store): the key of every cache of
    derived output (maps, tiles, plans, PDFs), changed in the same transaction as the data."""
    return request.app.state.store.versions([code or "*"])[code or "*"]
