"""Everything that may be published, built per kelurahan on first use and cached by data version.

The site, the API, OGC API Features, tiles, downloads and reports all read from here, so the
privacy rules are applied in one place: households appear only as the suppressed per-RT
aggregates of the ``rt`` frames.

A kelurahan's public frames are built from the store the first time they are asked for and kept
until that kelurahan's data version changes (:meth:`geo.store.Store.versions`: a counter written
in the same transaction as every change, so several server processes agree).  Nothing is read at
start-up, and one LKM progress record rebuilds only its own kelurahan.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.errors import NotFoundError
from geo.i18n import Words
from geo.indicators import SHARES, city_rt_indicators, public_indicators
from geo.layers.infrastructure import current_progress
from geo.places import normalize_kelurahan_code
from geo.progress import PUBLIC_PROGRESS_COLUMNS, effective_history
from geo.queries import KelurahanData
from geo.store import Store
from geo.timespan import Interval, temporal_extent, within, work_spans

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
KELURAHAN_INFO = ["kelurahan_code", "name", "kecamatan", "kota", "provinsi", "unit_type"]
DEFAULT_MAX_KELURAHAN = 128  # kelurahan kept in memory per server process (least recently used go first)


@dataclass(frozen=True)
class Collection:
    id: str
    title: Mapping[str, str]  # {lang: text}: a geo.i18n.Words
    id_column: str
    table: str  # the store table its features come from
    derived: bool  # built per kelurahan (indicators, latest progress) rather than read as stored
    temporal: bool = False  # its features have a time (geo.timespan), so `datetime` selects among them


COLLECTIONS = {
    c.id: c
    for c in (
        Collection("kelurahan", Words("collection.kelurahan"), "kelurahan_code", "kelurahan", False),
        Collection("rw", Words("collection.rw"), "rw_id", "rw", False),
        Collection("rt", Words("collection.rt"), "rt_id", "rt", True),
        Collection("works", Words("collection.works"), "work_id", "works", True, True),
        Collection("gardens", Words("collection.gardens"), "garden_id", "gardens", False),
        Collection("facilities", Words("collection.facilities"), "facility_id", "facilities", False),
    )
}


def rw_id(code: str, unit: int) -> str:
    return f"{code}-{unit}"


def rt_id(code: str, unit: int, rt: int) -> str:
    return f"{code}-{unit}-{rt}"


@dataclass
class KelurahanPublic(KelurahanData):
    """The public frames of one kelurahan at one data version.  ``rt`` carries the suppressed
    indicators; ``memo`` keeps what was derived from them (maps, plans, PDFs) for this version."""

    version: str = "0"
    memo: dict[Any, Any] = field(default_factory=dict)

    @property
    def indicators(self) -> pd.DataFrame:
        """The public (suppressed) indicator table: one row per RT, no geometry."""
        return pd.DataFrame(self.rt.drop(columns=["geometry", "rt_id"]))


def build_kelurahan(
    store: Store, code: str, *, k: int, version: str = "0", households: Store | None = None
) -> KelurahanPublic:
    """Read one kelurahan from the store and derive everything publishable about it."""
    built = build_many(store, {code: version}, k=k, households=households)
    if code not in built:
        raise NotFoundError("kelurahan.unknown", code=code)
    return built[code]


def build_many(
    store: Store, versions: dict[str, str], *, k: int, households: Store | None = None
) -> dict[str, KelurahanPublic]:
    """:func:`build_kelurahan` for several kelurahan with one read per table and one indicator
    computation for all (:func:`geo.indicators.city_rt_indicators`): a kota's first map or plan
    reads the store a dozen times, not a dozen times per kelurahan.  Unknown codes are left out.

    ``households`` is the store the household rows are read from, when ``store`` is a PostGIS
    connection with the site's public role (which cannot read them): they become suppressed per-RT
    counts here and nowhere else."""
    codes = list(versions)
    kel = store.read("kelurahan", kelurahan_code=codes)
    codes = [c for c in codes if c in set(kel["kelurahan_code"])]
    if not codes:
        return {}
    rw = store.read("rw", kelurahan=codes)
    rw.insert(0, "rw_id", [rw_id(c, int(u)) for c, u in zip(rw["kelurahan_code"], rw["unit_number"], strict=True)])
    works = store.read("works", kelurahan=codes)
    progress = effective_history(
        store.read("work_progress", kelurahan=codes),
        store.read("progress_records", kelurahan=codes, columns=PUBLIC_PROGRESS_COLUMNS),
        works,
    )
    gardens = store.read("gardens", kelurahan=codes)
    facilities = store.read("facilities", kelurahan=codes)
    rt = store.read("rt", kelurahan=codes)
    rt_public = _public_rt(households or store, rt, works, gardens, facilities, k=k)
    current = current_progress(works, progress)
    # the "as of" date of progress_fisik: the latest record, imported or from the LKM
    current["progress_date"] = current["work_id"].map(progress.groupby("work_id")["record_date"].max())
    by_code = {
        name: _split(frame)
        for name, frame in (
            ("kelurahan", kel),
            ("rw", rw),
            ("rt", rt_public),
            ("works", current),
            ("gardens", gardens),
            ("facilities", facilities),
        )
    }
    work_code = dict(zip(works["work_id"], works["kelurahan_code"], strict=True))
    progress = progress.assign(kelurahan_code=progress["work_id"].map(work_code))
    progress_by = _split(progress)
    out = {}
    for code in codes:
        rt_of = _only_present_facilities(by_code["rt"].get(code, _empty_like(rt_public)))
        out[code] = KelurahanPublic(
            kelurahan=by_code["kelurahan"][code],
            rw=by_code["rw"].get(code, _empty_like(rw)),
            rt=rt_of,
            works=by_code["works"].get(code, _empty_like(current)),
            progress=progress_by.get(code, _empty_like(progress)).drop(columns="kelurahan_code"),
            gardens=by_code["gardens"].get(code, _empty_like(gardens)),
            facilities=by_code["facilities"].get(code, _empty_like(facilities)),
            version=versions[code],
        )
    return out


def _split(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """One frame per kelurahan code, each with a fresh index (what a page of one kelurahan reads)."""
    if frame.empty:
        return {}
    return {code: part.reset_index(drop=True) for code, part in frame.groupby("kelurahan_code", sort=False)}


def _empty_like(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.iloc[0:0].reset_index(drop=True)


def _only_present_facilities(rt: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A kelurahan's RT frame lists the facility categories found in its own RTs only."""
    absent = [c for c in rt.columns if c.startswith("fac_") and not (rt[c].fillna(0) != 0).any()]
    return rt.drop(columns=absent) if absent else rt


def _public_rt(
    store: Store,
    rt: gpd.GeoDataFrame,
    works: gpd.GeoDataFrame,
    gardens: gpd.GeoDataFrame,
    facilities: gpd.GeoDataFrame,
    *,
    k: int,
) -> gpd.GeoDataFrame:
    """RT polygons with their public (suppressed) indicators, for every kelurahan in ``rt``."""
    if rt.empty:
        empty = {c: pd.Series(dtype="object") for c in ["rt_id", *RT_PUBLIC]}
        return gpd.GeoDataFrame(empty, geometry=gpd.GeoSeries([], crs=4326), crs=4326)
    households = store.read("households", kelurahan=sorted(set(rt["kelurahan_code"])))
    table = public_indicators(city_rt_indicators(rt, households, works, gardens, facilities).table, k=k)
    merged = rt[["kelurahan_code", "unit_number", "rt_number", "geometry"]].merge(
        table, on=["kelurahan_code", "unit_number", "rt_number"]
    )
    fac_cols = sorted(c for c in merged.columns if c.startswith("fac_"))
    merged[fac_cols] = merged[fac_cols].fillna(0).astype("Int64")
    merged.insert(
        0,
        "rt_id",
        [
            rt_id(c, int(u), int(r))
            for c, u, r in zip(merged["kelurahan_code"], merged["unit_number"], merged["rt_number"], strict=True)
        ],
    )
    return gpd.GeoDataFrame(merged[["rt_id", *RT_PUBLIC, *fac_cols, "geometry"]], geometry="geometry", crs=4326)


class PublicData:
    """The public view of a store, for every request of a server process (thread-safe).

    Kelurahan are built on first use and cached by data version (an LRU of ``max_kelurahan``);
    lists across kelurahan come from SQL, not from frames held in memory.
    """

    def __init__(
        self, store: Store, *, k: int, max_kelurahan: int = DEFAULT_MAX_KELURAHAN, households: Store | None = None
    ) -> None:
        self.store = store
        self.households = households  # where household rows are read (a PostGIS role that may), else store
        self.k = k
        self.max_kelurahan = max_kelurahan
        self._lock = threading.Lock()
        self._building: dict[str, threading.Lock] = {}
        self._kelurahan: OrderedDict[str, KelurahanPublic] = OrderedDict()
        self._index: tuple[str, pd.DataFrame] | None = None

    # -- one kelurahan ---------------------------------------------------------------------------
    def version(self, code: str) -> str:
        return self.store.versions([code])[code]

    def kelurahan(self, code: str) -> KelurahanPublic:
        """The public frames of kelurahan ``code`` (404 for an unknown code)."""
        code = normalize_kelurahan_code(code)
        return self._get(code, self.version(code))

    def many(self, codes: Iterable[str]) -> list[KelurahanPublic]:
        """Several kelurahan with one version lookup; those not cached are built together
        (:func:`build_many`).  Unknown codes are skipped."""
        wanted = list(dict.fromkeys(normalize_kelurahan_code(c) for c in codes))
        versions = self.store.versions(wanted)
        with self._lock:
            stale = {
                c: versions[c] for c in wanted if (hit := self._kelurahan.get(c)) is None or hit.version != versions[c]
            }
        if len(stale) > 1:
            built = build_many(self.store, stale, k=self.k, households=self.households)
            with self._lock:
                for code, data in built.items():
                    self._kelurahan[code] = data
                    self._kelurahan.move_to_end(code)
            found = {c: built.get(c) for c in stale}
        else:
            found = {}
        out = []
        for code in wanted:
            data = found.get(code)
            if code in stale and len(stale) > 1:
                if data is not None:
                    out.append(data)
                continue
            try:
                out.append(self._get(code, versions[code]))
            except NotFoundError:
                continue
        with self._lock:
            self._trim()
        return out

    def _trim(self) -> None:
        while len(self._kelurahan) > self.max_kelurahan:
            self._kelurahan.popitem(last=False)

    def _get(self, code: str, version: str) -> KelurahanPublic:
        with self._lock:
            hit = self._kelurahan.get(code)
            if hit is not None and hit.version == version:
                self._kelurahan.move_to_end(code)
                return hit
            building = self._building.setdefault(code, threading.Lock())
        with building:  # one build per kelurahan at a time; others wait for it, not redo it
            with self._lock:
                hit = self._kelurahan.get(code)
                if hit is not None and hit.version == version:
                    return hit
            data = build_kelurahan(self.store, code, k=self.k, version=version, households=self.households)
            with self._lock:
                self._kelurahan[code] = data
                self._kelurahan.move_to_end(code)
                self._trim()
            return data

    def indicators(self, code: str) -> pd.DataFrame:
        return self.kelurahan(code).indicators

    def memo(self, code: str, key: Any, build: Callable[[KelurahanPublic], Any]) -> Any:
        """A result derived from kelurahan ``code`` (a map, a plan), kept until its data changes."""
        data = self.kelurahan(code)
        if key not in data.memo:
            data.memo[key] = build(data)
        return data.memo[key]

    # -- across kelurahan ------------------------------------------------------------------------
    def index(self) -> pd.DataFrame:
        """Every kelurahan (names, no geometry) with its RT and works counts, cached until any change."""
        version = self.store.versions(["*"])["*"]
        cached = self._index
        if cached is not None and cached[0] == version:
            return cached[1]
        kel = self.store.read("kelurahan", columns=KELURAHAN_INFO, geometry=False)
        kel["rt_count"] = kel["kelurahan_code"].map(self.store.count("rt", by="kelurahan_code")).fillna(0).astype(int)
        kel["works_count"] = (
            kel["kelurahan_code"].map(self.store.count("works", by="kelurahan_code")).fillna(0).astype(int)
        )
        kel = kel.sort_values(["provinsi", "kota", "name"], na_position="last").reset_index(drop=True)
        self._index = (version, kel)
        return kel

    def collection_page(
        self,
        cid: str,
        *,
        bbox: tuple[float, float, float, float] | None = None,
        equals: dict[str, str] | None = None,
        when: Interval | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> tuple[gpd.GeoDataFrame, int]:
        """One page of a public collection and how many features match in all.  ``when`` keeps
        the features whose time meets it (works only: see :mod:`geo.timespan`; features of
        collections without time always match)."""
        collection = self.collection(cid)
        equals = dict(equals or {})
        if not collection.temporal:
            when = None
        if not collection.derived:
            return self._stored_page(collection, bbox, equals, limit, offset)
        return self._derived_page(collection, bbox, equals, when, limit, offset)

    def collection(self, cid: str) -> Collection:
        if cid not in COLLECTIONS:
            raise NotFoundError("ogc.unknown_collection", collection=cid)
        return COLLECTIONS[cid]

    def queryables(self, cid: str) -> list[str]:
        """The properties a collection can be filtered on (``?status=selesai``)."""
        collection = self.collection(cid)
        if collection.table == "rt":
            return ["rt_id", *RT_PUBLIC]
        columns = [c.name for c in self.store.specs[collection.table].columns if c.type != "BLOB"]  # type: ignore[attr-defined]
        if collection.table == "works":
            columns.append("progress_date")
        return ([collection.id_column] if collection.id_column not in columns else []) + columns

    def temporal_extent(self, cid: str) -> list[str | None] | None:
        """The first and last moment of a collection's features (works only), read from the
        store's dates and years; None for a collection without time."""
        if not self.collection(cid).temporal:
            return None
        works = self.store.read("works", columns=["year", "planned_start", "planned_end"], geometry=False)
        starts, ends = work_spans(works)
        dates = pd.concat(
            [self.store.read(t, columns=["record_date"], geometry=False) for t in ("work_progress", "progress_records")]
        )
        recorded = pd.to_datetime(dates["record_date"].astype("string"), format="%Y-%m-%d", errors="coerce", utc=True)
        return temporal_extent(pd.concat([starts, recorded]), pd.concat([ends, recorded + pd.Timedelta(days=1)]))

    def _stored_page(self, collection, bbox, equals, limit, offset) -> tuple[gpd.GeoDataFrame, int]:
        table = collection.table
        where: dict[str, Any] = {}
        if "rw_id" in equals and collection.id_column == "rw_id":  # "<code>-<unit>"
            code, _, unit = equals.pop("rw_id").rpartition("-")
            where.update(kelurahan_code=code, unit_number=unit)
        where.update(equals)
        if bbox is None:
            matched = self.store.count(table, where=where)
            page = self.store.read(table, where=where, limit=limit, offset=offset)
        else:
            found = read_in_box(self.store, table, bbox, where=where)
            matched, page = len(found), found.iloc[offset : offset + limit].reset_index(drop=True)
        if table == "rw":
            page.insert(
                0,
                "rw_id",
                [rw_id(c, int(u)) for c, u in zip(page["kelurahan_code"], page["unit_number"], strict=True)],
            )
        return page, matched

    def _derived_page(self, collection, bbox, equals, when, limit, offset) -> tuple[gpd.GeoDataFrame, int]:
        table = collection.table
        code = equals.get("kelurahan_code")
        if collection.id_column == "rt_id" and "rt_id" in equals:
            code = equals["rt_id"].rsplit("-", 2)[0]
        if collection.id_column == "work_id" and "work_id" in equals:
            hit = self.store.read(table, work_id=equals["work_id"], columns=["kelurahan_code"], geometry=False)
            code = hit["kelurahan_code"].iloc[0] if len(hit) else "-"
        if code is not None:
            counts = self.store.count(table, by="kelurahan_code", kelurahan_code=code)
        elif bbox is not None:
            near = read_in_box(self.store, table, bbox, columns=["kelurahan_code"], geometry=False)
            counts = near.groupby("kelurahan_code", sort=False).size()
        else:
            counts = self.store.count(table, by="kelurahan_code")
        plain_paging = bbox is None and when is None and not (set(equals) - {"kelurahan_code"})
        if plain_paging:  # build only the kelurahan that hold this page
            before = counts.cumsum() - counts
            wanted = [
                c
                for c, start, n in zip(counts.index, before, counts, strict=True)
                if start + n > offset and start < offset + limit
            ]
            parts = [getattr(k, table) for k in self.many(wanted)]
            first = int(before[wanted[0]]) if wanted else 0
            frame = concat_frames(parts)
            return frame.iloc[offset - first : offset - first + limit].reset_index(drop=True), int(counts.sum())
        frame = concat_frames([getattr(k, table) for k in self.many(counts.index)])
        frame = filter_frame(frame, bbox, equals)
        if when is not None and len(frame):
            frame = frame[within(frame, when).to_numpy()]
        return frame.iloc[offset : offset + limit].reset_index(drop=True), len(frame)


def split_bbox(bbox: tuple[float, float, float, float]) -> list[tuple[float, float, float, float]]:
    """A box as boxes the R-tree understands: one crossing longitude 180 (``minx > maxx``, as OGC
    API Features allows) is its western and its eastern part."""
    minx, miny, maxx, maxy = bbox
    if minx <= maxx:
        return [bbox]
    return [(minx, miny, 180.0, maxy), (-180.0, miny, maxx, maxy)]


def read_in_box(store: Store, table: str, bbox: tuple[float, float, float, float], **options: Any) -> pd.DataFrame:
    """``store.read`` of the rows whose geometry meets ``bbox``, which may cross longitude 180:
    then the western part's rows come first, and a row meeting both parts comes once."""
    parts = [store.read(table, bbox=b, **options) for b in split_bbox(bbox)]
    if len(parts) == 1:
        return parts[0]
    both = pd.concat(parts, ignore_index=True)
    key = [k for k in store.specs[table].key if k in both.columns]  # type: ignore[attr-defined]
    return (both.drop_duplicates(key) if key else both).reset_index(drop=True)


def concat_frames(parts: list[gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    """Frames of several kelurahan as one (facility counts absent from a kelurahan are 0)."""
    parts = [p for p in parts if len(p)]
    if not parts:
        return gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=4326), crs=4326)
    frame = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry", crs=4326)
    fac = [c for c in frame.columns if c.startswith("fac_")]
    frame[fac] = frame[fac].fillna(0).astype("Int64")
    return frame


def plain_text(value: Any) -> str:
    """How a property value reads in a query string (``?status=selesai``, ``?year=2019``)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float | np.floating):
        if math.isnan(value):
            return ""
        return str(int(value)) if float(value).is_integer() else str(float(value))
    if isinstance(value, np.integer | np.bool_):
        return str(value.item())
    return str(value)


def filter_frame(frame: gpd.GeoDataFrame, bbox: tuple | None, equals: dict[str, str]) -> gpd.GeoDataFrame:
    """Rows inside ``bbox`` whose properties equal the given text values (numbers compared as
    numbers, so ``?year=2019`` and ``?budget_idr=1.5e9`` match as SQL would)."""
    if bbox is not None and len(frame):
        frame = frame[frame.geometry.intersects(shapely.union_all([shapely.box(*b) for b in split_bbox(bbox)]))]
    for col, value in equals.items():
        if col not in frame.columns:
            return frame.iloc[0:0]
        column = frame[col]
        if pd.api.types.is_numeric_dtype(column.dtype) and not pd.api.types.is_bool_dtype(column.dtype):
            try:
                number = float(value)
            except ValueError:
                return frame.iloc[0:0]
            frame = frame[pd.to_numeric(column, errors="coerce").astype("float64").to_numpy() == number]
        else:
            frame = frame[column.map(plain_text) == value]
    return frame
