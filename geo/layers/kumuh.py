"""Slum baseline (KOTAKU "baseline" tables): the location's profile, the 16 criterion volumes and
the non-physical considerations.  One row per location and year, laid out like the published
tables: a column per criterion volume (``v_1a`` or ``1a`` ... ``7b``).

Tables as cities publish them (KOTAKU / kawanku exports) are read as they are:

- the kelurahan by its code, or by its names (``kelurahan``, ``kecamatan``, ``kabkota``,
  ``provinsi``) through the Kemendagri code table;
- RT labels prefixed with the kelurahan name ("Bakungan - RT004-RW002");
- a location that is a whole RW/dusun ("Dusun 3") or a named area with no RT ("DUSUN TIKUNG",
  "Labuhan Timur") is a baseline location of its own kind, not a fake RT;
- the published percentages, scores, total and level (``p_*``, ``s_*``, ``total_score``,
  ``level``) are compared with petakampung's own computation and every disagreement is listed
  (row, criterion, published, computed); shares written as fractions (0-1) are recognised;
- an RT needs no polygon to be scored (polygons are needed only for maps).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from geo.checks import check_duplicates
from geo.criteria import DEFAULT_RULE, PROFILE_FIELDS, load_rule
from geo.errors import PlaceError
from geo.fields import FieldSpec, choices
from geo.formats import Amount
from geo.i18n import Words
from geo.kumuh import score
from geo.layers.base import (
    KELURAHAN_FIELD,
    PLACE_COLUMNS,
    RT_FIELD,
    RW_FIELD,
    ImportContext,
    Layer,
    LayerStyle,
    coerce_table,
    parse_rt,
)
from geo.layers.placenames import KELURAHAN_NAME_FIELD, PARENT_FIELDS, place_codes
from geo.places import parse_unit_label, rt_label, unit_label
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
LEVEL_CODES = choices(
    *(b.code for b in RULE.bands),
    TK=("tidak_kumuh", "not_slum"),
    KR=("kumuh_ringan", "ringan", "light"),
    KS=("kumuh_sedang", "sedang", "medium"),
    KB=("kumuh_berat", "berat", "heavy"),
)
LOCATION_TYPES = ("rt", "unit", "area")

PUBLISHED = (
    *(FieldSpec(f"p_{c}", "float", aliases=(f"persen_{c}", f"pct_{c}")) for c in RULE.criterion_ids),
    *(FieldSpec(f"s_{c}", "int", aliases=(f"skor_{c}", f"nilai_{c}")) for c in RULE.criterion_ids),
    FieldSpec("total_score", "int", aliases=("total", "skor_total", "nilai_total", "total_nilai")),
    FieldSpec(
        "level", "choice", choices=LEVEL_CODES, aliases=("tingkat_kumuh", "klasifikasi", "level_kumuh", "kategori")
    ),
)
FIELDS = (
    replace(KELURAHAN_FIELD, required=False),  # or the kelurahan's names
    KELURAHAN_NAME_FIELD,
    *PARENT_FIELDS,
    replace(RT_FIELD, aliases=(*RT_FIELD.aliases, "lokasi", "location")),
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
    *PUBLISHED,
)

KUMUH_BASELINE = TableSpec(
    name="kumuh_baseline",
    columns=(
        *PLACE_COLUMNS,
        Column("location", "TEXT", "the RT label, or the RW/dusun or named area the row is about"),
        Column("location_type", "TEXT", "rt, unit (a whole RW/Lingkungan/Dusun) or area (a named area)"),
        Column("year", "INTEGER"),
        Column("rule_id", "TEXT"),
        *(Column(f, "REAL") for f in PROFILE_FIELDS),
        *(Column(f"v_{c}", "REAL", RULE.criteria[i].name) for i, c in enumerate(RULE.criterion_ids)),
        Column("nilai_strategis", "INTEGER"),
        Column("kependudukan", "INTEGER"),
        Column("kondisi_sosial", "INTEGER"),
        Column("legalitas_lahan", "TEXT"),
        Column("sesuai_rtrw", "TEXT"),
        Column("published_total", "INTEGER", "the total score as published (compared on import)"),
        Column("published_level", "TEXT", "the level as published: TK, KR, KS or KB"),
    ),
    key=("kelurahan_code", "location", "year"),
    description="Slum baseline per location (Permen PUPR 14/2018 volumes, profile, non-physical considerations)",
)


@dataclass(frozen=True)
class Location:
    """Where a baseline row is: an RT, a whole unit (RW/Lingkungan/Dusun) or a named area."""

    kind: str  # "rt", "unit" or "area"
    label: str
    unit_number: int | None = None
    rt_number: int | None = None


_PREFIXED = re.compile(r"^(?P<prefix>.+?)\s+[-–—:]\s+(?P<label>.+)$")
_UNIT_NAMED = re.compile(r"^(?P<word>dusun|dsn|lingkungan|ling|lk|rw)\.?\s+(?P<name>.+)$", re.IGNORECASE)


def baseline_location(value: Any, rw_value: Any, unit_type: str) -> Location:
    """The location a baseline row names; raises :class:`PlaceError` for an empty one."""
    text = re.sub(r"\s+", " ", str(value if value is not None else "")).strip()
    if not text:
        raise PlaceError("label.empty")
    m = _PREFIXED.match(text)
    candidates = [m.group("label"), text] if m else [text]  # "Bakungan - RT004-RW002"
    for label in candidates:
        try:
            rt = parse_rt(label, rw_value)
        except PlaceError:
            continue
        return Location("rt", rt_label(rt.rt_number, rt.unit_number, unit_type), rt.unit_number, rt.rt_number)
    for label in candidates:
        try:
            number, said = parse_unit_label(label)
        except PlaceError:
            continue
        if said is not None:  # "Dusun 3", "RW 05"; a bare number is not a unit
            return Location("unit", unit_label(number, said), number, None)
    named = _UNIT_NAMED.match(text)
    if named and not named.group("name")[:1].isdigit():  # "DUSUN TIKUNG": a dusun known by its name
        word = {"dsn": "Dusun", "ling": "Lingkungan", "lk": "Lingkungan", "rw": "RW"}.get(
            named.group("word").lower(), named.group("word").title()
        )
        return Location("area", f"{word} {named.group('name').title()}")
    return Location("area", text.title() if text.isupper() else text)


class Kumuh(Layer):
    name: ClassVar[str] = "kumuh"
    title: ClassVar[Mapping[str, str]] = Words("layer.kumuh")
    tables: ClassVar[tuple[TableSpec, ...]] = (KUMUH_BASELINE,)
    style: ClassVar[LayerStyle] = LayerStyle(color="#8c510a")

    def prepare(self, source: Source, ctx: ImportContext) -> dict[str, pd.DataFrame]:
        frames = []
        fields = FIELDS
        if ctx.year is not None:  # --tahun: the year of rows that give none
            fields = tuple(replace(f, required=False) if f.name == "year" else f for f in FIELDS)
        for table in source.tables:
            rows = table.rows
            values = coerce_table(table, fields, ctx)
            if ctx.year is not None:
                values["year"] = [ctx.year if y is None else y for y in values["year"]]
                ctx.filled.add("year")
            codes = place_codes(values, rows, ctx, name_field="kelurahan_name", must_exist=True)
            locations = _locations(values, codes, rows, ctx)
            check_duplicates(
                [
                    (c, loc.label, y) if c and loc else None
                    for c, loc, y in zip(codes, locations, values["year"], strict=True)
                ],
                rows,
                ctx.report,
                "rt",
            )
            _check_values(values, rows, ctx)
            data = {
                "kelurahan_code": codes,
                "unit_type": [ctx.places.unit_type(c) if c else None for c in codes],
                "unit_number": [loc.unit_number if loc else None for loc in locations],
                "rt_number": [loc.rt_number if loc else None for loc in locations],
                "location": [loc.label if loc else None for loc in locations],
                "location_type": [loc.kind if loc else None for loc in locations],
                "year": values["year"].tolist(),
                "rule_id": [RULE.id] * len(values),
            }
            for col in [*PROFILE_FIELDS, *(f"v_{c}" for c in RULE.criterion_ids), *NONPHYSICAL]:
                data[col] = values[col].tolist()
            data["legalitas_lahan"] = values["legalitas_lahan"].tolist()
            data["sesuai_rtrw"] = values["sesuai_rtrw"].tolist()
            data["published_total"] = values["total_score"].tolist()
            data["published_level"] = values["level"].tolist()
            frame = pd.DataFrame(data)
            compare_published(frame, values, rows, ctx)
            frames.append(frame)
        return {"kumuh_baseline": pd.concat(frames, ignore_index=True)}


def _locations(values: pd.DataFrame, codes: list[str | None], rows: list, ctx: ImportContext) -> list[Location | None]:
    out: list[Location | None] = []
    for row, code, rt_value, rw_value in zip(rows, codes, values["rt"], values["rw"], strict=True):
        if rt_value is None:
            ctx.report.add("val.required", row=row, field="rt")
            out.append(None)
            continue
        unit_type = ctx.places.unit_type(code) if code else "RW"
        try:
            loc = baseline_location(rt_value, rw_value, unit_type)
        except PlaceError as exc:
            ctx.report.add(exc.code, row=row, field="rt", value=rt_value)
            out.append(None)
            continue
        if loc.kind != "rt":
            ctx.report.add(
                f"kumuh.location_{loc.kind}", row=row, field="rt", value=rt_value, severity="warning", label=loc.label
            )
        out.append(loc)
    return out


def _check_values(values: pd.DataFrame, rows: list, ctx: ImportContext) -> None:
    for col, allowed in NONPHYSICAL.items():
        for row, v in zip(rows, values[col], strict=True):
            if v is not None and v not in allowed:
                ctx.report.add("val.choice", row=row, field=col, value=v, choices=", ".join(map(str, allowed)))
    for c in RULE.criterion_ids:
        for row, v in zip(rows, values[f"v_{c}"], strict=True):
            if v is not None and v < 0:
                ctx.report.add("kumuh.negative", row=row, field=f"v_{c}", value=v, severity="warning")


# --- published scores against ours ----------------------------------------------------------------

PCT_TOLERANCE = 0.01  # published shares carry more decimals than our half-up 2-decimal percentages


def compare_published(frame: pd.DataFrame, values: pd.DataFrame, rows: list, ctx: ImportContext) -> None:
    """Every published percentage, score, total and level that differs from ours, as a warning
    naming the row, the criterion, the published and the computed value."""
    cols = [*PROFILE_FIELDS, *(f"v_{c}" for c in RULE.criterion_ids)]
    complete = frame[cols].notna().all(axis=1).to_numpy()
    if not complete.any():
        return
    ours = score(frame.loc[complete, cols].astype(float))
    idx = np.flatnonzero(complete)
    scale = _share_scale(values.iloc[idx], ours)
    if scale == 1.0:
        ctx.report.add("kumuh.shares_fraction", severity="warning")
    pub_rows = [rows[i] for i in idx]
    for c in RULE.criterion_ids:
        published = pd.to_numeric(values[f"p_{c}"].iloc[idx], errors="coerce").to_numpy(dtype=float) * (
            100.0 if scale == 1.0 else 1.0
        )
        computed = ours[f"p_{c}"].to_numpy()
        raw = values[f"p_{c}"].iloc[idx]
        for row, cell, p, q in zip(pub_rows, raw, published, computed, strict=True):
            if not np.isnan(p) and abs(p - q) > PCT_TOLERANCE + 1e-9:
                # the cell as the file has it; both shares written in the reader's language
                shares = Amount(p / 100, "percent", 2), Amount(q / 100, "percent", 2)
                _differs(ctx, row, f"p_{c}", c, *shares, value=cell)
        for row, p, q in zip(pub_rows, values[f"s_{c}"].iloc[idx], ours[f"s_{c}"], strict=True):
            if p is not None and int(p) != int(q):
                _differs(ctx, row, f"s_{c}", c, p, int(q))
    for row, p, q in zip(pub_rows, values["total_score"].iloc[idx], ours["total"], strict=True):
        if p is not None and int(p) != int(q):
            _differs(ctx, row, "total_score", "total", p, int(q))
    for row, p, q in zip(pub_rows, values["level"].iloc[idx], ours["level"], strict=True):
        if p is not None and p != q:
            _differs(ctx, row, "level", "level", p, q)


def _share_scale(values: pd.DataFrame, ours: pd.DataFrame) -> float:
    """100.0 when the published p_* are percentages, 1.0 when they are fractions (0-1): the
    reading that agrees with our percentages more often."""
    as_pct = as_frac = 0
    for c in RULE.criterion_ids:
        published = pd.to_numeric(values[f"p_{c}"], errors="coerce").to_numpy(dtype=float)
        computed = ours[f"p_{c}"].to_numpy()
        ok = ~np.isnan(published) & (computed != 0)
        as_pct += int((np.abs(published[ok] - computed[ok]) <= PCT_TOLERANCE).sum())
        as_frac += int((np.abs(published[ok] * 100 - computed[ok]) <= PCT_TOLERANCE).sum())
    return 1.0 if as_frac > as_pct else 100.0


def _differs(
    ctx: ImportContext, row: Any, field: str, criterion: str, published: Any, computed: Any, *, value: Any = None
) -> None:
    ctx.report.add(
        "kumuh.published_differs",
        row=row,
        field=field,
        value=published if value is None else value,
        severity="warning",
        criterion=criterion,
        published=published,
        computed=computed,
    )


__all__ = ["KUMUH_BASELINE", "Kumuh", "Location", "baseline_location", "compare_published"]
