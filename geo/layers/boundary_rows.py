"""Rows of a boundary file that need more than a field check: one unit drawn in several rows,
duplicate keys, and RW-level polygons that carry no RW number."""

from __future__ import annotations

import re
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from geo.fields import is_blank
from geo.hierarchy import area_m2
from geo.layers.base import ImportContext


def no_unit_number(text: object) -> bool:
    """An RW-level polygon with no RW number: empty, 'RW 0', or a named area ('Kawasan Industri ...')."""
    if text is None or is_blank(text):
        return True
    digits = re.findall(r"\d+", str(text))
    if digits:
        return all(int(d) == 0 for d in digits)
    return not re.fullmatch(r"(?i)\s*(rw|rk|lk|lingkungan|ling|dusun|dsn|ds)?[\s.:_-]*[ivxl]+\s*", str(text))


def polygon_area_m2(geom: shapely.Geometry) -> float:
    return float(area_m2(np.array([geom], dtype=object))[0])


def duplicates(frame: gpd.GeoDataFrame, key: tuple[str, ...], field: str, label: str, ctx: ImportContext) -> None:
    if not len(frame):
        return
    first: dict[tuple, Any] = {}
    for rec in frame[[*key, "src_row", label]].itertuples(index=False):
        k = tuple(getattr(rec, c) for c in key)
        if k in first:
            ctx.report.add("val.duplicate", row=rec.src_row, field=field, value=getattr(rec, label), other=first[k])
        else:
            first[k] = rec.src_row


def join_parts(
    frame: gpd.GeoDataFrame, key: tuple[str, ...], field: str, label: str, ctx: ImportContext
) -> gpd.GeoDataFrame:
    """Rows of one RW drawn as several polygons (real files split an RW at a river or a road) are
    joined into one MultiPolygon with a warning; rows of one unit that overlap are duplicates
    (errors).  RTs are not joined: two RT rows with one label are a typo far more often."""
    if not len(frame):
        return frame
    groups = frame.groupby(list(key), sort=False).indices
    keep, joined = [], {}
    for idx in groups.values():
        keep.append(idx[0])
        if len(idx) == 1:
            continue
        geoms = frame.geometry.to_numpy()[idx]
        union = shapely.union_all(geoms)
        rows = frame["src_row"].to_numpy()[idx]
        overlap = sum(shapely.area(geoms)) - union.area
        if overlap > 1e-9 * max(union.area, 1e-12) and _overlap_m2(geoms) >= 1.0:
            for row in rows[1:]:
                ctx.report.add("val.duplicate", row=row, field=field, value=frame[label].iloc[idx[0]], other=rows[0])
            continue
        ctx.report.add(
            "boundaries.parts_joined",
            row=rows[0],
            field=field,
            severity="warning",
            value=frame[label].iloc[idx[0]],
            unit=frame[label].iloc[idx[0]],
            rows=", ".join(map(str, rows)),
        )
        joined[idx[0]] = union
    out = frame.iloc[sorted(keep)].copy()
    for i, geom in joined.items():
        out.loc[i, "geometry"] = geom
    return out.reset_index(drop=True)


def _overlap_m2(geoms: np.ndarray) -> float:
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    keep = left < right
    if not keep.any():
        return 0.0
    return float(area_m2(shapely.intersection(geoms[left[keep]], geoms[right[keep]])).sum())
