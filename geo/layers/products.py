"""RW flagship products (produk unggulan) of a Kampung Kranggan Mandiri: each RW's product, its
category and status (berjalan, dibentuk, disiapkan, diusulkan), the group running it and the
training that goes with it."""

from __future__ import annotations

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

CATEGORY_LABELS = LabelTable(
    "product_category.", ("otomotif", "kuliner", "perikanan", "peternakan", "bank_sampah", "konveksi", "lainnya")
)
CATEGORIES = choices(
    *CATEGORY_LABELS,
    otomotif=("perbengkelan", "bengkel", "automotive"),
    kuliner=("umkm", "makanan", "food"),
    perikanan=("ikan", "budidaya_ikan", "fishery"),
    peternakan=("ternak", "livestock"),
    konveksi=("jahit", "garmen", "garment"),
)
STATUS_LABELS = LabelTable("product_status.", ("berjalan", "dibentuk", "disiapkan", "diusulkan"))
STATUSES = choices(
    *STATUS_LABELS,
    berjalan=("running", "aktif", "jalan"),
    dibentuk=("pembentukan", "sedang_dibentuk", "forming"),
    disiapkan=("persiapan", "sedang_disiapkan", "preparing", "prepared"),
    diusulkan=("usulan", "diusulkan_belum_dibahas", "proposed"),
)
STATUS_COLORS = {"berjalan": "#1a9641", "dibentuk": "#a6d96a", "disiapkan": "#fdae61", "diusulkan": "#2c7bb6"}

FIELDS = (
    FieldSpec("product_id", aliases=("id_produk", "kode_produk", "id")),
    KELURAHAN_FIELD,
    RW_FIELD,
    FieldSpec("category", "choice", required=True, choices=CATEGORIES, aliases=("kategori", "jenis", "bidang")),
    FieldSpec("name", required=True, aliases=("nama", "nama_produk", "produk_unggulan")),
    FieldSpec("status", "choice", required=True, choices=STATUSES, aliases=("status_produk", "tahap")),
    FieldSpec("group_id", aliases=("id_kelompok", "kelompok")),
    FieldSpec("training", aliases=("pelatihan", "pelatihan_usaha")),
    FieldSpec("status_date", "date", aliases=("tanggal_status", "per_tanggal", "tanggal")),
)

RW_PRODUCTS = TableSpec(
    name="rw_products",
    columns=(
        Column("product_id", "TEXT"),
        Column("kelurahan_code", "TEXT"),
        Column("unit_type", "TEXT"),
        Column("unit_number", "INTEGER"),
        Column("category", "TEXT"),
        Column("name", "TEXT"),
        Column("status", "TEXT"),
        Column("status_date", "DATE", "the date the status was recorded"),
        Column("group_id", "TEXT", "the group running it (groups.group_id)"),
        Column("training", "TEXT"),
    ),
    key=("product_id",),
    description="RW flagship products (produk unggulan)",
    indexes=(("kelurahan_code",),),
)


class Products(Layer):
    name: ClassVar[str] = "products"
    title: ClassVar[Mapping[str, str]] = Words("layer.products")
    tables: ClassVar[tuple[TableSpec, ...]] = (RW_PRODUCTS,)
    style: ClassVar[LayerStyle] = LayerStyle(color="#6a3d9a", by="status", colors=STATUS_COLORS, labels=STATUS_LABELS)
    reads: ClassVar[dict[str, tuple[str, ...]]] = {"groups": GROUP_REF}

    def prepare(self, source: Source, ctx: ImportContext) -> dict[str, pd.DataFrame]:
        frames = []
        groups = known(ctx, "groups", "group_id")
        for table in source.tables:
            rows = table.rows
            values = coerce_table(table, FIELDS, ctx)
            codes = _codes(values["kelurahan_code"].tolist(), rows, ctx)
            for row, rw in zip(rows, values["rw"], strict=True):
                if rw is None:
                    ctx.report.add("val.required", row=row, field="rw")
            served = served_places(codes, [None] * len(rows), values["rw"].tolist(), rows, ctx)
            for i, row in enumerate(rows):
                group_id = values["group_id"].iloc[i]
                group = groups.get(group_id) if group_id else None
                if group_id and (group is None or group["kelurahan_code"] != codes[i]):
                    ctx.report.add("community.unknown_group", row=row, field="group_id", value=group_id, group=group_id)
            ids = [
                v or derived_id("U", c, s[1], k)
                for v, c, s, k in zip(values["product_id"], codes, served, values["category"], strict=True)
            ]
            check_duplicates([(p,) for p in ids], rows, ctx.report, "product_id", ids)
            data = {
                "product_id": ids,
                "kelurahan_code": codes,
                "unit_type": [s[0] for s in served],
                "unit_number": [s[1] for s in served],
            }
            for col in ("category", "name", "status", "status_date", "group_id", "training"):
                data[col] = values[col].tolist()
            frames.append(pd.DataFrame(data)[RW_PRODUCTS.column_names])
        return {"rw_products": pd.concat(frames, ignore_index=True)}
