"""Exports: GeoPackage, GeoJSON or CSV by file extension, public unless asked otherwise."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from geo.errors import SourceError
from geo.indicators import SHARES
from geo.layers import get_layer
from geo.public import KelurahanPublic, PublicData
from geo.public import concat_frames as _concat
from geo.queries import layer_frames
from geo.store import Store

MAIN_TABLE = {
    "boundaries": "rt",
    "households": "households",
    "infrastructure": "works",
    "gardens": "gardens",
    "facilities": "facilities",
    "kumuh": "kumuh_baseline",
}
FORMATS = (".gpkg", ".geojson", ".json", ".csv")


def public_frames(store: Store, layer_name: str, *, k: int, code: str | None = None) -> dict[str, pd.DataFrame]:
    """What of ``layer_name`` may be published.  Households become suppressed RT aggregates."""
    layer = get_layer(layer_name)
    if layer_name == "households":
        return {"households_rt": household_aggregates(store, k=k, code=code)}
    if layer_name == "infrastructure":  # the progress the site shows: imported history plus LKM records
        kelurahan = _public_kelurahan(store, k=k, code=code, table="works")
        return {
            "works": _concat([kel.works for kel in kelurahan]),
            "work_progress": pd.concat([kel.progress for kel in kelurahan], ignore_index=True)
            if kelurahan
            else pd.DataFrame(columns=["work_id", "record_date", "fisik_pct", "keuangan_pct", "spent_idr"]),
        }
    return layer.public(layer_frames(store, layer_name, code))


def _public_kelurahan(store: Store, *, k: int, code: str | None, table: str) -> list[KelurahanPublic]:
    """The public frames of one kelurahan, or of every kelurahan that has rows in ``table``."""
    codes = [code] if code else list(store.count(table, by="kelurahan_code").index)
    return PublicData(store, k=k, max_kelurahan=1).many(codes)


def household_aggregates(store: Store, *, k: int, code: str | None = None) -> gpd.GeoDataFrame:
    """Per-RT KK counts and shares, suppressed, with the RT polygons (from :mod:`geo.public`)."""
    rt = _concat([kel.rt for kel in _public_kelurahan(store, k=k, code=code, table="rt")])
    keep = [
        "kelurahan_code",
        "unit_number",
        "rt_number",
        "rt_label",
        "kk_total",
        *SHARES.values(),
        *SHARES,
    ]
    return rt[[*dict.fromkeys(keep), "geometry"]].reset_index(drop=True)


def export_layer(
    store: Store, layer_name: str, path: str | Path, *, public: bool = True, k: int = 5, code: str | None = None
) -> int:
    """Write ``layer_name`` to ``path``; returns the number of features of the main table."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise SourceError("export.format", suffix=suffix or path.name)
    frames = public_frames(store, layer_name, k=k, code=code) if public else layer_frames(store, layer_name, code)
    main = MAIN_TABLE.get(layer_name) if MAIN_TABLE.get(layer_name) in frames else next(iter(frames))
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".gpkg":
        path.unlink(missing_ok=True)
        for name, frame in frames.items():
            _write_gpkg_layer(frame, path, name)
    elif suffix in (".geojson", ".json"):
        path.unlink(missing_ok=True)
        pyogrio.write_dataframe(
            _plain(frames[main]), path, driver="GeoJSON", layer_options={"COORDINATE_PRECISION": 7, "RFC7946": "YES"}
        )
    else:
        formula_safe(to_csv(frames[main])).to_csv(path, index=False)
    return len(frames[main])


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Nullable pandas dtypes as plain ones GDAL writes without complaint."""
    out = frame.copy()
    for col in out.columns:
        if str(out[col].dtype) == "Int64":
            out[col] = out[col].astype("float64") if out[col].isna().any() else out[col].astype("int64")
    return out


def _write_gpkg_layer(frame: pd.DataFrame, path: Path, name: str) -> None:
    pyogrio.write_dataframe(_plain(frame), path, layer=name, driver="GPKG", append=path.exists())


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells cannot run as spreadsheet formulas: a cell starting with ``=``, ``+``,
    ``-``, ``@``, tab or carriage return gets a leading ``'`` (an imported ``=HYPERLINK(...)`` is
    shown as text in Excel or LibreOffice, not followed).  Numbers are left as they are."""
    out = pd.DataFrame(frame).copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col].dtype):
            out[col] = out[col].map(lambda v: f"'{v}" if isinstance(v, str) and v.startswith(FORMULA_START) else v)
    return out


def to_csv(frame: pd.DataFrame) -> pd.DataFrame:
    """A CSV-friendly table: lat/lon for points, WKT for other geometries."""
    if not isinstance(frame, gpd.GeoDataFrame):
        return frame
    out = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    geoms = frame.geometry
    if len(geoms) and geoms.dropna().geom_type.eq("Point").all():
        out["lat"] = geoms.y.round(7)
        out["lon"] = geoms.x.round(7)
    else:
        out["wkt"] = geoms.to_wkt(rounding_precision=7)
    return out
