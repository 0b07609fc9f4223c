"""The GeoPackage store: opens in GDAL as QGIS would, writes all or nothing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd
import pyogrio
import pytest
import shapely

from geo import gpkg
from geo.errors import StoreError
from geo.layers import LAYERS
from geo.store import GpkgStore, Store, open_store
from tests.conftest import KALIAWI


def test_gdal_reads_every_layer_with_crs_and_counts(demo_store_path: Path) -> None:
    """GDAL's GPKG driver (what QGIS uses) lists every table with the same rows we wrote."""
    store = open_store(demo_store_path)
    layers = dict(pyogrio.list_layers(demo_store_path))
    for layer in LAYERS.values():
        for spec in layer.tables:
            assert spec.name in layers
            info = pyogrio.read_info(demo_store_path, layer=spec.name)
            assert info["features"] == len(store.read(spec.name))
            if spec.is_spatial:
                assert info["crs"] == "EPSG:4326"
    rt = pyogrio.read_dataframe(demo_store_path, layer="rt")
    ours = store.read("rt")
    assert sorted(rt["rt_label"]) == sorted(ours["rt_label"])
    assert shapely.equals_exact(rt.geometry.to_numpy(), ours.geometry.to_numpy(), tolerance=1e-9).all()


def test_store_is_a_valid_geopackage(demo_store_path: Path) -> None:
    con = sqlite3.connect(demo_store_path)
    try:
        assert con.execute("PRAGMA application_id").fetchone()[0] == gpkg.APPLICATION_ID
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        kinds = dict(con.execute("SELECT table_name, data_type FROM gpkg_contents"))
        assert kinds["rt"] == "features"
        assert kinds["pk_import_log"] == "attributes"
        assert con.execute("SELECT count(*) FROM gpkg_spatial_ref_sys WHERE srs_id IN (-1, 0, 4326)").fetchone()[0] == 3
    finally:
        con.close()


def test_failed_transaction_leaves_the_store_exactly_as_it_was(demo_store: Store) -> None:
    """GeoPackage: the file byte for byte; PostGIS: every table's rows (the logical checksum)."""
    spec = LAYERS["facilities"].tables[0]
    before = demo_store.checksum()
    frame = demo_store.read("facilities").head(2).copy()
    frame["name"] = "changed"

    def write_then_fail() -> None:
        with demo_store.transaction() as writer:
            assert writer.upsert(spec, frame).updated == 2
            raise RuntimeError("power cut")

    with pytest.raises(RuntimeError):
        write_then_fail()
    assert demo_store.checksum() == before
    assert "changed" not in set(demo_store.read("facilities")["name"])


def test_reads_filter_by_column(demo_source) -> None:
    store = open_store(demo_source)
    rt = store.read("rt", kelurahan_code=KALIAWI)
    assert len(rt) == 15
    assert set(rt["kelurahan_code"]) == {KALIAWI}
    with pytest.raises(KeyError):
        store.read("rt", nama="x")


def test_not_a_store_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.gpkg"
    path.write_bytes(b"not sqlite at all" * 100)
    with pytest.raises(StoreError) as info:
        open_store(path).read("rt")
    assert info.value.code == "store.not_gpkg"
    other = tmp_path / "other.gpkg"
    pyogrio.write_dataframe(pd.DataFrame({"a": [1]}), other, layer="a", driver="GPKG")
    with pytest.raises(StoreError):
        open_store(other).read("rt")


def test_missing_store_reads_empty_and_is_not_created(tmp_path: Path) -> None:
    store = open_store(tmp_path / "none.gpkg")
    assert store.read("rt").empty
    assert not (tmp_path / "none.gpkg").exists()


def test_geometry_blob_round_trip() -> None:
    for geom in (
        shapely.Point(105.1, -5.2),
        shapely.box(105, -6, 106, -5),
        shapely.LineString([(105, -5), (105.1, -5.1)]),
        shapely.Point(),
    ):
        blob = gpkg.encode(geom)
        assert blob[:2] == b"GP"
        back = gpkg.decode_many([blob])[0]
        assert back.equals(geom) or (back.is_empty and geom.is_empty)
    assert gpkg.decode_many([None])[0] is None


def test_upsert_never_overwrites_a_column_the_rows_do_not_carry(demo_store: Store) -> None:
    """A re-import whose file lacks `kecamatan` keeps the stored kecamatan (issue 9: silent data loss)."""
    spec = LAYERS["boundaries"].tables[0]
    stored = demo_store.read("kelurahan", kelurahan_code=KALIAWI)
    assert stored.iloc[0]["kecamatan"]
    partial = stored[["kelurahan_code", "name", "geometry"]].copy()
    partial["name"] = "Kaliawi Persada (baru)"
    with demo_store.transaction() as writer:
        assert writer.upsert(spec, partial).updated == 1
    after = demo_store.read("kelurahan", kelurahan_code=KALIAWI).iloc[0]
    assert after["name"] == "Kaliawi Persada (baru)"
    assert after["kecamatan"] == stored.iloc[0]["kecamatan"]
    assert after["kota"] == stored.iloc[0]["kota"]


def test_db_upgrade_of_a_current_geopackage_changes_nothing(demo_gpkg: GpkgStore, capsys) -> None:
    from tests.conftest import run

    before = demo_gpkg.checksum()
    code, out, _ = run(["db", "upgrade", "--store", str(demo_gpkg.path)], capsys)
    assert code == 0
    assert "versi 2" in out
    assert demo_gpkg.checksum() == before  # byte for byte
    code, _, err = run(["db", "upgrade", "--store", str(demo_gpkg.path.with_name("none.gpkg"))], capsys)
    assert code == 1
    assert "belum ada" in err
