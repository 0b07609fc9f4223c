"""Words a public visitor reads instead of codes and bare numbers: stored codes (``rusak_ringan``,
``tanpa_gps``) as words, a deviation as a sentence with its unit, dates and numbers written the
Indonesian way (through :mod:`geo.formats`), and the source and "as of" date of what a map or table shows.

Pure functions of values and a language ("id" or "en"); the web pages and the PDF report share them.
"""

from __future__ import annotations

import math
from datetime import date as _date

from geo.formats import date, number
from geo.i18n import t

__all__ = [
    "as_of_date",
    "code_label",
    "deviation_words",
    "ksm_label",
    "source_note",
]

# codes stored by the LKM forms and the photo checks, as a visitor reads them


def code_label(code: object, lang: str) -> str:
    """A stored code in words; an unknown code is shown with its underscores as spaces."""
    if code is None or (isinstance(code, float) and math.isnan(code)) or code == "":
        return "-"
    text = str(code)
    label = t(f"code_label.{text}", lang)
    return text.replace("_", " ") if label == f"code_label.{text}" else label


def deviation_words(deviation: float | None, lang: str = "id") -> str:
    """Actual minus planned % fisik as a sentence with its unit (percentage points of the plan)."""
    if deviation is None or (isinstance(deviation, float) and math.isnan(deviation)):
        return t("deviation.no_plan", lang)
    size = number(abs(deviation), lang, 1)
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


def source_note(version: str, lang: str = "id", *, today: _date | None = None) -> str:
    """ "Sumber: ... · Data per 30 November 2026": under every public map and table."""
    day = as_of_date(version) or (today or _date.today()).isoformat()
    return t("public.source_note", lang, day=date(day, lang))
