"""Words a public visitor reads instead of codes and bare numbers: stored codes (``rusak_ringan``,
``tanpa_gps``) as words, a deviation as a sentence with its unit, dates and numbers written the
Indonesian way, and the source and "as of" date of what a map or table shows.

Pure functions of values and a language ("id" or "en"); the web pages and the PDF report share them.
"""

from __future__ import annotations

import math
from datetime import date, datetime

from geo.i18n import t

__all__ = [
    "as_of_date",
    "code_label",
    "decimal",
    "deviation_words",
    "ksm_label",
    "long_date",
    "source_note",
]

# codes stored by the LKM forms and the photo checks, as a visitor reads them

MONTHS = {
    "id": [
        "Januari",
        "Februari",
        "Maret",
        "April",
        "Mei",
        "Juni",
        "Juli",
        "Agustus",
        "September",
        "Oktober",
        "November",
        "Desember",
    ],
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
}


def code_label(code: object, lang: str) -> str:
    """A stored code in words; an unknown code is shown with its underscores as spaces."""
    if code is None or (isinstance(code, float) and math.isnan(code)) or code == "":
        return "-"
    text = str(code)
    label = t(f"code_label.{text}", lang)
    return text.replace("_", " ") if label == f"code_label.{text}" else label


def decimal(value: float, digits: int = 1, lang: str = "id") -> str:
    """``12,5`` in Indonesian, ``12.5`` in English; thousands grouped (``1.234,5`` / ``1,234.5``)."""
    text = f"{value:,.{digits}f}"
    if lang == "id":
        text = text.replace(",", "_").replace(".", ",").replace("_", ".")
    return text


def long_date(value: object, lang: str = "id") -> str:
    """``1 Desember 2026`` / ``1 December 2026``; '-' for no date."""
    if value is None or value == "" or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    else:
        day = date.fromisoformat(str(value)[:10])
    return f"{day.day} {MONTHS[lang][day.month - 1]} {day.year}"


def deviation_words(deviation: float | None, lang: str = "id") -> str:
    """Actual minus planned % fisik as a sentence with its unit (percentage points of the plan)."""
    if deviation is None or (isinstance(deviation, float) and math.isnan(deviation)):
        return t("deviation.no_plan", lang)
    size = decimal(abs(deviation), 1, lang)
    if abs(deviation) < 0.05:
        return t("deviation.on_plan", lang)
    return t("deviation.ahead", lang, size=size) if deviation > 0 else t("deviation.behind", lang, size=size)


def ksm_label(ksm: object, lang: str = "id") -> str:
    """The KSM (community group) as one label: "KSM Maju Bersama", never "KSM KSM Maju Bersama"."""
    if ksm is None or (isinstance(ksm, float) and math.isnan(ksm)) or not str(ksm).strip():
        return t("ksm.none", lang)
    name = str(ksm).strip()
    return name if name.upper().startswith("KSM") else f"KSM {name}"


def as_of_date(version: str) -> str | None:
    """The date a kelurahan's data last changed, from its data version (``"12@2026-11-30T..."``)."""
    _, _, changed = str(version).partition("@")
    return changed[:10] if len(changed) >= 10 and changed[:4].isdigit() else None


def source_note(version: str, lang: str = "id", *, today: date | None = None) -> str:
    """ "Sumber: ... · Data per 30 November 2026": under every public map and table."""
    day = as_of_date(version) or (today or date.today()).isoformat()
    return t("public.source_note", lang, day=long_date(day, lang))
