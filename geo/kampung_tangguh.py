"""Kampung Tangguh service areas per RT: who lives within walking distance of which service.

For posyandu, pos ronda, PAUD/sekolah, puskesmas and balai warga (:data:`SERVICES`) each RT gets

* ``kk_located``: its households with a GPS point (only they can be measured; households
  without a point are not guessed at), ``kk_reach_<service>`` of them within ``distance_m``
  and ``share_<service>``; household figures, so suppressed with :func:`geo.privacy.suppress`
  like every other (a share only over a published denominator of at least k);
* ``area_<service>``: the share of the RT's *ground* within reach, from a grid of sample points
  (20 m apart, coarser in large kelurahan): no household data, never suppressed, known for RTs
  without located households too.  The **gap map** is the RTs whose area share is below one half;
* the five Kampung Tangguh pillars (DOMAIN.md section 6) an RT is reached by (:data:`PILLARS`):
  ekonomi (bank sampah, rumah bibit), kesehatan (posyandu, puskesmas, dapur stunting), pendidikan
  (PAUD, sekolah), keamanan (pos ronda) by the same area rule, and infrastruktur when a road,
  drainage or well work (not cancelled) lies in the RT.  Balai warga serves every pillar and
  counts for none.

Distances run along the road layer where roads exist in the kelurahan (:mod:`geo.service_area`),
in a straight line otherwise; the result says which (``mode``).  Facilities of neighbouring
kelurahan count: a posyandu across the border is as near.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.indicators import KEY, place_households
from geo.layers.base import metric_crs
from geo.privacy import DEFAULT_K, suppress
from geo.service_area import RoadNetwork, walking_distances

DEFAULT_DISTANCE_M = 500
MIN_DISTANCE_M, MAX_DISTANCE_M = 100, 2000
SERVICES: dict[str, tuple[str, ...]] = {
    "posyandu": ("posyandu",),
    "pos_ronda": ("pos_ronda",),
    "pendidikan": ("paud", "sekolah"),
    "puskesmas": ("puskesmas",),
    "balai_warga": ("balai_warga",),
}
PILLARS: dict[str, tuple[str, ...]] = {
    "ekonomi": ("bank_sampah", "rumah_bibit"),
    "kesehatan": ("posyandu", "puskesmas", "dapur_stunting"),
    "pendidikan": ("paud", "sekolah"),
    "infrastruktur": (),  # works in the RT, not a facility within reach
    "keamanan": ("pos_ronda",),
}
GAP_BELOW = 0.5  # an RT is outside reach when less than half of its ground is within the distance
GRID_M = 20.0
MAX_GRID_POINTS = 20_000


@dataclass
class ServiceAreas:
    mode: str  # "network" or "straight"
    distance_m: int
    table: pd.DataFrame  # one row per RT; household columns unsuppressed until public() is applied
    facilities: dict[str, int]  # facilities of each service within reach of the kelurahan


def service_areas(
    rt: gpd.GeoDataFrame,
    households: gpd.GeoDataFrame,
    facilities: gpd.GeoDataFrame,
    roads: gpd.GeoDataFrame | None,
    *,
    distance_m: float = DEFAULT_DISTANCE_M,
) -> ServiceAreas:
    """Service areas of one kelurahan.  ``rt`` is its RT frame (with ``road_m``, ``drainage_m``
    and ``wells`` when the infrastructure pillar is wanted), ``households`` its household rows,
    ``facilities`` and ``roads`` those around it (any kelurahan).  All in EPSG:4326."""
    metric = metric_crs(rt)
    rt_m = rt.to_crs(metric).reset_index(drop=True)
    fac_m = facilities.to_crs(metric) if len(facilities) else facilities
    network = _network(roads, rt_m, metric)
    table = pd.DataFrame(rt_m[[*KEY, "rt_label"]])
    hh_points, hh_rt = _located_households(rt_m, households, metric)
    grid, grid_rt = _grid(rt_m)
    table["kk_located"] = np.bincount(hh_rt, minlength=len(rt_m))
    if network is not None:  # join the points to the roads once, not once per service
        grid_at, homes_at = network.snapped(grid), network.snapped(hh_points)
    else:
        grid_at, homes_at = grid, hh_points
    reach_area: dict[str, np.ndarray] = {}
    kinds = {**{f"svc:{s}": c for s, c in SERVICES.items()}, **{f"pil:{p}": c for p, c in PILLARS.items() if c}}
    used: dict[str, int] = {}
    for name, categories in kinds.items():
        sources = _sources(fac_m, categories)
        area = _within(sources, grid_at, network, distance_m)
        reach_area[name] = _mean_by(area, grid_rt, len(rt_m))
        if name.startswith("svc:"):
            service = name[4:]
            used[service] = len(sources)
            near = _within(sources, homes_at, network, distance_m)
            table[f"kk_reach_{service}"] = np.bincount(hh_rt[near], minlength=len(rt_m))
            table[f"share_{service}"] = _share(table[f"kk_reach_{service}"], table["kk_located"])
            table[f"area_{service}"] = reach_area[name].round(4)
    for pillar, categories in PILLARS.items():
        if categories:
            table[f"pillar_{pillar}"] = reach_area[f"pil:{pillar}"] >= GAP_BELOW
        else:
            table[f"pillar_{pillar}"] = _has_works(rt_m)
    table["pillars"] = table[[f"pillar_{p}" for p in PILLARS]].sum(axis=1).astype(int)
    for col in [c for c in table if c.startswith("kk_")]:
        table[col] = table[col].astype("Int64")
    mode = "network" if network is not None else "straight"
    return ServiceAreas(mode=mode, distance_m=int(distance_m), table=table.reset_index(drop=True), facilities=used)


def public_table(result: ServiceAreas, *, k: int = DEFAULT_K) -> pd.DataFrame:
    """The per-RT table as the public may see it: household counts and shares suppressed."""
    counts = [f"kk_reach_{s}" for s in SERVICES]
    shares = {f"share_{s}": f"kk_reach_{s}" for s in SERVICES}
    return suppress(result.table, total="kk_located", counts=counts, shares=shares, group="kelurahan_code", k=k)


def gap_rts(table: pd.DataFrame, service: str) -> pd.DataFrame:
    """RTs less than half of whose ground is within reach of ``service``."""
    return table[table[f"area_{service}"] < GAP_BELOW]


def _network(roads: gpd.GeoDataFrame | None, rt_m: gpd.GeoDataFrame, metric) -> RoadNetwork | None:
    """The walking network, when roads run through the kelurahan (else straight-line mode)."""
    if roads is None or roads.empty:
        return None
    roads_m = roads.to_crs(metric)
    area = shapely.union_all(rt_m.geometry.to_numpy())
    if not roads_m.geometry.intersects(area).any():
        return None
    highway = roads_m["highway"].tolist() if "highway" in roads_m else None
    return RoadNetwork.from_lines(roads_m.geometry.to_numpy(), highway)


def _located_households(rt_m: gpd.GeoDataFrame, households: gpd.GeoDataFrame, metric) -> tuple[np.ndarray, np.ndarray]:
    """The points of households that have one, and the row of ``rt_m`` each is counted in (the
    RT :func:`geo.indicators.place_households` gives it); households in no RT of the frame are left out."""
    if households.empty:
        return np.zeros(0, dtype=object), np.zeros(0, dtype=int)
    hh = households[households.geometry.notna() & ~households.geometry.is_empty].to_crs(metric).reset_index(drop=True)
    if hh.empty:
        return np.zeros(0, dtype=object), np.zeros(0, dtype=int)
    placed, _ = place_households(rt_m, hh)
    index = pd.MultiIndex.from_arrays(
        [rt_m["kelurahan_code"].astype(str), rt_m["unit_number"].astype(int), rt_m["rt_number"].astype(int)]
    )
    keys = pd.MultiIndex.from_arrays(
        [
            placed["kelurahan_code"].astype(str),
            placed["unit_number"].astype("Int64").fillna(-1).astype(int),
            placed["rt_number"].astype("Int64").fillna(-1).astype(int),
        ]
    )
    row = index.get_indexer(keys)
    keep = row >= 0
    return hh.geometry.to_numpy()[keep], row[keep]


def _grid(rt_m: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Sample points on a square grid inside each RT (its representative point when none falls in it)."""
    geoms = rt_m.geometry.to_numpy()
    total = float(shapely.area(geoms).sum())
    step = max(GRID_M, float(np.sqrt(total / MAX_GRID_POINTS))) if total > 0 else GRID_M
    points, owner = [], []
    for i, geom in enumerate(geoms):
        if geom is None or geom.is_empty:
            continue
        x0, y0, x1, y1 = geom.bounds
        xs, ys = np.meshgrid(np.arange(x0 + step / 2, x1, step), np.arange(y0 + step / 2, y1, step))
        xs, ys = xs.ravel(), ys.ravel()
        inside = shapely.contains_xy(geom, xs, ys)
        if not inside.any():
            p = geom.representative_point()
            xs, ys, inside = np.array([p.x]), np.array([p.y]), np.array([True])
        points.append(shapely.points(xs[inside], ys[inside]))
        owner.append(np.full(int(inside.sum()), i))
    if not points:
        return np.zeros(0, dtype=object), np.zeros(0, dtype=int)
    return np.concatenate(points), np.concatenate(owner)


def _sources(fac_m: gpd.GeoDataFrame, categories: tuple[str, ...]) -> np.ndarray:
    if fac_m is None or not len(fac_m):
        return np.zeros(0, dtype=object)
    chosen = fac_m[fac_m["category"].isin(categories) & fac_m.geometry.notna()]
    return chosen.geometry.to_numpy()


def _within(sources: np.ndarray, targets, network: RoadNetwork | None, distance_m: float) -> np.ndarray:
    return np.isfinite(walking_distances(sources, targets, network=network, cutoff_m=distance_m))


def _mean_by(flags: np.ndarray, owner: np.ndarray, n: int) -> np.ndarray:
    hits = np.bincount(owner[flags], minlength=n).astype(float)
    total = np.bincount(owner, minlength=n).astype(float)
    return np.divide(hits, total, out=np.zeros(n), where=total > 0)


def _share(count: pd.Series, total: pd.Series) -> pd.Series:
    return (count.astype(float) / total.astype(float).replace(0, np.nan)).round(4)


def _has_works(rt_m: gpd.GeoDataFrame) -> pd.Series:
    cols = [c for c in ("road_m", "drainage_m", "wells") if c in rt_m]
    if not cols:
        return pd.Series(False, index=rt_m.index)
    return (rt_m[cols].astype(float).fillna(0) > 0).any(axis=1)


__all__ = [
    "DEFAULT_DISTANCE_M",
    "PILLARS",
    "SERVICES",
    "ServiceAreas",
    "gap_rts",
    "public_table",
    "service_areas",
]
