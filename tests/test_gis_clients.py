"""Real GIS clients against /ogc over real HTTP: GDAL's OGC API Features driver (what QGIS uses)
and OWSLib.  Each reads every public collection with the right feature count and CRS."""

from __future__ import annotations

import pyogrio
import pytest

from geo.public import COLLECTIONS
from geo.store import open_store


@pytest.fixture(scope="module")
def expected(demo_source) -> dict[str, int]:
    """Every feature of each collection, counted in the store itself (rt and works: one per row)."""
    store = open_store(demo_source)
    return {cid: store.count(c.table) for cid, c in COLLECTIONS.items()}


def test_gdal_oapif_driver_lists_and_reads_every_collection(server: str, expected: dict[str, int]) -> None:
    source = f"OAPIF:{server}/ogc"
    layers = {name for name, _ in pyogrio.list_layers(source)}
    assert layers == set(COLLECTIONS)
    for cid, count in expected.items():
        frame = pyogrio.read_dataframe(source, layer=cid)
        assert len(frame) == count, cid
        assert frame.crs is not None
        assert frame.crs.to_epsg() == 4326 or "CRS84" in frame.crs.to_string()
        x0, y0, x1, y1 = frame.total_bounds
        assert 103 < x0 < x1 < 107.5  # longitude first: no axis swap on the way (Kota Jambi to Kota Bekasi)
        assert -6.5 < y0 < y1 < -1.5


def test_gdal_reads_properties_and_honours_attribute_filter(server: str) -> None:
    works = pyogrio.read_dataframe(f"OAPIF:{server}/ogc", layer="works", where="status = 'selesai'")
    assert len(works) > 0
    assert set(works["status"]) == {"selesai"}
    assert works["budget_idr"].sum() > 0


def test_owslib_lists_collections_and_reads_items(server: str, expected: dict[str, int]) -> None:
    from owslib.ogcapi.features import Features

    api = Features(f"{server}/ogc")
    assert api.conformance()["conformsTo"]
    ids = [c["id"] for c in api.collections()["collections"]]
    assert ids == list(COLLECTIONS)
    for cid, count in expected.items():
        meta = api.collection(cid)
        assert meta["crs"] == ["http://www.opengis.net/def/crs/OGC/1.3/CRS84"]
        items = api.collection_items(cid, limit=10_000)
        assert items["numberMatched"] == count
        assert len(items["features"]) == count
    one = api.collection_item("works", "KTK-2019-01")
    assert one["properties"]["work_type"] == "jalan_rabat_beton"
