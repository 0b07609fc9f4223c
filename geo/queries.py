"""Reading one kelurahan's layers from a store and handing them to the pure analysis code.

This is the one place the CLI and the site go through for "everything about kelurahan X", so
that the privacy rules (households only as suppressed aggregates) are applied in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from geo.errors import NotFoundError
from geo.indicators import IndicatorResult, public_indicators, rt_indicators
from geo.layers import LAYERS
from geo.layers.infrastructure import current_progress
from geo.places import normalize_kelurahan_code
from geo.store import Store


@dataclass
class KelurahanData:
    kelurahan: gpd.GeoDataFrame
    rw: gpd.GeoDataFrame
    rt: gpd.GeoDataFrame
    works: gpd.GeoDataFrame
    progress: pd.DataFrame
    gardens: gpd.GeoDataFrame
    facilities: gpd.GeoDataFrame

    @property
    def info(self) -> dict:
        return self.kelurahan.drop(columns="geometry").iloc[0].to_dict()


def kelurahan_list(store: Store) -> pd.DataFrame:
    """Every kelurahan in the store with its RT and works counts (no household data)."""
    kel = store.read("kelurahan")
    frame = (
        pd.DataFrame(kel.drop(columns="geometry"))
        if len(kel)
        else pd.DataFrame(columns=["kelurahan_code", "name", "kecamatan", "kota", "provinsi", "unit_type"])
    )
    rt = store.read("rt")
    works = store.read("works")
    frame["rt_count"] = frame["kelurahan_code"].map(rt.groupby("kelurahan_code").size()).fillna(0).astype(int)
    frame["works_count"] = frame["kelurahan_code"].map(works.groupby("kelurahan_code").size()).fillna(0).astype(int)
    return frame.sort_values(["kota", "name"]).reset_index(drop=True)


def load_kelurahan(store: Store, code: str) -> KelurahanData:
    """The public layers of one kelurahan; raises :class:`NotFoundError` for an unknown code."""
    code = normalize_kelurahan_code(code)
    kel = store.read("kelurahan", kelurahan_code=code)
    if kel.empty:
        raise NotFoundError("kelurahan.unknown", code=code)
    from geo.progress import effective_history

    works = store.read("works", kelurahan_code=code)
    progress = effective_history(
        store.read("work_progress"), store.read("progress_records", kelurahan_code=code), works
    )
    progress = progress[progress["work_id"].isin(works["work_id"])].reset_index(drop=True)
    return KelurahanData(
        kelurahan=kel,
        rw=store.read("rw", kelurahan_code=code),
        rt=store.read("rt", kelurahan_code=code),
        works=current_progress(works, progress),
        progress=progress,
        gardens=store.read("gardens", kelurahan_code=code),
        facilities=store.read("facilities", kelurahan_code=code),
    )


def indicators(store: Store, code: str, *, public: bool, k: int = 5) -> IndicatorResult:
    """RT indicators of one kelurahan; ``public`` suppresses small household counts."""
    data = load_kelurahan(store, code)
    households = store.read("households", kelurahan_code=data.info["kelurahan_code"])
    result = rt_indicators(data.rt, households, data.works, data.gardens, data.facilities)
    if public:
        result = IndicatorResult(
            table=public_indicators(result.table, k=k), disagreements=result.disagreements.iloc[0:0]
        )
    return result


def layer_frames(store: Store, layer_name: str, code: str | None = None) -> dict[str, pd.DataFrame]:
    """Every table of a layer as stored (restricted: may hold household data)."""
    layer = LAYERS[layer_name]
    out = {}
    for spec in layer.tables:
        filters = {"kelurahan_code": code} if code and "kelurahan_code" in spec.column_names else {}
        out[spec.name] = store.read(spec.name, **filters)
    return out
