"""Boundaries: kelurahan, RW / Lingkungan / Dusun, and RT polygons.

A file may hold all three levels, or only one: the national and city files hold kelurahan
polygons only, Jakarta's RW map RW polygons only.  The level of a feature comes from a ``level``
column, else from the name of its layer or file (``kelurahan``/``desa``, ``rw``, ``rt``, also as a
word of a longer name such as ``rw_jakarta``), else from which of the RT and RW columns it fills.

A kelurahan is known by its Kemendagri code, or by its names (kelurahan, kecamatan, kota,
provinsi), resolved with the shipped code table; the code table also fills the kecamatan, kota
and provinsi names a file lacks.  A layer of kecamatan, kabupaten/kota or provinsi polygons is
left out with a warning.  Problems of rows and of the hierarchy come out in one report.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any, ClassVar

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.errors import PlaceError
from geo.fields import FieldSpec, choices, is_blank, slug
from geo.hierarchy import HierarchyOptions, check_hierarchy
from geo.i18n import Words
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
    parse_rt,
)
from geo.layers.boundary_rows import duplicates, join_parts, no_unit_number, polygon_area_m2
from geo.layers.placenames import KELURAHAN_NAME_ALIASES, PARENT_FIELDS, place_codes
from geo.places import parse_unit_label, rt_label, unit_label
from geo.schema import Column, TableSpec
from geo.sources import Source, SourceTable
from geo.wilayah import code_table

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
OTHER_LEVELS = ("kecamatan", "kabupaten", "kota", "kab", "provinsi", "prov", "propinsi", "kabupaten_kota")
UNIT_TYPES = choices("RW", "Lingkungan", "Dusun", Lingkungan=("lk", "ling"), Dusun=("ds", "dsn"))

FIELDS = (
    FieldSpec("level", "choice", choices=LEVELS, aliases=("tingkat", "jenis_wilayah")),
    replace(KELURAHAN_FIELD, required=False),  # a kelurahan may be given by its names instead
    FieldSpec("name", aliases=("nama", *KELURAHAN_NAME_ALIASES)),
    *PARENT_FIELDS,
    FieldSpec("unit_type", "choice", choices=UNIT_TYPES, aliases=("jenis_unit", "satuan_wilayah")),
    RT_FIELD,
    RW_FIELD,
)
NAME_COLUMNS = ("kecamatan", "kota", "provinsi")


def table_level(name: str) -> str | None:
    """The level a layer or file name says: 'rt', 'rw', 'kelurahan', 'other' or None."""
    key = slug(name)
    if key in LEVELS:
        return LEVELS[key]
    tokens = re.split(r"_+", key)
    found = {LEVELS[t] for t in tokens if t in LEVELS}
    if any(t in OTHER_LEVELS for t in tokens) and not found:
        return "other"
    return found.pop() if len(found) == 1 else None


class Boundaries(Layer):
    name: ClassVar[str] = "boundaries"
    title: ClassVar[Mapping[str, str]] = Words("layer.boundaries")
    tables: ClassVar[tuple[TableSpec, ...]] = (KELURAHAN, RW, RT)
    style: ClassVar[LayerStyle] = LayerStyle(color="#444444")

    def prepare(self, source: Source, ctx: ImportContext) -> dict[str, pd.DataFrame]:
        parts: dict[str, list[pd.DataFrame]] = {"kelurahan": [], "rw": [], "rt": []}
        for table in source.tables:
            if table_level(table.name) == "other" and len(source.tables) > 1:
                ctx.report.add("boundaries.other_level", severity="warning", layer=table.name, n=len(table.frame))
                ctx.use(table, [str(c) for c in table.frame.columns])
                continue
            for level, frame in self._rows(table, ctx).items():
                parts[level].append(frame)
        ctx.filled.update(("name", *NAME_COLUMNS, "unit_type"))  # file, else stored, else the code table
        kel = self._kelurahan(_concat(parts["kelurahan"]), ctx)
        if len(kel):
            for code, unit_type, name, row in zip(
                kel["kelurahan_code"].tolist(),
                kel["unit_type"].tolist(),
                kel["name"].tolist(),
                kel["src_row"].tolist(),
                strict=True,
            ):
                ctx.places.kelurahan[code] = {
                    "kelurahan_code": code,
                    "unit_type": unit_type,
                    "name": name,
                    "src_row": row,
                }
        rw = self._units(_concat(parts["rw"]), ctx)
        rt = self._rts(_concat(parts["rt"]), ctx)
        duplicates(kel, ("kelurahan_code",), "kelurahan_code", "name", ctx)
        rw = join_parts(rw, ("kelurahan_code", "unit_number"), "rw", "unit_label", ctx)
        duplicates(rt, ("kelurahan_code", "unit_number", "rt_number"), "rt", "rt_label", ctx)  # an RT label typo
        if ctx.progress is not None:
            ctx.progress("stage.hierarchy", 0, max(len(kel) + len(rw) + len(rt), 1))
        self._check_hierarchy(kel, rw, rt, ctx)  # always: row and hierarchy problems in one report
        return {"kelurahan": _stored(kel, KELURAHAN), "rw": _stored(rw, RW), "rt": _stored(rt, RT)}

    # -- rows of one table ------------------------------------------------------------------------
    def _rows(self, table: SourceTable, ctx: ImportContext) -> dict[str, gpd.GeoDataFrame]:
        gdf = geoframe(table, ctx)
        values = coerce_table(table, FIELDS, ctx)
        ok = checked_geometries(
            gdf, table.rows, ctx, allowed=("Polygon", "MultiPolygon"), required=True, label="Polygon/MultiPolygon"
        )
        default = table_level(table.name)
        default = None if default == "other" else default
        rt_given, rw_given = values["rt"].notna().to_numpy(), values["rw"].notna().to_numpy()
        level = np.where(rt_given, "rt", np.where(rw_given, "rw", "kelurahan")).astype(object)
        if default is not None:
            level[:] = default
        level = np.where(values["level"].notna(), values["level"], level)
        kel_rows = level == "kelurahan"
        # a kelurahan row's own name is the kelurahan's name; a unit's "name" column names its kelurahan
        codes = place_codes(values, table.rows, ctx, name_field="name", must_exist=False)
        by_name = values["kelurahan_code"].isna().to_numpy() & kel_rows
        frame = values.assign(src_row=table.rows, kelurahan_code=codes, level=level, by_name=by_name)
        frame = frame_with_geometry({c: frame[c].tolist() for c in frame.columns}, gdf.geometry.to_numpy())
        keep = ok & frame["kelurahan_code"].notna().to_numpy()
        out = {}
        for name in ("kelurahan", "rw", "rt"):
            mine = frame[keep & (level == name)]
            if len(mine):
                out[name] = mine.reset_index(drop=True)
        return out

    # -- each level ----------------------------------------------------------------------------------
    def _kelurahan(self, kel: gpd.GeoDataFrame, ctx: ImportContext) -> gpd.GeoDataFrame:
        """Names filled: the file's, else what is stored, else the code table's; unit type the same."""
        if not len(kel):
            return _empty()
        stored = ctx.existing.get("kelurahan")
        stored_by_code = (
            stored.drop(columns="geometry").set_index("kelurahan_code").to_dict("index")
            if stored is not None and len(stored)
            else {}
        )
        codes = kel["kelurahan_code"].tolist()
        by_name = kel["by_name"].tolist()
        given = {c: kel[c].tolist() for c in ("name", *NAME_COLUMNS, "unit_type")}
        needs_table = any(by_name) or any(_blank_any(given[c]) for c in ("name", *NAME_COLUMNS))
        table = code_table() if needs_table else None
        old = [stored_by_code.get(c, {}) for c in codes]
        names = [
            (None if b or is_blank(n) else n) or (table.name(c) if table else None) or o.get("name")
            for c, b, n, o in zip(codes, by_name, given["name"], old, strict=True)
        ]
        filled: dict[str, list] = {}
        for col in NAME_COLUMNS:
            official = (
                [table.parent_names(c).get(col) if c in table else None for c in codes]
                if table
                else [None] * len(codes)
            )
            filled[col] = [
                _parent_name(file_value, stored.get(col), table_value, found_by_name)
                for file_value, stored, table_value, found_by_name in zip(
                    given[col], old, official, by_name, strict=True
                )
            ]
        filled["unit_type"] = [v or o.get("unit_type") or "RW" for v, o in zip(given["unit_type"], old, strict=True)]
        for row, name in zip(kel["src_row"].tolist(), names, strict=True):
            if name is None:
                ctx.report.add("val.required", row=row, field="name")
        kel = kel.assign(name=names, **filled)
        return kel[kel["name"].notna()].reset_index(drop=True)

    def _units(self, rw: gpd.GeoDataFrame, ctx: ImportContext) -> gpd.GeoDataFrame:
        out = []
        for rec in rw.to_dict("records"):
            code, row, text = rec["kelurahan_code"], rec["src_row"], rec["rw"]
            if code not in ctx.places.kelurahan:
                ctx.report.add("place.unknown_kelurahan", row=row, field="kelurahan_code", value=code, code=code)
                continue
            if no_unit_number(text):
                area = round(polygon_area_m2(rec["geometry"]))
                ctx.report.add("boundaries.no_unit", row=row, field="rw", value=text, severity="warning", area_m2=area)
                continue
            try:
                number, label_type = parse_unit_label(_integral(text))
            except PlaceError as exc:
                ctx.report.add(exc.code, row=row, field="rw", value=text)
                continue
            unit_type = ctx.places.unit_type(code)
            if label_type and label_type != unit_type:
                ctx.report.add(
                    "place.unit_type",
                    row=row,
                    field="rw",
                    value=text,
                    severity="warning",
                    got=label_type,
                    expected=unit_type,
                )
            rec.update(unit_type=unit_type, unit_number=number, unit_label=unit_label(number, unit_type))
            out.append(rec)
        return _records_frame(out)

    def _rts(self, rt: gpd.GeoDataFrame, ctx: ImportContext) -> gpd.GeoDataFrame:
        out = []
        for rec in rt.to_dict("records"):
            code, row = rec["kelurahan_code"], rec["src_row"]
            if code not in ctx.places.kelurahan:
                ctx.report.add("place.unknown_kelurahan", row=row, field="kelurahan_code", value=code, code=code)
                continue
            try:
                label = parse_rt(rec["rt"], rec["rw"])
            except PlaceError as exc:
                ctx.report.add(exc.code, row=row, field="rt", value=rec["rt"])
                continue
            unit_type = ctx.places.unit_type(code)
            if label.unit_type and label.unit_type != unit_type:
                ctx.report.add(
                    "place.unit_type",
                    row=row,
                    field="rt",
                    value=rec["rt"],
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
        return _records_frame(out)

    # -- hierarchy ------------------------------------------------------------------------------------
    def _check_hierarchy(
        self, kel: gpd.GeoDataFrame, rw: gpd.GeoDataFrame, rt: gpd.GeoDataFrame, ctx: ImportContext
    ) -> None:
        places = ctx.places
        codes = set(kel["kelurahan_code"]) | set(rw["kelurahan_code"]) | set(rt["kelurahan_code"])
        if not codes:
            return
        stored_kel = [dict(r, src_row=None) for c, r in places.kelurahan.items() if r.get("src_row") is None]
        kel_all = _merge(stored_kel, kel, ("kelurahan_code",))
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
        ctx.report.extend(check_hierarchy(kel_all, rw_all, rt_all, HierarchyOptions(tolerance_m=ctx.tolerance_m)))


# --- helpers ----------------------------------------------------------------------------------------


def _parent_name(file_value: object, stored: object, official: object, found_by_name: bool) -> object:
    """A row found by its names gets the official names (the file's only served the lookup); else
    the file's name, else what is stored, else the code table's."""
    if found_by_name:
        return official or file_value
    if not is_blank(file_value):
        return file_value
    return stored or official


def _blank_any(values: list) -> bool:
    return any(is_blank(v) for v in values)


def _empty() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"src_row": [], "kelurahan_code": []}, geometry=gpd.GeoSeries([], crs=4326), crs=4326)


def _concat(frames: list[gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    if not frames:
        return _empty()
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=4326)


def _records_frame(recs: list[dict[str, Any]]) -> gpd.GeoDataFrame:
    if not recs:
        return _empty()
    cols = {k: [r.get(k) for r in recs] for k in recs[0] if k != "geometry"}
    return frame_with_geometry(cols, [r["geometry"] for r in recs])


def _stored(frame: gpd.GeoDataFrame, spec: TableSpec) -> gpd.GeoDataFrame:
    """The table's columns only, polygons as MultiPolygon (one geometry type per layer)."""
    if not len(frame):
        return frame_with_geometry({c: [] for c in spec.column_names}, [])
    geoms = frame.geometry.to_numpy()
    single = shapely.get_type_id(geoms) == 3
    geoms = geoms.copy()
    geoms[single] = [shapely.MultiPolygon([g]) for g in geoms[single]]
    return frame_with_geometry({c: frame[c].tolist() for c in spec.column_names}, geoms)


def _merge(stored: list[dict[str, Any]], new: gpd.GeoDataFrame, key: tuple[str, ...]) -> gpd.GeoDataFrame:
    """Stored rows overridden by the file's rows with the same key."""
    new_keys = {tuple(r) for r in new[list(key)].itertuples(index=False)} if len(new) else set()
    kept = [r for r in stored if tuple(r[k] for k in key) not in new_keys]
    parts = [p for p in (_records_frame(kept) if kept else None, new if len(new) else None) if p is not None]
    if not parts:
        return _empty()
    merged = pd.concat(parts, ignore_index=True)
    return gpd.GeoDataFrame(merged, geometry="geometry", crs=4326)
