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
    geoms = np.asarray(gdf.geometry.to_numpy(), dtype=object)
    ok = np.ones(len(geoms), dtype=bool)
    # vectorised first (national files have 80,000+ polygons); per-row work only for the bad ones
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    types = np.asarray(shapely.get_type_id(geoms))
    allowed_ids = [_TYPE_IDS[name] for name in allowed if name in _TYPE_IDS]
    wrong_type = ~missing & ~np.isin(types, allowed_ids)
    candidates = ~missing & ~wrong_type
    valid = np.ones(len(geoms), dtype=bool)
    valid[candidates] = _in_threads(shapely.is_valid, geoms[candidates])
    bounds = np.full((len(geoms), 4), np.nan)
    bounds[candidates] = shapely.bounds(geoms[candidates])
    x0, y0, x1, y1 = INDONESIA_BOUNDS
    inside = (bounds[:, 0] >= x0) & (bounds[:, 1] >= y0) & (bounds[:, 2] <= x1) & (bounds[:, 3] <= y1)
    for i in np.flatnonzero(missing | wrong_type | ~valid | (candidates & ~inside)):
        row, geom = rows[i], geoms[i]
        if missing[i]:
            if required:
                report.add("geom.missing", row=row, field="geometry")
                ok[i] = False
            continue
        if wrong_type[i]:
            report.add("geom.type", row=row, field="geometry", got=geom.geom_type, expected=expected_label)
        elif not valid[i]:
            report.add("geom.invalid", row=row, field="geometry", reason=shapely.is_valid_reason(geom))
        else:
            cx, cy = geom.representative_point().coords[0]
            code = "geom.swapped" if in_indonesia(cy, cx) else "geom.outside"
            report.add(code, row=row, field="geometry", lon=round(cx, 5), lat=round(cy, 5))
        ok[i] = False
    return ok


def _in_threads(func, geoms: np.ndarray, workers: int = 2) -> np.ndarray:
    """A shapely array function over halves of a big array at once: GEOS releases the GIL, so a
    national file's validity check takes half the time on two cores."""
    if len(geoms) < 20_000:
        return func(geoms)
    from concurrent.futures import ThreadPoolExecutor

    chunks = np.array_split(geoms, workers)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return np.concatenate(list(pool.map(func, chunks)))


_TYPE_IDS = {
    "Point": 0,
    "LineString": 1,
    "LinearRing": 2,
    "Polygon": 3,
    "MultiPoint": 4,
    "MultiLineString": 5,
    "MultiPolygon": 6,
    "GeometryCollection": 7,
}


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
