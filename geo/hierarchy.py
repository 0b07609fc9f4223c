"""Hierarchy checks: RT inside its RW inside its kelurahan, no overlaps, no large gaps.

Pure functions over GeoDataFrames; problems name the units concerned.  Only problems that
involve at least one row of the file being imported (``src_row`` not null) are reported, so an
import is not blamed for what is already in the store.
"""

from __future__ import annotations

import math

import geopandas as gpd
import pandas as pd
import shapely

from geo.validation import Problem


def _row(value: object) -> int | str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    return value  # type: ignore[return-value]


def check_hierarchy(
    kel: gpd.GeoDataFrame,
    rw: gpd.GeoDataFrame,
    rt: gpd.GeoDataFrame,
    *,
    metric: object,
    outside_tol_m: float = 1.0,
    overlap_tol_m2: float = 10.0,
    gap_tol_pct: float = 1.0,
) -> list[Problem]:
    """Check nesting, overlaps and gaps.  Frames carry ``label`` and ``src_row`` columns."""
    kel_m, rw_m, rt_m = (f.to_crs(metric) for f in (kel, rw, rt))
    problems: list[Problem] = []
    kel_geom = dict(zip(kel_m["kelurahan_code"], kel_m.geometry, strict=True))
    kel_label = dict(zip(kel_m["kelurahan_code"], kel_m["label"], strict=True))
    rw_geom = {
        (c, int(u)): g for c, u, g in zip(rw_m["kelurahan_code"], rw_m["unit_number"], rw_m.geometry, strict=True)
    }
    rw_label = {
        (c, int(u)): lab for c, u, lab in zip(rw_m["kelurahan_code"], rw_m["unit_number"], rw_m["label"], strict=True)
    }
    for rec in rw_m.itertuples():
        parent = kel_geom.get(rec.kelurahan_code)
        if parent is not None:
            problems += _outside(
                rec.geometry, parent, rec.label, kel_label[rec.kelurahan_code], _row(rec.src_row), outside_tol_m
            )
    missing_units: set[tuple[str, int]] = set()
    for rec in rt_m.itertuples():
        parent = kel_geom.get(rec.kelurahan_code)
        row = _row(rec.src_row)
        if parent is not None:
            problems += _outside(rec.geometry, parent, rec.label, kel_label[rec.kelurahan_code], row, outside_tol_m)
        unit_key = (rec.kelurahan_code, int(rec.unit_number))
        unit = rw_geom.get(unit_key)
        if unit is not None:
            problems += _outside(rec.geometry, unit, rec.label, rw_label[unit_key], row, outside_tol_m)
        elif row is not None and unit_key not in missing_units and len(rw_m):
            missing_units.add(unit_key)
            problems.append(
                Problem(
                    "place.no_unit",
                    row=row,
                    field="rw",
                    severity="warning",
                    params={"unit": rec.label.split(" / ")[-1], "code": rec.kelurahan_code},
                )
            )
    problems += _overlaps(rw_m, overlap_tol_m2)
    problems += _overlaps(rt_m, overlap_tol_m2)
    problems += _gaps(kel_m, rt_m, gap_tol_pct)
    return problems


def _outside(
    child: shapely.Geometry,
    parent: shapely.Geometry,
    child_label: str,
    parent_label: str,
    row: int | None,
    tol_m: float,
) -> list[Problem]:
    if row is None:
        return []
    beyond = child.difference(parent.buffer(tol_m))
    if beyond.is_empty or beyond.area < 1.0:
        return []
    area = round(child.difference(parent).area)
    return [
        Problem(
            "place.outside",
            row=row,
            field="geometry",
            params={"child": child_label, "parent": parent_label, "area_m2": area, "tol_m": f"{tol_m:g}"},
        )
    ]


def _overlaps(frame: gpd.GeoDataFrame, tol_m2: float) -> list[Problem]:
    if len(frame) < 2:
        return []
    geoms = frame.geometry.to_numpy()
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    problems = []
    codes = frame["kelurahan_code"].to_numpy()
    labels = frame["label"].to_numpy()
    rows = frame["src_row"].to_numpy()
    for i, j in zip(left, right, strict=True):
        if i >= j or codes[i] != codes[j]:
            continue
        row_i, row_j = _row(rows[i]), _row(rows[j])
        if row_i is None and row_j is None:
            continue
        area = shapely.intersection(geoms[i], geoms[j]).area
        if area > tol_m2:
            problems.append(
                Problem(
                    "place.overlap",
                    row=row_j if row_j is not None else row_i,
                    field="geometry",
                    params={"a": labels[i], "b": labels[j], "area_m2": round(area), "tol_m2": f"{tol_m2:g}"},
                )
            )
    return problems


def _gaps(kel: gpd.GeoDataFrame, rt: gpd.GeoDataFrame, tol_pct: float) -> list[Problem]:
    problems = []
    for rec in kel.itertuples():
        row = _row(rec.src_row)
        children = rt[rt["kelurahan_code"] == rec.kelurahan_code]
        if children.empty or (row is None and children["src_row"].isna().all()):
            continue
        covered = shapely.union_all(children.geometry.to_numpy())
        gap = rec.geometry.difference(covered).area
        pct = 100.0 * gap / rec.geometry.area if rec.geometry.area else 0.0
        if pct > tol_pct:
            problems.append(
                Problem(
                    "place.gap",
                    row=row,
                    field="geometry",
                    severity="warning",
                    params={"parent": rec.label, "area_m2": round(gap), "pct": f"{pct:.1f}"},
                )
            )
    return problems
