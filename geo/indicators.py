"""Indicators per RT: pure functions over frames, no I/O.

Households with a GPS point are placed by point-in-polygon (:mod:`geo.placement`: the point must
lie in an RT's interior, so a point exactly on the line between two RTs is in neither; where RTs
overlap, the first RT of the frame wins), those without a point or whose point is in no RT by
their label; a point that falls in another RT than its label is reported and the point wins.
Lengths and areas are measured in the UTM zone of the RTs.  Works with status ``batal`` are left
out.  :func:`city_rt_indicators` gives, for many kelurahan at once, the same table as calling
:func:`rt_indicators` kelurahan by kelurahan.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer
from pyproj.aoi import AreaOfInterest
from pyproj.database import query_utm_crs_info

from geo.layers.base import metric_crs
from geo.layers.households import DEPRIVED
from geo.layers.infrastructure import category_of
from geo.placement import points_in_polygons
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
TABLE_ORDER = [
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
    return _indicators(rt, households, works, gardens, facilities, metric=metric_crs(rt), same_kelurahan=False)


def city_rt_indicators(
    rt: gpd.GeoDataFrame,
    households: gpd.GeoDataFrame,
    works: gpd.GeoDataFrame,
    gardens: gpd.GeoDataFrame,
    facilities: gpd.GeoDataFrame,
) -> IndicatorResult:
    """:func:`rt_indicators` for every kelurahan of the frames at once (e.g. a whole kota).

    Each kelurahan's rows equal ``rt_indicators`` called with that kelurahan's RTs and with the
    households, works, gardens and facilities whose ``kelurahan_code`` is that kelurahan's: a
    household is placed only in RTs of its own kelurahan, a work, garden or facility counts only
    in RTs of its own kelurahan, and each kelurahan is measured in its own UTM zone.  ``fac_``
    columns cover every facility category of the city (0 where a kelurahan has none).  The
    disagreements carry a ``kelurahan_code`` column.
    """
    crs_of = _metric_crs_per_kelurahan(rt)
    tables, disagreements = [], []
    for crs in sorted(set(crs_of.values()), key=str):
        codes = [c for c, v in crs_of.items() if v == crs]
        part = _indicators(
            *(_of_kelurahan(f, codes) for f in (rt, households, works, gardens, facilities)),
            metric=crs,
            same_kelurahan=True,
        )
        tables.append(part.table)
        disagreements.append(part.disagreements)
    if not tables:
        return rt_indicators(rt, households, works, gardens, facilities)
    table = pd.concat(tables, ignore_index=True)
    for col in (c for c in table if c.startswith("fac_")):
        table[col] = table[col].fillna(0).astype("Int64")
    ordered = [c for c in table.columns if not c.startswith("fac_")] + sorted(c for c in table if c.startswith("fac_"))
    table = table[ordered].sort_values(KEY).reset_index(drop=True)
    return IndicatorResult(table=table, disagreements=pd.concat(disagreements, ignore_index=True))


def _of_kelurahan(frame: gpd.GeoDataFrame, codes: list[str]) -> gpd.GeoDataFrame:
    return frame[frame["kelurahan_code"].isin(codes)] if len(frame) else frame


def _metric_crs_per_kelurahan(rt: gpd.GeoDataFrame) -> dict[str, CRS]:
    """For each kelurahan, the CRS :func:`metric_crs` gives for its RTs, with one UTM database query
    for the whole city instead of one per kelurahan (ties on a zone border ask the database)."""
    live = rt[rt.geometry.notna() & ~rt.geometry.is_empty]
    if live.empty:
        return {}
    bounds = pd.DataFrame(shapely.bounds(live.geometry.to_numpy()), columns=["minx", "miny", "maxx", "maxy"])
    bounds["code"] = live["kelurahan_code"].to_numpy()
    box = bounds.groupby("code").agg(
        minx=("minx", "min"), miny=("miny", "min"), maxx=("maxx", "max"), maxy=("maxy", "max")
    )
    if not live.crs.is_geographic:
        to_wgs = Transformer.from_crs(live.crs, "EPSG:4326", always_xy=True)
        box[:] = [to_wgs.transform_bounds(*b) for b in box.to_numpy()]
    if (box["minx"] > box["maxx"]).any():  # across the antimeridian: leave it to geopandas
        return {code: metric_crs(live[live["kelurahan_code"] == code]) for code in box.index}
    lon, lat = (box["minx"] + box["maxx"]) / 2, (box["miny"] + box["maxy"]) / 2
    zones = query_utm_crs_info(
        datum_name="WGS 84",
        area_of_interest=AreaOfInterest(lon.min(), lat.min(), lon.max(), lat.max()),
    )
    out = {}
    for code, x, y in zip(box.index, lon, lat, strict=True):
        hits = [
            z
            for z in zones
            if z.area_of_use.west <= x <= z.area_of_use.east and z.area_of_use.south <= y <= z.area_of_use.north
        ]
        out[code] = CRS.from_epsg(hits[0].code) if len(hits) == 1 else metric_crs(live[live["kelurahan_code"] == code])
    return out


def _indicators(
    rt: gpd.GeoDataFrame,
    households: gpd.GeoDataFrame,
    works: gpd.GeoDataFrame,
    gardens: gpd.GeoDataFrame,
    facilities: gpd.GeoDataFrame,
    *,
    metric: CRS,
    same_kelurahan: bool,
) -> IndicatorResult:
    rt_m = rt.to_crs(metric)[[*KEY, "unit_type", "rt_label", "geometry"]].reset_index(drop=True)
    table = rt_m.drop(columns="geometry").copy()
    table["area_m2"] = rt_m.geometry.area.round(1)
    placed, disagreements = place_households(rt_m, households.to_crs(metric), same_kelurahan=same_kelurahan)
    table = table.merge(_household_counts(placed), on=KEY, how="left")
    table = table.merge(_works(rt_m, works.to_crs(metric), same_kelurahan), on=KEY, how="left")
    table = table.merge(_gardens(rt_m, gardens.to_crs(metric), same_kelurahan), on=KEY, how="left")
    table = table.merge(_facilities(rt_m, facilities.to_crs(metric), same_kelurahan), on=KEY, how="left")
    count_cols = ["kk_total", *HOUSEHOLD_COUNTS, "wells"] + [c for c in table if c.startswith("fac_")]
    for col in count_cols:
        table[col] = table[col].fillna(0).astype("Int64")
    for col in ("road_m", "drainage_m", "garden_m2"):
        table[col] = table[col].astype(float).fillna(0.0).round(2)  # float even where no work or plot exists
    table["works_budget_idr"] = table["works_budget_idr"].fillna(0).round().astype("Int64")
    kk = table["kk_total"].astype(float).replace(0, np.nan)
    for share, count in SHARES.items():
        table[share] = (table[count].astype(float) / kk).round(4)
    table["garden_share"] = (table["garden_m2"] / table["area_m2"]).round(5)
    rest = [c for c in table.columns if c not in TABLE_ORDER]
    table = table[TABLE_ORDER + rest].sort_values(KEY).reset_index(drop=True)
    return IndicatorResult(table=table, disagreements=disagreements)


def place_households(
    rt_m: gpd.GeoDataFrame, hh_m: gpd.GeoDataFrame, *, same_kelurahan: bool = False
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The RT of every household: by point where it lies inside an RT, else by label.

    The rule is :mod:`geo.placement`'s: inside means in the RT's interior (a point on the line
    between two RTs is in neither, so the household keeps its label) and the first RT of
    ``rt_m`` wins where RTs overlap.  With ``same_kelurahan`` a point only counts in RTs of the
    household's own kelurahan, and the disagreements carry a ``kelurahan_code`` column.
    """
    hh = hh_m.reset_index(drop=True)
    labelled = hh[KEY].copy()
    groups = _groups(hh, rt_m) if same_kelurahan else {}
    position = points_in_polygons(hh.geometry, rt_m.geometry, **groups)
    hit = np.flatnonzero(position >= 0)
    placed = labelled.copy()
    for col in KEY:
        placed.loc[hit, col] = rt_m[col].to_numpy()[position[hit]]
    disagree = (
        placed[["unit_number", "rt_number"]].astype("Int64").to_numpy()
        != labelled[["unit_number", "rt_number"]].astype("Int64").to_numpy()
    ).any(axis=1) | (placed["kelurahan_code"].to_numpy() != labelled["kelurahan_code"].to_numpy())
    unit_type = hh["unit_type"].to_numpy()[disagree] if "unit_type" in hh else ["RW"] * int(disagree.sum())
    disagreements = pd.DataFrame(
        {
            "kk_key": hh.loc[disagree, "kk_key"].to_numpy() if "kk_key" in hh else [],
            "label_rt": _labels(labelled[disagree], unit_type),
            "point_rt": _labels(placed[disagree], unit_type),
        }
    )
    if same_kelurahan:
        disagreements.insert(0, "kelurahan_code", labelled.loc[disagree, "kelurahan_code"].to_numpy())
    out = hh.drop(columns="geometry").copy()
    for col in KEY:
        out[col] = placed[col].to_numpy()
    return out, disagreements


def _labels(rows: pd.DataFrame, unit_type: object) -> list[str]:
    pairs = zip(rows["rt_number"], rows["unit_number"], unit_type, strict=True)
    return [rt_label(int(r), int(u), t) for r, u, t in pairs]


def _groups(frame: pd.DataFrame, rt_m: gpd.GeoDataFrame) -> dict[str, np.ndarray]:
    """Placement groups: a row may only fall in RTs of its own kelurahan."""
    return {
        "point_groups": frame["kelurahan_code"].to_numpy(),
        "polygon_groups": rt_m["kelurahan_code"].to_numpy(),
    }


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


def _works(rt_m: gpd.GeoDataFrame, works_m: gpd.GeoDataFrame, same_kelurahan: bool) -> pd.DataFrame:
    cols = [*KEY, "road_m", "drainage_m", "wells", "works_budget_idr"]
    works_m = _active(works_m)
    if works_m.empty:
        return pd.DataFrame(columns=cols)
    works_m = works_m.assign(category=works_m["work_type"].map(category_of), total_len=works_m.geometry.length)
    lines = works_m[works_m.geom_type.isin(["LineString", "MultiLineString"])]
    points = works_m[works_m.geom_type.isin(["Point", "MultiPoint"])]
    parts = []
    if len(lines):
        pieces = _pieces(lines[["category", "budget_idr", "total_len"]], lines, rt_m, same_kelurahan)
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
        hits = _point_hits(points[["category", "budget_idr"]], points, rt_m, same_kelurahan)
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


def _pieces(
    values: pd.DataFrame, frame: gpd.GeoDataFrame, rt_m: gpd.GeoDataFrame, same_kelurahan: bool
) -> gpd.GeoDataFrame:
    """``frame``'s geometries cut at RT borders, each piece with ``values`` and its RT's key."""
    left = gpd.GeoDataFrame(values.assign(own_kelurahan=frame.get("kelurahan_code")), geometry=frame.geometry)
    pieces = gpd.overlay(left, rt_m[[*KEY, "geometry"]], how="intersection", keep_geom_type=True)
    if same_kelurahan:
        pieces = pieces[pieces["own_kelurahan"] == pieces["kelurahan_code"]]
    return pieces


def _point_hits(
    values: pd.DataFrame, frame: gpd.GeoDataFrame, rt_m: gpd.GeoDataFrame, same_kelurahan: bool
) -> pd.DataFrame:
    """``values`` of the points of ``frame`` that lie inside an RT, with that RT's key."""
    groups = _groups(frame, rt_m) if same_kelurahan else {}
    position = points_in_polygons(frame.geometry, rt_m.geometry, **groups)
    inside = position >= 0
    hits = values[inside].reset_index(drop=True)
    for col in KEY:
        hits[col] = rt_m[col].to_numpy()[position[inside]]
    return hits


def _gardens(rt_m: gpd.GeoDataFrame, gardens_m: gpd.GeoDataFrame, same_kelurahan: bool) -> pd.DataFrame:
    if gardens_m.empty:
        return pd.DataFrame(columns=[*KEY, "garden_m2"])
    pieces = _pieces(gardens_m[["garden_id"]], gardens_m, rt_m, same_kelurahan)
    frame = pd.DataFrame({**{c: pieces[c] for c in KEY}, "garden_m2": pieces.geometry.area})
    return _sum_by_key([frame], [*KEY, "garden_m2"])


def _facilities(rt_m: gpd.GeoDataFrame, fac_m: gpd.GeoDataFrame, same_kelurahan: bool) -> pd.DataFrame:
    if fac_m.empty:
        return pd.DataFrame(columns=KEY)
    hits = _point_hits(fac_m[["category"]], fac_m, rt_m, same_kelurahan)
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
