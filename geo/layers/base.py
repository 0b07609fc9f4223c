"""The contract every data layer follows, and what an import hands a layer.

A layer module defines one :class:`Layer` subclass: its tables, how a source file becomes rows
for those tables (``prepare``), what of it may be published (``public``) and how it is drawn
(``style``).  Layers never open files or databases themselves.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from geo.checks import LAT, LON, X, Y, check_duplicates, check_geometries, points_from_columns
from geo.errors import PlaceError
from geo.fields import FieldSpec, coerce, find_column
from geo.places import RtLabel, normalize_kelurahan_code, parse_rt_label, parse_unit_label, rt_label
from geo.schema import Column, TableSpec
from geo.sources import Source, SourceTable
from geo.validation import ValidationReport

KELURAHAN_FIELD = FieldSpec(
    "kelurahan_code", "text", required=True, aliases=("kode_kelurahan", "kode_kel", "kode_desa", "kode_wilayah", "kode")
)
RT_FIELD = FieldSpec("rt", "text", aliases=("rt_label", "label_rt", "rt_rw", "rtrw", "nama_rt", "lokasi_rt"))
RW_FIELD = FieldSpec("rw", "text", aliases=("lingkungan", "lk", "dusun", "unit", "rw_label", "unit_label"))

PLACE_COLUMNS = (
    Column("kelurahan_code", "TEXT"),
    Column("unit_type", "TEXT"),
    Column("unit_number", "INTEGER"),
    Column("rt_number", "INTEGER"),
)


@dataclass(frozen=True)
class LayerStyle:
    """How a layer is drawn on maps: a colour per category value, and a default."""

    color: str
    by: str | None = None
    colors: dict[str, str] = field(default_factory=dict)
    labels: dict[str, dict[str, str]] = field(default_factory=dict)  # value -> {lang: text}


class _ByKelurahan(dict):
    """A dict keyed by kelurahan code (or a tuple starting with one) that asks ``ensure(code)`` to
    load that kelurahan's places the first time the code is looked up."""

    def __init__(self, ensure: Callable[[str], None]) -> None:
        super().__init__()
        self._ensure = ensure

    @staticmethod
    def _code(key: Any) -> Any:
        return key[0] if isinstance(key, tuple) and key else key

    def __contains__(self, key: object) -> bool:
        self._ensure(self._code(key))
        return super().__contains__(key)

    def __getitem__(self, key: Any) -> Any:
        self._ensure(self._code(key))
        return super().__getitem__(key)

    def get(self, key: Any, default: Any = None) -> Any:
        self._ensure(self._code(key))
        return super().get(key, default)


@dataclass
class PlaceIndex:
    """Kelurahan, units and RTs known to an import: those in the store plus those in the file.

    Built from frames (:meth:`from_frames`), or :meth:`lazy`: each kelurahan's places are read
    from the store the first time an import asks about its code, so importing one kelurahan's
    households into a national store reads one kelurahan, not 83,000.
    """

    kelurahan: dict[str, dict[str, Any]] = field(default_factory=dict)
    units: dict[tuple[str, int], dict[str, Any]] = field(default_factory=dict)
    rts: dict[tuple[str, int, int], dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def from_frames(cls, kel: pd.DataFrame, rw: pd.DataFrame, rt: pd.DataFrame) -> PlaceIndex:
        index = cls()
        index.add_frames(kel, rw, rt)
        return index

    def add_frames(self, kel: pd.DataFrame, rw: pd.DataFrame, rt: pd.DataFrame) -> None:
        for rec in kel.to_dict("records"):
            dict.__setitem__(self.kelurahan, rec["kelurahan_code"], rec)
        for rec in rw.to_dict("records"):
            dict.__setitem__(self.units, (rec["kelurahan_code"], int(rec["unit_number"])), rec)
        for rec in rt.to_dict("records"):
            dict.__setitem__(self.rts, (rec["kelurahan_code"], int(rec["unit_number"]), int(rec["rt_number"])), rec)

    @classmethod
    def lazy(cls, store: Any) -> PlaceIndex:
        """Places read from ``store`` kelurahan by kelurahan, as codes are looked up."""
        loaded: set[Any] = set()
        index = cls()

        def ensure(code: Any) -> None:
            if not isinstance(code, str) or code in loaded:
                return
            loaded.add(code)
            index.add_frames(
                store.read("kelurahan", kelurahan_code=code),
                store.read("rw", kelurahan=code),
                store.read("rt", kelurahan=code),
            )

        index.kelurahan, index.units, index.rts = _ByKelurahan(ensure), _ByKelurahan(ensure), _ByKelurahan(ensure)
        return index

    def unit_type(self, code: str) -> str:
        return (self.kelurahan.get(code) or {}).get("unit_type") or "RW"

    def rt_frame(self, code: str) -> gpd.GeoDataFrame:
        self.kelurahan.get(code)  # a lazy index loads the kelurahan's RTs now
        recs = [r for k, r in self.rts.items() if k[0] == code and r.get("geometry") is not None]
        return (
            gpd.GeoDataFrame(recs, geometry="geometry", crs=4326)
            if recs
            else gpd.GeoDataFrame({"geometry": []}, geometry="geometry", crs=4326)
        )


@dataclass
class ImportContext:
    """What a layer's ``prepare`` may use: the report, the known places, the hashing key."""

    report: ValidationReport
    places: PlaceIndex
    hash_key: bytes
    crs: CRS | None = None
    lang: str = "id"
    existing: dict[str, pd.DataFrame] = field(default_factory=dict)  # this layer's stored tables
    progress: Callable[[str, int, int], None] | None = None  # (stage, done, total) for long files
    tolerance_m: float = 3.0  # overlaps and slivers narrower than this are warnings, not errors
    within: str | None = None  # only places whose Kemendagri code starts with this (e.g. "33.75")
    year: int | None = None  # the year of rows whose file has no year column (a baseline named "..._2019")
    # what the file had: source columns used per table, and which fields were found / looked for
    used_columns: dict[str, set[str]] = field(default_factory=dict)
    fields_found: set[str] = field(default_factory=set)
    fields_asked: set[str] = field(default_factory=set)
    filled: set[str] = field(default_factory=set)  # fields the layer completes itself (from the store, ...)

    def use(self, table: SourceTable, columns: Sequence[str]) -> None:
        """Mark source columns as read, so they are not reported as dropped."""
        self.used_columns.setdefault(table.name, set()).update(str(c) for c in columns)


class Layer(ABC):
    name: ClassVar[str]
    title: ClassVar[Mapping[str, str]]  # {lang: text}: a geo.i18n.Words
    tables: ClassVar[tuple[TableSpec, ...]]
    style: ClassVar[LayerStyle]
    # stored tables (and their columns) an import of this layer checks references against
    reads: ClassVar[dict[str, tuple[str, ...]]] = {}

    @abstractmethod
    def prepare(self, source: Source, ctx: ImportContext) -> dict[str, pd.DataFrame]:
        """Validated rows for each of this layer's tables, problems into ``ctx.report``."""

    def public(self, frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
        """What may be published of ``frames`` (this layer's tables as read from the store).

        The default publishes the tables marked public, as they are.
        """
        return {s.name: frames[s.name] for s in self.tables if s.public}


# --- helpers the layer modules share ---------------------------------------------------------


def geoframe(table: SourceTable, ctx: ImportContext) -> gpd.GeoDataFrame:
    """A GeoDataFrame in EPSG:4326 for a spatial table, or points from lat/lon columns."""
    if table.spatial:
        ctx.use(table, [table.frame.geometry.name])
        return table.frame
    columns = [str(c) for c in table.frame.columns]
    ctx.use(table, [c for spec in (LAT, LON, X, Y) if (c := find_column(columns, spec)) is not None])
    return points_from_columns(table.frame, table.rows, ctx.report, ctx.crs)


def checked_geometries(
    gdf: gpd.GeoDataFrame, rows: list[int], ctx: ImportContext, *, allowed: Sequence[str], required: bool, label: str
) -> np.ndarray:
    return check_geometries(gdf, rows, ctx.report, allowed=allowed, required=required, expected_label=label)


def kelurahan_codes(
    values: Sequence[Any], rows: list[int], ctx: ImportContext, *, must_exist: bool = True
) -> list[str | None]:
    """Normalised kelurahan codes; malformed and (optionally) unknown codes are reported."""
    out: list[str | None] = []
    for row, value in zip(rows, values, strict=True):
        if value is None:
            out.append(None)
            continue
        try:
            code = normalize_kelurahan_code(value)
        except PlaceError as exc:
            ctx.report.add(exc.code, row=row, field="kelurahan_code", value=value)
            out.append(None)
            continue
        if must_exist and code not in ctx.places.kelurahan:
            ctx.report.add("place.unknown_kelurahan", row=row, field="kelurahan_code", value=value, code=code)
            out.append(None)
            continue
        out.append(code)
    return out


def _integral(value: Any) -> Any:
    """1.0 -> "1": spreadsheets and GIS files turn RT numbers into floats."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value


def parse_rt(rt_value: Any, rw_value: Any) -> RtLabel:
    """An RT from a full label ("RT 03 RW 05") or from separate RT and RW cells ("3", "LK II")."""
    rt_value, rw_value = _integral(rt_value), _integral(rw_value)
    try:
        return parse_rt_label(rt_value)
    except PlaceError:
        bare = re.match(r"^(?:rt[\s.:]*)?(\d{1,4})$", str(rt_value).strip(), re.IGNORECASE)
        if rw_value is None or bare is None:
            raise
    unit, unit_type = parse_unit_label(rw_value)
    rt = int(bare.group(1))
    if rt == 0:
        raise PlaceError("label.zero")
    return RtLabel(rt_number=rt, unit_number=unit, unit_type=unit_type)


def _parse_rt_cached(cache: dict, rt_value: Any, rw_value: Any) -> RtLabel:
    key = (rt_value, rw_value)
    try:
        hit = cache.get(key)
    except TypeError:
        return parse_rt(rt_value, rw_value)
    if hit is None:
        try:
            hit = parse_rt(rt_value, rw_value)
        except PlaceError as exc:
            hit = exc
        cache[key] = hit
    if isinstance(hit, PlaceError):
        raise hit
    return hit


def resolve_rts(
    codes: list[str | None],
    rt_values: Sequence[Any],
    rw_values: Sequence[Any],
    rows: list[int],
    ctx: ImportContext,
    *,
    required: bool,
    must_exist: bool = True,
) -> list[tuple[str, int, int] | None]:
    """RT keys (kelurahan, unit, rt) for each row; bad or unknown labels are reported."""
    keys: list[tuple[str, int, int] | None] = []
    parsed: dict[tuple[Any, Any], RtLabel | PlaceError] = {}  # a city's households share a few thousand labels
    for row, code, rt_value, rw_value in zip(rows, codes, rt_values, rw_values, strict=True):
        if rt_value is None:
            if required:
                ctx.report.add("val.required", row=row, field="rt")
            keys.append(None)
            continue
        try:
            label = _parse_rt_cached(parsed, rt_value, rw_value)
        except PlaceError as exc:
            ctx.report.add(exc.code, row=row, field="rt", value=rt_value)
            keys.append(None)
            continue
        if code is None:
            keys.append(None)
            continue
        expected = ctx.places.unit_type(code)
        if label.unit_type and label.unit_type != expected:
            ctx.report.add(
                "place.unit_type",
                row=row,
                field="rt",
                value=rt_value,
                severity="warning",
                got=label.unit_type,
                expected=expected,
            )
        key = (code, label.unit_number, label.rt_number)
        if must_exist and key not in ctx.places.rts:
            ctx.report.add(
                "place.unknown_rt",
                row=row,
                field="rt",
                value=rt_value,
                label=rt_label(key[2], key[1], expected),
                code=code,
            )
            keys.append(None)
            continue
        keys.append(key)
    return keys


def place_columns(
    keys: list[tuple[str, int, int] | None], places: PlaceIndex, codes: list[str | None]
) -> dict[str, list[Any]]:
    """The four place columns for rows with (possibly missing) RT keys."""
    return {
        "kelurahan_code": codes,
        "unit_type": [places.unit_type(c) if c else None for c in codes],
        "unit_number": [k[1] if k else None for k in keys],
        "rt_number": [k[2] if k else None for k in keys],
    }


def derived_id(prefix: str, *parts: Any) -> str:
    """A stable id for a record whose file gave none, so re-importing the file is idempotent."""
    digest = hashlib.sha1("|".join(_id_part(p) for p in parts).encode(), usedforsecurity=False)
    return f"{prefix}-{digest.hexdigest()[:10]}"


def _id_part(part: Any) -> str:
    if isinstance(part, shapely.Geometry):
        return shapely.to_wkt(part, rounding_precision=7)
    return str(part)


def keyed_hash(key: bytes, value: str) -> str:
    """HMAC-SHA256 of an identifier (NIK, no. KK): matches re-imports, cannot be reversed
    without the key."""
    digits = "".join(ch for ch in str(value) if ch.isalnum())
    return hmac.new(key, digits.encode(), hashlib.sha256).hexdigest()[:32]


def coerce_table(table: SourceTable, fields: tuple[FieldSpec, ...], ctx: ImportContext) -> pd.DataFrame:
    """Typed values of every field; reports progress field by field on long files."""
    n = len(table.frame)

    def tick(done_fields: int) -> None:
        if ctx.progress is not None:
            ctx.progress("stage.validate", n * done_fields // len(fields), n)

    values = coerce(table.frame, fields, ctx.report, table.rows, on_field=tick)
    found = values.attrs.get("columns", {})
    ctx.use(table, list(found.values()))
    ctx.fields_found.update(found)
    ctx.fields_asked.update(spec.name for spec in fields)
    return values


def metric_crs(gdf: gpd.GeoDataFrame) -> CRS:
    """The UTM zone of the data (EPSG:32748 for Bandar Lampung and Bekasi).

    The zone that holds the centre of the data's bounds, as ``GeoDataFrame.estimate_utm_crs``
    chooses it, but by arithmetic instead of a query of the PROJ database (0.13 s a call: it was
    a quarter of building a kelurahan's public data).  Indonesia has none of UTM's special zones.
    """
    valid = gdf[~gdf.geometry.isna() & ~gdf.geometry.is_empty]
    if valid.empty:
        return utm_crs(32748)
    minx, miny, maxx, maxy = valid.to_crs(4326).total_bounds if not valid.crs.is_geographic else valid.total_bounds
    lon, lat = (minx + maxx) / 2, (miny + maxy) / 2
    zone = min(60, max(1, int((lon + 180) // 6) + 1))
    return utm_crs((32600 if lat >= 0 else 32700) + zone)


@functools.lru_cache(maxsize=64)
def utm_crs(epsg: int) -> CRS:
    return CRS.from_epsg(epsg)


def to_multipolygon(geom: shapely.Geometry) -> shapely.Geometry:
    if geom is not None and geom.geom_type == "Polygon":
        return shapely.MultiPolygon([geom])
    return geom


def frame_with_geometry(data: dict[str, list[Any]], geoms: Sequence[Any]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(pd.DataFrame(data), geometry=gpd.GeoSeries(list(geoms), crs=4326), crs=4326)


@dataclass
class PlacedRows:
    """What every point/polygon layer gets from a table: typed values, codes, geometries, ids."""

    values: pd.DataFrame
    codes: list[str | None]
    geoms: list[Any]
    ok: np.ndarray
    ids: list[str]
    gdf: gpd.GeoDataFrame


def placed_rows(
    table: SourceTable,
    ctx: ImportContext,
    fields: tuple[FieldSpec, ...],
    *,
    allowed: Sequence[str],
    geometry_label: str,
    id_field: str,
    id_prefix: str,
) -> PlacedRows:
    """The shared checks of a simple layer: geometry, kelurahan code, id and duplicate ids.

    A row without an id is known by its kelurahan and its place, so re-importing a file whose
    rows were renamed updates them instead of adding new ones.
    """
    gdf = geoframe(table, ctx)
    values = coerce_table(table, fields, ctx)
    ok = checked_geometries(gdf, table.rows, ctx, allowed=allowed, required=True, label=geometry_label)
    codes = kelurahan_codes(values["kelurahan_code"].tolist(), table.rows, ctx)
    geoms = list(gdf.geometry)
    ids = [v or derived_id(id_prefix, c, g) for v, c, g in zip(values[id_field], codes, geoms, strict=True)]
    check_duplicates([(i,) for i in ids], table.rows, ctx.report, id_field, ids)
    return PlacedRows(values=values, codes=codes, geoms=geoms, ok=ok, ids=ids, gdf=gdf)
