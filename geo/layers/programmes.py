"""Programme areas: a Kampung KB, Kampung Tangguh or Kampung Kranggan Mandiri declared on a whole
kelurahan, an RW/Lingkungan/Dusun or a set of RTs, with the SK (decree) that declared it.

An area is a row: the RTs it covers are named in ``rts`` ("RT 01 RW 02; RT 03 RW 02") or implied by
``rw`` (the whole RW) or by neither (the whole kelurahan).  Its shape is drawn from the RT and RW
polygons when a page needs it, so it follows boundary corrections.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import pandas as pd

from geo.checks import check_duplicates
from geo.errors import PlaceError
from geo.fields import FieldSpec
from geo.i18n import Words
from geo.layers.base import (
    KELURAHAN_FIELD,
    RW_FIELD,
    ImportContext,
    Layer,
    LayerStyle,
    coerce_table,
    derived_id,
    kelurahan_codes,
    parse_rt,
)
from geo.layers.community_rows import PROGRAMME_AREA_CHOICES, PROGRAMME_AREA_LABELS, served_places
from geo.places import rt_label
from geo.schema import Column, TableSpec
from geo.sources import Source

PROGRAMME_AREA_COLORS = {
    "KOTAKU": "#e31a1c",
    "Kampung KB": "#1f78b4",
    "Kampung Tangguh": "#ff7f00",
    "Kampung Kranggan Mandiri": "#6a3d9a",
    "ProKlim": "#33a02c",
}

FIELDS = (
    FieldSpec("area_id", aliases=("id_kawasan", "kode_kawasan", "id", "kode")),
    KELURAHAN_FIELD,
    FieldSpec("programme", "choice", required=True, choices=PROGRAMME_AREA_CHOICES, aliases=("program",)),
    FieldSpec("name", required=True, aliases=("nama", "nama_kampung", "nama_kawasan")),
    RW_FIELD,
    FieldSpec("rts", aliases=("daftar_rt", "rt", "rt_list", "cakupan_rt")),
    FieldSpec("sk_number", aliases=("nomor_sk", "no_sk", "sk")),
    FieldSpec("sk_date", "date", aliases=("tanggal_sk", "tgl_sk")),
    FieldSpec("started", "date", required=True, aliases=("mulai", "dicanangkan", "tanggal_mulai")),
    FieldSpec("ended", "date", aliases=("berakhir", "selesai", "tanggal_selesai")),
)

PROGRAMME_AREAS = TableSpec(
    name="programme_areas",
    columns=(
        Column("area_id", "TEXT"),
        Column("kelurahan_code", "TEXT"),
        Column("programme", "TEXT"),
        Column("name", "TEXT"),
        Column("unit_type", "TEXT"),
        Column("unit_number", "INTEGER", "the RW/Lingkungan/Dusun declared; empty: see rt_list"),
        Column("rt_list", "TEXT", "'unit/rt' pairs ('2/1,2/3'); empty with no unit: the whole kelurahan"),
        Column("sk_number", "TEXT"),
        Column("sk_date", "DATE"),
        Column("started", "DATE"),
        Column("ended", "DATE"),
    ),
    key=("area_id",),
    description="Programme areas (Kampung KB, Kampung Tangguh, ...) and their SK",
    indexes=(("kelurahan_code",),),
)


class Programmes(Layer):
    name: ClassVar[str] = "programmes"
    title: ClassVar[Mapping[str, str]] = Words("layer.programmes")
    tables: ClassVar[tuple[TableSpec, ...]] = (PROGRAMME_AREAS,)
    style: ClassVar[LayerStyle] = LayerStyle(
        color="#1f78b4", by="programme", colors=PROGRAMME_AREA_COLORS, labels=PROGRAMME_AREA_LABELS
    )

    def prepare(self, source: Source, ctx: ImportContext) -> dict[str, pd.DataFrame]:
        frames = []
        for table in source.tables:
            rows = table.rows
            values = coerce_table(table, FIELDS, ctx)
            codes = kelurahan_codes(values["kelurahan_code"].tolist(), rows, ctx)
            served = served_places(codes, [None] * len(rows), values["rw"].tolist(), rows, ctx)
            rt_lists = []
            for i, row in enumerate(rows):
                v = values.iloc[i]
                rt_lists.append(_rt_list(codes[i], v["rts"], served[i][1], row, ctx) if v["rts"] else None)
                if v["started"] and v["ended"] and v["ended"] < v["started"]:
                    ctx.report.add("community.ended_before_started", row=row, field="ended", value=v["ended"])
            ids = [
                v or derived_id("P", c, p, n)
                for v, c, p, n in zip(values["area_id"], codes, values["programme"], values["name"], strict=True)
            ]
            check_duplicates([(a,) for a in ids], rows, ctx.report, "area_id", ids)
            data = {
                "area_id": ids,
                "kelurahan_code": codes,
                "programme": values["programme"].tolist(),
                "name": values["name"].tolist(),
                "unit_type": [ctx.places.unit_type(c) if c else None for c in codes],
                "unit_number": [s[1] for s in served],
                "rt_list": rt_lists,
            }
            for col in ("sk_number", "sk_date", "started", "ended"):
                data[col] = values[col].tolist()
            frames.append(pd.DataFrame(data)[PROGRAMME_AREAS.column_names])
        return {"programme_areas": pd.concat(frames, ignore_index=True)}


def _rt_list(code: str | None, text: str, unit: int | None, row: int, ctx: ImportContext) -> str | None:
    """'RT 01 RW 02; RT 03 RW 02' (or '1, 3' with the RW given in ``rw``) as '2/1,2/3'."""
    if code is None:
        return None
    pairs: list[tuple[int, int]] = []
    for part in [p.strip() for p in text.replace(";", "|").replace(",", "|").split("|") if p.strip()]:
        try:
            label = parse_rt(part, unit)
        except PlaceError as exc:
            ctx.report.add(exc.code, row=row, field="rts", value=part)
            continue
        key = (code, label.unit_number, label.rt_number)
        if key not in ctx.places.rts:
            label_text = rt_label(key[2], key[1], ctx.places.unit_type(code))
            ctx.report.add("place.unknown_rt", row=row, field="rts", value=part, label=label_text, code=code)
            continue
        if (key[1], key[2]) not in pairs:
            pairs.append((key[1], key[2]))
    return ",".join(f"{u}/{r}" for u, r in sorted(pairs)) or None


def area_rts(area: dict, rts: pd.DataFrame) -> pd.DataFrame:
    """The RTs of ``rts`` (one kelurahan's RT frame) that ``area`` covers."""
    mine = rts[rts["kelurahan_code"] == area["kelurahan_code"]]
    listed = area.get("rt_list")
    if isinstance(listed, str) and listed:
        pairs = {tuple(int(x) for x in p.split("/")) for p in listed.split(",")}
        keys = list(zip(mine["unit_number"].astype(int), mine["rt_number"].astype(int), strict=True))
        return mine[[k in pairs for k in keys]]
    unit = area.get("unit_number")
    if unit is not None and not pd.isna(unit):
        return mine[mine["unit_number"].astype(int) == int(unit)]
    return mine
