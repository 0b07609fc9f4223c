"""The LKM progress form: what was typed, which field a refusal belongs to, and the flash after a save.

A refused record is answered on the form itself (the page again, with everything typed and the
message at its field; JSON with ``field`` for the page's script), never on a dead-end error page.
A saved one is answered post/redirect/get, with a one-time "tersimpan" flash in the session.
"""

from __future__ import annotations

from fastapi import Request

from geo.errors import GeoError, RequestError
from web.i18n import ui

# the typed fields a re-rendered form gives back (never the CSRF token: the page makes its own)
FIELDS = ("record_date", "fisik_pct", "volume_done", "spent_idr", "note", "corrects", "idempotency_key")
# each field's label key in the catalogue (ui.<key>), used to name the field in a message
LABELS = {
    "record_date": "record_date",
    "fisik_pct": "fisik_input",
    "volume_done": "volume_done",
    "spent_idr": "spent",
    "note": "note",
    "corrects": "corrects",
    "photos": "photos_input",
}
ERROR_FIELDS = {
    "val.date": "record_date",
    "progress.future": "record_date",
    "progress.fisik": "fisik_pct",
    "progress.spent": "spent_idr",
    "progress.unknown_record": "corrects",
}
FLASH = "pk_saved_record"


class FieldError(RequestError):
    """A value the form cannot read, tied to its field."""

    def __init__(self, code: str, field: str, /, **params: object) -> None:
        super().__init__(code, **params)
        self.field = field


def number(form: dict[str, str], name: str, cast: type = float) -> float | int | None:
    """The number typed in ``name`` (a comma is read as the decimal point), None when empty."""
    text = (form.get(name) or "").strip().replace(",", ".")
    if not text:
        return None
    try:
        return cast(float(text))
    except (ValueError, OverflowError):
        raise FieldError("val.number", name) from None


def field_of(exc: GeoError) -> str | None:
    if isinstance(exc, FieldError):
        return exc.field
    if exc.code.startswith("photo."):
        return "photos"
    return ERROR_FIELDS.get(exc.code)


def message(exc: GeoError, field: str | None, lang: str) -> str:
    """The refusal in the user's language, naming the field it belongs to."""
    text = exc.message(lang)
    return f"{ui(lang)[LABELS[field]]}: {text}" if field else text


def set_flash(request: Request, record_id: str) -> None:
    request.session[FLASH] = record_id


def pop_flash(request: Request) -> str | None:
    return request.session.pop(FLASH, None) if FLASH in request.session else None
