"""Texts of the Rumah DataKu and Kampung Tangguh pages, in Bahasa Indonesia and English."""

from __future__ import annotations

from geo.i18n import prefixed


def text(lang: str) -> dict[str, str]:
    return prefixed("kampung_ui.", lang)
