"""Slum baseline per RT (KOTAKU "baseline" tables): the RT profile, the 16 criterion volumes and
the non-physical considerations.  One row per RT and year, laid out like the published tables:
a column per criterion volume (``v_1a`` or ``1a`` ... ``7b``)."""

from __future__ import annotations

from typing import ClassVar

import pandas as pd

from geo.checks import check_duplicates
from geo.criteria import DEFAULT_RULE, PROFILE_FIELDS, load_rule
from geo.fields import FieldSpec, choices
from geo.layers.base import (
    KELURAHAN_FIELD,
    PLACE_COLUMNS,
    RT_FIELD,
    RW_FIELD,
    ImportContext,
    Layer,
    LayerStyle,
    coerce_table,
    kelurahan_codes,
    place_columns,
    resolve_rts,
)
from geo.schema import Column, TableSpec
from geo.sources import Source

RULE = load_rule(DEFAULT_RULE)
PROFILE_ALIASES = {
    "luas_verifikasi_ha": ("luas_verifikasi", "luas", "luas_ha", "luas_verifikasi_ha_"),
    "jumlah_bangunan": ("bangunan", "jml_bangunan", "jumlah_unit_bangunan"),
    "jumlah_penduduk": ("penduduk", "jml_penduduk", "jiwa", "jumlah_jiwa"),
    "jumlah_kk": ("kk", "jml_kk"),
    "panjang_jalan_ideal_m": ("panjang_jalan_ideal", "jalan_ideal", "panjang_jalan_lingkungan_ideal"),
    "panjang_drainase_ideal_m": ("panjang_drainase_ideal", "drainase_ideal", "panjang_drainase_lingkungan_ideal"),
}
LEGAL = choices(
    "jelas",
    "tidak_jelas",
    jelas=("legal", "sah", "bersertifikat", "ya"),
    tidak_jelas=("illegal", "tidak_sah", "tidak", "sengketa"),
)
YES_NO = choices("ya", "tidak", ya=("sesuai", "yes", "y"), tidak=("tidak_sesuai", "no", "n"))
NONPHYSICAL = {"nilai_strategis": (1, 5), "kependudukan": (1, 3, 5), "kondisi_sosial": (1, 5)}

FIELDS = (
    KELURAHAN_FIELD,
    RT_FIELD,
    RW_FIELD,
    FieldSpec("year", "int", required=True, lo=2000, hi=2100, aliases=("tahun", "tahun_data")),
    *(FieldSpec(f, "float", required=True, lo=0, aliases=PROFILE_ALIASES[f]) for f in PROFILE_FIELDS),
    *(
        FieldSpec(f"v_{c}", "float", required=True, aliases=(c, f"vol_{c}", f"volume_{c}", f"v{c}"))
        for c in RULE.criterion_ids
    ),
    FieldSpec("nilai_strategis", "int", aliases=("strategis", "nilai_strategis_lokasi")),
    FieldSpec("kependudukan", "int", aliases=("kepadatan_penduduk",)),
    FieldSpec("kondisi_sosial", "int", aliases=("kondisi_sosial_ekonomi_budaya", "sosial_ekonomi")),
    FieldSpec("legalitas_lahan", "choice", choices=LEGAL, aliases=("status_lahan", "legalitas")),
    FieldSpec("sesuai_rtrw", "choice", choices=YES_NO, aliases=("kesesuaian_rtrw", "sesuai_tata_ruang")),
)

KUMUH_BASELINE = TableSpec(
    name="kumuh_baseline",
    columns=(
        *PLACE_COLUMNS,
        Column("year", "INTEGER"),
        Column("rule_id", "TEXT"),
        *(Column(f, "REAL") for f in PROFILE_FIELDS),
        *(Column(f"v_{c}", "REAL", RULE.criteria[i].name) for i, c in enumerate(RULE.criterion_ids)),
        Column("nilai_strategis", "INTEGER"),
        Column("kependudukan", "INTEGER"),
        Column("kondisi_sosial", "INTEGER"),
        Column("legalitas_lahan", "TEXT"),
        Column("sesuai_rtrw", "TEXT"),
    ),
    key=("kelurahan_code", "unit_number", "rt_number", "year"),
    description="Slum baseline per RT (Permen PUPR 14/2018 volumes, profile, non-physical considerations)",
)


class Kumuh(Layer):
    name: ClassVar[str] = "kumuh"
    title: ClassVar[dict[str, str]] = {"id": "Baseline kumuh per RT", "en": "Slum baseline per RT"}
    tables: ClassVar[tuple[TableSpec, ...]] = (KUMUH_BASELINE,)
    style: ClassVar[LayerStyle] = LayerStyle(color="#8c510a")

    def prepare(self, source: Source, ctx: ImportContext) -> dict[str, pd.DataFrame]:
        frames = []
        for table in source.tables:
            rows = table.rows
            values = coerce_table(table, FIELDS, ctx)
            codes = kelurahan_codes(values["kelurahan_code"].tolist(), rows, ctx)
            rts = resolve_rts(codes, values["rt"].tolist(), values["rw"].tolist(), rows, ctx, required=True)
            check_duplicates(
                [(k, y) if k else None for k, y in zip(rts, values["year"], strict=True)], rows, ctx.report, "rt"
            )
            for col, allowed in NONPHYSICAL.items():
                for row, v in zip(rows, values[col], strict=True):
                    if v is not None and v not in allowed:
                        ctx.report.add("val.choice", row=row, field=col, value=v, choices=", ".join(map(str, allowed)))
            for c in RULE.criterion_ids:
                for row, v in zip(rows, values[f"v_{c}"], strict=True):
                    if v is not None and v < 0:
                        ctx.report.add("kumuh.negative", row=row, field=f"v_{c}", value=v, severity="warning")
            data = {
                **place_columns(rts, ctx.places, codes),
                "year": values["year"].tolist(),
                "rule_id": [RULE.id] * len(values),
            }
            for col in [
                *PROFILE_FIELDS,
                *(f"v_{c}" for c in RULE.criterion_ids),
                *NONPHYSICAL,
                "legalitas_lahan",
                "sesuai_rtrw",
            ]:
                data[col] = values[col].tolist()
            frames.append(pd.DataFrame(data))
        return {"kumuh_baseline": pd.concat(frames, ignore_index=True)}
