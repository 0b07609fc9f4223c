"""Proposals from an RW to the cooperative (Kampung Kranggan Mandiri's KLM), and their status flow.

A proposal moves diajukan -> dinilai -> disetujui or ditolak -> didanai -> dilaporkan, one step at a
time.  The file carries the date of each step reached (``submitted_on``, ``assessed_on``,
``decided_on``, ``funded_on``, ``reported_on``), so a status whose earlier step has no date has
skipped it and is refused, as is a status that goes back from what is stored.  Repayments are
entries in the funds ledger (kind ``angsuran``) naming the proposal.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import ClassVar

import pandas as pd

from geo.checks import check_duplicates
from geo.fields import FieldSpec, choices
from geo.i18n import LabelTable, Words
from geo.layers.base import KELURAHAN_FIELD, RW_FIELD, ImportContext, Layer, LayerStyle, coerce_table, derived_id
from geo.layers.base import kelurahan_codes as _codes
from geo.layers.community_rows import GROUP_REF, known, served_places
from geo.schema import Column, TableSpec
from geo.sources import Source

# the flow: each status, the date column that records reaching it, and its rank in the flow
FLOW = (
    ("diajukan", "submitted_on"),
    ("dinilai", "assessed_on"),
    ("disetujui", "decided_on"),
    ("ditolak", "decided_on"),
    ("didanai", "funded_on"),
    ("dilaporkan", "reported_on"),
)
RANK = {"diajukan": 0, "dinilai": 1, "disetujui": 2, "ditolak": 2, "didanai": 3, "dilaporkan": 4}
STEP_DATES = ("submitted_on", "assessed_on", "decided_on", "funded_on", "reported_on")
STATUS_LABELS = LabelTable("proposal_status.", ("diajukan", "dinilai", "disetujui", "ditolak", "didanai", "dilaporkan"))
STATUS_COLORS = {
    "diajukan": "#2c7bb6",
    "dinilai": "#abd9e9",
    "disetujui": "#a6d96a",
    "ditolak": "#999999",
    "didanai": "#1a9641",
    "dilaporkan": "#006837",
}
STATUSES = choices(
    *STATUS_LABELS,
    diajukan=("submitted", "usulan", "diusulkan"),
    dinilai=("assessed", "penilaian", "dibahas"),
    disetujui=("approved", "diterima"),
    ditolak=("rejected",),
    didanai=("funded", "dicairkan"),
    dilaporkan=("reported", "selesai", "laporan"),
)

FIELDS = (
    FieldSpec("proposal_id", aliases=("id_proposal", "id_usulan", "kode_usulan", "id")),
    KELURAHAN_FIELD,
    RW_FIELD,
    FieldSpec("title", required=True, aliases=("judul", "usulan", "nama_usulan")),
    FieldSpec("product_id", aliases=("id_produk", "produk")),
    FieldSpec("group_id", aliases=("id_kelompok", "kelompok", "pengusul")),
    FieldSpec("coop_group_id", aliases=("koperasi", "id_koperasi", "pemberi_dana")),
    FieldSpec("amount_idr", "int", required=True, lo=1, aliases=("jumlah", "nilai", "nilai_usulan", "anggaran")),
    FieldSpec("approved_idr", "int", lo=0, aliases=("disetujui_rp", "nilai_disetujui", "dana_cair")),
    FieldSpec("status", "choice", required=True, choices=STATUSES, aliases=("status_usulan", "tahap")),
    FieldSpec("submitted_on", "date", required=True, aliases=("tanggal_diajukan", "diajukan", "tanggal_usulan")),
    FieldSpec("assessed_on", "date", aliases=("tanggal_dinilai", "dinilai")),
    FieldSpec("decided_on", "date", aliases=("tanggal_keputusan", "diputuskan")),
    FieldSpec("funded_on", "date", aliases=("tanggal_didanai", "didanai", "tanggal_cair")),
    FieldSpec("reported_on", "date", aliases=("tanggal_dilaporkan", "dilaporkan", "tanggal_laporan")),
)

PROPOSALS = TableSpec(
    name="proposals",
    columns=(
        Column("proposal_id", "TEXT"),
        Column("kelurahan_code", "TEXT"),
        Column("unit_type", "TEXT"),
        Column("unit_number", "INTEGER", "the proposing RW"),
        Column("title", "TEXT"),
        Column("product_id", "TEXT", "rw_products.product_id"),
        Column("group_id", "TEXT", "the proposing group"),
        Column("coop_group_id", "TEXT", "the cooperative asked (groups.group_id)"),
        Column("amount_idr", "INTEGER", "asked"),
        Column("approved_idr", "INTEGER"),
        Column("status", "TEXT"),
        Column("submitted_on", "DATE"),
        Column("assessed_on", "DATE"),
        Column("decided_on", "DATE"),
        Column("funded_on", "DATE"),
        Column("reported_on", "DATE"),
    ),
    key=("proposal_id",),
    description="RW proposals to the cooperative and their status flow",
    indexes=(("kelurahan_code",),),
)


class Proposals(Layer):
    name: ClassVar[str] = "proposals"
    title: ClassVar[Mapping[str, str]] = Words("layer.proposals")
    tables: ClassVar[tuple[TableSpec, ...]] = (PROPOSALS,)
    style: ClassVar[LayerStyle] = LayerStyle(color="#2c7bb6", by="status", colors=STATUS_COLORS, labels=STATUS_LABELS)
    reads: ClassVar[dict[str, tuple[str, ...]]] = {
        "groups": GROUP_REF,
        "rw_products": ("product_id", "kelurahan_code"),
        "proposals": ("proposal_id", "status"),
    }

    def prepare(self, source: Source, ctx: ImportContext) -> dict[str, pd.DataFrame]:
        frames = []
        groups = known(ctx, "groups", "group_id")
        products = known(ctx, "rw_products", "product_id")
        stored = known(ctx, "proposals", "proposal_id")
        for table in source.tables:
            rows = table.rows
            values = coerce_table(table, FIELDS, ctx)
            codes = _codes(values["kelurahan_code"].tolist(), rows, ctx)
            served = served_places(codes, [None] * len(rows), values["rw"].tolist(), rows, ctx)
            ids = [
                v or derived_id("R", c, s[1], t, d)
                for v, c, s, t, d in zip(
                    values["proposal_id"], codes, served, values["title"], values["submitted_on"], strict=True
                )
            ]
            for i, row in enumerate(rows):
                v = values.iloc[i]
                _check_refs(v, codes[i], row, groups, products, ctx)
                _check_flow(v, row, ctx)
                before = stored.get(ids[i])
                if before is not None and v["status"] and _goes_back(before["status"], v["status"]):
                    ctx.report.add(
                        "community.status_back", row=row, field="status", value=v["status"], stored=before["status"]
                    )
            check_duplicates([(p,) for p in ids], rows, ctx.report, "proposal_id", ids)
            data = {
                "proposal_id": ids,
                "kelurahan_code": codes,
                "unit_type": [s[0] for s in served],
                "unit_number": [s[1] for s in served],
            }
            for col in PROPOSALS.column_names[4:]:
                data[col] = values[col].tolist()
            frames.append(pd.DataFrame(data)[PROPOSALS.column_names])
        return {"proposals": pd.concat(frames, ignore_index=True)}


def _check_refs(v: pd.Series, code: str | None, row: int, groups: dict, products: dict, ctx: ImportContext) -> None:
    for field in ("group_id", "coop_group_id"):
        group_id = v[field]
        group = groups.get(group_id) if group_id else None
        if group_id and (group is None or group["kelurahan_code"] != code):
            ctx.report.add("community.unknown_group", row=row, field=field, value=group_id, group=group_id)
        elif field == "coop_group_id" and group is not None and group["group_type"] != "koperasi":
            ctx.report.add("community.not_coop", row=row, field=field, value=group_id, group=group["name"])
    product_id = v["product_id"]
    if product_id and (product_id not in products or products[product_id]["kelurahan_code"] != code):
        ctx.report.add("community.unknown_product", row=row, field="product_id", value=product_id, id=product_id)


def _check_flow(v: pd.Series, row: int, ctx: ImportContext) -> None:
    """Every step up to the status has its date, none after it does, and dates do not go back."""
    status = v["status"]
    if status is None:
        return
    reached = RANK[status]
    for rank, column in enumerate(STEP_DATES):
        step = next(s for s, c in FLOW if c == column and (column != "decided_on" or s == _decision(status)))
        if rank <= reached and v[column] is None:
            ctx.report.add("community.status_skipped", row=row, field=column, value=status, status=status, step=step)
        elif rank > reached and v[column] is not None:
            ctx.report.add("community.status_ahead", row=row, field=column, value=v[column], status=status, step=step)
    if status in ("didanai", "dilaporkan") and v["decided_on"] is not None and v["approved_idr"] == 0:
        ctx.report.add("community.funded_without_amount", row=row, field="approved_idr", value=0)
    days = [(c, v[c]) for c in STEP_DATES if v[c] is not None]
    for (_, earlier), (column, later) in itertools.pairwise(days):
        if later < earlier:
            ctx.report.add("community.step_order", row=row, field=column, value=later, before=earlier)


def _goes_back(stored: str, status: str) -> bool:
    """A status before the stored one, or any change away from a rejection."""
    return RANK[status] < RANK.get(stored, 0) or (stored == "ditolak" and status != "ditolak")


def _decision(status: str) -> str:
    return "ditolak" if status == "ditolak" else "disetujui"
