"""Raster layers (flood depth or hazard, elevation, population) summarised per RT.

Zonal statistics weight each pixel by the fraction of it the polygon covers (exactextract), so
an RT smaller than one pixel, or one crossing the raster's edge, still gets an honest value.
Statistics are over the part of the polygon the raster covers with data; ``covered_share`` says
how much that is.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
import shapely
from exactextract import exact_extract
from exactextract.raster import NumPyRasterSource

from geo.errors import SourceError


def zonal_stats(polygons: gpd.GeoDataFrame, raster: str | Path, *, threshold: float, band: int = 1) -> pd.DataFrame:
    """Per polygon (same index): ``mean``, ``max``, ``share_above`` (area share with value above
    ``threshold``) and ``covered_share`` (area share with raster data)."""
    path = Path(raster)
    try:
        src = rasterio.open(path)
    except rasterio.errors.RasterioIOError as exc:
        raise SourceError("source.unreadable", kind="GeoTIFF", detail=path.name) from exc
    with src:
        if src.crs is None:
            raise SourceError("source.no_crs")
        data = src.read(band, masked=True)
        bounds = src.bounds
        wkt = src.crs.to_wkt()

    vec = polygons.to_crs(wkt).reset_index(drop=True)
    values = data.filled(np.nan).astype("float64")
    valid = ~np.isnan(values)
    above = np.where(valid, (values > threshold).astype("float64"), np.nan)
    has_data = np.where(valid, 1.0, 0.0)
    box = {"xmin": bounds.left, "ymin": bounds.bottom, "xmax": bounds.right, "ymax": bounds.top, "srs_wkt": wkt}
    stats = exact_extract(
        NumPyRasterSource(values, nodata=np.nan, name="v", **box), vec, ["mean", "max"], output="pandas"
    )
    share = exact_extract(NumPyRasterSource(above, nodata=np.nan, name="a", **box), vec, ["mean"], output="pandas")
    cover = exact_extract(NumPyRasterSource(has_data, name="c", **box), vec, ["sum"], output="pandas")
    pixel_area = abs((bounds.right - bounds.left) / values.shape[1] * (bounds.top - bounds.bottom) / values.shape[0])
    area = shapely.area(vec.geometry.to_numpy())  # in the raster's units, like pixel_area
    out = pd.DataFrame(
        {
            "mean": stats["mean"].to_numpy(dtype=float),
            "max": stats["max"].to_numpy(dtype=float),
            "share_above": share["mean"].to_numpy(dtype=float),
            "covered_share": np.where(area > 0, cover["sum"].to_numpy(dtype=float) * pixel_area / area, np.nan),
        },
        index=polygons.index,
    )
    out["covered_share"] = out["covered_share"].clip(upper=1.0)
    return out
