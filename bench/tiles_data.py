"""Stores for the tile benchmark: a synthetic city of ~10,000 RT, and the national kelurahan set.

Both are written through ``geo.store`` directly (one transaction per table), not through the
importer: the benchmark measures serving, not importing.  The synthetic city is a grid of
irregular (jittered) kelurahan, each cut into irregular RT polygons, with households spread over
the RTs (so RT indicators, suppression included, are real work), works, gardens and facilities.
"""

from __future__ import annotations

import math
import random
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.layers.boundaries import KELURAHAN, RT, RW
from geo.store import open_store

REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "real" / "wilayah-boundaries"
CITY_CODE = "18.71"  # the synthetic city sits on Bandar Lampung's codes and place
ORIGIN = (105.20, -5.48)  # lon, lat of its south-west corner


def _jittered_grid(nx: int, ny: int, cell: float, rng: random.Random, x0: float, y0: float) -> np.ndarray:
    """Corner points of an nx x ny grid, moved at random by up to a quarter cell (shared by neighbours)."""
    pts = np.zeros((nx + 1, ny + 1, 2))
    for i in range(nx + 1):
        for j in range(ny + 1):
            dx = 0 if i in (0, nx) else rng.uniform(-0.25, 0.25) * cell
            dy = 0 if j in (0, ny) else rng.uniform(-0.25, 0.25) * cell
            pts[i, j] = (x0 + i * cell + dx, y0 + j * cell + dy)
    return pts


def _cells(pts: np.ndarray) -> list[shapely.Polygon]:
    nx, ny = pts.shape[0] - 1, pts.shape[1] - 1
    out = []
    for i in range(nx):
        for j in range(ny):
            ring = [pts[i, j], pts[i + 1, j], pts[i + 1, j + 1], pts[i, j + 1], pts[i, j]]
            out.append(shapely.Polygon(ring))
    return out


def synthetic_city(path: Path, *, n_kelurahan: int = 100, rt_per_kelurahan: int = 100, kk_per_rt: int = 40) -> Path:
    """Write a synthetic city store to ``path`` (replaced if present) and return it."""
    rng = random.Random(20261201)
    path.unlink(missing_ok=True)
    side = math.isqrt(n_kelurahan)
    kel_cell = 0.012  # about 1.3 km: 100 kelurahan cover about 170 km², like Bandar Lampung
    kel_polys = _cells(_jittered_grid(side, side, kel_cell, rng, *ORIGIN))
    kel_rows, rt_rows, rw_rows, hh_parts, works, gardens, facilities = [], [], [], [], [], [], []
    rt_side = math.isqrt(rt_per_kelurahan) + 3  # a finer grid over the bounding box: ~100 cells fall inside
    for n, poly in enumerate(kel_polys):
        code = f"{CITY_CODE}.{1 + n // 10:02d}.{1001 + n:04d}"
        kel_rows.append(
            {
                "kelurahan_code": code,
                "name": f"Kelurahan Sintetis {n + 1:03d}",
                "kecamatan": f"Kecamatan {1 + n // 10}",
                "kota": "Kota Sintetis",
                "provinsi": "Lampung",
                "unit_type": "Lingkungan",
                "geometry": shapely.MultiPolygon([poly]),
            }
        )
        minx, miny, maxx, maxy = poly.bounds
        cell = max(maxx - minx, maxy - miny) / rt_side
        grid = _jittered_grid(rt_side, rt_side, cell, rng, minx, miny)
        pieces = [c.intersection(poly) for c in _cells(grid)]
        big = [r for r in pieces if r.geom_type in ("Polygon", "MultiPolygon") and r.area > 0.05 * cell * cell]
        rts = sorted(big, key=lambda r: r.area, reverse=True)[:rt_per_kelurahan]
        rts.sort(key=lambda r: (round(r.centroid.y / cell), r.centroid.x))
        for unit in range(1, 11):
            members = [r for i, r in enumerate(rts) if i // 10 + 1 == unit and not r.is_empty]
            rw_rows.append(
                {
                    "kelurahan_code": code,
                    "unit_type": "Lingkungan",
                    "unit_number": unit,
                    "unit_label": f"LK {unit:03d}",
                    "geometry": shapely.MultiPolygon(
                        [g for m in members for g in getattr(m, "geoms", [m]) if g.geom_type == "Polygon"]
                    ),
                }
            )
        for i, rt_poly in enumerate(rts):
            if rt_poly.is_empty or rt_poly.geom_type not in ("Polygon", "MultiPolygon"):
                continue
            unit, rt = i // 10 + 1, i % 10 + 1
            rt_rows.append(
                {
                    "kelurahan_code": code,
                    "unit_type": "Lingkungan",
                    "unit_number": unit,
                    "rt_number": rt,
                    "rt_label": f"RT {rt:03d} / LK {unit:03d}",
                    "geometry": shapely.MultiPolygon(
                        [rt_poly] if rt_poly.geom_type == "Polygon" else list(rt_poly.geoms)
                    ),
                }
            )
            kk = max(1, int(rng.gauss(kk_per_rt, kk_per_rt / 3)))
            hh_parts.append(
                pd.DataFrame(
                    {
                        "kk_key": [f"{code}-{unit}-{rt}-{h:04d}" for h in range(kk)],
                        "kelurahan_code": code,
                        "unit_type": "Lingkungan",
                        "unit_number": unit,
                        "rt_number": rt,
                        "decile": [rng.randint(1, 10) for _ in range(kk)],
                        "water_source": [rng.choice(["pdam", "sumur_bor", "sungai"]) for _ in range(kk)],
                        "toilet": [rng.choice(["sendiri", "bersama", "tidak_ada"]) for _ in range(kk)],
                    }
                )
            )
        for w in range(20):
            x = rng.uniform(minx, maxx)
            y = rng.uniform(miny, maxy)
            works.append(
                {
                    "work_id": f"W-{code}-{w:02d}",
                    "kelurahan_code": code,
                    "name": f"Jalan rabat beton {w}",
                    "work_type": "jalan_rabat_beton",
                    "criterion_id": "2a",
                    "volume": 120.0,
                    "volume_unit": "m",
                    "year": 2025,
                    "funding": "APBD",
                    "budget_idr": 150_000_000,
                    "status": "selesai",
                    "progress_fisik": 100.0,
                    "progress_keuangan": 100.0,
                    "geometry": shapely.LineString([(x, y), (x + 0.001, y + 0.0004)]),
                }
            )
        for g in range(3):
            x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
            gardens.append(
                {
                    "garden_id": f"G-{code}-{g}",
                    "kelurahan_code": code,
                    "kwt_name": f"KWT {g}",
                    "crops": "cabai",
                    "site_type": "pekarangan",
                    "area_m2": 100.0,
                    "geometry": shapely.MultiPolygon([shapely.box(x, y, x + 0.0001, y + 0.0001)]),
                }
            )
        for f in range(5):
            facilities.append(
                {
                    "facility_id": f"F-{code}-{f}",
                    "kelurahan_code": code,
                    "name": f"Posyandu {f}",
                    "category": "posyandu",
                    "programme": "kampung_kb",
                    "geometry": shapely.Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy)),
                }
            )
    _write(
        path,
        {
            "kelurahan": kel_rows,
            "rw": rw_rows,
            "rt": rt_rows,
            "works": works,
            "gardens": gardens,
            "facilities": facilities,
        },
        households=pd.concat(hh_parts, ignore_index=True),
    )
    return path


def _write(path: Path, tables: dict[str, list[dict]], *, households: pd.DataFrame | None = None) -> None:
    from geo.layers import all_tables

    store = open_store(path)
    specs = {s.name: s for s in all_tables()}
    for name, rows in tables.items():
        frame = gpd.GeoDataFrame(pd.DataFrame(rows), geometry="geometry", crs=4326)
        with store.transaction("bench") as writer:
            writer.upsert(specs[name], frame)
    if households is not None:
        with store.transaction("bench") as writer:
            writer.upsert(specs["households"], households)


def national_store(path: Path) -> Path:
    """The 83,402 real desa/kelurahan of Indonesia (no RT) written to ``path`` (kept if present)."""
    if path.exists():
        return path
    parts = sorted(REAL.glob("indonesia_desa_kelurahan_part*.parquet"))
    frame = pd.concat([gpd.read_parquet(p) for p in parts], ignore_index=True)
    out = gpd.GeoDataFrame(
        {
            "kelurahan_code": frame["kode"],
            "name": frame["nama"],
            "kecamatan": frame["nama_kec"],
            "kota": frame["nama_kab"],
            "provinsi": frame["nama_prov"],
            "unit_type": "RW",
        },
        geometry=frame.geometry,
        crs=4326,
    )
    store = open_store(path)
    with store.transaction("bench") as writer:
        writer.upsert(KELURAHAN, out)
    return path


def four_kota_store(path: Path) -> Path:
    """The 354 real kelurahan of Bandar Lampung, Bekasi, Tangerang and Jambi (no RT), at ``path``."""
    frame = gpd.read_file(REAL / "kelurahan_4kota_bdl_bekasi_tangerang_jambi.gpkg", layer="kelurahan")
    out = gpd.GeoDataFrame(
        {
            "kelurahan_code": frame["kode"],
            "name": frame["nama"],
            "kecamatan": frame["nama_kec"],
            "kota": frame["nama_kab"],
            "provinsi": frame["nama_prov"],
            "unit_type": "RW",
        },
        geometry=frame.geometry,
        crs=4326,
    )
    path.unlink(missing_ok=True)
    with open_store(path).transaction("bench") as writer:
        writer.upsert(KELURAHAN, out)
    return path


__all__ = ["RT", "RW", "four_kota_store", "national_store", "synthetic_city"]
