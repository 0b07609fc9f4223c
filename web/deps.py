"""What routes get from the app: the public data of the current store state, the language."""

from __future__ import annotations

from fastapi import Request

from geo.public import PublicData
from web.i18n import page_lang

__all__ = ["page_lang", "public_data"]


def public_data(request: Request) -> PublicData:
    return request.app.state.public.get()
