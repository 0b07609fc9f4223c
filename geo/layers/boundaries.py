"""Boundaries: kelurahan, RW / Lingkungan / Dusun, and RT polygons.

A file may hold all three levels.  The level of a feature comes from a ``level`` column, else
from the layer name of a multi-layer GeoPackage (``kelurahan``, ``rw``, ``rt``), else from which
of the RT and RW columns it fills.
"""

from __future__ import annotations

from typing import Any, ClassVar

import geopandas as gpd
import pandas as pd

from geo.checks import check_duplicates
from geo.errors import PlaceError
from geo.fields import FieldSpec, choices, slug
from geo.hierarchy import check_hierarchy
from geo.layers.base import (
    KELURAHAN_FIELD,
    RT_FIELD,
    RW_FIELD,
    ImportContext,
    Layer,
    LayerStyle,
    _integral,
    checked_geometries,
    coerce_table,
    frame_with_geometry,
    geoframe,
    kelurahan_codes,
    metric_crs,
    parse_rt,
    to_multipolygon,
)
from geo.places import parse_unit_label, rt_label, unit_label
from geo.schema import Column, TableSpec
from geo.sources import Source, SourceTable

KELURAHAN = TableSpec(
    name="kelurahan",
    columns=(
        Column("kelurahan_code", "TEXT", "Kemendagri code PP.KK.CC.DDDD"),
        Column("name", "TEXT"),
        Column("kecamatan", "TEXT"),
        Column("kota", "TEXT"),
        Column("provinsi", "TEXT"),
        Column("unit_type", "TEXT", "RW, Lingkungan or Dusun: what this kelurahan calls its units"),
    ),
    key=("kelurahan_code",),
    geometry_type="MULTIPOLYGON",
    description="Kelurahan / desa boundaries",
)
RW = TableSpec(
    name="rw",
    columns=(
        Column("kelurahan_code", "TEXT"),
        Column("unit_type", "TEXT"),
        Column("unit_number", "INTEGER"),
        Column("unit_label", "TEXT"),
    ),
    key=("kelurahan_code", "unit_number"),
    geometry_type="MULTIPOLYGON",
    description="RW / Lingkungan / Dusun boundaries",
)
RT = TableSpec(
    name="rt",
    columns=(
        Column("kelurahan_code", "TEXT"),
        Column("unit_type", "TEXT"),
        Column("unit_number", "INTEGER"),
        Column("rt_number", "INTEGER"),
        Column("rt_label", "TEXT"),
    ),
    key=("kelurahan_code", "unit_number", "rt_number"),
    geometry_type="MULTIPOLYGON",
    description="RT boundaries",
)

LEVELS = choices("kelurahan", "rw", "rt", rw=("lingkungan", "lk", "dusun", "unit"), kelurahan=("desa", "kel"))
UNIT_TYPES = choices("RW", "Lingkungan", "Dusun", Lingkungan=("lk", "ling"), Dusun=("ds", "dsn"))

FIELDS = (
    FieldSpec("level", "choice", choices=LEVELS, aliases=("tingkat", "jenis_wilayah")),
    KELURAHAN_FIELD,
    FieldSpec("name", aliases=("nama", "nama_kelurahan", "nama_desa", "kelurahan")),
    FieldSpec("kecamatan", aliases=("nama_kecamatan",)),
    FieldSpec("kota", aliases=("kabupaten_kota", "kab_kota", "kabupaten", "nama_kota")),
    FieldSpec("provinsi", aliases=("nama_provinsi",)),
    FieldSpec("unit_type", "choice", choices=UNIT_TYPES, aliases=("jenis_unit", "satuan_wilayah")),
    RT_FIELD,
    RW_FIELD,
)


class Boundaries(Layer):
    name: ClassVar[str] = "boundaries"
    title: ClassVar[dict[str, str]] = {"id": "Batas wilayah", "en": "Boundaries"}
    tables: ClassVar[tuple[TableSpec, ...]] = (KELURAHAN, RW, RT)
    style: ClassVar[LayerStyle] = LayerStyle(color="#444444")

    def prepare(self, source: Source, ctx: ImportContext) -> dict[str, pd.DataFrame]:
        parts: dict[str, list[dict[str, Any]]] = {"kelurahan": [], "rw": [], "rt": []}
        for table in source.tables:
            for level, rec in self._records(table, ctx):
                parts[level].append(rec)
        kel = _frame(parts["kelurahan"])
        for rec in parts["kelurahan"]:
            ctx.places.kelurahan[rec["kelurahan_code"]] = rec
        rw = self._units(parts["rw"], ctx)
        rt = self._rts(parts["rt"], ctx)
        check_duplicates(
            [(r["kelurahan_code"],) for r in parts["kelurahan"]],
            [r["src_row"] for r in parts["kelurahan"]],
            ctx.report,
            "kelurahan_code",
            [r["kelurahan_code"] for r in parts["kelurahan"]],
        )
        check_duplicates(
            [(r["kelurahan_code"], r["unit_number"]) for r in parts["rw"]],
            [r["src_row"] for r in parts["rw"]],
            ctx.report,
            "rw",
            [r["unit_label"] for r in parts["rw"]],
        )
        check_duplicates(
            [(r["kelurahan_code"], r["unit_number"], r["rt_number"]) for r in parts["rt"]],
            [r["src_row"] for r in parts["rt"]],
            ctx.report,
            "rt",
            [r["rt_label"] for r in parts["rt"]],
        )
        if ctx.report.ok:
            self._check_hierarchy(kel, rw, rt, ctx)
        return {"kelurahan": kel, "rw": rw, "rt": rt}

    def _records(self, table: SourceTable, ctx: ImportContext):
        gdf = geoframe(table, ctx)
        values = coerce_table(table, FIELDS, ctx)
        ok = checked_geometries(
            gdf, table.rows, ctx, allowed=("Polygon", "MultiPolygon"), required=True, label="Polygon/MultiPolygon"
        )
        codes = kelurahan_codes(values["kelurahan_code"].tolist(), table.rows, ctx, must_exist=False)
        layer_level = LEVELS.get(slug(table.name))
        for i, row in enumerate(table.rows):
            vals = values.iloc[i]
            level = vals["level"] or layer_level or ("rt" if vals["rt"] else "rw" if vals["rw"] else "kelurahan")
            if not ok[i] or codes[i] is None:
                continue
            rec = {
                "src_row": row,
                "kelurahan_code": codes[i],
                "geometry": to_multipolygon(gdf.geometry.iloc[i]),
                "_rt": vals["rt"],
                "_rw": vals["rw"],
            }
            if level == "kelurahan":
                if not vals["name"]:
                    ctx.report.add("val.required", row=row, field="name")
                    continue
                rec.update(
                    name=vals["name"],
                    kecamatan=vals["kecamatan"],
                    kota=vals["kota"],
                    provinsi=vals["provinsi"],
                    unit_type=vals["unit_type"] or "RW",
                )
            yield level, rec

    def _units(self, recs: list[dict[str, Any]], ctx: ImportContext) -> gpd.GeoDataFrame:
        out = []
        for rec in recs:
            code = rec["kelurahan_code"]
            if code not in ctx.places.kelurahan:
                ctx.report.add(
                    "place.unknown_kelurahan", row=rec["src_row"], field="kelurahan_code", value=code, code=code
                )
                continue
            if rec["_rw"] is None:
                ctx.report.add("val.required", row=rec["src_row"], field="rw")
                continue
            try:
                number, label_type = parse_unit_label(_integral(rec["_rw"]))
            except PlaceError as exc:
                ctx.report.add(exc.code, row=rec["src_row"], field="rw", value=rec["_rw"])
                continue
            unit_type = ctx.places.unit_type(code)
            if label_type and label_type != unit_type:
                ctx.report.add(
                    "place.unit_type",
                    row=rec["src_row"],
                    field="rw",
                    value=rec["_rw"],
                    severity="warning",
                    got=label_type,
                    expected=unit_type,
                )
            rec.update(unit_type=unit_type, unit_number=number, unit_label=unit_label(number, unit_type))
            out.append(rec)
        recs[:] = out
        return _frame(out)

    def _rts(self, recs: list[dict[str, Any]], ctx: ImportContext) -> gpd.GeoDataFrame:
        out = []
        for rec in recs:
            code = rec["kelurahan_code"]
            if code not in ctx.places.kelurahan:
                ctx.report.add(
                    "place.unknown_kelurahan", row=rec["src_row"], field="kelurahan_code", value=code, code=code
                )
                continue
            try:
                label = parse_rt(rec["_rt"], rec["_rw"])
            except PlaceError as exc:
                ctx.report.add(exc.code, row=rec["src_row"], field="rt", value=rec["_rt"])
                continue
            unit_type = ctx.places.unit_type(code)
            if label.unit_type and label.unit_type != unit_type:
                ctx.report.add(
                    "place.unit_type",
                    row=rec["src_row"],
                    field="rt",
                    value=rec["_rt"],
                    severity="warning",
                    got=label.unit_type,
                    expected=unit_type,
                )
            rec.update(
                unit_type=unit_type,
                unit_number=label.unit_number,
                rt_number=label.rt_number,
                rt_label=rt_label(label.rt_number, label.unit_number, unit_type),
            )
            out.append(rec)
        recs[:] = out
        return _frame(out)

    def _check_hierarchy(
        self, kel: gpd.GeoDataFrame, rw: gpd.GeoDataFrame, rt: gpd.GeoDataFrame, ctx: ImportContext
    ) -> None:
        places = ctx.places
        codes = (
            set(kel.get("kelurahan_code", [])) | set(rw.get("kelurahan_code", [])) | set(rt.get("kelurahan_code", []))
        )
        if not codes:
            return
        kel_all = _merge(
            [dict(r, src_row=None) for c, r in places.kelurahan.items() if c in codes and "src_row" not in r],
            kel,
            ("kelurahan_code",),
        )
        kel_all["label"] = [
            f"Kelurahan {n} ({c})" for n, c in zip(kel_all["name"], kel_all["kelurahan_code"], strict=True)
        ]
        rw_all = _merge(
            [dict(r, src_row=None) for k, r in places.units.items() if k[0] in codes],
            rw,
            ("kelurahan_code", "unit_number"),
        )
        rw_all["label"] = [
            unit_label(int(n), t)
            for n, t in zip(rw_all.get("unit_number", []), rw_all.get("unit_type", []), strict=True)
        ]
        rt_all = _merge(
            [dict(r, src_row=None) for k, r in places.rts.items() if k[0] in codes],
            rt,
            ("kelurahan_code", "unit_number", "rt_number"),
        )
        rt_all["label"] = list(rt_all.get("rt_label", []))
        if kel_all.empty:
            return
        ctx.report.extend(check_hierarchy(kel_all, rw_all, rt_all, metric=metric_crs(kel_all)))


def _frame(recs: list[dict[str, Any]]) -> gpd.GeoDataFrame:
    if not recs:
        return gpd.GeoDataFrame({"src_row": [], "kelurahan_code": []}, geometry=gpd.GeoSeries([], crs=4326), crs=4326)
    cols = {k: [r.get(k) for r in recs] for k in recs[0] if k != "geometry"}
    return frame_with_geometry(cols, [r["geometry"] for r in recs])


def _merge(stored: list[dict[str, Any]], new: gpd.GeoDataFrame, key: tuple[str, ...]) -> gpd.GeoDataFrame:
    """Stored rows overridden by the file's rows with the same key."""
    new_keys = {tuple(r) for r in new[list(key)].itertuples(index=False)} if len(new) else set()
    kept = [r for r in stored if tuple(r[k] for k in key) not in new_keys]
    parts = [p for p in (_frame(kept) if kept else None, new if len(new) else None) if p is not None]
    if not parts:
        return _frame([])
    merged = pd.concat(parts, ignore_index=True)
    return gpd.GeoDataFrame(merged, geometry="geometry", crs=4326)
