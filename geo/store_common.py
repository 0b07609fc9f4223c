"""What both store backends share: the dtypes a read returns and how rows become a frame.

:class:`geo.store.GpkgStore` and :class:`geo.store_pg.PgStore` build their frames here, so a
caller gets exactly the same columns and dtypes from either: ``Int64`` for INTEGER, ``float64``
for REAL, Python objects for TEXT, DATE and DATETIME (dates as the ISO text that was stored) and
BLOB, and a GeoSeries in EPSG:4326 named ``geometry``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.schema import STORAGE_CRS, TableSpec

__all__ = ["PANDAS_TYPES", "as_dtype", "frame_from_rows"]

PANDAS_TYPES = {
    "INTEGER": "Int64",
    "REAL": "float64",
    "TEXT": "object",
    "DATE": "object",
    "DATETIME": "object",
    "BLOB": "object",
}
Decoder = Callable[[Sequence[Any]], np.ndarray]  # stored geometry values -> shapely geometries


def select_columns(spec: TableSpec, columns: Sequence[str] | None) -> list[str]:
    """The columns a read returns, in table order: all but BLOBs by default (photos are read by
    id, never with their records); a name the table lacks is a KeyError."""
    if columns is None:
        return [c.name for c in spec.columns if c.type != "BLOB"]
    unknown = [c for c in columns if c not in spec.column_names and c != "geometry"]
    if unknown:
        raise KeyError(f"{spec.name} has no column {sorted(unknown)}")
    return [c for c in spec.column_names if c in columns]


def as_dtype(column: pd.Series, ctype: str) -> pd.Series:
    """A column in the dtype a read returns for a column of type ``ctype``."""
    dtype = PANDAS_TYPES[ctype]
    if dtype == "object":
        return column.astype(object).where(column.notna(), None)
    if dtype == "Int64":
        return column.astype("Int64")
    return column.astype("float64")


def frame_from_rows(
    spec: TableSpec, names: list[str], rows: list[tuple], with_geom: bool, decode: Decoder
) -> pd.DataFrame:
    """Rows of ``(geometry?, *names)`` as a (Geo)DataFrame with the store's dtypes."""
    offset = 1 if with_geom else 0
    types = spec.column_types
    if rows:
        raw = pd.DataFrame.from_records(rows, columns=(["geom"] if offset else []) + names, coerce_float=False)
    else:
        raw = pd.DataFrame({n: [] for n in (["geom"] if offset else []) + names})
    data = {}
    for name in names:
        dtype = PANDAS_TYPES[types[name]]
        col = raw[name]
        if dtype == "object":
            data[name] = col.astype(object).where(col.notna(), None)
        elif dtype == "Int64":
            data[name] = (
                pd.array(pd.to_numeric(col, errors="coerce"), dtype="Int64")
                if len(col)
                else pd.array([], dtype="Int64")
            )
        else:
            data[name] = pd.to_numeric(col, errors="coerce").astype("float64")
    frame = pd.DataFrame(data, index=pd.RangeIndex(len(raw)))
    if not with_geom:
        return frame
    geoms = decode(raw["geom"].tolist()) if len(raw) else np.array([], dtype=object)
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=STORAGE_CRS), crs=STORAGE_CRS)
