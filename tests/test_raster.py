"""Zonal statistics with partial-pixel weights, checked against brute-force supersampling."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely
from affine import Affine
from shapely.affinity import rotate
from shapely.geometry import box

from geo.errors import SourceError
from geo.raster import zonal_stats
from tests.conftest import real_data

X0, Y0, PIX = 500_000.0, 9_400_000.0, 10.0


@pytest.fixture
def raster(tmp_path: Path) -> Path:
    rng = np.random.default_rng(7)
    yy, xx = np.mgrid[0:20, 0:20]
    values = (np.sin(xx / 3) + np.cos(yy / 4) + rng.uniform(0, 0.5, (20, 20))).astype("float32")
    values[0, 0] = -9999  # a nodata pixel
    path = tmp_path / "hazard.tif"
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        height=20,
        width=20,
        count=1,
        dtype="float32",
        crs="EPSG:32748",
        transform=Affine(PIX, 0, X0, 0, -PIX, Y0),
        nodata=-9999,
    ) as dst:
        dst.write(values, 1)
    return path


def brute_force(geom: shapely.Geometry, path: Path, threshold: float, n: int = 40) -> tuple[float, float]:
    """Mean and share above threshold by sampling n x n points in every pixel."""
    with rasterio.open(path) as src:
        data = src.read(1, masked=True)
        transform = src.transform
    offsets = (np.arange(n) + 0.5) / n
    vals = []
    rows, cols = data.shape
    minx, miny, maxx, maxy = geom.bounds
    c0, r0 = ~transform @ (minx, maxy)
    c1, r1 = ~transform @ (maxx, miny)
    for r in range(max(0, int(np.floor(r0))), min(rows, int(np.ceil(r1)))):
        for c in range(max(0, int(np.floor(c0))), min(cols, int(np.ceil(c1)))):
            if data.mask[r, c]:
                continue
            xs = transform.c + (c + offsets) * transform.a
            ys = transform.f + (r + offsets) * transform.e
            gx, gy = np.meshgrid(xs, ys)
            inside = shapely.contains_xy(geom, gx.ravel(), gy.ravel()).sum()
            vals += [float(data[r, c])] * int(inside)
    arr = np.array(vals)
    return float(arr.mean()), float((arr > threshold).mean())


def polygons() -> gpd.GeoDataFrame:
    geoms = [
        rotate(box(X0 + 23, Y0 - 97, X0 + 118, Y0 - 31), 17, origin="centroid"),  # many partial pixels
        shapely.Polygon([(X0 + 40, Y0 - 150), (X0 + 160, Y0 - 120), (X0 + 90, Y0 - 60)]),  # triangle
        box(X0 + 52, Y0 - 57, X0 + 56, Y0 - 53),  # smaller than one pixel, inside one
        box(X0 + 57, Y0 - 73, X0 + 63, Y0 - 67),  # smaller than one pixel, across four
        box(X0 + 170, Y0 - 80, X0 + 260, Y0 - 20),  # crossing the raster's east edge
        box(X0 - 15, Y0 - 15, X0 + 25, Y0 + 10),  # crossing the corner, over the nodata pixel
    ]
    return gpd.GeoDataFrame(geometry=geoms, crs=32748)


def test_agrees_with_supersampling_within_one_percent(raster: Path) -> None:
    polys = polygons()
    stats = zonal_stats(polys, raster, threshold=1.0)
    for i, geom in enumerate(polys.geometry):
        mean, share = brute_force(geom, raster, 1.0)
        assert stats.loc[i, "mean"] == pytest.approx(mean, rel=0.01), i
        assert stats.loc[i, "share_above"] == pytest.approx(share, abs=0.01), i


def test_coverage_of_edge_crossing_polygon(raster: Path) -> None:
    stats = zonal_stats(polygons(), raster, threshold=1.0)
    assert stats.loc[4, "covered_share"] == pytest.approx(30 / 90, abs=0.01)  # 30 of 90 m lie on the raster
    assert stats.loc[2, "covered_share"] == pytest.approx(1.0)


def test_results_follow_the_input_index_and_crs(raster: Path) -> None:
    polys = polygons().iloc[:2]
    polys.index = ["a", "b"]
    in_wgs = zonal_stats(polys.to_crs(4326), raster, threshold=1.0)
    in_utm = zonal_stats(polys, raster, threshold=1.0)
    assert list(in_wgs.index) == ["a", "b"]
    assert in_wgs["mean"].to_numpy() == pytest.approx(in_utm["mean"].to_numpy(), rel=0.005)


def test_broken_raster_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tif"
    bad.write_bytes(b"not a tiff")
    with pytest.raises(SourceError):
        zonal_stats(polygons(), bad, threshold=1.0)


@pytest.mark.realdata
def test_jakarta_rw_flood_depth_against_supersampling() -> None:
    """Real RW polygons on the HKV flood-depth grid (about 50 m pixels, EPSG:4326)."""
    rw = gpd.read_file(real_data("inasafe-jakarta", "jakarta_admin_rw_kelurahan.gpkg"), layer="rw_jakarta")
    raster = real_data("inasafe-jakarta", "flood_current_depth_jakarta.tif")
    rw = rw[rw.geometry.is_valid & (rw["FLOODPRONE"] == "YES")].iloc[::60].head(12).reset_index(drop=True)
    stats = zonal_stats(rw, raster, threshold=0.5)
    checked = 0
    for i, geom in enumerate(rw.geometry):
        if not stats.loc[i, "covered_share"] > 0.99:
            continue
        mean, share = brute_force(geom, raster, 0.5, n=20)
        assert stats.loc[i, "mean"] == pytest.approx(mean, rel=0.01, abs=1e-3), i
        assert stats.loc[i, "share_above"] == pytest.approx(share, abs=0.01), i
        checked += 1
    assert checked >= 5
