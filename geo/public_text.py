"""Words a public visitor reads instead of codes and bare numbers: stored codes (``rusak_ringan``,
``tanpa_gps``) as words, a deviation as a sentence with its unit, dates and numbers written the
Indonesian way (through :mod:`geo.formats`), and the source and "as of" date of what a map or table shows.

Pure functions of values and a language ("id" or "en"); the web pages and the PDF report share them.
"""

from __future__ import annotations

import math
from datetime import date as _date

from geo.formats import date, number

__all__ = [
    "CODE_LABELS",
    "as_of_date",
    "code_label",
    "deviation_words",
    "ksm_label",
    "source_note",
]

# codes stored by the LKM forms and the photo checks, as a visitor reads them
CODE_LABELS: dict[str, dict[str, str]] = {
    "baik": {"id": "Baik", "en": "Good"},
    "rusak_ringan": {"id": "Rusak ringan", "en": "Slightly damaged"},
    "rusak_berat": {"id": "Rusak berat", "en": "Badly damaged"},
    "inspeksi": {"id": "Pemeriksaan", "en": "Inspection"},
    "perbaikan": {"id": "Perbaikan", "en": "Repair"},
    "tanpa_gps": {"id": "Foto tanpa lokasi GPS", "en": "Photo without GPS location"},
    "jauh_dari_lokasi": {"id": "Foto diambil jauh dari lokasi pekerjaan", "en": "Photo taken far from the work"},
    "di_luar_periode": {"id": "Foto diambil di luar masa pekerjaan", "en": "Photo taken outside the work period"},
}


def code_label(code: object, lang: str) -> str:
    """A stored code in words; an unknown code is shown with its underscores as spaces."""
    if code is None or (isinstance(code, float) and math.isnan(code)) or code == "":
        return "-"
    text = str(code)
    return CODE_LABELS.get(text, {}).get(lang) or text.replace("_", " ")


def deviation_words(deviation: float | None, lang: str = "id") -> str:
    """Actual minus planned % fisik as a sentence with its unit (percentage points of the plan)."""
    if deviation is None or (isinstance(deviation, float) and math.isnan(deviation)):
        return "Belum ada jadwal rencana" if lang == "id" else "No planned schedule yet"
    size = number(abs(deviation), lang, 1)
    if abs(deviation) < 0.05:
        return "Sesuai rencana" if lang == "id" else "On schedule"
    if lang == "id":
        return f"{'Lebih cepat' if deviation > 0 else 'Terlambat'} {size} poin persen dari rencana"
    return f"{size} percentage points {'ahead of' if deviation > 0 else 'behind'} plan"


def ksm_label(ksm: object, lang: str = "id") -> str:
    """The KSM (community group) as one label: "KSM Maju Bersama", never "KSM KSM Maju Bersama"."""
    if ksm is None or (isinstance(ksm, float) and math.isnan(ksm)) or not str(ksm).strip():
        return "KSM: -" if lang == "id" else "KSM: none recorded"
    name = str(ksm).strip()
    return name if name.upper().startswith("KSM") else f"KSM {name}"


def as_of_date(version: str) -> str | None:
    """The date a kelurahan's data last changed, from its data version (``"12@2026-11-30T..."``)."""
    _, _, changed = str(version).partition("@")
    return changed[:10] if len(changed) >= 10 and changed[:4].isdigit() else None


def source_note(version: str, lang: str = "id", *, today: _date | None = None) -> str:
    """ "Sumber: ... · Data per 30 November 2026": under every public map and table."""
    day = as_of_date(version) or (today or _date.today()).isoformat()
    if lang == "id":
        return (
            "Sumber: data kelurahan yang diimpor ke petakampung (batas RT/RW, pekerjaan, kebun, fasilitas; "
            f"angka KK agregat per RT) dan catatan progres LKM · Data per {date(day, lang)}"
        )
    return (
        "Source: kelurahan data imported into petakampung (RT/RW boundaries, works, gardens, facilities; "
        f"household counts aggregated per RT) and LKM progress records · Data as of {date(day, lang)}"
    )
