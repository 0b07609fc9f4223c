"""Small kotas for city-plan tests, imported through the normal importers into a copy of the
demo store: kota 18.71 gets a second kelurahan beside the demo's Kaliawi Persada (RW 01 of the
demo's Jatirangga, re-coded), kota 18.72 one whose RTs are all tidak kumuh, kota 18.73 one with
boundaries but no slum baseline."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.demo import DEFAULT_DATA_DIR
from geo.importer import import_file
from geo.store import open_store
from tests.conftest import HASH_KEY

SECOND = "18.71.06.1013"
SECOND_NAME = "Kaliawi Uji"
NOT_SLUM = "18.72.01.1001"  # kota 18.72: every RT scores 0
NO_BASELINE = "18.73.01.1001"  # kota 18.73: boundaries only


def add_kelurahan(store, folder: Path, code: str, name: str, *, baseline: str = "copy", kota: str = "") -> None:
    """RW 01 of Jatirangga as kelurahan ``code``; ``baseline``: "copy", "zero" or "none"."""
    shapes = gpd.read_file(DEFAULT_DATA_DIR / "boundaries" / "jatirangga.geojson")
    keep = shapes[(shapes["level"] == "kelurahan") | (shapes["rw"] == "RW 01")].copy()
    keep["kelurahan_code"] = code
    keep.loc[keep["level"] == "kelurahan", ["name", "kecamatan", "kota", "provinsi"]] = [
        name,
        "Kecamatan Uji",
        kota or "Kota Uji " + code[:5],
        "Lampung",
    ]
    boundaries = folder / f"{code}.geojson"
    keep.to_file(boundaries, driver="GeoJSON")
    import_file(store, "boundaries", boundaries, hash_key=HASH_KEY, actor="test")
    if baseline == "none":
        return
    base = pd.read_csv(DEFAULT_DATA_DIR / "kumuh" / "baseline_jatirangga.csv", dtype=str)
    base = base[base["rt"].str.endswith("RW 001")].copy()
    base["kode_kelurahan"] = code
    if baseline == "zero":
        for crit in ("1a", "1b", "1c", "2a", "2b", "3a", "3b", "4a", "4b", "4c", "5a", "5b", "6a", "6b", "7a", "7b"):
            base[crit] = "0"
    path = folder / f"baseline_{code}.csv"
    base.to_csv(path, index=False)
    import_file(store, "kumuh", path, hash_key=HASH_KEY, actor="test")


def build_city_store(backend, demo_source, folder: Path):
    """A copy of the demo store with the three test kotas, on the backend of ``backend``
    (:class:`tests.conftest.Backend`); returns its location (drop it with ``backend.drop``)."""
    location = backend.copy(demo_source, folder, name="kota")
    store = open_store(location)
    add_kelurahan(store, folder, SECOND, SECOND_NAME, kota="Kota Bandar Lampung")
    add_kelurahan(store, folder, NOT_SLUM, "Bersih Uji", baseline="zero")
    add_kelurahan(store, folder, NO_BASELINE, "Tanpa Baseline Uji", baseline="none")
    if backend.cluster is not None:
        backend.cluster.make_template(str(location).rsplit("/", 1)[1])
    return location
