"""Page language: ``?lang=`` first (and remembered in a cookie), then the cookie, then Indonesian."""

from __future__ import annotations

from fastapi import Request

from geo.i18n import LANGS, normalize_lang

COOKIE = "pk_lang"

UI: dict[str, dict[str, str]] = {
    "id": {
        "title": "petakampung",
        "tagline": "Peta kampung: kemiskinan, penanganan kumuh dan kegiatan warga",
        "kelurahan_list": "Daftar kelurahan",
        "code": "Kode",
        "kelurahan": "Kelurahan",
        "kecamatan": "Kecamatan",
        "kota": "Kota/Kabupaten",
        "rt_count": "Jumlah RT",
        "works_count": "Pekerjaan",
        "open_map": "Buka peta",
        "map_of": "Peta Kelurahan",
        "back": "Kembali ke daftar",
        "lang_switch": "English",
        "lang_other": "en",
        "empty": "Belum ada data. Jalankan 'petakampung demo' atau impor batas wilayah.",
        "privacy": "Halaman ini hanya menampilkan angka agregat per RT; angka di bawah {k} KK disembunyikan.",
        "err_notfound": "Halaman atau data tidak ditemukan.",
        "err_internal": "Terjadi kesalahan pada server. Silakan coba lagi nanti.",
        "error": "Kesalahan",
        "home": "Beranda",
    },
    "en": {
        "title": "petakampung",
        "tagline": "Kampung maps: poverty, slum upgrading and community work",
        "kelurahan_list": "Kelurahan",
        "code": "Code",
        "kelurahan": "Kelurahan",
        "kecamatan": "Kecamatan",
        "kota": "City/Regency",
        "rt_count": "RTs",
        "works_count": "Works",
        "open_map": "Open map",
        "map_of": "Map of Kelurahan",
        "back": "Back to the list",
        "lang_switch": "Bahasa Indonesia",
        "lang_other": "id",
        "empty": "No data yet. Run 'petakampung demo' or import boundaries.",
        "privacy": "This page shows only per-RT aggregates; counts below {k} households are suppressed.",
        "err_notfound": "Page or data not found.",
        "err_internal": "Something went wrong on the server. Please try again later.",
        "error": "Error",
        "home": "Home",
    },
}


def page_lang(request: Request) -> str:
    asked = request.query_params.get("lang")
    if asked and asked.lower()[:2] in LANGS:
        return asked.lower()[:2]
    return normalize_lang(request.cookies.get(COOKIE) or request.app.state.settings.lang)


def ui(lang: str) -> dict[str, str]:
    return UI[lang]
