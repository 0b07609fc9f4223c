"""Community groups: LKM, KSM, KPP, KWT, the Pokja of a Kampung KB and its poktan, koperasi, ...

A group is known by its type, name, kelurahan and the place it serves (an RT, an RW or the whole
kelurahan) or the programme area it belongs to.  It carries a member *count* and the role of its
contact person (ketua, bendahara, ...), never a name.  A second table keeps the group's meetings
(date, host RT, the kind of bodies that spoke, attendance count): how a Pokja rotates its meetings
between RTs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import pandas as pd

from geo.checks import check_duplicates
from geo.fields import FieldSpec, choices, find_column, slug
from geo.i18n import LabelTable, Words
from geo.layers.base import (
    KELURAHAN_FIELD,
    RT_FIELD,
    RW_FIELD,
    ImportContext,
    Layer,
    LayerStyle,
    coerce_table,
    derived_id,
    kelurahan_codes,
)
from geo.layers.community_rows import (
    AREA_REF,
    GROUP_REF,
    PILLARS,
    PROGRAMME_AREA_CHOICES,
    known,
    place_of,
    served_places,
)
from geo.schema import Column, TableSpec
from geo.sources import Source, SourceTable

GROUP_TYPE_LABELS = LabelTable(
    "group_type.",
    (
        "lkm",
        "ksm",
        "kpp",
        "kwt",
        "pokja_kkb",
        "bkb",
        "bkr",
        "bkl",
        "uppks",
        "pik_r",
        "koperasi",
        "karang_taruna",
        "pkk",
        "satgas",
        "kelompok_usaha",
        "bank_sampah",
        "lainnya",
    ),
)
GROUP_TYPES = choices(
    *GROUP_TYPE_LABELS,
    lkm=("bkm", "lkm_bkm", "badan_keswadayaan_masyarakat"),
    ksm=("kelompok_swadaya_masyarakat",),
    kpp=("kelompok_pemanfaat_dan_pemelihara", "kelompok_pemanfaat_pemelihara"),
    kwt=("kelompok_wanita_tani",),
    pokja_kkb=("pokja", "pokja_kampung_kb", "kelompok_kerja"),
    bkb=("bina_keluarga_balita",),
    bkr=("bina_keluarga_remaja",),
    bkl=("bina_keluarga_lansia",),
    uppks=("uppka", "usaha_peningkatan_pendapatan_keluarga_sejahtera"),
    pik_r=("pikr", "pik_remaja"),
    koperasi=("kop", "cooperative", "klm"),
    karang_taruna=("kartar",),
    pkk=("tp_pkk",),
    satgas=("gugus_tugas", "task_force"),
    kelompok_usaha=("umkm", "kub", "kelompok_usaha_bersama"),
    bank_sampah=("waste_bank",),
    lainnya=("other",),
)
GROUP_TYPE_COLORS = {
    "lkm": "#e31a1c",
    "ksm": "#fb9a99",
    "kpp": "#fdbf6f",
    "kwt": "#33a02c",
    "pokja_kkb": "#1f78b4",
    "koperasi": "#6a3d9a",
}
POKTAN = ("bkb", "bkr", "bkl", "uppks", "pik_r")

ROLE_LABELS = LabelTable("group_role.", ("ketua", "sekretaris", "bendahara", "koordinator", "pendamping"))
ROLES = choices(*ROLE_LABELS, ketua=("chair", "ketua_kelompok"), koordinator=("korlap", "coordinator"))

SPEAKER_LABELS = LabelTable(
    "group_speaker.", ("pemerintah", "bkkbn", "kelurahan", "pkb", "bumn", "swasta", "perguruan_tinggi", "puskesmas")
)
SPEAKERS = choices(
    *SPEAKER_LABELS,
    kelurahan=("sekretaris_lurah", "sekel", "lurah"),
    perguruan_tinggi=("kkn", "mahasiswa_kkn", "universitas", "kampus"),
    pkb=("plkb", "penyuluh_kb"),
    bkkbn=("perwakilan_bkkbn", "bkkbn_provinsi"),
    pemerintah=("dinas", "pemda"),
    swasta=("private", "perusahaan", "csr"),
)

GROUP_FIELDS = (
    FieldSpec("group_id", aliases=("id_kelompok", "kode_kelompok", "id", "kode")),
    KELURAHAN_FIELD,
    RT_FIELD,
    RW_FIELD,
    FieldSpec("group_type", "choice", required=True, choices=GROUP_TYPES, aliases=("jenis", "jenis_kelompok", "tipe")),
    FieldSpec("name", required=True, aliases=("nama", "nama_kelompok", "nama_lembaga")),
    FieldSpec("area_id", aliases=("id_kawasan", "kawasan_program", "kode_kawasan")),
    FieldSpec("programme", "choice", choices=PROGRAMME_AREA_CHOICES, aliases=("program",)),
    FieldSpec("pillar", "choice", choices=PILLARS, aliases=("pilar",)),
    FieldSpec("founded", "date", required=True, aliases=("berdiri", "tanggal_berdiri", "dibentuk", "tanggal_sk")),
    FieldSpec("dissolved", "date", aliases=("bubar", "tanggal_bubar", "berakhir")),
    FieldSpec("member_count", "int", required=True, lo=1, hi=100_000, aliases=("anggota", "jumlah_anggota", "members")),
    FieldSpec("contact_role", "choice", choices=ROLES, aliases=("kontak", "jabatan_kontak", "narahubung")),
)
MEETING_FIELDS = (
    FieldSpec("meeting_id", aliases=("id_pertemuan", "kode_pertemuan", "id")),
    FieldSpec("group_id", required=True, aliases=("id_kelompok", "kode_kelompok", "kelompok")),
    FieldSpec("meeting_date", "date", required=True, aliases=("tanggal", "tanggal_pertemuan", "tgl")),
    RT_FIELD,
    RW_FIELD,
    FieldSpec("topic", aliases=("topik", "tema", "acara")),
    FieldSpec("speakers", aliases=("narasumber", "pembicara")),
    FieldSpec("attendance", "int", lo=0, hi=100_000, aliases=("hadir", "jumlah_hadir", "peserta")),
)

GROUPS = TableSpec(
    name="groups",
    columns=(
        Column("group_id", "TEXT"),
        Column("kelurahan_code", "TEXT"),
        Column("unit_type", "TEXT"),
        Column("unit_number", "INTEGER", "the RW/Lingkungan/Dusun served; empty: the whole kelurahan"),
        Column("rt_number", "INTEGER", "the RT served; empty: the whole RW or kelurahan"),
        Column("area_id", "TEXT", "programme area (programme_areas.area_id)"),
        Column("programme", "TEXT"),
        Column("pillar", "TEXT", "Kampung Tangguh pillar"),
        Column("group_type", "TEXT"),
        Column("name", "TEXT", "the group's name (never a person's)"),
        Column("founded", "DATE"),
        Column("dissolved", "DATE"),
        Column("member_count", "INTEGER", "a count only: member names are never stored"),
        Column("contact_role", "TEXT", "the role to contact (ketua, bendahara), never a name"),
    ),
    key=("group_id",),
    description="Community groups (counts and roles only, no names)",
    indexes=(("kelurahan_code",),),
)
GROUP_MEETINGS = TableSpec(
    name="group_meetings",
    columns=(
        Column("meeting_id", "TEXT"),
        Column("group_id", "TEXT"),
        Column("kelurahan_code", "TEXT"),
        Column("meeting_date", "DATE"),
        Column("unit_type", "TEXT"),
        Column("unit_number", "INTEGER"),
        Column("rt_number", "INTEGER", "the host RT"),
        Column("topic", "TEXT"),
        Column("speakers", "TEXT", "kinds of bodies that spoke (bkkbn, kelurahan, pkb, ...), never names"),
        Column("attendance", "INTEGER"),
    ),
    key=("meeting_id",),
    description="Group meetings and the RT hosting each",
    indexes=(("kelurahan_code",),),
)


class Groups(Layer):
    name: ClassVar[str] = "groups"
    title: ClassVar[Mapping[str, str]] = Words("layer.groups")
    tables: ClassVar[tuple[TableSpec, ...]] = (GROUPS, GROUP_MEETINGS)
    style: ClassVar[LayerStyle] = LayerStyle(
        color="#6a3d9a", by="group_type", colors=GROUP_TYPE_COLORS, labels=GROUP_TYPE_LABELS
    )
    reads: ClassVar[dict[str, tuple[str, ...]]] = {"groups": GROUP_REF, "programme_areas": AREA_REF}

    def prepare(self, source: Source, ctx: ImportContext) -> dict[str, pd.DataFrame]:
        groups, meetings = [], []
        for table in source.tables:
            (meetings if _is_meetings(table) else groups).append(table)
        out: dict[str, pd.DataFrame] = {}
        if groups:
            out["groups"] = pd.concat([self._groups(t, ctx) for t in groups], ignore_index=True)
        if meetings:
            known_groups = known(ctx, "groups", "group_id", out.get("groups"))
            out["group_meetings"] = pd.concat([_meetings(t, ctx, known_groups) for t in meetings], ignore_index=True)
        return out

    def _groups(self, table: SourceTable, ctx: ImportContext) -> pd.DataFrame:
        rows = table.rows
        values = coerce_table(table, GROUP_FIELDS, ctx)
        codes = kelurahan_codes(values["kelurahan_code"].tolist(), rows, ctx)
        served = served_places(codes, values["rt"].tolist(), values["rw"].tolist(), rows, ctx)
        areas = known(ctx, "programme_areas", "area_id")
        programmes = values["programme"].tolist()
        for i, row in enumerate(rows):
            v = values.iloc[i]
            if v["founded"] and v["dissolved"] and v["dissolved"] < v["founded"]:
                ctx.report.add("community.dissolved_before_founded", row=row, field="dissolved", value=v["dissolved"])
            area_id = v["area_id"]
            if area_id is not None:
                area = areas.get(area_id)
                if area is None or area.get("kelurahan_code") != codes[i]:
                    ctx.report.add("community.unknown_area", row=row, field="area_id", value=area_id, area=area_id)
                elif programmes[i] is None:
                    programmes[i] = area["programme"]
        ids = [
            v or derived_id("K", c, t, slug(n or ""))
            for v, c, t, n in zip(values["group_id"], codes, values["group_type"], values["name"], strict=True)
        ]
        check_duplicates([(g,) for g in ids], rows, ctx.report, "group_id", ids)
        data = {"group_id": ids, "kelurahan_code": codes, **place_of(served), "programme": programmes}
        for col in ("area_id", "pillar", "group_type", "name", "founded", "dissolved", "member_count", "contact_role"):
            data[col] = values[col].tolist()
        return pd.DataFrame(data)[GROUPS.column_names]


def _meetings(table: SourceTable, ctx: ImportContext, groups: dict[str, dict]) -> pd.DataFrame:
    rows = table.rows
    values = coerce_table(table, MEETING_FIELDS, ctx)
    codes: list[str | None] = []
    for row, group_id, day in zip(rows, values["group_id"], values["meeting_date"], strict=True):
        group = groups.get(group_id) if group_id is not None else None
        if group_id is not None and group is None:
            ctx.report.add("community.unknown_group", row=row, field="group_id", value=group_id, group=group_id)
        elif group is not None and day is not None:
            check_in_life(group, day, row, "meeting_date", ctx)
        codes.append(group["kelurahan_code"] if group else None)
    served = served_places(codes, values["rt"].tolist(), values["rw"].tolist(), rows, ctx)
    ids = [
        v or derived_id("M", g, d)
        for v, g, d in zip(values["meeting_id"], values["group_id"], values["meeting_date"], strict=True)
    ]
    check_duplicates([(m,) for m in ids], rows, ctx.report, "meeting_id", ids)
    speakers = [_speakers(s, row, ctx) for s, row in zip(values["speakers"], rows, strict=True)]
    data = {
        "meeting_id": ids,
        "group_id": values["group_id"].tolist(),
        "kelurahan_code": codes,
        "meeting_date": values["meeting_date"].tolist(),
        **place_of(served),
        "topic": values["topic"].tolist(),
        "speakers": speakers,
        "attendance": values["attendance"].tolist(),
    }
    return pd.DataFrame(data)[GROUP_MEETINGS.column_names]


def check_in_life(group: dict, day: str, row: int, field: str, ctx: ImportContext) -> bool:
    """Report a date before the group was founded or after it was dissolved."""
    founded, dissolved = _iso(group.get("founded")), _iso(group.get("dissolved"))
    if (founded and day < founded) or (dissolved and day > dissolved):
        ctx.report.add(
            "community.outside_life",
            row=row,
            field=field,
            value=day,
            group=group.get("name") or group.get("group_id"),
            founded=founded or "-",
            dissolved=dissolved or "-",
        )
        return False
    return True


def _iso(value: object) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return None
    return str(value)[:10]


def _speakers(text: str | None, row: int, ctx: ImportContext) -> str | None:
    """Kinds of speakers ('BKKBN; Sekretaris Lurah; KKN') as canonical choices: a speaker's name
    is refused, so no person's name is stored."""
    if text is None:
        return None
    out = []
    for part in [p for p in text.replace(",", ";").split(";") if p.strip()]:
        kind = SPEAKERS.get(slug(part))
        if kind is None:
            ctx.report.add(
                "val.choice", row=row, field="speakers", value=part.strip(), choices=", ".join(sorted(SPEAKER_LABELS))
            )
            continue
        if kind not in out:
            out.append(kind)
    return ";".join(out) or None


def _is_meetings(table: SourceTable) -> bool:
    if slug(table.name) in ("group_meetings", "meetings", "pertemuan", "rapat"):
        return True
    cols = [str(c) for c in table.frame.columns]
    return find_column(cols, GROUP_FIELDS[4]) is None and find_column(cols, MEETING_FIELDS[2]) is not None
