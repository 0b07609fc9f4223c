"""Texts of the community page (programme areas, groups, funds, RW products, overlap), both languages."""

from __future__ import annotations

MONTHS = {
    "id": ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
           "November", "Desember"],
    "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"],
}  # fmt: skip


def month_label(month: str | None, lang: str) -> str:
    """'2021-03' -> 'Maret 2021'."""
    if not month:
        return "-"
    year, m = month[:7].split("-")
    return f"{MONTHS[lang][int(m) - 1]} {year}"


def date_label(day: object, lang: str) -> str:
    """'2021-03-14' -> '14 Maret 2021'."""
    if not isinstance(day, str) or len(day) < 10:
        return "-"
    return f"{int(day[8:10])} {month_label(day[:7], lang)}"
