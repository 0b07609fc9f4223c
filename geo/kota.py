"""A kota (or kabupaten) at a glance, and the list of places that have data.

:func:`kota_summary` gathers what the kota page and the stand-alone city map show: one row per
kelurahan (RT count, households, works budget) with totals, a value per kelurahan for each map
indicator, and choropleth classes over every RT of the city.  Everything comes from the public,
suppressed frames of :class:`geo.public.PublicData`; a total is published only when no part of
it is hidden.  :class:`KotaViews` keeps one summary per kota until one of its kelurahan changes.

:func:`kota_index` and :func:`search` serve the home page: kota grouped by provinsi, and a
bounded list of name or code matches, so the page stays small with the 83,000 kelurahan of the
national set.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from geo.errors import NotFoundError
from geo.mapping import INDICATORS, Classes, classify
from geo.places import normalize_kota_code
from geo.public import KelurahanPublic, PublicData

__all__ = [
    "KotaSummary",
    "KotaViews",
    "kota_index",
    "kota_places",
    "kota_summary",
    "normalize_kota_code",
    "search",
]

CLASSIFY_SAMPLE = 1000  # Fisher-Jenks on at most this many evenly spaced order statistics
SEARCH_LIMIT = 50


def city_classes(key: str, values: pd.Series) -> Classes:
    """Fisher-Jenks classes over a whole city.  Above ``CLASSIFY_SAMPLE`` values the breaks are
    found on evenly spaced order statistics (the exact algorithm is quadratic in the values)."""
    vals = values.dropna().astype(float).sort_values().to_numpy()
    if len(vals) > CLASSIFY_SAMPLE:
        vals = vals[np.linspace(0, len(vals) - 1, CLASSIFY_SAMPLE).round().astype(int)]
    classes = classify(key, pd.Series(vals))
    if len(vals):  # the last class reaches the true maximum
        classes.bounds[-1] = max(classes.bounds[-1], float(values.dropna().astype(float).max()))
    return classes


def _published_share(table: pd.DataFrame, count: str) -> float | None:
    """A kelurahan share from the RTs whose numbers are published (never from hidden ones)."""
    ok = table[count].notna() & table["kk_total"].notna()
    kk = float(table.loc[ok, "kk_total"].sum())
    return float(table.loc[ok, count].sum()) / kk if kk else None


def _total(series: pd.Series) -> int | None:
    """A total that is published only when none of its parts is hidden."""
    if series.empty or series.isna().any():
        return None
    return int(series.sum())


_SHARE_COUNTS = {
    "poor_share": "kk_poor",
    "share_unsafe_water": "kk_unsafe_water",
    "share_no_own_toilet": "kk_no_own_toilet",
}


def _kelurahan_row(kel: KelurahanPublic) -> dict[str, Any]:
    info = kel.info
    table = kel.indicators
    works = kel.works
    has_rt = len(table) > 0
    row: dict[str, Any] = {
        "kelurahan_code": info["kelurahan_code"],
        "name": info.get("name") or info["kelurahan_code"],
        "kecamatan": info.get("kecamatan"),
        "rt_count": len(table),
        "kk": _total(table["kk_total"]) if has_rt else None,
        "kk_poor": _total(table["kk_poor"]) if has_rt else None,
        "works_count": len(works),
        "works_budget_idr": int(works["budget_idr"].fillna(0).sum()) if len(works) else 0,
    }
    values: dict[str, float | None] = {}
    for key in INDICATORS:
        if not has_rt:
            values[key] = None
        elif key in _SHARE_COUNTS:
            values[key] = _published_share(table, _SHARE_COUNTS[key])
        elif key == "garden_share":
            area = float(table["area_m2"].sum())
            values[key] = float(table["garden_m2"].sum()) / area if area else None
        else:
            values[key] = float(table[key].fillna(0).sum())
    row["values"] = values
    return row


@dataclass
class KotaSummary:
    """What the kota page and the stand-alone city map show (public data only)."""

    code: str
    name: str
    provinsi: str
    rows: list[dict[str, Any]]  # one per kelurahan, sorted by kecamatan and name
    totals: dict[str, int | None]
    bounds: tuple[float, float, float, float]  # minx, miny, maxx, maxy (lon/lat)
    rt_classes: dict[str, Classes]
    kelurahan_classes: dict[str, Classes]
    versions: tuple[str, ...] = ()
    memo: dict[Any, Any] = field(default_factory=dict)

    @property
    def rt_count(self) -> int:
        return int(self.totals["rt_count"] or 0)


def kota_codes(public: PublicData, code: str) -> tuple[list[str], pd.DataFrame]:
    """The kelurahan codes of kota ``code`` (``PP.KK``) and their index rows; 404 when none."""
    code = normalize_kota_code(code)
    index = public.index()
    rows = index[index["kelurahan_code"].str.startswith(code + ".")]
    if rows.empty:
        raise NotFoundError("kota.unknown", code=code)
    return sorted(rows["kelurahan_code"]), rows


def kota_summary(public: PublicData, code: str) -> KotaSummary:
    """Build the summary of kota ``code`` from its kelurahan's public frames."""
    code = normalize_kota_code(code)
    codes, index_rows = kota_codes(public, code)
    kels = public.many(codes)
    rows = [_kelurahan_row(k) for k in kels]
    rows.sort(key=lambda r: (str(r["kecamatan"] or ""), str(r["name"])))
    frame = pd.DataFrame(rows)
    totals = {
        "kelurahan": len(rows),
        "rt_count": int(frame["rt_count"].sum()),
        "kk": None if frame["kk"].isna().any() or not frame["rt_count"].all() else int(frame["kk"].sum()),
        "works_count": int(frame["works_count"].sum()),
        "works_budget_idr": int(frame["works_budget_idr"].sum()),
    }
    rt_all = (
        pd.concat([k.indicators for k in kels if len(k.indicators)], ignore_index=True)
        if any(len(k.indicators) for k in kels)
        else pd.DataFrame(columns=list(INDICATORS))
    )
    rt_classes = {key: city_classes(key, rt_all[key]) for key in INDICATORS if key in rt_all.columns}
    kel_values = pd.DataFrame([r["values"] for r in rows])
    kelurahan_classes = {key: city_classes(key, kel_values[key]) for key in INDICATORS}
    bounds = np.array([k.kelurahan.total_bounds for k in kels])
    first = index_rows.iloc[0]
    return KotaSummary(
        code=code,
        name=str(index_rows["kota"].mode().iloc[0]) if index_rows["kota"].notna().any() else code,
        provinsi=str(first["provinsi"] or ""),
        rows=rows,
        totals=totals,
        bounds=(bounds[:, 0].min(), bounds[:, 1].min(), bounds[:, 2].max(), bounds[:, 3].max()),
        rt_classes=rt_classes,
        kelurahan_classes=kelurahan_classes,
        versions=tuple(k.version for k in kels),
    )


@dataclass
class Overview:
    """What the home page needs across the store, at one store-wide version."""

    star: str
    index: pd.DataFrame  # every kelurahan (no geometry), sorted by kota and name
    kotas: pd.DataFrame  # one row per kota with data
    kota_names: list[str]
    codes: dict[str, list[str]]  # kota code -> its kelurahan codes, sorted
    places: dict[str, Any] = field(default_factory=dict)  # GeoJSON, built when first asked for


class KotaViews:
    """One :class:`KotaSummary` per kota, kept until one of its kelurahan changes, and the
    store-wide :class:`Overview`, kept until anything changes (thread-safe)."""

    def __init__(self, public: PublicData, *, max_kota: int = 32) -> None:
        self.public = public
        self.max_kota = max_kota
        self._cache: OrderedDict[str, KotaSummary] = OrderedDict()
        self._lock = threading.Lock()
        self._building: dict[str, threading.Lock] = {}
        self._overview: Overview | None = None

    def overview(self, *, places: bool = False) -> Overview:
        star = self.public.store.versions(["*"])["*"]
        seen = self._overview
        if seen is None or seen.star != star:
            index = self.public.index()
            seen = Overview(
                star=star,
                index=index.sort_values(["kota", "name"]).reset_index(drop=True),
                kotas=kota_index(self.public),
                kota_names=sorted({r or "-" for r in index["kota"]}),
                codes={k: sorted(g) for k, g in index.groupby(index["kelurahan_code"].str[:5])["kelurahan_code"]},
            )
            self._overview = seen
        if places and not seen.places:
            seen.places = kota_places(self.public)
        return seen

    def summary(self, code: str) -> KotaSummary:
        code = normalize_kota_code(code)
        codes = self.overview().codes.get(code)
        if not codes:
            raise NotFoundError("kota.unknown", code=code)
        with self._lock:
            building = self._building.setdefault(code, threading.Lock())
        with building:
            versions = self.public.store.versions(codes)
            current = tuple(versions[c] for c in codes)
            with self._lock:
                hit = self._cache.get(code)
            if hit is not None and hit.versions == current:
                return hit
            summary = kota_summary(self.public, code)
            with self._lock:
                self._cache[code] = summary
                self._cache.move_to_end(code)
                while len(self._cache) > self.max_kota:
                    self._cache.popitem(last=False)
            return summary


def kota_index(public: PublicData) -> pd.DataFrame:
    """One row per kota/kabupaten with data: code, name, provinsi, kelurahan, RT and works counts."""
    index = public.index()
    if index.empty:
        return pd.DataFrame(columns=["kota_code", "kota", "provinsi", "kelurahan", "rt_count", "works_count"])
    frame = index.assign(kota_code=index["kelurahan_code"].str[:5])
    grouped = frame.groupby("kota_code", sort=True).agg(
        kota=("kota", "first"),  # the first name given (a kota's kelurahan name it the same way)
        provinsi=("provinsi", "first"),
        kelurahan=("kelurahan_code", "size"),
        rt_count=("rt_count", "sum"),
        works_count=("works_count", "sum"),
    )
    grouped["kota"] = grouped["kota"].fillna(pd.Series(grouped.index, index=grouped.index))
    return grouped.reset_index()


def kota_places(public: PublicData) -> dict[str, Any]:
    """A light GeoJSON of the kota with data for the home map: one point each, inside the kelurahan
    of that kota that holds the most RT (where its data is), with the kota's counts.  Reads one
    polygon per kota, however many kelurahan the store holds."""
    index = public.index()
    if index.empty:
        return {"type": "FeatureCollection", "features": []}
    frame = index.assign(kota_code=index["kelurahan_code"].str[:5])
    pick = frame.sort_values(["rt_count", "kelurahan_code"], ascending=[False, True]).groupby("kota_code").head(1)
    geoms = public.store.read("kelurahan", kelurahan_code=list(pick["kelurahan_code"]), columns=["kelurahan_code"])
    points = dict(zip(geoms["kelurahan_code"], geoms.geometry.representative_point(), strict=True))
    kota = kota_index(public).set_index("kota_code")
    features = []
    for code, kel in zip(pick["kota_code"], pick["kelurahan_code"], strict=True):
        pt = points.get(kel)
        if pt is None:
            continue
        row = kota.loc[code]
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(pt.x, 5), round(pt.y, 5)]},
                "properties": {
                    "code": code,
                    "name": str(row["kota"]),
                    "provinsi": str(row["provinsi"] or ""),
                    "kelurahan": int(row["kelurahan"]),
                    "rt": int(row["rt_count"]),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def search(public: PublicData, query: str, *, limit: int = SEARCH_LIMIT) -> tuple[pd.DataFrame, int]:
    """Kelurahan whose name or code contains ``query`` (case-insensitive): at most ``limit`` rows
    (names that start with it first) and how many matched in all."""
    index = public.index()
    needle = query.strip().lower()
    if not needle or index.empty:
        return index.iloc[0:0], 0
    names = index["name"].fillna("").str.lower()
    hit = names.str.contains(needle, regex=False) | index["kelurahan_code"].str.contains(needle, regex=False)
    found = index[hit].assign(_starts=~names[hit].str.startswith(needle))
    found = found.sort_values(["_starts", "name", "kelurahan_code"]).drop(columns="_starts")
    return found.head(limit).reset_index(drop=True), int(hit.sum())
