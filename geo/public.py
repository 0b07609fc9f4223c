"""Everything that may be published, as ready frames: the site, the API and OGC API Features
all read from here, so the privacy rules are applied in one place.

Households appear only as the suppressed per-RT aggregates of the ``rt`` collection.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from geo.errors import NotFoundError
from geo.indicators import SHARES, public_indicators, rt_indicators
from geo.layers.infrastructure import current_progress
from geo.places import normalize_kelurahan_code
from geo.progress import effective_history
from geo.queries import KelurahanData
from geo.store import Store

RT_PUBLIC = [
    "kelurahan_code",
    "unit_type",
    "unit_number",
    "rt_number",
    "rt_label",
    "area_m2",
    "kk_total",
    "kk_poor",
    *[c for c in SHARES.values() if c != "kk_poor"],
    *SHARES,
    "road_m",
    "drainage_m",
    "wells",
    "works_budget_idr",
    "garden_m2",
    "garden_share",
]


@dataclass(frozen=True)
class Collection:
    id: str
    title: dict[str, str]
    id_column: str


COLLECTIONS = {
    c.id: c
    for c in (
        Collection("kelurahan", {"id": "Kelurahan / desa", "en": "Kelurahan / villages"}, "kelurahan_code"),
        Collection("rw", {"id": "RW / Lingkungan / Dusun", "en": "RW / Lingkungan / Dusun"}, "fid"),
        Collection("rt", {"id": "RT dengan indikator publik", "en": "RT with public indicators"}, "fid"),
        Collection("works", {"id": "Pekerjaan infrastruktur", "en": "Infrastructure works"}, "work_id"),
        Collection("gardens", {"id": "Kebun KWT", "en": "KWT gardens"}, "garden_id"),
        Collection("facilities", {"id": "Fasilitas warga", "en": "Community facilities"}, "facility_id"),
    )
}


def rw_id(code: str, unit: int) -> str:
    return f"{code}-{unit}"


def rt_id(code: str, unit: int, rt: int) -> str:
    return f"{code}-{unit}-{rt}"


class PublicData:
    """The public frames of one store state (build with :func:`build_public`)."""

    def __init__(self, frames: dict[str, gpd.GeoDataFrame], progress: pd.DataFrame) -> None:
        self.frames = frames
        self.progress = progress
        self.memo: dict[object, object] = {}  # derived results (rendered maps, ...) of this store state

    def collection(self, cid: str) -> gpd.GeoDataFrame:
        if cid not in self.frames:
            raise NotFoundError("ogc.unknown_collection", collection=cid)
        return self.frames[cid]

    def kelurahan_codes(self) -> list[str]:
        return list(self.frames["kelurahan"]["kelurahan_code"])

    def kelurahan(self, code: str) -> KelurahanData:
        code = normalize_kelurahan_code(code)
        kel = self.frames["kelurahan"]
        kel = kel[kel["kelurahan_code"] == code]
        if kel.empty:
            raise NotFoundError("kelurahan.unknown", code=code)

        def of(cid: str) -> gpd.GeoDataFrame:
            frame = self.frames[cid]
            return frame[frame["kelurahan_code"] == code].reset_index(drop=True)

        works = of("works")
        return KelurahanData(
            kelurahan=kel.reset_index(drop=True),
            rw=of("rw"),
            rt=of("rt"),
            works=works,
            progress=self.progress[self.progress["work_id"].isin(works["work_id"])],
            gardens=of("gardens"),
            facilities=of("facilities"),
        )

    def indicators(self, code: str) -> pd.DataFrame:
        """The public (suppressed) indicator table of one kelurahan."""
        return pd.DataFrame(self.kelurahan(code).rt.drop(columns=["geometry", "fid"]))


def build_public(store: Store, *, k: int) -> PublicData:
    """Read the store once and derive every public frame."""
    kel = store.read("kelurahan")
    frames: dict[str, gpd.GeoDataFrame] = {"kelurahan": kel}
    rw = store.read("rw")
    rw.insert(0, "fid", [rw_id(c, int(u)) for c, u in zip(rw["kelurahan_code"], rw["unit_number"], strict=True)])
    frames["rw"] = rw
    works_all = store.read("works")
    progress = effective_history(store.read("work_progress"), store.read("progress_records"), works_all)
    gardens = store.read("gardens")
    facilities = store.read("facilities")
    households = store.read("households")
    parts = []
    for code in kel["kelurahan_code"]:
        rt = store.read("rt", kelurahan_code=code)
        if rt.empty:
            continue
        table = rt_indicators(
            rt,
            households[households["kelurahan_code"] == code],
            works_all[works_all["kelurahan_code"] == code],
            gardens[gardens["kelurahan_code"] == code],
            facilities[facilities["kelurahan_code"] == code],
        ).table
        table = public_indicators(table, k=k)
        merged = rt[["kelurahan_code", "unit_number", "rt_number", "geometry"]].merge(
            table[[c for c in table.columns if c not in ("kelurahan_code",)]], on=["unit_number", "rt_number"]
        )
        parts.append(merged)
    rt_all = (
        gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry", crs=4326)
        if parts
        else store.read("rt").assign(**{c: pd.Series(dtype=float) for c in RT_PUBLIC[5:]})
    )
    fac_cols = sorted(c for c in rt_all.columns if c.startswith("fac_"))
    rt_all[fac_cols] = rt_all[fac_cols].fillna(0).astype("Int64")
    rt_all.insert(
        0,
        "fid",
        [
            rt_id(c, int(u), int(r))
            for c, u, r in zip(rt_all["kelurahan_code"], rt_all["unit_number"], rt_all["rt_number"], strict=True)
        ],
    )
    frames["rt"] = rt_all[["fid", *RT_PUBLIC, *fac_cols, "geometry"]]
    frames["works"] = current_progress(works_all, progress)
    frames["gardens"] = gardens
    frames["facilities"] = facilities
    return PublicData(frames, progress)


class PublicCache:
    """:func:`build_public` once per store state: rebuilt when the store file changes."""

    def __init__(self, store: Store, *, k: int) -> None:
        self.store = store
        self.k = k
        self._lock = threading.Lock()
        self._stamp: tuple | None = None
        self._data: PublicData | None = None

    def _current_stamp(self) -> tuple:
        path = getattr(self.store, "path", None)
        if path is None or not path.exists():
            return ("absent",)
        st = path.stat()
        return (st.st_mtime_ns, st.st_size)

    def get(self) -> PublicData:
        with self._lock:
            stamp = self._current_stamp()
            if self._data is None or stamp != self._stamp:
                self._data = build_public(self.store, k=self.k)
                self._stamp = stamp
            return self._data
