"""What the community layers (groups, programme areas, funds, RW products, proposals) share:
the place a group serves (a whole kelurahan, an RW/Lingkungan/Dusun, or one RT), and looking up
groups and programme areas that are stored or come in the same file.

Nothing here names a person: groups are counted (member_count), never listed.
"""

from __future__ import annotations

import re
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


def _norm(name: object) -> str:
    """A group name as people write it: case, punctuation and spacing do not count."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", str(name).casefold()).split())


class GroupRefs:
    """The stored groups a layer's rows may name: by ``group_id`` or by name (exact, or normalised:
    "ksm  maju-bersama" and "Maju Bersama" both name "KSM Maju Bersama"), always within the row's
    kelurahan and of one group type.

    Works name their KSM and KPP, gardens their KWT (facilities their owner, by id).  Every wrong
    reference is reported with the row, the field and the value: no such group in the kelurahan,
    a group of another kelurahan, a group of another type, a name shared by two groups."""

    def __init__(self, groups: pd.DataFrame | None) -> None:
        self.by_id: dict[str, dict] = {}
        self.by_name: dict[tuple[str, str], list[dict]] = {}
        self.types: set[tuple[str, str]] = set()
        if groups is None or not len(groups):
            return
        for rec in groups.to_dict("records"):
            if rec.get("group_id") is None:
                continue
            self.by_id[str(rec["group_id"])] = rec
            code, kind = rec.get("kelurahan_code"), rec.get("group_type")
            self.types.add((code, kind))
            full = _norm(rec.get("name") or "")
            names = {full, full.removeprefix(_norm(kind or "") + " ")}
            for name in names - {""}:
                self.by_name.setdefault((code, name), []).append(rec)

    def has_type(self, code: str | None, group_type: str) -> bool:
        """Whether the kelurahan keeps any group of ``group_type`` in the groups layer."""
        return (code, group_type) in self.types

    def resolve(
        self, value: Any, code: str | None, group_type: str, *, row: int, field: str, ctx: ImportContext
    ) -> dict | None:
        """The group ``value`` names (an id, or a name) in kelurahan ``code``; None, reported, when
        it names none, or a group of another kelurahan or type."""
        if value is None or code is None:
            return None
        text = str(value).strip()
        group = self.by_id.get(text)
        if group is None:
            found = self.by_name.get((code, _norm(text)), [])
            if len(found) > 1:
                ids = ", ".join(sorted(str(g["group_id"]) for g in found))
                ctx.report.add("community.ambiguous_group", row=row, field=field, value=value, group=text, ids=ids)
                return None
            group = found[0] if found else None
        expected = _type_label(group_type)
        if group is None:
            ctx.report.add(
                "community.group_not_found", row=row, field=field, value=value, group=text, expected=expected
            )
            return None
        if group["kelurahan_code"] != code:
            ctx.report.add(
                "community.group_other_kelurahan",
                row=row,
                field=field,
                value=value,
                group=group["name"],
                other=group["kelurahan_code"],
                code=code,
            )
            return None
        if group["group_type"] != group_type:
            got = _type_label(group["group_type"])
            ctx.report.add(
                "community.wrong_group_type", row=row, field=field, value=value, group=group["name"], got=got,
                expected=expected,
            )  # fmt: skip
            return None
        return group


def _type_label(group_type: str) -> str:
    """The group type as both languages write it ("KSM", "KWT", "BKB (Bina Keluarga Balita)")."""
    from geo.layers.groups import GROUP_TYPE_LABELS  # groups import this module

    return GROUP_TYPE_LABELS.get(group_type, {}).get("id", group_type)


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
    "GroupRefs",
    "known",
    "month_of",
    "place_of",
    "served_places",
]
