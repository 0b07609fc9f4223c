"""Roads: the walking network that service areas are measured along (``petakampung import roads FILE``).

Lines in EPSG:4326, as OpenStreetMap exports and the InaSAFE Jakarta road layer carry them
(``TYPE``/``highway``/``fclass`` for the OSM highway type, ``NAME``/``nama`` for the name).  A
road belongs to no kelurahan by nature; each row still records the stored kelurahan its middle
lies in (``kelurahan_code``, empty outside every stored kelurahan), so a road import bumps the
data version of the kelurahan it changes.  Roads are public (they are OSM's or the city's).

Which roads people walk on is decided when the network is built (:mod:`geo.service_area`):
motorways (toll roads) and their ramps, and roads under construction, are left out there, not
here, so the stored layer stays the file as it was.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import numpy as np
import pandas as pd
import shapely

from geo.checks import check_duplicates
from geo.fields import FieldSpec
from geo.i18n import Words
from geo.layers.base import (
    ImportContext,
    Layer,
    LayerStyle,
    checked_geometries,
    coerce_table,
    derived_id,
    frame_with_geometry,
    geoframe,
    metric_crs,
)
from geo.placement import points_in_polygons
from geo.schema import Column, TableSpec
from geo.sources import Source

FIELDS = (
    FieldSpec("road_id", aliases=("osm_id", "id_jalan", "kode_jalan", "id")),
    FieldSpec("name", aliases=("nama", "nama_jalan", "road_name")),
    FieldSpec("highway", aliases=("type", "fclass", "osm_type", "jenis", "jenis_jalan", "kelas_jalan")),
)

ROADS = TableSpec(
    name="roads",
    columns=(
        Column("road_id", "TEXT", "the file's id (OSM way id), else derived from the line"),
        Column("kelurahan_code", "TEXT", "the stored kelurahan the middle of the line lies in, if any"),
        Column("name", "TEXT"),
        Column("highway", "TEXT", "OSM highway type: residential, footway, primary, motorway, ..."),
        Column("length_m", "REAL", "computed in the UTM zone"),
    ),
    key=("road_id",),
    geometry_type="MULTILINESTRING",
    description="Road network (OSM or the city's), for walking distances",
    indexes=(("kelurahan_code",),),
)


class Roads(Layer):
    name: ClassVar[str] = "roads"
    title: ClassVar[Mapping[str, str]] = Words("layer.roads")
    tables: ClassVar[tuple[TableSpec, ...]] = (ROADS,)
    style: ClassVar[LayerStyle] = LayerStyle(color="#636363")

    def prepare(self, source: Source, ctx: ImportContext) -> dict[str, pd.DataFrame]:
        frames = []
        for table in source.tables:
            gdf = geoframe(table, ctx)
            values = coerce_table(table, FIELDS, ctx)
            ok = checked_geometries(
                gdf, table.rows, ctx, allowed=("LineString", "MultiLineString"), required=True, label="LineString"
            )
            geoms = np.asarray(gdf.geometry.to_numpy(), dtype=object)
            given = values["road_id"].tolist()
            ids = [str(v) if v is not None else derived_id("J", g) for v, g in zip(given, geoms, strict=True)]
            keep = _without_repeated_lines(ids, given, table.rows, ctx)
            ids, geoms, ok, values = (
                [i for i, k in zip(ids, keep, strict=True) if k],
                geoms[keep],
                ok[keep],
                values[keep],
            )
            rows = [r for r, k in zip(table.rows, keep, strict=True) if k]
            check_duplicates([(i,) for i in ids], rows, ctx.report, "road_id", ids)
            multi = np.array([_multi(g) if good else None for g, good in zip(geoms, ok, strict=True)], dtype=object)
            data = {
                "road_id": ids,
                "kelurahan_code": _kelurahan_of(multi, ctx),
                "name": values["name"].tolist(),
                "highway": [str(v).strip().lower() if v is not None else None for v in values["highway"]],
                "length_m": _length_m(multi),
            }
            frames.append(frame_with_geometry(data, multi))
        return {"roads": pd.concat(frames, ignore_index=True)}


def _without_repeated_lines(ids: list[str], given: list, rows: list, ctx: ImportContext) -> np.ndarray:
    """Rows to keep: a line without an id drawn again exactly (OSM extracts repeat a way now and
    then) is the same road, kept once, with a warning naming both rows.  Rows with their own id
    are all kept (a repeated id is an error, reported by the caller)."""
    keep = np.ones(len(ids), dtype=bool)
    first: dict[str, int] = {}
    for i, (key, own) in enumerate(zip(ids, given, strict=True)):
        if own is not None:
            continue
        if key in first:
            keep[i] = False
            ctx.report.add("roads.repeated", row=rows[i], field="geometry", severity="warning", other=first[key])
        else:
            first[key] = rows[i]
    return keep


def _multi(geom: shapely.Geometry) -> shapely.Geometry:
    return shapely.MultiLineString([geom]) if geom.geom_type == "LineString" else geom


def _length_m(geoms: np.ndarray) -> list[float | None]:
    live = np.array([g is not None for g in geoms])
    out: list[float | None] = [None] * len(geoms)
    if not live.any():
        return out
    frame = frame_with_geometry({"i": np.flatnonzero(live).tolist()}, list(geoms[live]))
    lengths = frame.to_crs(metric_crs(frame)).length.round(2).to_numpy()
    for i, length in zip(frame["i"], lengths, strict=True):
        out[int(i)] = float(length)
    return out


def _kelurahan_of(geoms: np.ndarray, ctx: ImportContext) -> list[str | None]:
    """The stored kelurahan holding the middle of each line (``ctx.existing['kelurahan']``, the
    outlines the importer read around the file), None where no stored kelurahan does."""
    kel = ctx.existing.get("kelurahan")
    out: list[str | None] = [None] * len(geoms)
    live = np.flatnonzero([g is not None for g in geoms])
    if kel is None or kel.empty or not len(live):
        return out
    middles = shapely.line_interpolate_point(geoms[live], 0.5, normalized=True)
    position = points_in_polygons(middles, kel.geometry.to_numpy())
    codes = kel["kelurahan_code"].to_numpy()
    for i, p in zip(live, position, strict=True):
        if p >= 0:
            out[int(i)] = str(codes[p])
    return out
