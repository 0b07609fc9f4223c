"""A small two-kelurahan kota for city-plan tests: Kaliawi Persada (demo) and a second
kelurahan in the same kota 18.71, imported through the normal importers."""

from __future__ import annotations

import shutil
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.demo import DEFAULT_DATA_DIR
from geo.importer import import_file
from geo.store import open_store
from tests.conftest import HASH_KEY

SECOND = "18.71.06.1013"
SECOND_NAME = "Kaliawi Uji"


def second_kelurahan_files(folder: Path) -> tuple[Path, Path]:
    """RW 01 of the demo's Jatirangga, re-coded as kelurahan 18.71.06.1013 of Bandar Lampung."""
    shapes = gpd.read_file(DEFAULT_DATA_DIR / "boundaries" / "jatirangga.geojson")
    keep = shapes[(shapes["level"] == "kelurahan") | (shapes["rw"] == "RW 01")].copy()
    keep["kelurahan_code"] = SECOND
    keep.loc[keep["level"] == "kelurahan", ["name", "kecamatan", "kota", "provinsi"]] = [
        SECOND_NAME,
        "Tanjung Karang Barat",
        "Kota Bandar Lampung",
        "Lampung",
    ]
    boundaries = folder / "kaliawi_uji.geojson"
    keep.to_file(boundaries, driver="GeoJSON")
    base = pd.read_csv(DEFAULT_DATA_DIR / "kumuh" / "baseline_jatirangga.csv", dtype=str)
    base = base[base["rt"].str.endswith("RW 001")].copy()
    base["kode_kelurahan"] = SECOND
    baseline = folder / "baseline_kaliawi_uji.csv"
    base.to_csv(baseline, index=False)
    return boundaries, baseline


def build_city_store(demo_store_path: Path, folder: Path) -> Path:
    """A copy of the demo store with the second kelurahan of kota 18.71 imported."""
    path = folder / "kota.gpkg"
    shutil.copy(demo_store_path, path)
    store = open_store(path)
    boundaries, baseline = second_kelurahan_files(folder)
    import_file(store, "boundaries", boundaries, hash_key=HASH_KEY, actor="test")
    import_file(store, "kumuh", baseline, hash_key=HASH_KEY, actor="test")
    return path
