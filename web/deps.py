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
    return request.app.state.public.get()


def data_version(request: Request, code: str | None) -> str:
    """The version of the data a response about kelurahan ``code`` (None: every kelurahan) is
    made from; cached results are keyed by it.  The only place that knows how versions are
    made: today the stamp of the whole store file, which the public cache also uses."""
    return repr(request.app.state.public._current_stamp())


def parse_year(text: str, field: str) -> int:
    """A fiscal year from a query parameter, or RequestError (400) naming the parameter."""
    if not _YEAR.fullmatch(text) or not 1900 <= int(text) <= 2100:
        raise RequestError("req.year", field=field, value=text[:20])
    return int(text)
