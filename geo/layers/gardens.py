"""KWT (Kelompok Wanita Tani) garden plots: yards, roadsides and strips above drains."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import geopandas as gpd
import pandas as pd

from geo.fields import FieldSpec, choices, find_column
from geo.i18n import LabelTable, Words
from geo.layers.base import (
    KELURAHAN_FIELD,
    ImportContext,
    Layer,
    LayerStyle,
    frame_with_geometry,
    metric_crs,
    placed_rows,
    to_multipolygon,
)
from geo.layers.community_rows import GROUP_REF, GroupRefs
from geo.schema import Column, TableSpec
from geo.sources import Source, SourceTable

SITES = choices(
    "pekarangan",
    "pinggir_jalan",
    "atas_drainase",
    "lahan_kosong",
    "lainnya",
    pekarangan=("yard", "halaman"),
    pinggir_jalan=("roadside", "tepi_jalan"),
    atas_drainase=("above_drain", "atas_saluran", "di_atas_drainase"),
    lahan_kosong=("lahan_tidur", "vacant"),
)
SITE_LABELS = LabelTable("garden_site.", ("pekarangan", "pinggir_jalan", "atas_drainase", "lahan_kosong", "lainnya"))

FIELDS = (
    FieldSpec("garden_id", aliases=("id_kebun", "kode_kebun", "id", "kode")),
    KELURAHAN_FIELD,
    FieldSpec("kwt_name", aliases=("kwt", "nama_kwt", "kelompok", "nama_kelompok")),  # this or kwt_group_id
    FieldSpec("kwt_group_id", aliases=("id_kwt", "kode_kwt", "id_kelompok", "id_kelompok_kwt", "kelompok_kwt")),
    FieldSpec("crops", aliases=("tanaman", "komoditas", "jenis_tanaman")),
    FieldSpec("site_type", "choice", choices=SITES, aliases=("lokasi", "jenis_lahan", "tempat")),
    FieldSpec(
        "revenue_idr_month",
        "int",
        lo=0,
        aliases=("pendapatan_bulanan", "pendapatan_per_bulan", "omzet_bulanan", "pendapatan"),
    ),
)

GARDENS = TableSpec(
    name="gardens",
    columns=(
        Column("garden_id", "TEXT"),
        Column("kelurahan_code", "TEXT"),
        Column("kwt_name", "TEXT", "the KWT's name (the group's, when kwt_group_id is set)"),
        Column("kwt_group_id", "TEXT", "the KWT that tends it (groups.group_id, type kwt)"),
        Column("crops", "TEXT"),
        Column("site_type", "TEXT"),
        Column("area_m2", "REAL", "computed from the polygon in the UTM zone"),
        Column("revenue_idr_month", "INTEGER"),
    ),
    key=("garden_id",),
    geometry_type="MULTIPOLYGON",
    description="KWT garden plots",
)


class Gardens(Layer):
    name: ClassVar[str] = "gardens"
    title: ClassVar[Mapping[str, str]] = Words("layer.gardens")
    tables: ClassVar[tuple[TableSpec, ...]] = (GARDENS,)
    style: ClassVar[LayerStyle] = LayerStyle(color="#33a02c", by="site_type", labels=SITE_LABELS)
    reads: ClassVar[dict[str, tuple[str, ...]]] = {"groups": GROUP_REF}

    def prepare(self, source: Source, ctx: ImportContext) -> dict[str, pd.DataFrame]:
        frames = []
        for table in source.tables:
            placed = placed_rows(
                table,
                ctx,
                FIELDS,
                allowed=("Polygon", "MultiPolygon"),
                geometry_label="Polygon",
                id_field="garden_id",
                id_prefix="G",
            )
            values = placed.values
            kwt_names, kwt_ids = _kwt(table, values, placed.codes, ctx)
            data = {
                "garden_id": placed.ids,
                "kelurahan_code": placed.codes,
                "kwt_name": kwt_names,
                "kwt_group_id": kwt_ids,
                "crops": values["crops"].tolist(),
                "site_type": [s or "lainnya" for s in values["site_type"]],
                "area_m2": _area_m2(placed.gdf, placed.ok),
                "revenue_idr_month": values["revenue_idr_month"].tolist(),
            }
            geoms = [to_multipolygon(g) if good else g for g, good in zip(placed.geoms, placed.ok, strict=True)]
            frames.append(frame_with_geometry(data, geoms))
        return {"gardens": pd.concat(frames, ignore_index=True)}


def _kwt(
    table: SourceTable, values: pd.DataFrame, codes: list[str | None], ctx: ImportContext
) -> tuple[list[str | None], list[str | None]]:
    """Each plot's KWT as a group of type KWT in its kelurahan: ``kwt_group_id`` by id or name, or
    the KWT's name (``kwt_name``) once the kelurahan keeps its KWT in the groups layer; before
    that the name stays as written.  A plot names its KWT one way or the other."""
    refs = GroupRefs(ctx.existing.get("groups"))
    cols = [str(c) for c in table.frame.columns]
    names, ids = values["kwt_name"].tolist(), []
    for i, (row, code) in enumerate(zip(table.rows, codes, strict=True)):
        ref, field = values["kwt_group_id"].iloc[i], "kwt_group_id"
        if ref is None and names[i] is None:
            ctx.report.add("val.required", row=row, field="kwt_name")
        if ref is None and refs.has_type(code, "kwt"):
            ref, field = names[i], "kwt_name"
        group = refs.resolve(ref, code, "kwt", row=row, field=field, ctx=ctx)
        ids.append(group["group_id"] if group else None)
        if group:
            names[i] = group["name"]
    if any(find_column(cols, f, table.frame) is not None for f in FIELDS if f.name in ("kwt_name", "kwt_group_id")):
        ctx.filled.update({"kwt_name", "kwt_group_id"})
    return names, ids


def _area_m2(gdf: gpd.GeoDataFrame, ok) -> list[float | None]:
    good = gdf[ok]
    if good.empty:
        return [None] * len(gdf)
    areas = good.geometry.to_crs(metric_crs(good)).area.round(2)
    return [float(areas[i]) if i in areas.index else None for i in gdf.index]
