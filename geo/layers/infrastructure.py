"""KOTAKU and other works: jalan rabat beton and drainase as lines, sumur bor and MCK as points.

Each work names the slum criterion it handles and its volume in that criterion's unit
(DOMAIN.md sections 2-3).  Progress history (% fisik, % keuangan by date) is a second table,
imported from a GeoPackage layer ``work_progress`` or from a CSV/XLSX with ``work_id`` and a date
column but no ``work_type`` column.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from geo.checks import check_duplicates
from geo.criteria import CRITERIA, UNIT_ALIASES
from geo.fields import FieldSpec, choices, find_column, slug
from geo.i18n import LabelTable, Words, t
from geo.layers.base import (
    KELURAHAN_FIELD,
    PLACE_COLUMNS,
    RT_FIELD,
    RW_FIELD,
    ImportContext,
    Layer,
    LayerStyle,
    checked_geometries,
    coerce_table,
    derived_id,
    frame_with_geometry,
    geoframe,
    kelurahan_codes,
    place_columns,
    resolve_rts,
)
from geo.layers.community_rows import GROUP_REF, GroupRefs
from geo.layers.facilities import PROGRAMMES
from geo.schema import Column, TableSpec
from geo.sources import Source, SourceTable

LINE, POINT = ("LineString", "MultiLineString"), ("Point", "MultiPoint")


@dataclass(frozen=True)
class WorkType:
    id: str
    geometry: tuple[str, ...]
    criteria: tuple[str, ...]
    category: str  # "road", "drainage", "well" or "other": how indicators count it

    def label(self, lang: str) -> str:
        """Its name in ``lang`` (``work_type.<id>`` in the catalogue)."""
        return t(f"work_type.{self.id}", lang)

    @property
    def label_id(self) -> str:
        return self.label("id")

    @property
    def label_en(self) -> str:
        return self.label("en")


WORK_TYPES = {
    w.id: w
    for w in (
        WorkType("jalan_rabat_beton", LINE, ("2a", "2b"), "road"),
        WorkType("jalan_paving", LINE, ("2a", "2b"), "road"),
        WorkType("drainase", LINE, ("4a", "4b", "4c"), "drainage"),
        WorkType("sumur_bor", POINT, ("3a", "3b"), "well"),
        WorkType("mck", POINT, ("5a", "5b"), "other"),
        WorkType("ipal_komunal", POINT, ("5a", "5b"), "other"),
        WorkType("tps_3r", POINT, ("6a", "6b"), "other"),
        WorkType("proteksi_kebakaran", POINT, ("7a", "7b"), "other"),
    )
}
WORK_TYPE_CHOICES = choices(
    *WORK_TYPES,
    jalan_rabat_beton=("rabat_beton", "jalan_rabat", "jalan_beton", "rigid_beton", "jalan_lingkungan"),
    jalan_paving=("paving", "paving_block", "jalan_paving_block"),
    drainase=("saluran", "saluran_drainase", "drainase_lingkungan", "got", "drainage"),
    sumur_bor=("sumur", "sumur_bor_dalam", "bore_well"),
    mck=("mck_komunal", "mck_umum", "jamban_umum"),
    ipal_komunal=("ipal", "septic_tank_komunal"),
    tps_3r=("tps", "tps3r", "tempat_sampah"),
    proteksi_kebakaran=("hidran", "hydrant", "apar"),
)
FUNDING = choices(
    "BPM",
    "APBD",
    "APBN",
    "DAK",
    "CSR",
    "swadaya",
    "dana_kelurahan",
    "lainnya",
    BPM=("bantuan_pemerintah_untuk_masyarakat", "bdi", "bpm_kotaku"),
    swadaya=("swadaya_masyarakat", "gotong_royong"),
    dana_kelurahan=("dana_desa", "dd", "dk"),
    lainnya=("other",),
)
STATUS = choices(
    "rencana",
    "berjalan",
    "selesai",
    "batal",
    rencana=("perencanaan", "planned", "usulan"),
    berjalan=("proses", "dalam_pelaksanaan", "pelaksanaan", "on_progress", "ongoing"),
    selesai=("done", "completed", "serah_terima"),
    batal=("dibatalkan", "cancelled"),
)
STATUS_COLORS = {"rencana": "#2c7bb6", "berjalan": "#fdae61", "selesai": "#1a9641", "batal": "#999999"}
STATUS_LABELS = LabelTable("work_status.", ("rencana", "berjalan", "selesai", "batal"))

WORK_FIELDS = (
    FieldSpec("work_id", aliases=("id_pekerjaan", "kode_pekerjaan", "id", "kode_kegiatan")),
    KELURAHAN_FIELD,
    RT_FIELD,
    RW_FIELD,
    FieldSpec(
        "work_type",
        "choice",
        required=True,
        choices=WORK_TYPE_CHOICES,
        aliases=("jenis_pekerjaan", "jenis", "kegiatan", "type"),
    ),
    FieldSpec(
        "criterion_id",
        "choice",
        required=True,
        choices={c: c for c in CRITERIA},
        aliases=("kriteria", "kode_kriteria", "criterion"),
    ),
    FieldSpec("volume", "float", required=True, lo=0, aliases=("volume_kriteria",)),
    FieldSpec("volume_unit", "choice", choices=UNIT_ALIASES, aliases=("satuan", "satuan_volume", "unit")),
    FieldSpec("year", "int", required=True, lo=2000, hi=2100, aliases=("tahun", "tahun_anggaran", "ta")),
    FieldSpec("funding", "choice", required=True, choices=FUNDING, aliases=("sumber_dana", "pendanaan", "dana")),
    FieldSpec(
        "budget_idr", "int", required=True, lo=0, aliases=("anggaran", "anggaran_rp", "nilai", "biaya", "budget")
    ),
    FieldSpec("ksm", aliases=("nama_ksm", "pelaksana", "ksm_pelaksana")),
    FieldSpec("ksm_group_id", aliases=("id_ksm", "kode_ksm", "id_kelompok_ksm", "kelompok_ksm")),
    FieldSpec("kpp_group_id", aliases=("kpp", "nama_kpp", "id_kpp", "kode_kpp", "id_kelompok_kpp", "kelompok_kpp")),
    FieldSpec("planned_start", "date", aliases=("mulai", "rencana_mulai", "tanggal_mulai")),
    FieldSpec("planned_end", "date", aliases=("selesai_rencana", "rencana_selesai", "tanggal_selesai")),
    FieldSpec("status", "choice", required=True, choices=STATUS, aliases=("status_pekerjaan",)),
    FieldSpec("progress_fisik", "float", lo=0, hi=100, aliases=("fisik", "persen_fisik", "progres_fisik")),
    FieldSpec("progress_keuangan", "float", lo=0, hi=100, aliases=("keuangan", "persen_keuangan", "progres_keuangan")),
    FieldSpec("name", aliases=("nama", "nama_pekerjaan", "uraian")),
    FieldSpec("programme", "choice", choices=PROGRAMMES, aliases=("program",)),
)
PROGRESS_FIELDS = (
    FieldSpec("work_id", required=True, aliases=("id_pekerjaan", "kode_pekerjaan", "id")),
    FieldSpec("record_date", "date", required=True, aliases=("tanggal", "date", "tgl", "tanggal_catat")),
    FieldSpec(
        "fisik_pct",
        "float",
        required=True,
        lo=0,
        hi=100,
        aliases=("fisik", "progress_fisik", "persen_fisik", "progres_fisik"),
    ),
    FieldSpec(
        "keuangan_pct",
        "float",
        lo=0,
        hi=100,
        aliases=("keuangan", "progress_keuangan", "persen_keuangan", "progres_keuangan"),
    ),
    FieldSpec("spent_idr", "int", lo=0, aliases=("dana_terserap", "realisasi", "realisasi_rp")),
    FieldSpec("note", aliases=("catatan", "keterangan")),
)

WORKS = TableSpec(
    name="works",
    columns=(
        Column("work_id", "TEXT"),
        *PLACE_COLUMNS,
        Column("name", "TEXT"),
        Column("work_type", "TEXT"),
        Column("criterion_id", "TEXT", "Permen PUPR 14/2018 criterion"),
        Column("volume", "REAL", "in the criterion's unit"),
        Column("volume_unit", "TEXT"),
        Column("year", "INTEGER"),
        Column("funding", "TEXT"),
        Column("budget_idr", "INTEGER"),
        Column("ksm", "TEXT", "the KSM's name (the group's, when ksm_group_id is set)"),
        Column("ksm_group_id", "TEXT", "the KSM that built it (groups.group_id, type ksm)"),
        Column("kpp_group_id", "TEXT", "the KPP that maintains it (groups.group_id, type kpp)"),
        Column("kpp", "TEXT", "the KPP's name, from the groups layer"),
        Column("planned_start", "DATE"),
        Column("planned_end", "DATE"),
        Column("status", "TEXT"),
        Column("progress_fisik", "REAL"),
        Column("progress_keuangan", "REAL"),
        Column("programme", "TEXT", "KOTAKU, Kampung KB, ...; empty: KOTAKU when funded by BPM"),
    ),
    key=("work_id",),
    geometry_type="GEOMETRY",
    description="KOTAKU and other works",
    indexes=(("kelurahan_code",),),
    type_views=(
        ("works_lines", "MULTILINESTRING", ("LINESTRING", "MULTILINESTRING")),
        ("works_points", "MULTIPOINT", ("POINT", "MULTIPOINT")),
    ),
)
WORK_PROGRESS = TableSpec(
    name="work_progress",
    columns=(
        Column("work_id", "TEXT"),
        Column("record_date", "DATE"),
        Column("fisik_pct", "REAL"),
        Column("keuangan_pct", "REAL"),
        Column("spent_idr", "INTEGER"),
        Column("note", "TEXT"),
    ),
    key=("work_id", "record_date"),
    description="Progress history of works (Kurva S input)",
)


class Infrastructure(Layer):
    name: ClassVar[str] = "infrastructure"
    title: ClassVar[Mapping[str, str]] = Words("layer.infrastructure")
    tables: ClassVar[tuple[TableSpec, ...]] = (WORKS, WORK_PROGRESS)
    style: ClassVar[LayerStyle] = LayerStyle(color="#d7191c", by="status", colors=STATUS_COLORS, labels=STATUS_LABELS)
    reads: ClassVar[dict[str, tuple[str, ...]]] = {"groups": GROUP_REF}

    def prepare(self, source: Source, ctx: ImportContext) -> dict[str, pd.DataFrame]:
        works, progress = [], []
        for table in source.tables:
            if _is_progress(table):
                progress.append(table)
            else:
                works.append(self._works(table, ctx))
        out: dict[str, pd.DataFrame] = {}
        if works:
            out["works"] = pd.concat(works, ignore_index=True)
        known = set(ctx.existing.get("works", pd.DataFrame({"work_id": []}))["work_id"])
        if "works" in out:
            known |= set(out["works"]["work_id"])
        if progress:
            out["work_progress"] = pd.concat([self._progress(t, ctx, known) for t in progress], ignore_index=True)
        return out

    def _works(self, table: SourceTable, ctx: ImportContext) -> pd.DataFrame:
        rows = table.rows
        gdf = geoframe(table, ctx)
        values = coerce_table(table, WORK_FIELDS, ctx)
        ok = checked_geometries(gdf, rows, ctx, allowed=LINE + POINT, required=True, label="LineString/Point")
        codes = kelurahan_codes(values["kelurahan_code"].tolist(), rows, ctx)
        rts = resolve_rts(codes, values["rt"].tolist(), values["rw"].tolist(), rows, ctx, required=False)
        geoms = list(gdf.geometry)
        ids = []
        for i, row in enumerate(rows):
            v = values.iloc[i]
            wt = WORK_TYPES.get(v["work_type"]) if v["work_type"] else None
            if wt and ok[i] and geoms[i].geom_type not in wt.geometry:
                ctx.report.add(
                    "geom.type_for_work",
                    row=row,
                    field="geometry",
                    work_type=wt.id,
                    got=geoms[i].geom_type,
                    expected="garis (LineString)" if wt.geometry == LINE else "titik (Point)",
                )
            crit = v["criterion_id"]
            if wt and crit and crit not in wt.criteria:
                ctx.report.add(
                    "val.criterion_for_work",
                    row=row,
                    field="criterion_id",
                    value=crit,
                    criterion=crit,
                    work_type=wt.id,
                    expected=", ".join(wt.criteria),
                )
            if crit and v["volume_unit"] and v["volume_unit"] != CRITERIA[crit].unit:
                ctx.report.add(
                    "val.unit_mismatch",
                    row=row,
                    field="volume_unit",
                    value=v["volume_unit"],
                    got=v["volume_unit"],
                    criterion=crit,
                    expected=CRITERIA[crit].unit,
                )
            if v["planned_start"] and v["planned_end"] and v["planned_end"] < v["planned_start"]:
                ctx.report.add("val.date_order", row=row, field="planned_end", value=v["planned_end"])
            ids.append(v["work_id"] or derived_id("W", codes[i], v["work_type"], v["year"], geoms[i]))
        check_duplicates([(w,) for w in ids], rows, ctx.report, "work_id", ids)
        data = {"work_id": ids, **place_columns(rts, ctx.places, codes), "name": values["name"].tolist()}
        for col in (
            "work_type",
            "criterion_id",
            "volume",
            "year",
            "funding",
            "budget_idr",
            "ksm",
            "planned_start",
            "planned_end",
            "status",
            "progress_fisik",
            "progress_keuangan",
            "programme",
        ):
            data[col] = values[col].tolist()
        data["volume_unit"] = [CRITERIA[c].unit if c else None for c in values["criterion_id"]]
        data.update(_group_refs(table, values, codes, rows, ctx))
        return frame_with_geometry(data, geoms)

    def _progress(self, table: SourceTable, ctx: ImportContext, known: set[str]) -> pd.DataFrame:
        values = coerce_table(table, PROGRESS_FIELDS, ctx)
        for row, work_id in zip(table.rows, values["work_id"], strict=True):
            if work_id is not None and work_id not in known:
                ctx.report.add("place.unknown_work", row=row, field="work_id", value=work_id, work_id=work_id)
        check_duplicates(
            [(w, d) for w, d in zip(values["work_id"], values["record_date"], strict=True)],
            table.rows,
            ctx.report,
            "record_date",
        )
        return values[["work_id", "record_date", "fisik_pct", "keuangan_pct", "spent_idr", "note"]].copy()


def _group_refs(
    table: SourceTable, values: pd.DataFrame, codes: list[str | None], rows: list[int], ctx: ImportContext
) -> dict[str, list]:
    """The KSM and KPP of each work as groups of its kelurahan.

    ``ksm_group_id`` / ``kpp_group_id`` name a group by id or by name.  A file without
    ``ksm_group_id`` but with the KSM's name (``ksm``) has that name resolved too, once the
    kelurahan keeps its KSM in the groups layer; before that the name stays as written (files made
    before groups existed import as they did).  A resolved work carries the group's own name."""
    refs = GroupRefs(ctx.existing.get("groups"))
    cols = [str(c) for c in table.frame.columns]
    has_ksm_id = find_column(cols, _FIELD["ksm_group_id"], table.frame) is not None
    has_ksm = find_column(cols, _FIELD["ksm"], table.frame) is not None
    out: dict[str, list] = {"ksm": values["ksm"].tolist(), "ksm_group_id": [], "kpp_group_id": [], "kpp": []}
    for i, (row, code) in enumerate(zip(rows, codes, strict=True)):
        ksm_ref, field = values["ksm_group_id"].iloc[i], "ksm_group_id"
        if ksm_ref is None and refs.has_type(code, "ksm"):
            ksm_ref, field = values["ksm"].iloc[i], "ksm"
        ksm = refs.resolve(ksm_ref, code, "ksm", row=row, field=field, ctx=ctx)
        kpp = refs.resolve(values["kpp_group_id"].iloc[i], code, "kpp", row=row, field="kpp_group_id", ctx=ctx)
        out["ksm_group_id"].append(ksm["group_id"] if ksm else None)
        if ksm:
            out["ksm"][i] = ksm["name"]
        out["kpp_group_id"].append(kpp["group_id"] if kpp else None)
        out["kpp"].append(kpp["name"] if kpp else None)
    if has_ksm_id or has_ksm:
        ctx.filled.update({"ksm", "ksm_group_id"})
    return out


_FIELD = {f.name: f for f in WORK_FIELDS}


def _is_progress(table: SourceTable) -> bool:
    if slug(table.name) in ("work_progress", "progress", "kemajuan", "progres"):
        return True
    cols = [str(c) for c in table.frame.columns]
    return (
        not table.spatial
        and find_column(cols, WORK_FIELDS[4]) is None
        and find_column(cols, PROGRESS_FIELDS[1]) is not None
    )


def current_progress(works: pd.DataFrame, progress: pd.DataFrame) -> pd.DataFrame:
    """Works with ``progress_fisik``/``progress_keuangan`` taken from the latest history record
    where there is one (the works table keeps what its file declared)."""
    out = works.copy()
    if progress.empty or out.empty:
        return out
    latest = progress.sort_values("record_date").groupby("work_id").tail(1).set_index("work_id")
    for col, src in (("progress_fisik", "fisik_pct"), ("progress_keuangan", "keuangan_pct")):
        newer = out["work_id"].map(latest[src])
        out[col] = np.where(newer.notna(), newer, out[col]).astype(float)
    return out


def category_of(work_type: str) -> str:
    wt = WORK_TYPES.get(work_type)
    return wt.category if wt else "other"
