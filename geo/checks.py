"""Row-level checks shared by every layer: coordinates, geometry validity and type, keys."""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from geo.fields import FieldSpec, find_column, is_blank, parse_number
from geo.validation import ValidationReport

# Indonesia with a margin: Sabang to Merauke, Miangas to Rote.
INDONESIA_BOUNDS = (94.0, -11.5, 141.5, 6.5)

LAT = FieldSpec("lat", "float", aliases=("latitude", "lintang", "y_lat", "koordinat_y"))
LON = FieldSpec("lon", "float", aliases=("lng", "long", "longitude", "bujur", "x_lon", "koordinat_x"))
X = FieldSpec("x", "float", aliases=("easting",))
Y = FieldSpec("y", "float", aliases=("northing",))


def in_indonesia(lon: float, lat: float) -> bool:
    x0, y0, x1, y1 = INDONESIA_BOUNDS
    return x0 <= lon <= x1 and y0 <= lat <= y1


def points_from_columns(
    frame: pd.DataFrame, rows: list[int], report: ValidationReport, crs: CRS | None
) -> gpd.GeoDataFrame:
    """A point per row from lat/lon (or x/y with a declared CRS) columns; blank stays no point."""
    columns = [str(c) for c in frame.columns]
    lat_col, lon_col = find_column(columns, LAT), find_column(columns, LON)
    if crs is not None and (find_column(columns, X) and find_column(columns, Y)):
        lon_col, lat_col = find_column(columns, X), find_column(columns, Y)
    if (lat_col is None) != (lon_col is None):
        found = lat_col or lon_col
        report.add("source.xy_partial", found=found)
    geoms: list[shapely.Geometry | None] = [None] * len(frame)
    if lat_col and lon_col:
        for i, (row, la, lo) in enumerate(zip(rows, frame[lat_col], frame[lon_col], strict=True)):
            if is_blank(la) and is_blank(lo):
                continue
            try:
                y, x = parse_number(la), parse_number(lo)
            except ValueError:
                bad_field, bad = (lat_col, la) if _bad(la) else (lon_col, lo)
                report.add("val.number", row=row, field=bad_field, value=bad)
                continue
            geoms[i] = shapely.Point(x, y)
    source_crs = crs or CRS.from_epsg(4326)
    out = gpd.GeoDataFrame(frame.copy(), geometry=gpd.GeoSeries(geoms, index=frame.index, crs=source_crs))
    return out.to_crs(4326)


def _bad(value: object) -> bool:
    try:
        parse_number(value)
    except ValueError:
        return True
    return False


def check_geometries(
    gdf: gpd.GeoDataFrame,
    rows: list[int],
    report: ValidationReport,
    *,
    allowed: Sequence[str],
    required: bool,
    expected_label: str,
) -> np.ndarray:
    """Report missing, wrongly typed, invalid and out-of-Indonesia geometries.

    Returns a boolean mask of the rows whose geometry is usable.
    """
    ok = np.ones(len(gdf), dtype=bool)
    geoms = gdf.geometry.to_numpy()
    for i, (row, geom) in enumerate(zip(rows, geoms, strict=True)):
        if geom is None or geom.is_empty:
            if required:
                report.add("geom.missing", row=row, field="geometry")
                ok[i] = False
            continue
        if geom.geom_type not in allowed:
            report.add("geom.type", row=row, field="geometry", got=geom.geom_type, expected=expected_label)
            ok[i] = False
            continue
        if not geom.is_valid:
            report.add("geom.invalid", row=row, field="geometry", reason=shapely.is_valid_reason(geom))
            ok[i] = False
            continue
        x0, y0, x1, y1 = geom.bounds
        if not (in_indonesia(x0, y0) and in_indonesia(x1, y1)):
            cx, cy = geom.representative_point().coords[0]
            code = "geom.swapped" if in_indonesia(cy, cx) else "geom.outside"
            report.add(code, row=row, field="geometry", lon=round(cx, 5), lat=round(cy, 5))
            ok[i] = False
    return ok


def check_duplicates(
    keys: Sequence[tuple | None],
    rows: list[int],
    report: ValidationReport,
    field: str,
    labels: Sequence[str] | None = None,
) -> None:
    """Report every row whose key was already seen in an earlier row of the same file."""
    first: dict[tuple, int] = {}
    for i, (row, key) in enumerate(zip(rows, keys, strict=True)):
        if key is None:
            continue
        if key in first:
            report.add("val.duplicate", row=row, field=field, value=labels[i] if labels else None, other=first[key])
        else:
            first[key] = row
