"""Indicators per RT: pure functions over frames, no I/O.

Households with a GPS point are placed by point-in-polygon, those with only an RT label by the
label; a point that falls in another RT than its label is reported and the point wins.  Lengths
and areas are measured in the UTM zone of the RTs.  Works with status ``batal`` are left out.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.layers.base import metric_crs
from geo.layers.households import DEPRIVED
from geo.layers.infrastructure import category_of
from geo.places import rt_label
from geo.privacy import DEFAULT_K, suppress

KEY = ["kelurahan_code", "unit_number", "rt_number"]
POOR_DECILE_MAX = 4  # DTSEN deciles 1-4: the PKH targeting line (DOMAIN.md section 4)
DEPRIVATION_COLUMNS = {
    "floor": "kk_earth_floor",
    "wall": "kk_poor_wall",
    "roof": "kk_poor_roof",
    "water_source": "kk_unsafe_water",
    "toilet": "kk_no_own_toilet",
    "lighting": "kk_no_pln_power",
    "cooking_fuel": "kk_wood_fuel",
}
HOUSEHOLD_COUNTS = ["kk_poor", *DEPRIVATION_COLUMNS.values()]
SHARES = {"poor_share": "kk_poor", **{c.replace("kk_", "share_"): c for c in DEPRIVATION_COLUMNS.values()}}


@dataclass
class IndicatorResult:
    table: pd.DataFrame
    disagreements: pd.DataFrame  # households whose point and label name different RTs


def rt_indicators(
    rt: gpd.GeoDataFrame,
    households: gpd.GeoDataFrame,
    works: gpd.GeoDataFrame,
    gardens: gpd.GeoDataFrame,
    facilities: gpd.GeoDataFrame,
) -> IndicatorResult:
    """One row per RT of ``rt`` with household, works, garden and facility indicators."""
    metric = metric_crs(rt)
    rt_m = rt.to_crs(metric)[[*KEY, "unit_type", "rt_label", "geometry"]].reset_index(drop=True)
    table = rt_m.drop(columns="geometry").copy()
    table["area_m2"] = rt_m.geometry.area.round(1)
    placed, disagreements = place_households(rt_m, households.to_crs(metric))
    table = table.merge(_household_counts(placed), on=KEY, how="left")
    table = table.merge(_works(rt_m, works.to_crs(metric)), on=KEY, how="left")
    table = table.merge(_gardens(rt_m, gardens.to_crs(metric)), on=KEY, how="left")
    table = table.merge(_facilities(rt_m, facilities.to_crs(metric)), on=KEY, how="left")
    count_cols = ["kk_total", *HOUSEHOLD_COUNTS, "wells"] + [c for c in table if c.startswith("fac_")]
    for col in count_cols:
        table[col] = table[col].fillna(0).astype("Int64")
    for col in ("road_m", "drainage_m", "garden_m2"):
        table[col] = table[col].fillna(0.0).round(2)
    table["works_budget_idr"] = table["works_budget_idr"].fillna(0).round().astype("Int64")
    kk = table["kk_total"].astype(float).replace(0, np.nan)
    for share, count in SHARES.items():
        table[share] = (table[count].astype(float) / kk).round(4)
    table["garden_share"] = (table["garden_m2"] / table["area_m2"]).round(5)
    ordered = [
        "kelurahan_code",
        "rt_label",
        "unit_type",
        "unit_number",
        "rt_number",
        "area_m2",
        "kk_total",
        "kk_poor",
        "poor_share",
        "road_m",
        "drainage_m",
        "wells",
        "works_budget_idr",
        "garden_m2",
        "garden_share",
    ]
    rest = [c for c in table.columns if c not in ordered]
    table = table[ordered + rest].sort_values(KEY).reset_index(drop=True)
    return IndicatorResult(table=table, disagreements=disagreements)


def place_households(rt_m: gpd.GeoDataFrame, hh_m: gpd.GeoDataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The RT of every household: by point where it has one inside an RT, else by label."""
    hh = hh_m.reset_index(drop=True)
    labelled = hh[KEY].copy()
    has_point = hh.geometry.notna() & ~hh.geometry.is_empty
    placed = labelled.copy()
    if has_point.any():
        pts = hh[has_point][["geometry"]]
        hits = gpd.sjoin(pts, rt_m[[*KEY, "rt_label", "geometry"]], how="left", predicate="within")
        hits = hits[~hits.index.duplicated(keep="first")].dropna(subset=["rt_number"])
        for col in KEY:
            placed.loc[hits.index, col] = hits[col].to_numpy()
    disagree = (
        placed[["unit_number", "rt_number"]].astype("Int64").to_numpy()
        != labelled[["unit_number", "rt_number"]].astype("Int64").to_numpy()
    ).any(axis=1)
    unit_type = hh["unit_type"].to_numpy()[disagree] if "unit_type" in hh else ["RW"] * int(disagree.sum())
    disagreements = pd.DataFrame(
        {
            "kk_key": hh.loc[disagree, "kk_key"].to_numpy() if "kk_key" in hh else [],
            "label_rt": [
                rt_label(int(r), int(u), t)
                for r, u, t in zip(
                    labelled.loc[disagree, "rt_number"], labelled.loc[disagree, "unit_number"], unit_type, strict=True
                )
            ],
            "point_rt": [
                rt_label(int(r), int(u), t)
                for r, u, t in zip(
                    placed.loc[disagree, "rt_number"], placed.loc[disagree, "unit_number"], unit_type, strict=True
                )
            ],
        }
    )
    out = hh.drop(columns="geometry").copy()
    for col in KEY:
        out[col] = placed[col].to_numpy()
    return out, disagreements


def _household_counts(hh: pd.DataFrame) -> pd.DataFrame:
    if hh.empty:
        return pd.DataFrame(columns=[*KEY, "kk_total", *HOUSEHOLD_COUNTS])
    flags = pd.DataFrame({c: hh[c] for c in KEY})
    flags["kk_total"] = 1
    flags["kk_poor"] = (hh["decile"].astype(float) <= POOR_DECILE_MAX).astype(int)
    for field, col in DEPRIVATION_COLUMNS.items():
        flags[col] = hh[field].isin(DEPRIVED[field]).astype(int)
    flags["unit_number"] = flags["unit_number"].astype("Int64")
    flags["rt_number"] = flags["rt_number"].astype("Int64")
    return flags.groupby(KEY, as_index=False).sum()


def _active(works: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return works[works["status"] != "batal"] if len(works) else works


def _works(rt_m: gpd.GeoDataFrame, works_m: gpd.GeoDataFrame) -> pd.DataFrame:
    cols = [*KEY, "road_m", "drainage_m", "wells", "works_budget_idr"]
    works_m = _active(works_m)
    if works_m.empty:
        return pd.DataFrame(columns=cols)
    works_m = works_m.assign(category=works_m["work_type"].map(category_of), total_len=works_m.geometry.length)
    lines = works_m[works_m.geom_type.isin(["LineString", "MultiLineString"])]
    points = works_m[works_m.geom_type.isin(["Point", "MultiPoint"])]
    parts = []
    if len(lines):
        pieces = gpd.overlay(
            lines[["work_id", "category", "budget_idr", "total_len", "geometry"]],
            rt_m[[*KEY, "geometry"]],
            how="intersection",
            keep_geom_type=True,
        )
        length = pieces.geometry.length
        budget = pieces["budget_idr"].astype(float).fillna(0) * (length / pieces["total_len"])
        parts.append(
            pd.DataFrame(
                {
                    **{c: pieces[c] for c in KEY},
                    "road_m": np.where(pieces["category"] == "road", length, 0.0),
                    "drainage_m": np.where(pieces["category"] == "drainage", length, 0.0),
                    "wells": 0,
                    "works_budget_idr": budget,
                }
            )
        )
    if len(points):
        hits = gpd.sjoin(
            points[["work_type", "category", "budget_idr", "geometry"]],
            rt_m[[*KEY, "geometry"]],
            how="inner",
            predicate="within",
        )
        hits = hits[~hits.index.duplicated(keep="first")]
        parts.append(
            pd.DataFrame(
                {
                    **{c: hits[c] for c in KEY},
                    "road_m": 0.0,
                    "drainage_m": 0.0,
                    "wells": (hits["category"] == "well").astype(int),
                    "works_budget_idr": hits["budget_idr"].astype(float).fillna(0),
                }
            )
        )
    return _sum_by_key(parts, cols)


def _gardens(rt_m: gpd.GeoDataFrame, gardens_m: gpd.GeoDataFrame) -> pd.DataFrame:
    if gardens_m.empty:
        return pd.DataFrame(columns=[*KEY, "garden_m2"])
    pieces = gpd.overlay(
        gardens_m[["garden_id", "geometry"]], rt_m[[*KEY, "geometry"]], how="intersection", keep_geom_type=True
    )
    frame = pd.DataFrame({**{c: pieces[c] for c in KEY}, "garden_m2": pieces.geometry.area})
    return _sum_by_key([frame], [*KEY, "garden_m2"])


def _facilities(rt_m: gpd.GeoDataFrame, fac_m: gpd.GeoDataFrame) -> pd.DataFrame:
    if fac_m.empty:
        return pd.DataFrame(columns=KEY)
    hits = gpd.sjoin(fac_m[["category", "geometry"]], rt_m[[*KEY, "geometry"]], how="inner", predicate="within")
    hits = hits[~hits.index.duplicated(keep="first")]
    counts = pd.crosstab([hits[c] for c in KEY], hits["category"])
    counts.columns = [f"fac_{c}" for c in counts.columns]
    return counts.reset_index()


def _sum_by_key(parts: list[pd.DataFrame], cols: list[str]) -> pd.DataFrame:
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=cols)
    frame = pd.concat(parts, ignore_index=True)
    frame["unit_number"] = frame["unit_number"].astype("Int64")
    frame["rt_number"] = frame["rt_number"].astype("Int64")
    return frame.groupby(KEY, as_index=False).sum(numeric_only=True)[cols]


def public_indicators(table: pd.DataFrame, *, k: int = DEFAULT_K) -> pd.DataFrame:
    """The indicator table with household counts below ``k`` suppressed (see :mod:`geo.privacy`)."""
    return suppress(table, total="kk_total", counts=HOUSEHOLD_COUNTS, shares=SHARES, group="kelurahan_code", k=k)


PUBLIC_CSV_COLUMNS = [
    "kelurahan_code",
    "rt_label",
    "kk_total",
    "kk_poor",
    "poor_share",
    "road_m",
    "drainage_m",
    "wells",
    "garden_m2",
]
