"""What the community layers (groups, programme areas, funds, RW products, proposals) share:
the place a group serves (a whole kelurahan, an RW/Lingkungan/Dusun, or one RT), and looking up
groups and programme areas that are stored or come in the same file.

Nothing here names a person: groups are counted (member_count), never listed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from geo.errors import PlaceError
from geo.fields import choices
from geo.i18n import LabelTable
from geo.layers.base import ImportContext, parse_rt
from geo.places import parse_unit_label, rt_label

PROGRAMME_AREA_LABELS = LabelTable(
    "programme_area.", ("KOTAKU", "Kampung KB", "Kampung Tangguh", "Kampung Kranggan Mandiri", "ProKlim")
)
PROGRAMME_AREA_CHOICES = choices(
    *PROGRAMME_AREA_LABELS,
    **{
        "Kampung KB": ("kkb", "kampung_keluarga_berkualitas", "kampung_kb_jimpitan"),
        "Kampung Tangguh": ("kampung_tangguh_nusantara", "kampung_tangguh_jaya"),
        "Kampung Kranggan Mandiri": ("kranggan", "kranggan_mandiri", "kkm"),
        "ProKlim": ("kampung_iklim", "program_kampung_iklim"),
    },
)

PILLAR_LABELS = LabelTable("pillar.", ("ekonomi", "kesehatan", "pendidikan", "infrastruktur", "keamanan"))
PILLARS = choices(
    *PILLAR_LABELS,
    ekonomi=("economy", "pemberdayaan_ekonomi"),
    kesehatan=("health", "kesehatan_dan_gizi", "gizi"),
    pendidikan=("education",),
    infrastruktur=("infrastructure", "prasarana"),
    keamanan=("security", "ketertiban", "kamtibmas"),
)

# the columns of stored groups and programme areas an import checks references against
GROUP_REF = ("group_id", "kelurahan_code", "name", "group_type", "founded", "dissolved")
AREA_REF = ("area_id", "kelurahan_code", "programme")

Served = tuple[str | None, int | None, int | None]  # (unit_type, unit_number, rt_number)


def served_places(
    codes: Sequence[str | None],
    rt_values: Sequence[Any],
    rw_values: Sequence[Any],
    rows: Sequence[int],
    ctx: ImportContext,
) -> list[Served]:
    """The place each row serves: an RT (``rt`` with ``rw``, or a full label), a whole RW
    (``rw`` only) or the whole kelurahan (neither).  Unknown places are reported."""
    out: list[Served] = []
    for row, code, rt_value, rw_value in zip(rows, codes, rt_values, rw_values, strict=True):
        if code is None:
            out.append((None, None, None))
            continue
        unit_type = ctx.places.unit_type(code)
        if rt_value is not None:
            try:
                label = parse_rt(rt_value, rw_value)
            except PlaceError as exc:
                ctx.report.add(exc.code, row=row, field="rt", value=rt_value)
                out.append((None, None, None))
                continue
            key = (code, label.unit_number, label.rt_number)
            if key not in ctx.places.rts:
                ctx.report.add(
                    "place.unknown_rt",
                    row=row,
                    field="rt",
                    value=rt_value,
                    label=rt_label(key[2], key[1], unit_type),
                    code=code,
                )
                out.append((None, None, None))
                continue
            out.append((unit_type, label.unit_number, label.rt_number))
        elif rw_value is not None:
            unit = _unit(code, rw_value, row, ctx)
            out.append((unit_type, unit, None) if unit is not None else (None, None, None))
        else:
            out.append((None, None, None))
    return out


def _unit(code: str, rw_value: Any, row: int, ctx: ImportContext) -> int | None:
    if isinstance(rw_value, float) and rw_value.is_integer():
        rw_value = str(int(rw_value))
    try:
        number, _ = parse_unit_label(rw_value)
    except PlaceError as exc:
        ctx.report.add(exc.code, row=row, field="rw", value=rw_value)
        return None
    if (code, number) not in ctx.places.units:
        ctx.report.add(
            "community.unknown_unit",
            row=row,
            field="rw",
            value=rw_value,
            unit=ctx.places.unit_type(code),
            number=number,
        )
        return None
    return number


def place_of(served: list[Served]) -> dict[str, list[Any]]:
    return {
        "unit_type": [s[0] for s in served],
        "unit_number": [s[1] for s in served],
        "rt_number": [s[2] for s in served],
    }


def known(ctx: ImportContext, table: str, key: str, extra: pd.DataFrame | None = None) -> dict[str, dict]:
    """Rows of ``table`` by ``key``: those stored (``ctx.existing``) and, overriding them, those
    of this file (``extra``)."""
    out: dict[str, dict] = {}
    for frame in (ctx.existing.get(table), extra):
        if frame is not None and len(frame):
            for rec in frame.to_dict("records"):
                if rec.get(key) is not None:
                    out[str(rec[key])] = rec
    return out


def month_of(day: str | None) -> str | None:
    """'2021-03-14' -> '2021-03'."""
    return day[:7] if day else None


__all__ = [
    "AREA_REF",
    "GROUP_REF",
    "PILLARS",
    "PILLAR_LABELS",
    "PROGRAMME_AREA_CHOICES",
    "PROGRAMME_AREA_LABELS",
    "known",
    "month_of",
    "place_of",
    "served_places",
]
