"""The store at scale and beside other GIS tools: reads pushed down into SQL, R-tree indexes GDAL
and QGIS use, per-kelurahan data versions, and edits made outside petakampung."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import subprocess
import textwrap
from datetime import date
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely

from geo import gpkg
from geo.accounts import get_user
from geo.importer import import_file
from geo.progress import ProgressInput, record_progress
from geo.public import PublicData
from geo.store import GpkgStore, Store, open_store
from tests.conftest import HASH_KEY, JATIRANGGA, KALIAWI


def new_facility(tmp_path: Path, facility_id: str, name: str) -> Path:
    frame = gpd.GeoDataFrame(
        {
            "facility_id": [facility_id],
            "kelurahan_code": [KALIAWI],
            "category": ["posyandu"],
            "name": [name],
            "programme": ["Kampung KB"],
        },
        geometry=[shapely.Point(105.2556, -5.4105)],
        crs=4326,
    )
    path = tmp_path / f"{facility_id}.geojson"
    frame.to_file(path, driver="GeoJSON")
    return path


def test_every_feature_table_has_the_rtree_gdal_uses(demo_store_path: Path) -> None:
    """QGIS and GDAL see a spatial index on every layer and answer bbox queries from it."""
    store = open_store(demo_store_path)
    con = sqlite3.connect(demo_store_path)
    try:
        registered = {r[0] for r in con.execute("SELECT table_name FROM gpkg_extensions")}
    finally:
        con.close()
    spatial = [s.name for s in store.specs.values() if s.is_spatial]
    assert set(spatial) <= registered
    for name in spatial:
        assert pyogrio.read_info(demo_store_path, layer=name)["capabilities"]["fast_spatial_filter"], name
    rt = store.read("rt", kelurahan_code=KALIAWI)
    box = shapely.box(*rt.geometry.iloc[0].buffer(-1e-5).bounds)
    ours = store.read("rt", bbox=box.bounds)
    gdal = pyogrio.read_dataframe(demo_store_path, layer="rt", bbox=box.bounds)
    assert len(ours) >= 1
    assert sorted(ours["rt_label"]) == sorted(gdal[gdal.intersects(box)]["rt_label"])


def test_reads_take_columns_kelurahan_lists_paging_and_leave_photo_bytes_out(demo_source) -> None:
    store = open_store(demo_source)
    both = store.read("rt", kelurahan=[KALIAWI, JATIRANGGA], columns=["rt_label"], geometry=False)
    assert list(both.columns) == ["rt_label"]
    assert len(both) == 15 + 81  # the two kelurahan asked for, not the other seeds
    page = store.read("rt", kelurahan=KALIAWI, limit=5, offset=10)
    assert len(page) == 5
    assert list(page["rt_label"]) == list(store.read("rt", kelurahan=KALIAWI)["rt_label"])[10:15]
    counts = store.count("rt", by="kelurahan_code")
    assert counts[KALIAWI] == 15
    history = store.read("work_progress", kelurahan=KALIAWI)  # progress rows belong to a kelurahan by their work
    works = set(store.read("works", kelurahan=KALIAWI)["work_id"])
    assert len(history) > 0
    assert set(history["work_id"]) <= works
    assert "data" not in store.read("progress_photos").columns


def test_new_store_file_is_private_and_in_wal_mode(tmp_path: Path) -> None:
    """The store holds households, accounts and the audit log: owner-only from its first byte."""
    path = tmp_path / "private.gpkg"
    import_file(open_store(path), "boundaries", Path("data/boundaries/kaliawi_persada.geojson"), hash_key=HASH_KEY)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        con.close()


def test_a_write_bumps_only_its_own_kelurahan(demo_store: Store, tmp_path: Path) -> None:
    before = demo_store.versions([KALIAWI, JATIRANGGA, "*"])
    import_file(demo_store, "facilities", new_facility(tmp_path, "FAS-UJI-1", "Posyandu Uji"), hash_key=HASH_KEY)
    after = demo_store.versions([KALIAWI, JATIRANGGA, "*"])
    assert after[KALIAWI] != before[KALIAWI]
    assert after["*"] != before["*"]
    assert after[JATIRANGGA] == before[JATIRANGGA]
    unchanged = demo_store.versions([KALIAWI])
    import_file(demo_store, "facilities", new_facility(tmp_path, "FAS-UJI-1", "Posyandu Uji"), hash_key=HASH_KEY)
    assert demo_store.versions([KALIAWI]) == unchanged  # re-importing the same file changes nothing


def test_a_progress_record_rebuilds_exactly_its_kelurahan(users_settings) -> None:
    """One LKM record: its kelurahan's public frames are rebuilt, every other one stays cached."""
    store = open_store(users_settings.store)
    public = PublicData(store, k=5)
    kaliawi, jatirangga = public.kelurahan(KALIAWI), public.kelurahan(JATIRANGGA)
    assert public.kelurahan(KALIAWI) is kaliawi  # cached while nothing changes
    work = kaliawi.works[kaliawi.works["status"] == "berjalan"].iloc[0]
    record_progress(
        store,
        get_user(store, "lkm.a"),
        KALIAWI,
        ProgressInput(work["work_id"], date.today().isoformat(), fisik_pct=88),
        today=date.today(),
    )
    fresh = public.kelurahan(KALIAWI)
    assert fresh is not kaliawi
    assert fresh.works.set_index("work_id").loc[work["work_id"], "progress_fisik"] == 88
    assert public.kelurahan(JATIRANGGA) is jatirangga


EXTERNAL_EDIT = (
    "UPDATE facilities SET name = 'Diubah di QGIS' WHERE fid = (SELECT min(fid) FROM facilities "
    "WHERE kelurahan_code = {mark})"
)


def test_an_edit_made_outside_petakampung_is_audited_and_seen(demo_store: Store) -> None:
    """A change made with another tool (SQL on its own connection: on a GeoPackage one that, like
    GDAL's, knows the ST_* functions; on PostGIS what QGIS or psql would send) is in the audit log
    as 'external' and bumps its kelurahan's version, so no page keeps showing old data."""
    public = PublicData(demo_store, k=5)
    before = public.kelurahan(KALIAWI)
    if isinstance(demo_store, GpkgStore):
        con = sqlite3.connect(demo_store.path)
        gpkg.register_functions(con)
        try:
            con.execute(EXTERNAL_EDIT.format(mark="?"), (KALIAWI,))
            con.commit()
        finally:
            con.close()
    else:
        import psycopg

        with psycopg.connect(demo_store.url) as con:  # type: ignore[attr-defined]
            con.execute(EXTERNAL_EDIT.format(mark="%s"), (KALIAWI,))
    audit = demo_store.read("pk_audit", table_name="facilities", action="update")
    assert list(audit["actor"]) == ["external"]
    assert json.loads(audit.iloc[0]["after_json"]) == {"changed": ["name"]}  # the default: which field, not its value
    assert "Diubah di QGIS" in set(public.kelurahan(KALIAWI).facilities["name"])
    assert public.kelurahan(KALIAWI) is not before


def test_store_rewritten_by_gdal_still_takes_imports(demo_gpkg: GpkgStore, tmp_path: Path) -> None:
    """A planner saves a layer back with GDAL (pyogrio overwrites the table, dropping our indexes
    and triggers): the next import still works, matches by key and is audited."""
    facilities = pyogrio.read_dataframe(demo_gpkg.path, layer="facilities")
    pyogrio.write_dataframe(facilities, demo_gpkg.path, layer="facilities", driver="GPKG")
    result = import_file(
        demo_gpkg, "facilities", new_facility(tmp_path, "FAS-UJI-2", "Pos Ronda Uji"), hash_key=HASH_KEY
    )
    assert result.total.inserted == 1
    again = import_file(
        demo_gpkg, "facilities", new_facility(tmp_path, "FAS-UJI-2", "Pos Ronda Uji"), hash_key=HASH_KEY
    )
    assert not again.total.changed
    rows = demo_gpkg.read("pk_audit", table_name="facilities", action="insert")
    assert any("FAS-UJI-2" in (a or "") for a in rows["after_json"])
    assert len(demo_gpkg.read("facilities")) == len(facilities) + 1


def test_store_from_before_the_rtree_is_upgraded_on_its_next_write(demo_gpkg: GpkgStore, tmp_path: Path) -> None:
    """A round-1 store (no R-tree, no triggers, no versions) is brought up to date by the next write."""
    con = sqlite3.connect(demo_gpkg.path)
    try:
        for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type='trigger'").fetchall():
            con.execute(f'DROP TRIGGER "{name}"')
        for (name,) in con.execute(
            "SELECT name FROM sqlite_master WHERE name LIKE 'rtree_%' AND type='table' AND sql LIKE 'CREATE VIRTUAL%'"
        ).fetchall():
            con.execute(f'DROP TABLE "{name}"')
        con.execute("DROP TABLE pk_versions")
        con.execute("DELETE FROM gpkg_extensions")
        con.commit()
    finally:
        con.close()
    store = open_store(demo_gpkg.path)
    assert store.versions([KALIAWI]) == {KALIAWI: "0"}
    import_file(store, "facilities", new_facility(tmp_path, "FAS-UJI-3", "Posyandu Baru"), hash_key=HASH_KEY)
    assert store.versions([KALIAWI])[KALIAWI] != "0"
    assert pyogrio.read_info(store.path, layer="facilities")["capabilities"]["fast_spatial_filter"]
    assert len(store.read("facilities", bbox=(105.25, -5.42, 105.26, -5.40))) >= 1


def test_point_and_line_works_open_as_two_layers_in_gdal(demo_store_path: Path) -> None:
    """QGIS draws a layer as one geometry type: sumur bor and MCK points get a layer of their own."""
    layers = dict(pyogrio.list_layers(demo_store_path))
    assert layers["works_points"] == "MultiPoint"
    assert layers["works_lines"] == "MultiLineString"
    points = pyogrio.read_dataframe(demo_store_path, layer="works_points")
    lines = pyogrio.read_dataframe(demo_store_path, layer="works_lines")
    works = open_store(demo_store_path).read("works")
    assert len(points) + len(lines) == len(works)
    assert set(points.geom_type) == {"Point"}
    assert "sumur_bor" in set(points["work_type"])


QGIS_SCRIPT = textwrap.dedent(
    """
    import json, os, sys
    from qgis.core import QgsApplication, QgsFeature, QgsGeometry, QgsPointXY, QgsVectorLayer
    app = QgsApplication([], False)
    app.initQgis()
    path, names = sys.argv[1], json.loads(sys.argv[2])
    counts = {}
    for name in names:
        layer = QgsVectorLayer(f"{path}|layername={name}", name, "ogr")
        counts[name] = layer.featureCount() if layer.isValid() else -1
    layer = QgsVectorLayer(f"{path}|layername=facilities", "facilities", "ogr")
    provider = layer.dataProvider()
    provider.createSpatialIndex()  # what a planner's "Create spatial index" button does
    feature = QgsFeature(layer.fields())
    feature.setAttribute("facility_id", "QGIS-1")
    feature.setAttribute("kelurahan_code", "18.71.06.1012")
    feature.setAttribute("category", "posyandu")
    feature.setAttribute("name", "Posyandu dari QGIS")
    feature.setAttribute("programme", "Kampung KB")
    feature.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(105.2557, -5.4106)))
    ok, _ = provider.addFeatures([feature])
    print(json.dumps({"counts": counts, "added": ok}), flush=True)
    del layer, provider
    app.exitQgis()
    os._exit(0)  # QGIS 3.22's Python bindings crash while the interpreter tears down
    """
)


def _system_qgis() -> str | None:
    python = shutil.which("python3", path="/usr/bin")
    if python is None:
        return None
    probe = subprocess.run([python, "-c", "import qgis.core"], capture_output=True, env=_qgis_env(), check=False)
    return python if probe.returncode == 0 else None


def _qgis_env() -> dict[str, str]:
    return {"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin", "HOME": os.environ.get("HOME", "/root")}


def test_qgis_opens_indexes_and_edits_the_store_and_we_keep_writing(demo_gpkg: GpkgStore, tmp_path: Path) -> None:
    """With QGIS's own library (python3-qgis): every layer opens with our counts, 'Create spatial
    index' and an edit in QGIS do not break our next import, and the edit is audited."""
    python = _system_qgis()
    if python is None:
        pytest.skip("QGIS (Debian python3-qgis) is not installed")
    names = [s.name for s in demo_gpkg.specs.values() if s.is_spatial]
    out = subprocess.run(
        [python, "-c", QGIS_SCRIPT, str(demo_gpkg.path), json.dumps(names)],
        capture_output=True,
        text=True,
        env=_qgis_env(),
        timeout=300,
        check=True,
    )
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["added"]
    for name in names:
        assert report["counts"][name] == demo_gpkg.count(name) - (1 if name == "facilities" else 0), name
    result = import_file(
        demo_gpkg, "facilities", new_facility(tmp_path, "FAS-UJI-4", "Posyandu Sesudah QGIS"), hash_key=HASH_KEY
    )
    assert result.total.inserted == 1
    audit = demo_gpkg.read("pk_audit", table_name="facilities", action="insert")
    by_qgis = audit[audit["after_json"].str.contains("QGIS-1")]
    assert list(by_qgis["actor"]) == ["external"]
    assert "QGIS-1" in set(demo_gpkg.read("facilities", bbox=(105.255, -5.411, 105.256, -5.410))["facility_id"])


def test_large_reads_through_gdal_arrow_equal_small_reads(demo_store_path: Path, monkeypatch) -> None:
    """Big reads take GDAL's Arrow path; a caller gets the very same frame either way."""
    from geopandas.testing import assert_geodataframe_equal

    import geo.store

    store = open_store(demo_store_path)
    queries = [
        {},
        {"kelurahan": KALIAWI},
        {"kelurahan": [KALIAWI, JATIRANGGA], "columns": ["kelurahan_code", "unit_number"]},
        {"where": {"unit_number": [1, 2]}},
        {"bbox": (105.24, -5.42, 105.25, -5.41)},
        {"limit": 7, "offset": 3},
    ]
    for spec in (s for s in store.specs.values() if s.is_spatial):
        for query in queries:
            if "unit_number" in str(query) and "unit_number" not in spec.column_names:
                continue
            monkeypatch.setattr(geo.store, "ARROW_ROWS", 10**9)
            small = store.read(spec.name, **query)
            monkeypatch.setattr(geo.store, "ARROW_ROWS", 0)
            big = store.read(spec.name, **query)
            assert_geodataframe_equal(big, small, check_dtype=True, check_less_precise=False), (spec.name, query)
