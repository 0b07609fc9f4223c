"""The 16 slum criteria of Permen PUPR 14/2018 (DOMAIN.md section 2): ids, aspects and units.

Scoring rules (thresholds, bands) come with the planners' issue as versioned rule tables; this
module only says what each criterion measures, so works can name the criterion they handle.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Criterion:
    id: str
    aspect: str
    name: str
    unit: str  # "bangunan", "ha", "m" or "KK"
    denominator: str  # RT profile field


CRITERIA: dict[str, Criterion] = {
    c.id: c
    for c in (
        Criterion("1a", "bangunan gedung", "ketidakteraturan bangunan", "bangunan", "jumlah_bangunan"),
        Criterion("1b", "bangunan gedung", "kepadatan bangunan tinggi", "ha", "luas_verifikasi_ha"),
        Criterion(
            "1c", "bangunan gedung", "ketidaksesuaian persyaratan teknis bangunan", "bangunan", "jumlah_bangunan"
        ),
        Criterion("2a", "jalan lingkungan", "cakupan pelayanan jalan kurang", "m", "panjang_jalan_ideal_m"),
        Criterion("2b", "jalan lingkungan", "kualitas permukaan jalan buruk", "m", "panjang_jalan_ideal_m"),
        Criterion("3a", "air minum", "akses aman air minum tidak tersedia", "KK", "jumlah_kk"),
        Criterion("3b", "air minum", "kebutuhan air minum tidak terpenuhi", "KK", "jumlah_kk"),
        Criterion(
            "4a", "drainase lingkungan", "tidak mampu mengalirkan limpasan (genangan)", "ha", "luas_verifikasi_ha"
        ),
        Criterion("4b", "drainase lingkungan", "drainase tidak tersedia", "m", "panjang_drainase_ideal_m"),
        Criterion("4c", "drainase lingkungan", "kualitas konstruksi drainase buruk", "m", "panjang_drainase_ideal_m"),
        Criterion("5a", "air limbah", "sistem tidak sesuai standar teknis", "KK", "jumlah_kk"),
        Criterion("5b", "air limbah", "prasarana/sarana tidak sesuai persyaratan", "KK", "jumlah_kk"),
        Criterion("6a", "persampahan", "prasarana/sarana tidak sesuai persyaratan", "KK", "jumlah_kk"),
        Criterion("6b", "persampahan", "sistem pengelolaan tidak sesuai standar", "KK", "jumlah_kk"),
        Criterion("7a", "proteksi kebakaran", "prasarana tidak tersedia", "bangunan", "jumlah_bangunan"),
        Criterion("7b", "proteksi kebakaran", "sarana tidak tersedia", "bangunan", "jumlah_bangunan"),
    )
}

UNIT_ALIASES = {
    "m": "m",
    "meter": "m",
    "ha": "ha",
    "hektar": "ha",
    "kk": "KK",
    "bangunan": "bangunan",
    "unit_bangunan": "bangunan",
    "unit": "bangunan",
}
