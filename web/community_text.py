"""Texts of the community page (programme areas, groups, funds, RW products, overlap), both languages."""

from __future__ import annotations

from geo import formats


def month_label(month: str | None, lang: str) -> str:
    """'2021-03' -> 'Maret 2021'."""
    return formats.month(month, lang)


def date_label(day: object, lang: str) -> str:
    """'2021-03-14' -> '14 Maret 2021'; '-' for a missing or unreadable date."""
    if not isinstance(day, str) or len(day) < 10:
        return "-"
    return formats.date(day, lang)
