#!/usr/bin/env python3
"""Benchmark: Kampung Tangguh service areas along the real Jakarta roads.

    python bench/bench_service_area.py [--kelurahan 10] [--households 2000] [--runs 3]

On the OpenStreetMap roads of Jakarta (../shared/data/real/inasafe-jakarta, 18,574 lines), for
the first ``--kelurahan`` kelurahan (by name) of the real RW map: each RW polygon is one unit,
with ``--households`` synthetic households spread over the kelurahan and five services of two
facilities each.  Per kelurahan it times :func:`geo.kampung_tangguh.service_areas`

* along the road network (roads read around the kelurahan, the networkx graph built, snapping,
  one Dijkstra per service for households and for the ground grid), against
* the straight-line baseline (STRtree nearest neighbour), in the same process on the same data,

and prints medians of ``--runs`` runs and the ratio, then the whole city's graph build and one
Dijkstra over it.  Timings are never asserted in tests; this file is for people.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import shapely

from geo.kampung_tangguh import SERVICES, service_areas
from geo.service_area import RoadNetwork

REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "real" / "inasafe-jakarta"


def units_of(rw: gpd.GeoDataFrame, name: str, kec: str) -> gpd.GeoDataFrame:
    part = rw[(rw["KEL_NAME"] == name) & (rw["KEC_NAME"] == kec)].reset_index(drop=True)
    number = part["RW"].str.extract(r"(\d+)")[0].fillna("0").astype(int) + np.arange(len(part)) * 100
    return gpd.GeoDataFrame(
        {"kelurahan_code": "31.00.00.0000", "unit_type": "RW", "unit_number": number, "rt_number": 1,
         "rt_label": part["RW"].to_numpy()},
        geometry=shapely.make_valid(part.geometry.to_numpy()),
        crs=4326,
    )  # fmt: skip


def synthetic(units: gpd.GeoDataFrame, n: int, rng: np.random.Generator) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    area = shapely.union_all(units.geometry.to_numpy())
    x0, y0, x1, y1 = area.bounds
    pts: list = []
    while len(pts) < n + 10:
        cand = shapely.points(rng.uniform(x0, x1, 4 * n), rng.uniform(y0, y1, 4 * n))
        pts += list(cand[shapely.contains(area, cand)])
    homes = gpd.GeoDataFrame({"kk_key": [f"k{i}" for i in range(n)]}, geometry=pts[:n], crs=4326)
    joined = gpd.sjoin(homes, units[["unit_number", "geometry"]], predicate="within", how="inner")
    homes = joined.drop(columns="index_right").assign(kelurahan_code="31.00.00.0000", unit_type="RW", rt_number=1)
    cats = [c for cats in SERVICES.values() for c in cats[:1]]
    fac = gpd.GeoDataFrame({"category": [c for c in cats for _ in range(2)]}, geometry=pts[n : n + 10], crs=4326)
    return homes, fac


def timed(fn, runs: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(runs):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kelurahan", type=int, default=10)
    parser.add_argument("--households", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    roads = pyogrio.read_dataframe(REAL / "jakarta_osm_roads_buildings.gpkg", layer="roads_jakarta")
    roads = roads.rename(columns={"TYPE": "highway"})
    rw = pyogrio.read_dataframe(REAL / "jakarta_admin_rw_kelurahan.gpkg", layer="rw_jakarta")
    rw = rw[rw.geometry.notna()]
    names = rw.groupby(["KEL_NAME", "KEC_NAME"]).size().sort_index().index[: args.kelurahan]
    rng = np.random.default_rng(2026)
    print(f"roads: {len(roads):,} lines; {args.households:,} households and 10 facilities per kelurahan")
    print(
        f"{'kelurahan':<28} {'units':>5} {'roads':>6} {'network s':>10} {'straight s':>11} {'x':>6}  reach net/straight"
    )
    ratios, totals = [], [0.0, 0.0]
    for name, kec in names:
        units = units_of(rw, name, kec)
        homes, fac = synthetic(units, args.households, rng)
        x0, y0, x1, y1 = units.total_bounds
        near = roads.cx[x0 - 0.01 : x1 + 0.01, y0 - 0.01 : y1 + 0.01]
        t_net, net = timed(lambda u=units, h=homes, f=fac, r=near: service_areas(u, h, f, r), args.runs)
        t_line, line = timed(lambda u=units, h=homes, f=fac: service_areas(u, h, f, None), args.runs)
        reach = net.table["kk_reach_posyandu"].sum() / max(1, line.table["kk_reach_posyandu"].sum())
        ratios.append(t_net / t_line)
        totals[0] += t_net
        totals[1] += t_line
        print(
            f"{name[:28]:<28} {len(units):>5} {len(near):>6} {t_net:>10.3f} {t_line:>11.3f} "
            f"{t_net / t_line:>5.1f}x  {reach:.2f} ({net.mode})"
        )
    print(
        f"all {len(names)} kelurahan: network {totals[0]:.2f} s, straight-line {totals[1]:.2f} s, "
        f"{totals[0] / totals[1]:.1f}x (median per kelurahan {statistics.median(ratios):.1f}x)"
    )
    metric = roads.estimate_utm_crs()
    lines = roads.to_crs(metric)
    t_build, network = timed(lambda: RoadNetwork.from_lines(lines.geometry.to_numpy(), lines["highway"].tolist()), 1)
    sources = np.asarray(lines.geometry.iloc[:: len(lines) // 20].centroid)
    t_dij, _ = timed(lambda: network._node_distances(*network.snap(sources), cutoff_m=1e9), 1)
    print(
        f"whole city: graph of {network.graph.number_of_nodes():,} nodes / {network.graph.number_of_edges():,} edges "
        f"built in {t_build:.2f} s; one Dijkstra over all of it from 20 sources {t_dij:.2f} s"
    )


if __name__ == "__main__":
    main()
