"""One budget across every kelurahan of a kota (issue 10): the planning tables of its kelurahan
side by side, one exact choice (:func:`geo.selection.plan`), the reasons, the weight
sensitivity and totals per kelurahan.

The planning table of each kelurahan is built as for one kelurahan
(:func:`geo.planning.planning_table`) and kept by that kelurahan's data version
(:class:`CityParts`), so a write in one kelurahan rebuilds only its part of the city.
Pure over frames apart from :func:`load_city_table` (the CLI's reader) and :class:`CityParts`.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.errors import NotFoundError, RequestError
from geo.formats import rupiah
from geo.i18n import t
from geo.places import normalize_kota_code
from geo.selection import DEFAULT_TIME_LIMIT_S, Plan, PlanOptions, plan
from geo.store import Store

__all__ = [
    "CityParts",
    "CityPlan",
    "city_table",
    "kota_members",
    "load_city_table",
    "normalize_kota_code",
    "plan_city",
]

KELURAHAN_INFO = ["kelurahan_code", "name", "kecamatan", "kota", "provinsi"]


def kota_members(index: pd.DataFrame, kota: str) -> pd.DataFrame:
    """The kelurahan of ``kota`` in ``index`` (one row per kelurahan, by code), or 404."""
    kota = normalize_kota_code(kota)
    rows = index[index["kelurahan_code"].str.startswith(kota + ".")]
    if rows.empty:
        raise NotFoundError("kota.unknown", code=kota)
    return rows.sort_values("kelurahan_code").reset_index(drop=True)


def city_table(parts: Iterable[pd.DataFrame], names: dict[str, str]) -> pd.DataFrame:
    """The planning tables of several kelurahan as one, each RT named with its kelurahan."""
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame()
    table = pd.concat(parts, ignore_index=True)
    table["kelurahan_name"] = table["kelurahan_code"].map(names).fillna(table["kelurahan_code"])
    table["rt_id"] = [
        f"{c}-{int(u)}-{int(r)}"
        for c, u, r in zip(table["kelurahan_code"], table["unit_number"], table["rt_number"], strict=True)
    ]
    table["site_label"] = table["rt_label"].astype(str) + ", " + table["kelurahan_name"].astype(str)
    return table


@dataclass
class CityPlan:
    """One plan for a kota: the plan itself, totals per kelurahan, and what was left out."""

    kota: str
    plan: Plan
    kelurahan: pd.DataFrame  # kelurahan_code, kelurahan_name, rts, eligible, chosen, cost_idr
    missing: list[dict[str, str]] = field(default_factory=list)  # kelurahan without a slum baseline
    message: str | None = None  # e.g. the budget is below the cheapest eligible RT

    @property
    def chosen(self) -> pd.DataFrame:
        return self.plan.ranking[self.plan.ranking["chosen"]]


def plan_city(
    table: pd.DataFrame,
    budget: float,
    options: PlanOptions | None = None,
    *,
    kota: str,
    lang: str = "id",
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
    with_sensitivity: bool = True,
    missing: list[dict[str, str]] | None = None,
) -> CityPlan:
    """Rank every RT of the city, choose under one ``budget``, explain, test the weights."""
    if table.empty:
        raise NotFoundError("kota.no_baseline", kota=kota)
    result = plan(
        table,
        budget,
        options,
        lang=lang,
        label="site_label",
        time_limit_s=time_limit_s,
        with_sensitivity=with_sensitivity,
    )
    ranking = result.ranking
    eligible = ranking[ranking["eligible"]]
    if eligible.empty:
        raise RequestError("kota.no_eligible", kota=kota, n=len(ranking))
    message = None
    if not ranking["chosen"].any():
        message = t(
            "kota.nothing_fits", lang, cheapest=rupiah(eligible["cost_idr"].min(), lang), budget=rupiah(budget, lang)
        )
    per = (
        ranking.assign(chosen_cost=ranking["cost_idr"].where(ranking["chosen"], 0.0))
        .groupby(["kelurahan_code", "kelurahan_name"], sort=True)
        .agg(
            rts=("rt_label", "size"),
            eligible=("eligible", "sum"),
            chosen=("chosen", "sum"),
            cost_idr=("chosen_cost", "sum"),
        )
    )
    return CityPlan(kota, result, per.reset_index(), list(missing or []), message)


def load_city_table(
    store: Store,
    kota: str,
    *,
    build: Callable[[str], pd.DataFrame],
) -> tuple[pd.DataFrame, list[dict[str, str]]]:
    """The planning table of every kelurahan of ``kota`` in the store (``build(code)`` makes one),
    and the kelurahan left out because they have no slum baseline yet."""
    kota = normalize_kota_code(kota)
    index = store.read("kelurahan", columns=KELURAHAN_INFO, geometry=False)
    members = kota_members(index, kota)
    names = dict(zip(members["kelurahan_code"], members["name"], strict=True))
    parts, missing = [], []
    for code in members["kelurahan_code"]:
        try:
            parts.append(build(code))
        except NotFoundError as exc:
            if exc.code != "plan.no_baseline":
                raise
            missing.append({"kelurahan_code": code, "name": names[code]})
    return city_table(parts, names), missing


@dataclass(frozen=True)
class _Part:
    version: str
    table: pd.DataFrame | None  # None: no slum baseline
    shapes: gpd.GeoSeries  # simplified RT outlines by rt_id, for drawing the chosen ones


class CityParts:
    """Per-kelurahan planning tables and RT outlines for city plans, kept by data version.

    ``build(kel, lang)`` makes the planning table of a :class:`geo.public.KelurahanPublic`;
    parts are built through :meth:`geo.public.PublicData.memo` (so they share its per-version
    cache) and kept here too, in an LRU of ``max_parts`` kelurahan, because a big city has more
    kelurahan than the public-data cache holds.  Thread-safe; a write in one kelurahan changes
    its version and so rebuilds only that part.
    """

    def __init__(self, public: Any, build: Callable[[Any, str], pd.DataFrame], *, max_parts: int = 2000) -> None:
        self.public = public
        self.build = build
        self.max_parts = max_parts
        self._parts: OrderedDict[tuple[str, str], _Part] = OrderedDict()
        self._lock = threading.Lock()

    def table(self, codes: list[str], names: dict[str, str], lang: str) -> tuple[pd.DataFrame, gpd.GeoSeries, list]:
        """(city planning table, RT outlines by rt_id, kelurahan without a baseline)."""
        versions = self.public.store.versions(codes)
        with self._lock:
            stale = [c for c in codes if (hit := self._parts.get((c, lang))) is None or hit.version != versions[c]]
        if len(stale) > 1:  # build their public data in one pass (one read per table, one indicator run)
            self.public.many(stale)
        parts = [self._part(code, versions[code], lang) for code in codes]
        missing = [
            {"kelurahan_code": c, "name": names.get(c, c)} for c, p in zip(codes, parts, strict=True) if p.table is None
        ]
        table = city_table([p.table for p in parts if p.table is not None], names)
        shapes = [p.shapes for p in parts if len(p.shapes)]
        outlines = gpd.GeoSeries(pd.concat(shapes) if shapes else [], crs=4326)
        return table, outlines, missing

    def _part(self, code: str, version: str, lang: str) -> _Part:
        key = (code, lang)
        with self._lock:
            hit = self._parts.get(key)
            if hit is not None and hit.version == version:
                self._parts.move_to_end(key)
                return hit
        part = self.public.memo(code, ("city-part", lang), lambda kel: self._build(kel, lang))
        with self._lock:
            self._parts[key] = part
            self._parts.move_to_end(key)
            while len(self._parts) > self.max_parts:
                self._parts.popitem(last=False)
        return part

    def _build(self, kel: Any, lang: str) -> _Part:
        code = kel.info["kelurahan_code"]
        try:
            table = self.build(kel, lang)
        except NotFoundError as exc:
            if exc.code != "plan.no_baseline":
                raise
            table = None
        return _Part(kel.version, table, rt_outlines(kel.rt, code))


def rt_outlines(rt: gpd.GeoDataFrame, code: str, *, tolerance_deg: float = 5e-6) -> gpd.GeoSeries:
    """RT polygons simplified to about half a metre and rounded to 6 decimals (0.1 m), by rt_id."""
    if rt.empty:
        return gpd.GeoSeries([], crs=4326)
    geoms = shapely.set_precision(shapely.simplify(rt.geometry.to_numpy(), tolerance_deg), 1e-6)
    ids = [f"{code}-{int(u)}-{int(r)}" for u, r in zip(rt["unit_number"], rt["rt_number"], strict=True)]
    return gpd.GeoSeries(np.asarray(geoms), index=pd.Index(ids, name="rt_id"), crs=4326)
