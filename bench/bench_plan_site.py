#!/usr/bin/env python3
"""Benchmark: the city planner page and its API on a store of 10,000 RTs in 100 kelurahan.

    python bench/bench_plan_site.py [--side 100] [--keep DIR]

Builds a city of ``side`` x ``side`` RTs of irregular shape (a jittered grid whose shared edges
wiggle identically on both sides, so RTs tile with no gaps or overlaps; about 2 ha and 20
vertices each) in kelurahan of 10 x 10 RTs and RW of 10 RTs, with a synthetic slum baseline,
imports it through the normal importers, and then asks the site (the app in-process, gzip as a
browser asks) for:
  * the page ``/kota/32.75/perencanaan`` and ``/api/kota/32.75/rank`` at a 10 % budget: bytes on
    the wire (gzip) next to the uncompressed size, and the page's first load in all (page, API,
    Leaflet, our CSS and script);
  * time of the first plan (every kelurahan's public data and planning table built), a plan at
    another budget (tables kept), and the plan right after a write to one kelurahan (only that
    kelurahan rebuilt) against the first plan.
Timings are never asserted in tests; this file is for people.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_plan import synthetic_city

from geo.criteria import load_rule
from geo.importer import import_file
from geo.selection import PlanOptions, rank
from geo.settings import Settings
from geo.store import open_store

KOTA = "32.75"
CELL_M = 141.0  # a 2 ha RT
WIGGLE = 4  # points inside each shared edge
UTM = 32748


def grid_city(side: int, seed: int = 11) -> gpd.GeoDataFrame:
    """RT, RW and kelurahan features of one boundaries file (the demo's shape), in EPSG:4326."""
    rng = np.random.default_rng(seed)
    nodes = np.stack(np.meshgrid(np.arange(side + 1), np.arange(side + 1), indexing="ij"), -1) * CELL_M
    nodes = nodes + rng.uniform(-0.2, 0.2, nodes.shape) * CELL_M
    from pyproj import Transformer

    east, north = Transformer.from_crs(4326, UTM, always_xy=True).transform(106.995, -6.265)  # Kota Bekasi
    nodes = nodes + np.array([east, north]) - side * CELL_M / 2
    t = np.linspace(0, 1, WIGGLE + 2)[1:-1, None]

    def edge(a: np.ndarray, b: np.ndarray, key: int) -> np.ndarray:
        normal = np.array([a[1] - b[1], b[0] - a[0]]) / CELL_M
        wiggle = np.random.default_rng(key).uniform(-6, 6, (WIGGLE, 1))
        return a + (b - a) * t + normal * wiggle

    rows = []
    for i in range(side):
        for j in range(side):
            a, b, c, d = nodes[i, j], nodes[i, j + 1], nodes[i + 1, j + 1], nodes[i + 1, j]
            ring = np.vstack(
                [
                    a,
                    edge(a, b, (i * (side + 1) + j) * 2),
                    b,
                    edge(b, c, ((i) * (side + 1) + j + 1) * 2 + 1),
                    c,
                    edge(d, c, ((i + 1) * (side + 1) + j) * 2)[::-1],
                    d,
                    edge(a, d, (i * (side + 1) + j) * 2 + 1)[::-1],
                    a,
                ]
            )
            kel = (i // 10) * (side // 10) + j // 10
            rows.append((kel, i % 10 + 1, j % 10 + 1, shapely.Polygon(ring)))
    rt = gpd.GeoDataFrame(rows, columns=["kel", "rw_n", "rt_n", "geometry"], crs=UTM)
    rt["kelurahan_code"] = [f"{KOTA}.{k % 12 + 1:02d}.{1101 + k}" for k in rt["kel"]]
    rt["level"], rt["rw"], rt["rt"] = "rt", [f"RW {n:02d}" for n in rt["rw_n"]], [f"RT {n:02d}" for n in rt["rt_n"]]
    rw = rt.dissolve(by=["kelurahan_code", "rw"], as_index=False)[["kelurahan_code", "rw", "geometry"]]
    rw["level"] = "rw"
    kel = rt.dissolve(by="kelurahan_code", as_index=False)[["kelurahan_code", "geometry"]]
    kel["level"], kel["name"], kel["unit_type"] = "kelurahan", [f"Kelurahan {i + 1}" for i in range(len(kel))], "RW"
    kel["kecamatan"], kel["kota"], kel["provinsi"] = "Kecamatan Uji", "Kota Uji", "Jawa Barat"
    features = pd.concat([kel, rw, rt[["kelurahan_code", "rw", "rt", "level", "geometry"]]], ignore_index=True)
    return gpd.GeoDataFrame(features, geometry="geometry", crs=UTM).to_crs(4326)


def baseline(rt: gpd.GeoDataFrame) -> pd.DataFrame:
    """A slum baseline row per RT, drawn like bench_plan's synthetic city."""
    rows = synthetic_city(len(rt), 100)
    out = pd.DataFrame(
        {
            "kode_kelurahan": rt["kelurahan_code"].to_numpy(),
            "rt": [f"{a}/{b}" for a, b in zip(rt["rt"], rt["rw"], strict=True)],
            "tahun": 2024,
        }
    )
    fields = [
        "luas_verifikasi_ha",
        "jumlah_bangunan",
        "jumlah_penduduk",
        "jumlah_kk",
        "panjang_jalan_ideal_m",
        "panjang_drainase_ideal_m",
    ]
    for f in fields:
        out[f] = rows[f].to_numpy()
    for c in load_rule().criteria:
        out[c.id] = rows[f"v_{c.id}"].to_numpy()
    for f in ("nilai_strategis", "kependudukan", "kondisi_sosial", "legalitas_lahan", "sesuai_rtrw"):
        out[f] = rows[f].to_numpy()
    return out


def get(client, url: str) -> tuple[float, int, int, object]:
    t0 = time.perf_counter()
    r = client.get(url, headers={"Accept-Encoding": "gzip"})
    seconds = time.perf_counter() - t0
    assert r.status_code == 200, r.text[:300]
    wire = int(r.headers.get("content-length", len(r.content)))
    return seconds, wire, len(r.content), r


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", type=int, default=100, help="RTs per side (100: 10,000 RT)")
    parser.add_argument("--keep", type=Path, default=None, help="keep the store in this folder")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-plan-site-"))
    folder.mkdir(parents=True, exist_ok=True)
    store_path = folder / "kota.gpkg"
    t0 = time.perf_counter()
    features = grid_city(args.side)
    rt = features[features["level"] == "rt"].reset_index(drop=True)
    base = baseline(rt)
    features.to_file(folder / "batas.gpkg", driver="GPKG")
    base.to_csv(folder / "baseline.csv", index=False)
    store = open_store(store_path)
    import_file(store, "boundaries", folder / "batas.gpkg", hash_key=b"bench")
    import_file(store, "kumuh", folder / "baseline.csv", hash_key=b"bench")
    print(
        f"store: {len(rt):,} RT in {rt['kelurahan_code'].nunique()} kelurahan built and imported in "
        f"{time.perf_counter() - t0:.1f} s ({folder})"
    )

    from fastapi.testclient import TestClient

    from web.app import create_app

    client = TestClient(create_app(Settings(store=store_path, hash_key="bench")))
    table = synthetic_city(len(rt), 100)
    ranked = rank(table, PlanOptions())
    budget = round(0.10 * ranked.loc[ranked["eligible"], "cost_idr"].sum(), -6)
    api = f"/api/kota/{KOTA}/rank?budget={budget:.0f}"
    first, api_wire, api_raw, r = get(client, api)
    body = r.json()
    print(
        f"first plan (every kelurahan's public data and planning table built): {first:.1f} s; "
        f"{body['chosen']} RT chosen, {body['solver']['status']}, solve {body['solver']['seconds']:.3f} s"
    )
    again, *_ = get(client, f"/api/kota/{KOTA}/rank?budget={budget * 1.1:.0f}")
    print(f"a plan at another budget (tables kept): {again:.2f} s ({again / first:.3f}x the first)")
    code = rt["kelurahan_code"].iloc[0]
    one = base[base["kode_kelurahan"] == code].copy()
    one.loc[one.index[0], "2a"] = float(one["2a"].iloc[0]) + 1  # one RT's road volume corrected
    one.to_csv(folder / "koreksi.csv", index=False)
    import_file(store, "kumuh", folder / "koreksi.csv", hash_key=b"bench")
    after, *_ = get(client, api)
    print(
        f"the plan right after a write to one kelurahan (only it rebuilt): {after:.2f} s "
        f"({after / first:.3f}x the first)"
    )
    page_s, page_wire, page_raw, _ = get(client, f"/kota/{KOTA}/perencanaan")
    assets = 0
    from geo.assets import LEAFLET_VERSION

    for url in (
        f"/static/vendor/leaflet/{LEAFLET_VERSION}/leaflet.js",
        f"/static/vendor/leaflet/{LEAFLET_VERSION}/leaflet.css",
        "/static/pk/site.css",
        "/static/pk/kota-planner.js",
    ):
        assets += get(client, url)[1]
    print(
        f"page: {page_wire / 1024:.0f} KiB on the wire ({page_raw / 1024:.0f} KiB unpacked), "
        f"built in {page_s:.2f} s; "
        f"API answer: {api_wire / 1024:.0f} KiB ({api_raw / 1024:.0f} KiB unpacked, "
        f"{len(body['chosen_geojson']['features'])} chosen RT outlines, {len(body['ranking'])} table rows)"
    )
    total = page_wire + api_wire + assets
    print(
        f"first load of the planner page in all (page, API, Leaflet, CSS, script): {total / 1024:.0f} KiB "
        f"({total / 1e6:.2f} MB), base-map tiles excluded"
    )


if __name__ == "__main__":
    main()
