"""What public pages explain beside their numbers: short notes on the terms a visitor meets
("desil 1-4", "*", Kurva S, deviation), the data source and "as of" date, and the template
helpers that turn stored codes into words (:mod:`geo.public_text`)."""

from __future__ import annotations

from fastapi import Request
from jinja2 import Environment

from geo.public_text import code_label, deviation_words, ksm_label, source_note

__all__ = ["NOTES", "PAGE_ERRORS", "page_message", "register", "source_of"]

NOTES: dict[str, dict[str, str]] = {
    "id": {
        "about": "petakampung menampilkan peta tiap kelurahan: batas RT/RW, pekerjaan infrastruktur "
        "(KOTAKU dan program lain) beserta progresnya, kebun KWT, fasilitas warga, dan angka kemiskinan per RT. "
        "Pilih kota pada peta atau daftar, lalu kelurahan. Tidak ada data pribadi yang ditampilkan.",
        "poor": "KK miskin: keluarga pada desil 1-4 data kesejahteraan nasional (DTSEN), "
        "yaitu 40 % keluarga dengan tingkat kesejahteraan terendah.",
        "suppressed": "*: disembunyikan karena kurang dari {k} KK, agar tidak ada keluarga yang dapat dikenali.",
        "kurva": "Kurva S: progres kumulatif menurut rencana (garis rencana) dan yang sudah dicapai "
        "(realisasi fisik dan keuangan), dalam persen dari seluruh pekerjaan.",
        "deviation": "Deviasi: realisasi fisik dikurangi rencana hari ini, dalam poin persen; "
        "negatif berarti terlambat.",
        "history_imported": "Impor (data awal)",
        "history_lkm": "Catatan LKM",
        "source": "Sumber",
        "records_note": "Riwayat gabungan: data awal yang diimpor dari file pekerjaan dan catatan LKM. Pada tanggal "
        "yang sama, catatan LKM "
        "yang dipakai.",
        "view_work": "Rincian pekerjaan",
        "rt_map": "Letak RT di kelurahan",
    },
    "en": {
        "about": "petakampung shows a map of each kelurahan: RT/RW boundaries, infrastructure works "
        "(KOTAKU and other programmes) with their progress, KWT gardens, community facilities and poverty "
        "figures per RT. Pick a city on the map or in the list, then a kelurahan. No personal data is shown.",
        "poor": "Poor households: families in deciles 1-4 of the national welfare data (DTSEN), "
        "the 40% of families with the lowest welfare.",
        "suppressed": "*: hidden because fewer than {k} households, so that no family can be recognised.",
        "kurva": "S-curve: cumulative progress as planned (planned line) and as achieved "
        "(physical and financial), in percent of all the work.",
        "deviation": "Deviation: physical progress minus today's plan, in percentage points; negative means late.",
        "history_imported": "Imported (initial data)",
        "history_lkm": "LKM record",
        "source": "Source",
        "records_note": "Combined history: the imported initial data and the LKM records. On the same date the "
        "LKM record is used.",
        "view_work": "Work details",
        "rt_map": "Where the RT lies in the kelurahan",
    },
}


PAGE_ERRORS: dict[str, dict[str, str]] = {
    "method": {
        "id": "Alamat '{path}' tidak dapat dibuka dengan cara ini (misalnya formulir yang dikirim ulang dari "
        "riwayat peramban). Buka halamannya lewat tautan di situs ini, lalu coba lagi.",
        "en": "The address '{path}' cannot be opened this way (for example a form sent again from the browser "
        "history). Open the page through a link on this site and try again.",
    },
    "http": {
        "id": "Permintaan tidak dapat dilayani (kode {status}). Kembali ke halaman sebelumnya dan coba lagi.",
        "en": "The request could not be served (code {status}). Go back to the previous page and try again.",
    },
}


def page_message(key: str, lang: str, **values: object) -> str:
    """An error as a web page says it: what happened and what to do, never a developer's hint."""
    return PAGE_ERRORS[key][lang if lang in ("id", "en") else "id"].format(**values)


def source_of(request: Request, lang: str, code: str = "*") -> str:
    """The source and "as of" line of a kelurahan's data (``code``), or of the whole site ("*")."""
    public = request.app.state.public
    return source_note(public.store.versions([code])[code], lang)


def register(env: Environment) -> None:
    """Make the helpers available to every template (one line in :func:`web.app.create_app`)."""
    env.globals.update(
        notes=NOTES,
        code_label=code_label,
        deviation_words=deviation_words,
        ksm_label=ksm_label,
        source_note=source_note,
        source_of=source_of,
    )
