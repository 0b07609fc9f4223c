"""Exports: GeoPackage, GeoJSON or CSV by file extension, public unless asked otherwise."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from geo.errors import SourceError
from geo.indicators import SHARES
from geo.layers import get_layer
from geo.public import build_public
from geo.queries import layer_frames
from geo.store import Store

MAIN_TABLE = {
    "boundaries": "rt",
    "households": "households",
    "infrastructure": "works",
    "gardens": "gardens",
    "facilities": "facilities",
}
FORMATS = (".gpkg", ".geojson", ".json", ".csv")


def public_frames(store: Store, layer_name: str, *, k: int, code: str | None = None) -> dict[str, pd.DataFrame]:
    """What of ``layer_name`` may be published.  Households become suppressed RT aggregates."""
    layer = get_layer(layer_name)
    if layer_name == "households":
        return {"households_rt": household_aggregates(store, k=k, code=code)}
    if layer_name == "infrastructure":  # the progress the site shows: imported history plus LKM records
        public = build_public(store, k=k)
        works = public.frames["works"]
        works = works[works["kelurahan_code"] == code] if code else works
        return {
            "works": works.reset_index(drop=True),
            "work_progress": public.progress[public.progress["work_id"].isin(works["work_id"])],
        }
    return layer.public(layer_frames(store, layer_name, code))


def household_aggregates(store: Store, *, k: int, code: str | None = None) -> gpd.GeoDataFrame:
    """Per-RT KK counts and shares, suppressed, with the RT polygons (from :mod:`geo.public`)."""
    rt = build_public(store, k=k).frames["rt"]
    if code:
        rt = rt[rt["kelurahan_code"] == code]
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
    main = MAIN_TABLE[layer_name] if MAIN_TABLE[layer_name] in frames else next(iter(frames))
    if layer_name == "boundaries":  # the finest level there is: a freshly imported kelurahan has only its outline
        main = next((t for t in ("rt", "rw", "kelurahan") if t in frames and len(frames[t])), main)
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
        to_csv(frames[main]).to_csv(path, index=False)
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
