"""The PostGIS store on the test cluster: the same frames as the GeoPackage store, exact copies
both ways, one transaction per write, the site's public role, and clear errors."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import psycopg
import pytest
from geopandas.testing import assert_geodataframe_equal

from geo.accounts import get_user
from geo.errors import StoreError
from geo.progress import Photo, ProgressInput, record_progress
from geo.store import GpkgStore, open_store
from geo.store_copy import copy_store, logical_checksum, raw_rows
from tests.conftest import HASH_KEY, JATIRANGGA, KALIAWI, public_url, run
from tests.pg_cluster import Cluster
from tests.photos import jpeg

BAD_HOUSEHOLDS = Path(__file__).parent / "data" / "bad" / "unknown_rt_households.csv"


@pytest.fixture
def pg(pg_cluster: Cluster):
    """``pg()``: a new empty database with PostGIS (dropped after the test)."""
    made: list[str] = []

    def new() -> str:
        name = pg_cluster.new_database()
        made.append(name)
        return pg_cluster.url(name)

    yield new
    for name in made:
        pg_cluster.drop_database(name)


@pytest.fixture
def pg_demo(pg, demo_store_path: Path):
    """The demo GeoPackage copied into PostGIS row for row (same fids, so the same row order)."""
    url = pg()
    copy_store(open_store(demo_store_path), open_store(url))
    return open_store(url)


QUERIES = [
    {},
    {"kelurahan": KALIAWI},
    {"kelurahan": [KALIAWI, JATIRANGGA], "limit": 7, "offset": 3},
    {"where": {"unit_number": [1, 2]}},
    {"unit_number": 1, "geometry": False},
    {"bbox": (105.24, -5.42, 105.25, -5.41)},
    {"bbox": (105.24, -5.42, 105.25, -5.41), "limit": 2, "offset": 1, "geometry": False},
    {"limit": 0},
]


def test_reads_return_the_geopackage_frames_dtype_for_dtype(pg_demo, demo_store_path: Path) -> None:
    """Every table, every kind of filter: the very same frame (columns, order, dtypes, geometry)."""
    gpkg = open_store(demo_store_path)
    for spec in gpkg.specs.values():
        for query in QUERIES:
            names = str(query)
            if ("unit_number" in names and "unit_number" not in spec.column_names) or (
                ("bbox" in query or "geometry" in query) and not spec.is_spatial
            ):
                continue
            if "kelurahan" in query and spec.scope is None:
                continue
            ours, theirs = pg_demo.read(spec.name, **query), gpkg.read(spec.name, **query)
            if spec.is_spatial and query.get("geometry", True):
                assert_geodataframe_equal(ours, theirs, check_dtype=True, check_less_precise=False)
            else:
                pd.testing.assert_frame_equal(ours, theirs, check_dtype=True)
    assert pg_demo.count("rt", by="kelurahan_code").equals(gpkg.count("rt", by="kelurahan_code"))
    assert pg_demo.count("households", kelurahan=KALIAWI) == gpkg.count("households", kelurahan=KALIAWI)
    assert pg_demo.extent("rt") == pytest.approx(gpkg.extent("rt"))
    assert pg_demo.metadata() == gpkg.metadata()


def test_every_feature_table_has_a_gist_index_and_typed_geometry(pg_demo) -> None:
    with psycopg.connect(pg_demo.url) as con:
        for spec in (s for s in pg_demo.specs.values() if s.is_spatial):
            found = con.execute(
                "SELECT indexdef FROM pg_indexes WHERE tablename = %s AND indexdef LIKE '%%gist%%'", (spec.name,)
            ).fetchall()
            assert found, spec.name
            kind, srid = con.execute(
                "SELECT type, srid FROM geometry_columns WHERE f_table_name = %s", (spec.name,)
            ).fetchone()
            assert srid == 4326
            assert kind == spec.geometry_type
        points = con.execute("SELECT count(*) FROM works_points").fetchone()[0]
        lines = con.execute("SELECT count(*) FROM works_lines").fetchone()[0]
    assert points + lines == pg_demo.count("works")
    assert points > 0


def test_copy_geopackage_to_postgis_and_back_is_identical(demo_gpkg: GpkgStore, pg, tmp_path: Path, capsys) -> None:
    """`db copy` GeoPackage -> PostGIS -> GeoPackage: every table, every row, every value (photo
    bytes, geometry, audit rows and data versions included) as it was."""
    from geo.accounts import add_user

    add_user(demo_gpkg, "lkm.a", "kata-sandi-uji-123", "lkm", kelurahan_code=KALIAWI)
    works = demo_gpkg.read("works", kelurahan_code=KALIAWI)
    work = works[works["status"] == "berjalan"].iloc[0]["work_id"]
    photo = jpeg(105.2428, -5.414)
    record_progress(
        demo_gpkg,
        get_user(demo_gpkg, "lkm.a"),
        KALIAWI,
        ProgressInput(work, date.today().isoformat(), 61, note="uji", photos=[Photo("a.jpg", "image/jpeg", photo)]),
    )
    url = pg()
    back = tmp_path / "back.gpkg"
    assert run(["db", "copy", str(demo_gpkg.path), url], capsys)[0] == 0
    code, out, err = run(["--lang", "en", "db", "copy", url, str(back)], capsys)
    assert (code, err) == (0, "")
    assert "Copied" in out
    original, database, copied = demo_gpkg, open_store(url), open_store(back)
    assert logical_checksum(original) == logical_checksum(database) == logical_checksum(copied)
    for name, spec in original.specs.items():
        assert list(_all_rows(original, spec)) == list(_all_rows(copied, spec)), name  # fids too
        columns = spec.column_names  # BLOB columns included
        first, last = original.read(name, columns=columns), copied.read(name, columns=columns)
        if spec.is_spatial:
            assert_geodataframe_equal(first, last, check_dtype=True, check_less_precise=False)
        else:
            pd.testing.assert_frame_equal(first, last, check_dtype=True)
    assert copied.read("progress_photos", columns=["data"])["data"].iloc[0] == photo
    assert copied.integrity_check() == "ok"
    assert database.integrity_check() == "ok"


def _all_rows(store, spec):
    for batch in raw_rows(store, spec):
        yield from batch


def test_copy_refuses_a_store_that_holds_data(pg_demo, demo_store_path: Path, tmp_path: Path) -> None:
    with pytest.raises(StoreError) as info:
        copy_store(open_store(demo_store_path), pg_demo)
    assert info.value.code == "db.copy_not_empty"
    with pytest.raises(StoreError):
        copy_store(pg_demo, open_store(demo_store_path))


def test_copied_store_takes_writes_with_audit_and_versions(pg_demo) -> None:
    """After a copy the identity sequences continue past the copied rows, and the triggers work."""
    before = pg_demo.versions([KALIAWI])[KALIAWI]
    audit_rows = pg_demo.count("pk_audit")
    from geo.accounts import add_user

    add_user(pg_demo, "admin.baru", "kata-sandi-uji-123", "admin")
    assert pg_demo.count("pk_audit") == audit_rows + 1
    assert get_user(pg_demo, "admin.baru") is not None
    with psycopg.connect(pg_demo.url) as con:
        con.execute("UPDATE rt SET rt_label = rt_label || ' (QGIS)' WHERE kelurahan_code = %s", (KALIAWI,))
    assert pg_demo.versions([KALIAWI])[KALIAWI] != before
    external = pg_demo.read("pk_audit", table_name="rt", action="update")
    assert len(external) == 15
    assert set(external["actor"]) == {"external"}


def test_a_failed_import_changes_nothing(pg_demo, capsys, monkeypatch) -> None:
    monkeypatch.setenv("PETAKAMPUNG_HASH_KEY", HASH_KEY.decode())
    before = pg_demo.checksum()
    code, _, err = run(["--store", pg_demo.url, "import", "households", str(BAD_HOUSEHOLDS)], capsys)
    assert code == 1
    assert "Impor dibatalkan" in err
    assert pg_demo.checksum() == before


def test_a_failed_write_into_an_empty_database_leaves_it_empty(pg) -> None:
    url = pg()
    store = open_store(url)
    from geo.accounts import USERS

    def write_then_fail() -> None:
        with store.transaction() as writer:
            writer.upsert(USERS, pd.DataFrame([{"username": "x", "role": "admin", "active": 1}]))
            raise RuntimeError("power cut")

    with pytest.raises(RuntimeError):
        write_then_fail()
    assert not store.exists()
    with psycopg.connect(url) as con:
        assert con.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0] == 1  # PostGIS's


def test_the_public_role_reads_public_tables_only(pg_cluster: Cluster, pg_demo) -> None:
    """The site's public pages connect as a role that cannot read households, accounts, the audit
    log or who recorded progress; saying so clearly in both languages."""
    from geo.store_copy import upgrade_store

    upgrade_store(pg_demo, public_role="pk_public")
    public = open_store(public_url(pg_demo.url))
    assert len(public.read("rt")) == 164  # the five seeds' RTs: 15 + 81 + 25 + 16 + 27
    for table in ("groups", "fund_entries", "programme_areas", "rw_products", "proposals", "roads"):
        assert len(public.read(table)) > 0, table  # member counts and ledgers are public: they hold no person
    assert public.versions([KALIAWI])[KALIAWI] != "0"
    assert len(public.read("progress_records", columns=["record_id", "work_id", "fisik_pct"])) == 0
    for table in ("households", "pk_users", "pk_api_tokens", "pk_audit", "progress_photos", "pk_import_log"):
        with pytest.raises(StoreError) as info:
            public.read(table)
        assert info.value.code == "store.pg_denied", table
        assert "pk_public" in info.value.message("id")
        assert "tidak berhak" in info.value.message("id")
        assert "has no right" in info.value.message("en")
    with pytest.raises(StoreError):
        public.read("progress_records")  # recorded_by and notes are not public
    with pytest.raises(StoreError), public.transaction() as writer:
        writer.set_metadata("x", "y")


def test_db_upgrade_creates_the_schema_and_is_idempotent(pg, capsys, monkeypatch) -> None:
    url = pg()
    monkeypatch.setenv("PETAKAMPUNG_STORE_PUBLIC", public_url(url))
    code, out, _ = run(["db", "upgrade", "--store", url], capsys)
    assert code == 0
    assert "versi 2" in out
    assert "pk_public" in out
    store = open_store(url)
    assert store.exists()
    assert store.metadata() == {"schema_version": "2"}
    with psycopg.connect(url) as con:
        triggers = con.execute("SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal").fetchone()[0]
    before = store.checksum()
    assert run(["--store", url, "db", "upgrade"], capsys)[0] == 0
    with psycopg.connect(url) as con:
        assert con.execute("SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal").fetchone()[0] == triggers
    assert store.checksum() == before
    assert triggers == 6 * sum(1 for s in store.specs.values() if s.audit != "none")


def test_store_urls_are_kept_whole(pg_demo, capsys, monkeypatch) -> None:
    """`--store postgresql://...` and PETAKAMPUNG_STORE reach the database, not a folder 'postgresql:'."""
    from geo.settings import Settings

    assert Settings(store=pg_demo.url).store == pg_demo.url
    code, out, _ = run(["--store", pg_demo.url, "kelurahan"], capsys)
    assert code == 0
    assert "Kaliawi Persada" in out
    monkeypatch.setenv("PETAKAMPUNG_STORE", pg_demo.url)
    code, out, _ = run(["kelurahan"], capsys)
    assert code == 0
    assert "Jatirangga" in out
    assert not Path("postgresql:").exists()


def test_unreachable_database_and_missing_postgis_are_clear_errors(pg_cluster: Cluster, capsys) -> None:
    closed = pg_cluster.url("postgres").replace(f":{pg_cluster.port}/", ":1/")
    code, _, err = run(["--store", closed, "kelurahan"], capsys)
    assert code == 1
    assert "tidak dapat dihubungi" in err
    code, _, err = run(["--lang", "en", "--store", closed, "kelurahan"], capsys)
    assert "cannot reach the database" in err
    assert "Traceback" not in err
    with pg_cluster.admin() as con:
        con.execute("CREATE DATABASE no_postgis TEMPLATE template0 OWNER pk_owner")
    try:
        store = open_store(pg_cluster.url("no_postgis"))
        with pytest.raises(StoreError) as info, store.transaction() as writer:
            writer.set_metadata("x", "y")
        assert info.value.code == "store.pg_no_postgis"
        assert "CREATE EXTENSION postgis" in info.value.message("id")
    finally:
        pg_cluster.drop_database("no_postgis")


def test_settings_for_a_database_name_their_key_and_secret(tmp_path: Path) -> None:
    from geo.settings import Settings

    url = "postgresql://pk_owner@127.0.0.1:5432/kota"
    with pytest.raises(StoreError) as info:
        Settings(store=url).hash_key_bytes()
    assert "PETAKAMPUNG_HASH_KEY_FILE" in info.value.message("en")
    with pytest.raises(StoreError):
        Settings(store=url).session_secret()
    settings = Settings(store=url, hash_key_file=tmp_path / "kota.key", secret_file=tmp_path / "kota.secret")
    assert settings.hash_key_bytes() == settings.hash_key_bytes()
    assert (tmp_path / "kota.key").stat().st_mode & 0o777 == 0o600
    assert not settings.secret_beside_store()
    assert settings.public_store() == url


@pytest.mark.parametrize(("layer", "z"), [("kelurahan", 8), ("kelurahan", 12), ("gardens", 15), ("facilities", 14)])
def test_database_tiles_hold_what_the_python_encoder_puts_in_them(pg_demo, layer: str, z: int) -> None:
    """ST_AsMVT tiles of the plain layers: the same features, the same properties and values, the
    same geometry types as the tiles encoded in Python from the same rows."""
    import mapbox_vector_tile
    import mercantile

    from geo.tiles import BUFFER, EXTENT, TILE_LAYERS, _tolerance, encode_tile, tile_bbox

    spec = TILE_LAYERS[layer]
    bounds = pg_demo.read("kelurahan", kelurahan_code=KALIAWI).total_bounds
    tiles = list(mercantile.tiles(*bounds, zooms=z))
    assert tiles
    seen = 0
    for t in tiles:
        bbox = tile_bbox(t.z, t.x, t.y)
        body, codes = pg_demo.mvt(
            spec.table, layer, t.z, t.x, t.y, bbox=bbox, properties=spec.properties, extent=EXTENT,
            buffer=BUFFER, tolerance=_tolerance(t.z), max_features=20_000,
        )  # fmt: skip
        frame = pg_demo.read(spec.table, bbox=bbox, columns=list(spec.properties))
        python = encode_tile({layer: frame}, t.z, t.x, t.y)
        ours = mapbox_vector_tile.decode(body).get(layer, {}).get("features", []) if body else []
        theirs = mapbox_vector_tile.decode(python).get(layer, {}).get("features", []) if python else []
        key = spec.properties[0]
        assert sorted(f["properties"][key] for f in ours) == sorted(f["properties"][key] for f in theirs)
        by_key = {f["properties"][key]: f for f in theirs}
        for feature in ours:
            other = by_key[feature["properties"][key]]
            assert feature["properties"] == pytest.approx(other["properties"])
            assert feature["geometry"]["type"].replace("Multi", "") == other["geometry"]["type"].replace("Multi", "")
        assert codes == sorted({f["properties"]["kelurahan_code"] for f in ours})
        seen += len(ours)
    assert seen > 0


def test_the_site_serves_database_tiles_with_the_public_role(pg_demo, tmp_path: Path) -> None:
    """On PostGIS the tile service reads with the public role and encodes plain layers in the database."""
    import mapbox_vector_tile
    import mercantile
    from fastapi.testclient import TestClient

    from geo.settings import Settings
    from geo.store_copy import upgrade_store
    from web.app import create_app

    upgrade_store(pg_demo, public_role="pk_public")
    app = create_app(Settings(store=pg_demo.url, store_public=public_url(pg_demo.url), secret_key="k" * 40))
    assert "pk_public" in app.state.tiles.store.url
    client = TestClient(app)
    point = pg_demo.read("facilities", kelurahan_code=KALIAWI).geometry.iloc[0]
    t = mercantile.tile(point.x, point.y, 16)
    response = client.get(f"/tiles/facilities/{t.z}/{t.x}/{t.y}.pbf")
    assert response.status_code == 200
    features = mapbox_vector_tile.decode(response.content)["facilities"]["features"]
    assert any(f["properties"]["kelurahan_code"] == KALIAWI for f in features)
    assert client.get(f"/tiles/rt/{t.z}/{t.x}/{t.y}.pbf").status_code == 200  # RT: Python over the public frames


def test_a_database_error_on_a_page_tells_the_visitor_little_and_the_log_all(pg_demo, tmp_path: Path, caplog) -> None:
    """Before `db upgrade` has granted it the public tables, the public role reads nothing: the
    visitor gets a 503 without the database's host, role or tables; the operator's log has them."""
    import logging

    from fastapi.testclient import TestClient

    from geo.settings import Settings
    from web.app import create_app

    app = create_app(Settings(store=pg_demo.url, store_public=public_url(pg_demo.url), secret_key="k" * 40))
    client = TestClient(app)
    with caplog.at_level(logging.ERROR, logger="petakampung.web"):
        response = client.get("/ogc/collections/facilities/items")
    assert response.status_code == 503
    assert response.json()["code"] == "store.unavailable"  # the OGC API exception shape under /ogc
    assert "pk_public" not in response.text
    assert "127.0.0.1" not in response.text
    assert any("pk_public" in r.getMessage() and "facilities" in r.getMessage() for r in caplog.records)
    page = client.get(f"/kelurahan/{KALIAWI}")
    assert page.status_code == 503
    assert "Basis data sedang tidak dapat dipakai" in page.text


def test_serving_a_database_without_a_session_secret_says_what_to_set(pg_demo, capsys, monkeypatch) -> None:
    monkeypatch.delenv("PETAKAMPUNG_SECRET_KEY", raising=False)
    monkeypatch.delenv("PETAKAMPUNG_SECRET_FILE", raising=False)
    code, _, err = run(["--lang", "en", "--store", pg_demo.url, "serve", "--port", "1"], capsys)
    assert code == 1
    assert "PETAKAMPUNG_SECRET_FILE" in err
