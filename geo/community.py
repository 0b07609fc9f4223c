"""The community side of a kelurahan: its programme areas, groups, funds, RW products, proposals,
and which programmes act in each RT (the overlap view).

Analysis only: functions take frames and return frames.  :func:`load_community` is the one place
that reads the store.  Nothing here holds a person: groups have member counts, the ledger has
amounts and places.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.errors import NotFoundError
from geo.layers.programmes import area_rts
from geo.store import Store

KEY = ["unit_number", "rt_number"]
SIGNED = {"masuk": 1, "keluar": -1}
HIGH_POVERTY = 0.30  # an RT with at least this share of KK in decile 1-4 and no programme is highlighted
OVERLAP_PROGRAMMES = ("KOTAKU", "Kampung KB", "Kampung Tangguh", "Kampung Kranggan Mandiri", "KWT")


@dataclass
class Community:
    areas: pd.DataFrame
    groups: pd.DataFrame
    meetings: pd.DataFrame
    funds: pd.DataFrame
    products: pd.DataFrame
    proposals: pd.DataFrame

    @property
    def empty(self) -> bool:
        return all(len(f) == 0 for f in (self.areas, self.groups, self.funds, self.products, self.proposals))


def load_community(store: Store, code: str) -> Community:
    return Community(
        areas=store.read("programme_areas", kelurahan_code=code),
        groups=store.read("groups", kelurahan_code=code),
        meetings=store.read("group_meetings", kelurahan_code=code),
        funds=store.read("fund_entries", kelurahan_code=code),
        products=store.read("rw_products", kelurahan_code=code),
        proposals=store.read("proposals", kelurahan_code=code),
    )


def owner_of(funds: pd.DataFrame) -> pd.Series:
    """Whose book an entry is in: its group, or its programme area when it has no group."""
    return funds["group_id"].where(funds["group_id"].notna(), funds["area_id"])


def ledger_months(funds: pd.DataFrame) -> pd.DataFrame:
    """Per book (group or programme area) and month: money in, money out, and the balance at the
    month's end (every earlier month included): ``balance = sum(in) - sum(out)`` so far."""
    cols = ["owner", "month", "in_idr", "out_idr", "balance_idr"]
    if funds.empty:
        return pd.DataFrame(columns=cols)
    f = funds.assign(owner=owner_of(funds), amount=funds["amount_idr"].astype("int64"))
    f["in_idr"] = np.where(f["direction"] == "masuk", f["amount"], 0)
    f["out_idr"] = np.where(f["direction"] == "keluar", f["amount"], 0)
    months = f.groupby(["owner", "month"], as_index=False)[["in_idr", "out_idr"]].sum().sort_values(["owner", "month"])
    months["balance_idr"] = (months["in_idr"] - months["out_idr"]).groupby(months["owner"]).cumsum()
    return months[cols].reset_index(drop=True)


def ledger_summary(funds: pd.DataFrame, groups: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    """Per book: its name, first and last month, total in, total out and balance."""
    months = ledger_months(funds)
    if months.empty:
        return pd.DataFrame(columns=["owner", "name", "first", "last", "in_idr", "out_idr", "balance_idr", "months"])
    names = {
        **dict(zip(areas["area_id"], areas["name"], strict=True)),
        **dict(zip(groups["group_id"], groups["name"], strict=True)),
    }
    out = months.groupby("owner").agg(
        first=("month", "min"), last=("month", "max"), in_idr=("in_idr", "sum"), out_idr=("out_idr", "sum"),
        months=("month", "count"),
    ).reset_index()  # fmt: skip
    out["balance_idr"] = out["in_idr"] - out["out_idr"]
    out["name"] = out["owner"].map(names).fillna(out["owner"])
    return out


def assets_built(funds: pd.DataFrame) -> pd.DataFrame:
    """Outflows that bought or built something: (asset_type, asset_id, amount, date, owner)."""
    bought = funds[(funds["direction"] == "keluar") & funds["asset_id"].notna()]
    return bought.assign(owner=owner_of(bought))[["asset_type", "asset_id", "amount_idr", "entry_date", "owner"]]


def served_rts(
    rts: pd.DataFrame,
    com: Community,
    works: pd.DataFrame,
    gardens: pd.DataFrame,
    facilities: pd.DataFrame,
) -> pd.DataFrame:
    """One row per RT of ``rts`` with a 0/1 column per programme acting there (OVERLAP_PROGRAMMES)
    and ``programmes``: their names joined.

    KOTAKU (or the work's own programme): a work in the RT.  Kampung KB / Kampung Tangguh /
    Kampung Kranggan Mandiri: the RT is in a programme area, or a group of that programme serves
    it (a group serving a whole RW serves all its RTs; a kelurahan-wide board such as an LKM marks
    no RT).  KWT: a KWT garden plot in the RT, or a KWT group serving it.  RW products count for
    Kampung Kranggan Mandiri in their RW.
    """
    out = rts[["kelurahan_code", *KEY, "rt_label"]].copy().reset_index(drop=True)
    keys = list(zip(out["unit_number"].astype(int), out["rt_number"].astype(int), strict=True))
    flags = {p: np.zeros(len(out), dtype=int) for p in OVERLAP_PROGRAMMES}
    index = {k: i for i, k in enumerate(keys)}

    def mark(programme: str | None, unit: object, rt: object) -> None:
        if programme not in flags:
            return
        if unit is None or pd.isna(unit):
            flags[programme][:] = 1
        elif rt is None or pd.isna(rt):
            for (u, _), i in index.items():
                if u == int(unit):
                    flags[programme][i] = 1
        elif (int(unit), int(rt)) in index:
            flags[programme][index[(int(unit), int(rt))]] = 1

    for w in works.to_dict("records"):
        if w["status"] != "batal" and not pd.isna(w["rt_number"]):
            mark(work_programme(w), w["unit_number"], w["rt_number"])
    for area in com.areas.to_dict("records"):
        for r in area_rts(area, rts).itertuples():
            mark(area["programme"], r.unit_number, r.rt_number)
    for g in com.groups.itertuples():
        if not (isinstance(g.dissolved, str) and g.dissolved) and not pd.isna(g.unit_number):
            mark("KWT" if g.group_type == "kwt" else g.programme, g.unit_number, g.rt_number)
    for p in com.products.itertuples():
        mark("Kampung Kranggan Mandiri", p.unit_number, None)
    if len(gardens):
        _mark_points(gardens, rts, flags["KWT"], keys)
    out = out.assign(**{_flag(p): flags[p] for p in OVERLAP_PROGRAMMES})
    out["programmes"] = [", ".join(p for p in OVERLAP_PROGRAMMES if flags[p][i]) for i in range(len(out))]
    out["served"] = out[[_flag(p) for p in OVERLAP_PROGRAMMES]].sum(axis=1)
    return out


def work_programme(work: dict) -> str | None:
    """A work's programme: the one it was imported with, else KOTAKU for BPM money."""
    programme = work.get("programme")
    if isinstance(programme, str) and programme:
        return programme
    return "KOTAKU" if work.get("funding") == "BPM" else None


def _mark_points(features: pd.DataFrame, rts: pd.DataFrame, flag: np.ndarray, keys: list) -> None:
    """Flag the RTs whose polygon holds a feature's representative point."""
    import geopandas as gpd

    if "geometry" not in rts or "geometry" not in features:
        return
    pts = gpd.GeoDataFrame(geometry=features.geometry.representative_point(), crs=features.crs)
    polys = gpd.GeoDataFrame({"i": range(len(rts))}, geometry=list(rts.geometry), crs=rts.crs)
    hits = gpd.sjoin(pts, polys, predicate="within")
    flag[hits["i"].unique()] = 1


def _flag(programme: str) -> str:
    return "p_" + programme.lower().replace(" ", "_")


def overlap_table(served: pd.DataFrame, public_rt: pd.DataFrame, kumuh: pd.DataFrame | None) -> pd.DataFrame:
    """``served`` with the public (suppressed) poverty share, the slum score when a baseline exists,
    and ``gap``: high poverty and no programme at all."""
    ind = public_rt[[*KEY, "kk_total", "poor_share"]]
    table = served.merge(ind.astype({"unit_number": int, "rt_number": int}), on=KEY, how="left")
    if kumuh is not None and len(kumuh):
        table = table.merge(kumuh[[*KEY, "kumuh_total", "kumuh_level_label"]], on=KEY, how="left")
    else:
        table["kumuh_total"] = np.nan
        table["kumuh_level_label"] = None
    poor = table["poor_share"].astype(float)
    table["gap"] = (poor >= HIGH_POVERTY) & (table["served"] == 0)
    return table


def served_factor(served: pd.DataFrame) -> pd.DataFrame:
    """The planner's optional "already served" factor per RT: 1 where any programme acts."""
    return served[KEY].assign(already_served=(served["served"] > 0).astype(float))


def group_for(groups: pd.DataFrame, group_id: str) -> dict:
    hit = groups[groups["group_id"] == group_id]
    if hit.empty:
        raise NotFoundError("community.unknown_group", group=group_id)
    return hit.iloc[0].to_dict()


def community_map(
    rw: pd.DataFrame,
    public_rt: pd.DataFrame,
    com: Community,
    facilities: pd.DataFrame,
    works: pd.DataFrame,
) -> dict:
    """GeoJSON (EPSG:4326, 6 decimals) for the community map: each RW with its public poverty share
    (only when no RT of it is suppressed), its flagship product and latest proposal; and what the
    funds built (facilities and works an outflow names) with the amount."""
    import json

    import shapely

    kk = public_rt.groupby("unit_number")[["kk_total", "kk_poor"]].agg(lambda s: s.sum(min_count=len(s)))
    products = {int(p["unit_number"]): p for p in com.products.to_dict("records")}
    latest = com.proposals.sort_values("submitted_on").groupby("unit_number").tail(1)
    proposals = {int(p["unit_number"]): p for p in latest.to_dict("records")}
    rw_features = []
    for r in rw.to_dict("records"):
        unit = int(r["unit_number"])
        total, poor = (kk.loc[unit, "kk_total"], kk.loc[unit, "kk_poor"]) if unit in kk.index else (None, None)
        share = None if total is None or pd.isna(total) or pd.isna(poor) or not total else round(poor / total, 4)
        props = {"unit": unit, "label": r.get("unit_label"), "poor_share": share}
        if unit in products:
            props |= {"product": products[unit]["category"], "product_status": products[unit]["status"]}
        if unit in proposals:
            props |= {"proposal": proposals[unit]["title"], "proposal_status": proposals[unit]["status"]}
        geom = shapely.set_precision(r["geometry"], 1e-6)
        rw_features.append({"type": "Feature", "properties": props, "geometry": shapely.geometry.mapping(geom)})
    built = assets_built(com.funds).groupby("asset_id", as_index=False)["amount_idr"].sum()
    assets = []
    for table, key in ((facilities, "facility_id"), (works, "work_id")):
        hits = table[table[key].isin(built["asset_id"])] if len(table) else table
        for a in hits.to_dict("records"):
            amount = int(built.loc[built["asset_id"] == a[key], "amount_idr"].iloc[0])
            props = {"name": a.get("name") or a[key], "amount_idr": amount}
            geom = shapely.set_precision(a["geometry"], 1e-6)
            assets.append({"type": "Feature", "properties": props, "geometry": shapely.geometry.mapping(geom)})
    return json.loads(
        json.dumps(
            {
                "rw": {"type": "FeatureCollection", "features": rw_features},
                "assets": {"type": "FeatureCollection", "features": assets},
            },
            default=float,
        )
    )
