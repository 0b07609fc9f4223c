"""Texts of the community page (programme areas, groups, funds, RW products, overlap), both languages."""

from __future__ import annotations

from geo import formats

COMMUNITY_UI: dict[str, dict[str, str]] = {
    "id": {
        "title": "Program dan kelompok warga",
        "areas": "Kawasan program",
        "programme": "Program",
        "coverage": "Cakupan",
        "whole": "Seluruh kelurahan",
        "sk": "SK",
        "since": "Sejak",
        "groups": "Kelompok warga",
        "type": "Jenis",
        "name": "Nama",
        "serves": "Melayani",
        "pillar": "Pilar",
        "founded": "Berdiri",
        "members": "Anggota",
        "contact": "Kontak (jabatan)",
        "members_note": "Hanya jumlah anggota; nama anggota tidak disimpan.",
        "meetings": "Pertemuan bergilir antar-RT",
        "date": "Tanggal",
        "host": "Tuan rumah",
        "speakers": "Narasumber",
        "attendance": "Hadir",
        "ledger": "Buku kas",
        "book": "Buku",
        "period": "Periode",
        "money_in": "Masuk",
        "money_out": "Keluar",
        "balance": "Saldo",
        "month": "Bulan",
        "monthly": "Per bulan",
        "built": "Yang dibangun dari dana ini",
        "asset": "Aset",
        "amount": "Jumlah",
        "products": "Produk unggulan RW",
        "status": "Status",
        "training": "Pelatihan",
        "proposals": "Usulan RW ke koperasi",
        "proposal": "Usulan",
        "asked": "Diajukan (Rp)",
        "repaid": "Angsuran masuk",
        "overlap": "Program per RT",
        "overlap_note": "RT dengan KK miskin {share} atau lebih dan tanpa program ditandai.",
        "poor_share": "KK miskin",
        "kumuh": "Skor kumuh",
        "gap": "Belum terlayani",
        "none": "Belum ada data.",
        "back": "Kembali ke",
        "link": "Program dan kelompok warga",
        "map": "Peta: produk dan usulan per RW, dan yang dibangun dari dana warga",
        "map_note": "Warna RW: status produk unggulan; angka: KK miskin RW (disamarkan bila ada RT dengan KK "
        "terlalu sedikit untuk ditampilkan). "
        "Titik: aset yang dibeli atau dibangun dari buku kas.",
    },
    "en": {
        "title": "Programmes and community groups",
        "areas": "Programme areas",
        "programme": "Programme",
        "coverage": "Coverage",
        "whole": "Whole kelurahan",
        "sk": "Decree (SK)",
        "since": "Since",
        "groups": "Community groups",
        "type": "Type",
        "name": "Name",
        "serves": "Serves",
        "pillar": "Pillar",
        "founded": "Founded",
        "members": "Members",
        "contact": "Contact (role)",
        "members_note": "Member counts only; member names are not stored.",
        "meetings": "Meetings rotating between RTs",
        "date": "Date",
        "host": "Host",
        "speakers": "Speakers",
        "attendance": "Attendance",
        "ledger": "Funds ledger",
        "book": "Book",
        "period": "Period",
        "money_in": "In",
        "money_out": "Out",
        "balance": "Balance",
        "month": "Month",
        "monthly": "By month",
        "built": "What the funds built",
        "asset": "Asset",
        "amount": "Amount",
        "products": "RW flagship products",
        "status": "Status",
        "training": "Training",
        "proposals": "RW proposals to the cooperative",
        "proposal": "Proposal",
        "asked": "Asked (Rp)",
        "repaid": "Repaid",
        "overlap": "Programmes per RT",
        "overlap_note": "RTs with {share} or more poor households and no programme are highlighted.",
        "poor_share": "Poor households",
        "kumuh": "Slum score",
        "gap": "Not served",
        "none": "No data yet.",
        "back": "Back to",
        "link": "Programmes and community groups",
        "map": "Map: products and proposals per RW, and what community funds built",
        "map_note": "RW colour: flagship product status; figure: the RW's poor households (hidden when an RT has "
        "too few households to show). Dots: assets the ledgers bought or built.",
    },
}


def month_label(month: str | None, lang: str) -> str:
    """'2021-03' -> 'Maret 2021'."""
    return formats.month(month, lang)


def date_label(day: object, lang: str) -> str:
    """'2021-03-14' -> '14 Maret 2021'; '-' for a missing or unreadable date."""
    if not isinstance(day, str) or len(day) < 10:
        return "-"
    return formats.date(day, lang)
