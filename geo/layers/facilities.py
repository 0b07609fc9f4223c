"""Community facilities (posyandu, balai warga, musala, pos ronda, ...) and their programme."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import pandas as pd

from geo.fields import FieldSpec, choices
from geo.i18n import LabelTable, Words
from geo.layers.base import (
    KELURAHAN_FIELD,
    ImportContext,
    Layer,
    LayerStyle,
    frame_with_geometry,
    placed_rows,
)
from geo.schema import Column, TableSpec
from geo.sources import Source

CATEGORY_LABELS = LabelTable(
    "facility_category.",
    (
        "posyandu",
        "balai_warga",
        "musala",
        "masjid",
        "dapur_stunting",
        "bank_sampah",
        "pos_ronda",
        "rumah_data",
        "sekolah",
        "paud",
        "rumah_bibit",
        "puskesmas",
        "sekretariat",
        "ambulans",
        "arena_bermain",
        "lainnya",
    ),
)
CATEGORIES = choices(
    *CATEGORY_LABELS,
    musala=("mushola", "musholla", "surau", "langgar"),
    balai_warga=("balai", "balai_rw", "aula"),
    pos_ronda=("poskamling", "pos_kamling"),
    rumah_data=("rumah_dataku", "rumah_data_ku"),
    sekolah=("sd", "smp", "sma", "mi", "mts"),
    paud=("tk", "tpa"),
    posyandu=("pos_yandu",),
    rumah_bibit=("kebun_bibit",),
    ambulans=("ambulance", "mobil_ambulans", "ambulan"),
    arena_bermain=("taman_bermain", "arena_belajar_dan_bermain", "ruang_bermain", "playground"),
)
PROGRAMME_LABELS = LabelTable(
    "facility_programme.",
    ("KOTAKU", "Kampung KB", "Kampung Tangguh", "Kampung Kranggan Mandiri", "ProKlim", "Dinas", "Swadaya"),
)
PROGRAMMES = choices(
    *PROGRAMME_LABELS,
    **{
        "Kampung KB": ("kkb", "kampung_keluarga_berkualitas"),
        "Kampung Tangguh": ("kampung_tangguh_nusantara",),
        "Kampung Kranggan Mandiri": ("kranggan", "kranggan_mandiri"),
        "ProKlim": ("kampung_iklim", "program_kampung_iklim"),
        "Dinas": ("pemerintah", "dinas_pertanian", "pemda", "dinas_kesehatan"),
        "Swadaya": ("swadaya_masyarakat", "warga", "jimpitan"),
    },
)
PROGRAMME_COLORS = {
    "KOTAKU": "#e31a1c",
    "Kampung KB": "#1f78b4",
    "Kampung Tangguh": "#ff7f00",
    "Kampung Kranggan Mandiri": "#6a3d9a",
    "ProKlim": "#33a02c",
    "Dinas": "#b15928",
    "Swadaya": "#a6761d",
}

FIELDS = (
    FieldSpec("facility_id", aliases=("id_fasilitas", "kode_fasilitas", "kode_fas", "id_fas", "id", "kode")),
    KELURAHAN_FIELD,
    FieldSpec("name", required=True, aliases=("nama", "nama_fasilitas")),
    FieldSpec("category", "choice", required=True, choices=CATEGORIES, aliases=("kategori", "jenis")),
    FieldSpec("programme", "choice", required=True, choices=PROGRAMMES, aliases=("program", "programme_name")),
    FieldSpec("owner_group_id", aliases=("pemilik", "pengelola", "id_kelompok_pengelola", "kelompok_pengelola")),
)

FACILITIES = TableSpec(
    name="facilities",
    columns=(
        Column("facility_id", "TEXT"),
        Column("kelurahan_code", "TEXT"),
        Column("name", "TEXT"),
        Column("category", "TEXT"),
        Column("programme", "TEXT"),
        Column("owner_group_id", "TEXT", "the group that owns or runs it (groups.group_id)"),
    ),
    key=("facility_id",),
    geometry_type="POINT",
    description="Community facilities",
)


class Facilities(Layer):
    name: ClassVar[str] = "facilities"
    title: ClassVar[Mapping[str, str]] = Words("layer.facilities")
    tables: ClassVar[tuple[TableSpec, ...]] = (FACILITIES,)
    style: ClassVar[LayerStyle] = LayerStyle(
        color="#1f78b4", by="programme", colors=PROGRAMME_COLORS, labels=PROGRAMME_LABELS
    )
    reads: ClassVar[dict[str, tuple[str, ...]]] = {"groups": ("group_id", "kelurahan_code")}

    def prepare(self, source: Source, ctx: ImportContext) -> dict[str, pd.DataFrame]:
        frames = []
        for table in source.tables:
            placed = placed_rows(
                table, ctx, FIELDS, allowed=("Point",), geometry_label="Point", id_field="facility_id", id_prefix="F"
            )
            owners = placed.values["owner_group_id"].tolist()
            groups = ctx.existing.get("groups")
            known = set(zip(groups["group_id"], groups["kelurahan_code"], strict=True)) if groups is not None else set()
            for row, owner, code in zip(table.rows, owners, placed.codes, strict=True):
                if owner is not None and code is not None and (owner, code) not in known:
                    ctx.report.add("community.unknown_group", row=row, field="owner_group_id", value=owner, group=owner)
            data = {
                "facility_id": placed.ids,
                "kelurahan_code": placed.codes,
                **{col: placed.values[col].tolist() for col in ("name", "category", "programme", "owner_group_id")},
            }
            frames.append(frame_with_geometry(data, placed.geoms))
        return {"facilities": pd.concat(frames, ignore_index=True)}
