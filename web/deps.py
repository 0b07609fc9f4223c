"""What routes get from the app: the public data of the current store state, its version, the
language, and the few request parameters several routes read the same way."""

from __future__ import annotations

import re

from fastapi import Request

from geo.errors import RequestError
from geo.public import PublicData
from web.i18n import page_lang

__all__ = ["ALL_YEARS", "data_version", "page_lang", "parse_year", "public_data"]

ALL_YEARS = ("semua", "all")
_YEAR = re.compile(r"[0-9]{4}")  # ASCII digits only: "²".isdigit() is True in Python


def public_data(request: Request) -> PublicData:
    """The public view of the store: kelurahan built on first use, cached by data version."""
    return request.app.state.public


def data_version(request: Request, code: str | None = None) -> str:
    """The data version of kelurahan ``code`` (or of the whole store): the key of every cache of
    derived output (maps, tiles, plans, PDFs), changed in the same transaction as the data."""
    return request.app.state.public_store.versions([code or "*"])[code or "*"]


def parse_year(text: str, field: str) -> int:
    """A fiscal year from a query parameter, or RequestError (400) naming the parameter."""
    if not _YEAR.fullmatch(text) or not 1900 <= int(text) <= 2100:
        raise RequestError("req.year", field=field, value=text[:20])
    return int(text)
