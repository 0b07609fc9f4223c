"""The funds ledger: money in and out of a group or a programme area, as a bendahara keeps it.

One row is one entry: a date, a kind (jimpitan, iuran, KWT sales or profit, co-op loan or
repayment, BPM/APBD transfer, CSR, asset purchase, ...), an amount (always positive; the kind or
``direction`` says in or out), the RT where jimpitan was collected, and for an outflow the asset it
bought (a facility, work or garden).  A bendahara's book with ``masuk``/``keluar`` columns (and a
``saldo`` column, checked row by row) is read as it is.  No entry names a person.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, ClassVar

import pandas as pd

from geo.checks import check_duplicates
from geo.fields import FieldSpec, choices, find_column, slug
from geo.i18n import LabelTable, Words
from geo.layers.base import RT_FIELD, RW_FIELD, ImportContext, Layer, LayerStyle, coerce_table, derived_id
from geo.layers.community_rows import AREA_REF, GROUP_REF, known, place_of, served_places
from geo.layers.groups import check_in_life
from geo.schema import Column, TableSpec
from geo.sources import Source, SourceTable

IN, OUT = "masuk", "keluar"
KIND_LABELS = LabelTable(
    "fund_kind.",
    (
        "jimpitan",
        "iuran",
        "penjualan",
        "laba",
        "angsuran",
        "bpm",
        "apbd",
        "apbn",
        "dana_kelurahan",
        "csr",
        "hibah",
        "saldo_awal",
        "lainnya_masuk",
        "belanja_aset",
        "pinjaman",
        "operasional",
        "kegiatan",
        "lainnya_keluar",
    ),
)
KIND_DIRECTION = dict.fromkeys(("belanja_aset", "pinjaman", "operasional", "kegiatan", "lainnya_keluar"), OUT)
KIND_DIRECTION.update({k: IN for k in KIND_LABELS if k not in KIND_DIRECTION})
KINDS = choices(
    *KIND_LABELS,
    jimpitan=("jimpit", "beras_jimpitan"),
    iuran=("iuran_anggota", "simpanan", "simpanan_wajib", "dues"),
    penjualan=("hasil_penjualan", "sales", "omzet"),
    laba=("keuntungan", "profit", "hasil_usaha", "shu"),
    angsuran=("cicilan", "pengembalian", "pengembalian_pinjaman", "repayment"),
    bpm=("bantuan_pemerintah_untuk_masyarakat", "bpm_kotaku"),
    dana_kelurahan=("dana_desa", "dd"),
    hibah=("donasi", "sumbangan", "bantuan"),
    saldo_awal=("opening_balance", "saldo_lalu"),
    belanja_aset=("belanja_modal", "pembangunan", "pembelian_aset", "aset"),
    pinjaman=("pinjaman_keluar", "penyaluran_pinjaman", "loan"),
    operasional=("biaya_operasional", "atk", "konsumsi"),
    kegiatan=("biaya_kegiatan", "pelatihan"),
)
DIRECTIONS = choices(IN, OUT, masuk=("in", "debet", "pemasukan", "penerimaan"), keluar=("out", "kredit", "pengeluaran"))
ASSET_TABLES = {
    "facility": ("facilities", "facility_id"),
    "work": ("works", "work_id"),
    "garden": ("gardens", "garden_id"),
}
ASSET_TYPES = choices(*ASSET_TABLES, facility=("fasilitas",), work=("pekerjaan",), garden=("kebun",))

FIELDS = (
    FieldSpec("entry_id", aliases=("id_transaksi", "no_bukti", "nomor_bukti", "id")),
    FieldSpec("group_id", aliases=("id_kelompok", "kode_kelompok", "kelompok")),
    FieldSpec("area_id", aliases=("id_kawasan", "kawasan_program", "kode_kawasan")),
    FieldSpec("entry_date", "date", required=True, aliases=("tanggal", "tgl", "date", "tanggal_transaksi")),
    FieldSpec("kind", "choice", required=True, choices=KINDS, aliases=("jenis", "uraian_jenis", "kategori")),
    FieldSpec("direction", "choice", choices=DIRECTIONS, aliases=("arah", "jenis_arus")),
    FieldSpec("amount_idr", "int", lo=1, aliases=("jumlah", "nilai", "nominal", "amount", "jumlah_rp", "nilai_rp")),
    FieldSpec(
        "in_idr",
        "int",
        lo=0,
        aliases=("masuk", "debet", "pemasukan", "penerimaan", "masuk_rp", "debet_rp", "penerimaan_rp"),
    ),
    FieldSpec("out_idr", "int", lo=0, aliases=("keluar", "kredit", "pengeluaran", "keluar_rp", "kredit_rp")),
    FieldSpec("balance_idr", "int", aliases=("saldo", "saldo_rp")),
    RT_FIELD,
    RW_FIELD,
    FieldSpec("asset_type", "choice", choices=ASSET_TYPES, aliases=("jenis_aset",)),
    FieldSpec("asset_id", aliases=("id_aset", "kode_aset", "aset_id")),
    FieldSpec("proposal_id", aliases=("id_proposal", "id_usulan", "kode_usulan")),
)

FUND_ENTRIES = TableSpec(
    name="fund_entries",
    columns=(
        Column("entry_id", "TEXT"),
        Column("kelurahan_code", "TEXT"),
        Column("group_id", "TEXT"),
        Column("area_id", "TEXT"),
        Column("entry_date", "DATE"),
        Column("month", "TEXT", "YYYY-MM of entry_date"),
        Column("kind", "TEXT"),
        Column("direction", "TEXT", "masuk or keluar"),
        Column("amount_idr", "INTEGER", "always positive"),
        Column("unit_type", "TEXT"),
        Column("unit_number", "INTEGER"),
        Column("rt_number", "INTEGER", "where jimpitan was collected"),
        Column("asset_type", "TEXT", "facility, work or garden"),
        Column("asset_id", "TEXT", "what an outflow bought"),
        Column("proposal_id", "TEXT", "the RW proposal a loan or repayment belongs to"),
    ),
    key=("entry_id",),
    description="Funds ledger of groups and programme areas",
    indexes=(("kelurahan_code",), ("group_id",)),
)


class Funds(Layer):
    name: ClassVar[str] = "funds"
    title: ClassVar[Mapping[str, str]] = Words("layer.funds")
    tables: ClassVar[tuple[TableSpec, ...]] = (FUND_ENTRIES,)
    style: ClassVar[LayerStyle] = LayerStyle(color="#a6761d", by="direction")
    reads: ClassVar[dict[str, tuple[str, ...]]] = {
        "groups": GROUP_REF,
        "programme_areas": AREA_REF,
        "facilities": ("facility_id",),
        "works": ("work_id",),
        "gardens": ("garden_id",),
        "proposals": ("proposal_id",),
    }

    def prepare(self, source: Source, ctx: ImportContext) -> dict[str, pd.DataFrame]:
        return {"fund_entries": pd.concat([_entries(t, ctx) for t in source.tables], ignore_index=True)}


def _entries(table: SourceTable, ctx: ImportContext) -> pd.DataFrame:
    table = _without_total_rows(table, ctx)
    rows = table.rows
    values = coerce_table(table, FIELDS, ctx)
    groups = known(ctx, "groups", "group_id")
    areas = known(ctx, "programme_areas", "area_id")
    proposals = known(ctx, "proposals", "proposal_id")
    assets = {t: set(known(ctx, tbl, key)) for t, (tbl, key) in ASSET_TABLES.items()}
    book = _has_book_columns(table)
    if not book and "amount_idr" not in values.attrs.get("columns", {}):
        ctx.report.add("col.missing", field="amount_idr", aliases="amount_idr, jumlah, nilai / masuk, keluar")
    codes: list[str | None] = []
    directions: list[str | None] = []
    amounts: list[int | None] = []
    for i, row in enumerate(rows):
        v = values.iloc[i]
        codes.append(_owner(v, row, groups, areas, ctx))
        direction, amount = _flow(v, row, book, ctx)
        directions.append(direction)
        amounts.append(amount)
        _check_asset(v, direction, row, assets, ctx)
        if v["proposal_id"] is not None and v["proposal_id"] not in proposals:
            ctx.report.add(
                "community.unknown_proposal", row=row, field="proposal_id", value=v["proposal_id"], id=v["proposal_id"]
            )
    if "balance_idr" in values.attrs.get("columns", {}):
        _check_balances(values, directions, amounts, rows, ctx)
    served = served_places(codes, values["rt"].tolist(), values["rw"].tolist(), rows, ctx)
    ids = [
        v or derived_id("D", g, a, d, k, n, r)
        for v, g, a, d, k, n, r in zip(
            values["entry_id"],
            values["group_id"],
            values["area_id"],
            values["entry_date"],
            values["kind"],
            amounts,
            rows,
            strict=True,
        )
    ]
    check_duplicates([(e,) for e in ids], rows, ctx.report, "entry_id", ids)
    data: dict[str, list[Any]] = {
        "entry_id": ids,
        "kelurahan_code": codes,
        "group_id": values["group_id"].tolist(),
        "area_id": values["area_id"].tolist(),
        "entry_date": values["entry_date"].tolist(),
        "month": [d[:7] if d else None for d in values["entry_date"]],
        "kind": values["kind"].tolist(),
        "direction": directions,
        "amount_idr": amounts,
        **place_of(served),
        "asset_type": values["asset_type"].tolist(),
        "asset_id": values["asset_id"].tolist(),
        "proposal_id": values["proposal_id"].tolist(),
    }
    ctx.filled.update({"amount_idr", "direction"})
    return pd.DataFrame(data)[FUND_ENTRIES.column_names]


TOTAL_WORDS = ("jumlah", "total", "sub_total", "subtotal", "saldo_akhir", "grand_total")


def _without_total_rows(table: SourceTable, ctx: ImportContext) -> SourceTable:
    """The book without the rows a bendahara adds under the entries: no date, and a cell that says
    JUMLAH, TOTAL or SALDO AKHIR.  Each is skipped with a warning naming its row, so a sum is
    never read as money in or out (and a row with no date that says nothing else stays an error)."""
    date_column = find_column([str(c) for c in table.frame.columns], FIELDS[3], table.frame)
    if date_column is None or table.frame.empty:
        return table
    keep = []
    for i, row in enumerate(table.rows):
        cells = table.frame.iloc[i]
        dated = cells[date_column] is not None and str(cells[date_column]).strip() not in ("", "nan", "NaT")
        words = [slug(str(v)) for v in cells if isinstance(v, str) and v.strip()]
        is_total = not dated and any(w.startswith(TOTAL_WORDS) for w in words)
        if is_total:
            ctx.report.add("community.total_row", row=row, severity="warning")
        keep.append(not is_total)
    if all(keep):
        return table
    frame = table.frame[keep].reset_index(drop=True)
    rows = [r for r, k in zip(table.rows, keep, strict=True) if k]
    return dataclasses.replace(table, frame=frame, rows=rows)


def _owner(v: pd.Series, row: int, groups: dict, areas: dict, ctx: ImportContext) -> str | None:
    """The kelurahan of the entry's group (or programme area); a date outside the group's life
    is reported."""
    group_id, area_id = v["group_id"], v["area_id"]
    if group_id is None and area_id is None:
        ctx.report.add("community.no_owner", row=row, field="group_id")
        return None
    code = None
    if group_id is not None:
        group = groups.get(group_id)
        if group is None:
            ctx.report.add("community.unknown_group", row=row, field="group_id", value=group_id, group=group_id)
            return None
        code = group["kelurahan_code"]
        if v["entry_date"] is not None:
            check_in_life(group, v["entry_date"], row, "entry_date", ctx)
    if area_id is not None:
        area = areas.get(area_id)
        if area is None or (code is not None and area["kelurahan_code"] != code):
            ctx.report.add("community.unknown_area", row=row, field="area_id", value=area_id, area=area_id)
            return None
        code = code or area["kelurahan_code"]
    return code


def _flow(v: pd.Series, row: int, book: bool, ctx: ImportContext) -> tuple[str | None, int | None]:
    """(direction, amount) of one entry, from ``amount_idr``/``direction`` or the book's
    ``masuk``/``keluar`` columns; a direction that contradicts the kind is reported."""
    kind = v["kind"]
    if book and v["amount_idr"] is None:
        money_in, money_out = v["in_idr"] or 0, v["out_idr"] or 0
        if (money_in > 0) == (money_out > 0):
            ctx.report.add("community.in_or_out", row=row, field="masuk", value=f"{money_in} / {money_out}")
            return None, None
        direction, amount = (IN, money_in) if money_in > 0 else (OUT, money_out)
    else:
        amount = v["amount_idr"]
        direction = v["direction"] or (KIND_DIRECTION.get(kind) if kind else None)
    if kind and direction and KIND_DIRECTION[kind] != direction:
        ctx.report.add(
            "community.kind_direction", row=row, field="kind", value=kind, expected=KIND_DIRECTION[kind], got=direction
        )
    return direction, amount


def _check_asset(v: pd.Series, direction: str | None, row: int, assets: dict, ctx: ImportContext) -> None:
    asset_id = v["asset_id"]
    if asset_id is None:
        return
    if direction == IN:
        ctx.report.add("community.asset_on_income", row=row, field="asset_id", value=asset_id)
        return
    kinds = [v["asset_type"]] if v["asset_type"] else list(assets)
    if not any(asset_id in assets[k] for k in kinds):
        ctx.report.add("community.unknown_asset", row=row, field="asset_id", value=asset_id, id=asset_id)


def _check_balances(values: pd.DataFrame, directions: list, amounts: list, rows: list[int], ctx: ImportContext) -> None:
    """In a book with a ``saldo`` column, each row's saldo = the previous row's (same group) + in - out."""
    last: dict[Any, int] = {}
    for i, row in enumerate(rows):
        saldo, amount = values["balance_idr"].iloc[i], amounts[i]
        owner = (values["group_id"].iloc[i], values["area_id"].iloc[i])
        if saldo is None or amount is None or directions[i] is None:
            last.pop(owner, None)
            continue
        signed = amount if directions[i] == IN else -amount
        if owner in last and last[owner] + signed != saldo:
            ctx.report.add("community.balance", row=row, field="saldo", value=saldo, expected=last[owner] + signed)
            saldo = last[owner] + signed  # the next rows are checked from the right balance: one typo, one error
        last[owner] = saldo


def _has_book_columns(table: SourceTable) -> bool:
    cols = [str(c) for c in table.frame.columns]
    return find_column(cols, FIELDS[7]) is not None or find_column(cols, FIELDS[8]) is not None


def is_income(kind: str) -> bool:
    return KIND_DIRECTION.get(slug(kind)) == IN
