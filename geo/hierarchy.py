"""Hierarchy checks: RT inside its RW inside its kelurahan, overlaps, and gaps in coverage.

Pure functions over GeoDataFrames in EPSG:4326; problems name the units concerned.  Only
problems that involve at least one row of the file being imported (``src_row`` not null) are
reported, so an import is not blamed for what is already in the store.

Real maps are drawn by hand and simplified, so a tolerance (``tolerance_m``, metres) separates
slivers from mistakes: a piece of a unit outside its parent, or an overlap of two units of the
same kelurahan, that is nowhere wider than the tolerance is a warning; a wider one is an error.
Overlaps between neighbouring kelurahan and gaps in RW/RT coverage are warnings with their areas.
Widths and areas are measured in the UTM zone of each piece.

Everything is vectorised with shapely over arrays (one GEOS call per check, never a Python loop
per polygon): a national file of 83,000 kelurahan is checked in seconds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from geo.validation import Problem

MIN_AREA_M2 = 1.0  # pieces smaller than this are float noise along shared edges, not findings


@dataclass(frozen=True)
class HierarchyOptions:
    """``tolerance_m``: overlaps and slivers no wider than this are warnings.  ``gap_min_pct``:
    uncovered parts of a kelurahan below this share of its area are not reported.
    ``neighbour_limit``: above this many kelurahan in one file the (costly, warning-only)
    overlap check between neighbouring kelurahan is skipped, with a warning saying so."""

    tolerance_m: float = 3.0
    gap_min_pct: float = 1.0
    neighbour_limit: int = 5000


def _row(value: object) -> int | str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    return value  # type: ignore[return-value]


def check_hierarchy(
    kel: gpd.GeoDataFrame,
    rw: gpd.GeoDataFrame,
    rt: gpd.GeoDataFrame,
    options: HierarchyOptions | None = None,
) -> list[Problem]:
    """Check nesting, overlaps and gaps.  Frames carry ``kelurahan_code``, ``label`` and
    ``src_row``; ``rw`` and ``rt`` also ``unit_number`` (either may be empty or lack them)."""
    options = options or HierarchyOptions()
    problems: list[Problem] = []
    kel_index = {c: i for i, c in enumerate(kel["kelurahan_code"])} if len(kel) else {}
    kel_geoms = kel.geometry.to_numpy() if len(kel) else np.array([], dtype=object)
    kel_labels = kel["label"].to_numpy() if len(kel) else np.array([], dtype=object)
    for child in (rw, rt):
        if len(child):
            parent = np.array([kel_index.get(c, -1) for c in child["kelurahan_code"]])
            problems += _outside(child, parent, kel_geoms, kel_labels, options)
    if len(rt) and len(rw) and "unit_number" in rt and "unit_number" in rw:
        problems += _rt_in_rw(rt, rw, options)
    problems += _overlaps(rw, options, same_kelurahan=True)
    problems += _overlaps(rt, options, same_kelurahan=True)
    problems += _neighbours(kel, options)
    problems += _gaps(kel, rw, options, "place.gap_rw")
    problems += _gaps(kel, rt, options, "place.gap")
    return problems


# --- measuring pieces in metres --------------------------------------------------------------------


def _utm_epsg(lon: float, lat: float) -> int:
    zone = min(max(int((lon + 180) // 6) + 1, 1), 60)
    return (32600 if lat >= 0 else 32700) + zone


def area_m2(pieces: np.ndarray) -> np.ndarray:
    """Area of each piece in m², measured in its own UTM zone."""
    return measure(pieces, widths=False)[0]


def measure(
    pieces: np.ndarray, tolerance_m: float = 3.0, *, widths: bool = True, report_width: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Area (m²), width (m: twice the radius of the largest circle inside) and whether it is wider
    than ``tolerance_m``, of each piece, measured in its own UTM zone."""
    area = np.zeros(len(pieces))
    width = np.zeros(len(pieces))
    wide = np.zeros(len(pieces), dtype=bool)
    if not len(pieces):
        return area, width, wide
    pieces = _polygonal(np.asarray(pieces, dtype=object))
    centre = shapely.centroid(pieces)
    zones = np.array([_utm_epsg(x, y) for x, y in zip(shapely.get_x(centre), shapely.get_y(centre), strict=True)])
    for epsg in np.unique(zones):
        idx = np.flatnonzero(zones == epsg)
        to_m = Transformer.from_crs(4326, int(epsg), always_xy=True)
        metric = shapely.transform(pieces[idx], lambda xy, t=to_m: np.column_stack(t.transform(xy[:, 0], xy[:, 1])))
        area[idx] = shapely.area(metric)
        if widths:
            width[idx], wide[idx] = _widths(metric, tolerance_m, report_width)
    return area, width, wide


def _widths(pieces: np.ndarray, tolerance_m: float, report_width: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Width (twice the largest inscribed radius, to about a tenth of the tolerance) and whether it
    exceeds ``tolerance_m``, decided exactly: a piece is wider than the tolerance when shrinking it
    by half the tolerance leaves something (a quick negative buffer; the circle search on long
    slivers is slow, so it runs part by part and coarsely)."""
    parts, owner = shapely.get_parts(pieces, return_index=True)
    width = np.zeros(len(pieces))
    wide = np.zeros(len(pieces), dtype=bool)
    keep = shapely.area(parts) > 0
    parts, owner = parts[keep], owner[keep]
    if not len(parts):
        return width, wide
    if tolerance_m > 0:
        # a part smaller than a disc of that diameter cannot hold one (and the buffer of a
        # degenerate sliver is not to be trusted)
        can_hold = shapely.area(parts) >= math.pi * (tolerance_m / 2) ** 2
        shrunk = ~shapely.is_empty(shapely.buffer(shapely.make_valid(parts[can_hold]), -tolerance_m / 2))
        np.logical_or.at(wide, owner[can_hold], shrunk)
    else:
        wide[owner] = True
    if not report_width:
        return width, wide
    # the circle search to a tenth of the tolerance on slivers, to half a percent of the size on
    # big pieces (a 600 m wide piece needs no centimetres)
    precision = np.maximum(max(tolerance_m / 10, 0.05), np.sqrt(shapely.area(parts)) / 200)
    radius = shapely.length(shapely.maximum_inscribed_circle(parts, precision))
    np.maximum.at(width, owner, 2 * radius)
    return width, wide


def _polygonal(pieces: np.ndarray) -> np.ndarray:
    """Only the areal parts: an intersection along a shared edge also yields lines and points."""
    mixed = np.flatnonzero(shapely.get_type_id(pieces) == 7)
    if len(mixed):
        pieces = pieces.copy()
        for i in mixed:
            parts = [p for p in shapely.get_parts(pieces[i]) if p.geom_type in ("Polygon", "MultiPolygon")]
            pieces[i] = shapely.union_all(parts) if parts else shapely.Polygon()
    return pieces


# --- the checks -----------------------------------------------------------------------------------------


def _outside(
    child: gpd.GeoDataFrame,
    parent: np.ndarray,
    parent_geoms: np.ndarray,
    parent_labels: np.ndarray,
    options: HierarchyOptions,
) -> list[Problem]:
    """Pieces of each child (from the file) outside its parent polygon."""
    rows = child["src_row"].to_numpy()
    mine = np.array([_row(r) is not None for r in rows]) & (parent >= 0)
    idx = np.flatnonzero(mine)
    if not len(idx):
        return []
    geoms = child.geometry.to_numpy()
    labels = child["label"].to_numpy()
    beyond = shapely.difference(geoms[idx], parent_geoms[parent[idx]])
    has = ~shapely.is_empty(beyond)
    idx, beyond = idx[has], beyond[has]
    return _pieces_outside(idx, beyond, rows, labels, parent, parent_labels, options)


def _pieces_outside(
    idx: np.ndarray,
    beyond: np.ndarray,
    rows: np.ndarray,
    labels: np.ndarray,
    parent: np.ndarray,
    parent_labels: np.ndarray,
    options: HierarchyOptions,
) -> list[Problem]:
    area, width, wide = measure(beyond, options.tolerance_m)
    problems = []
    for i, a, w, big in zip(idx, area, width, wide, strict=True):
        if a < MIN_AREA_M2:
            continue
        severity = "error" if big else "warning"
        problems.append(
            Problem(
                "place.outside" if severity == "error" else "place.outside_sliver",
                row=_row(rows[i]),
                field="geometry",
                severity=severity,  # type: ignore[arg-type]
                params={
                    "child": labels[i],
                    "parent": parent_labels[parent[i]],
                    "area_m2": round(a),
                    "width_m": f"{w:.1f}",
                    "tol_m": f"{options.tolerance_m:g}",
                },
            )
        )
    return problems


def _rt_in_rw(rt: gpd.GeoDataFrame, rw: gpd.GeoDataFrame, options: HierarchyOptions) -> list[Problem]:
    """Each RT against its own RW; an RT whose RW has no polygon is named once per unit."""
    rw_index = {(c, int(u)): i for i, (c, u) in enumerate(zip(rw["kelurahan_code"], rw["unit_number"], strict=True))}
    keys = [(c, int(u)) for c, u in zip(rt["kelurahan_code"], rt["unit_number"], strict=True)]
    parent = np.array([rw_index.get(k, -1) for k in keys])
    problems = _outside(rt, parent, rw.geometry.to_numpy(), rw["label"].to_numpy(), options)
    missing: set[tuple[str, int]] = set()
    for key, p, row, label in zip(keys, parent, rt["src_row"], rt["label"], strict=True):
        if p >= 0 or _row(row) is None or key in missing:
            continue
        missing.add(key)
        problems.append(
            Problem(
                "place.no_unit",
                row=_row(row),
                field="rw",
                severity="warning",
                params={"unit": str(label).split(" / ")[-1], "code": key[0]},
            )
        )
    return problems


def _pairs(frame: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (i < j) whose interiors overlap, with at least one of them from the file."""
    geoms = frame.geometry.to_numpy()
    from_file = np.array([_row(r) is not None for r in frame["src_row"]])
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms[from_file], predicate="intersects")
    left = np.flatnonzero(from_file)[left]
    keep = left != right
    left, right = np.minimum(left[keep], right[keep]), np.maximum(left[keep], right[keep])
    if not len(left):
        return left, right
    pairs = np.unique(np.column_stack([left, right]), axis=0)
    left, right = pairs[:, 0], pairs[:, 1]
    inner = shapely.relate_pattern(geoms[left], geoms[right], "T********")
    return left[inner], right[inner]


def _overlaps(frame: gpd.GeoDataFrame, options: HierarchyOptions, *, same_kelurahan: bool) -> list[Problem]:
    if len(frame) < 2:
        return []
    left, right = _pairs(frame)
    codes = frame["kelurahan_code"].to_numpy()
    keep = codes[left] == codes[right] if same_kelurahan else codes[left] != codes[right]
    left, right = left[keep], right[keep]
    geoms = frame.geometry.to_numpy()
    area, width, wide = measure(shapely.intersection(geoms[left], geoms[right]), options.tolerance_m)
    labels, rows = frame["label"].to_numpy(), frame["src_row"].to_numpy()
    problems = []
    slivers = (area >= MIN_AREA_M2) & ~wide
    if not same_kelurahan and slivers.any():  # simplified maps: many hairline overlaps, one line for all
        problems.append(
            Problem(
                "place.neighbour_slivers",
                severity="warning",
                params={
                    "n": int(slivers.sum()),
                    "area_m2": round(area[slivers].sum()),
                    "tol_m": f"{options.tolerance_m:g}",
                },
            )
        )
    for i, j, a, w, big in zip(left, right, area, width, wide, strict=True):
        if a < MIN_AREA_M2 or (not same_kelurahan and not big):
            continue
        severity = ("error" if big else "warning") if same_kelurahan else "warning"
        row = _row(rows[j]) if _row(rows[j]) is not None else _row(rows[i])
        code = ("place.overlap" if severity == "error" else "place.overlap_sliver") if same_kelurahan else None
        problems.append(
            Problem(
                code or "place.overlap_neighbour",
                row=row,
                field="geometry",
                severity=severity,  # type: ignore[arg-type]
                params={
                    "a": labels[i],
                    "b": labels[j],
                    "area_m2": round(a),
                    "width_m": f"{w:.1f}",
                    "tol_m": f"{options.tolerance_m:g}",
                },
            )
        )
    return problems


def _neighbours(kel: gpd.GeoDataFrame, options: HierarchyOptions) -> list[Problem]:
    """Overlaps between neighbouring kelurahan: warnings, or one note when the file is too big."""
    in_file = int(sum(_row(r) is not None for r in kel["src_row"])) if len(kel) else 0
    if in_file > options.neighbour_limit:
        return [
            Problem(
                "place.neighbours_skipped",
                severity="warning",
                params={"n": in_file, "limit": options.neighbour_limit},
            )
        ]
    return _overlaps(kel, options, same_kelurahan=False)


def _gaps(kel: gpd.GeoDataFrame, children: gpd.GeoDataFrame, options: HierarchyOptions, code: str) -> list[Problem]:
    """Parts of a kelurahan covered by none of its RWs (or RTs), slivers narrower than the
    tolerance left out."""
    if not len(kel) or not len(children):
        return []
    problems = []
    child_codes = children["kelurahan_code"].to_numpy()
    child_from_file = np.array([_row(r) is not None for r in children["src_row"]])
    with_children = kel[kel["kelurahan_code"].isin(set(child_codes))]
    for code_value, geom, label, row in zip(
        with_children["kelurahan_code"],
        with_children.geometry,
        with_children["label"],
        with_children["src_row"],
        strict=True,
    ):
        mine = child_codes == code_value
        if not mine.any() or (_row(row) is None and not child_from_file[mine].any()):
            continue
        gap = shapely.difference(geom, shapely.union_all(children.geometry.to_numpy()[mine]))
        if gap.is_empty:
            continue
        gap_area, _, gap_wide = measure(np.array([gap]), options.tolerance_m, report_width=False)
        total_area = area_m2(np.array([geom]))
        pct = 100.0 * gap_area[0] / total_area[0] if total_area[0] else 0.0
        if pct > options.gap_min_pct and gap_wide[0]:
            problems.append(
                Problem(
                    code,
                    row=_row(row),
                    field="geometry",
                    severity="warning",
                    params={"parent": label, "area_m2": round(gap_area[0]), "pct": f"{pct:.1f}"},
                )
            )
    return problems
