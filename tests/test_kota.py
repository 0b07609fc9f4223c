"""The kota page, the home page's kota list and search, and the stand-alone city map (CLI)."""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from fastapi.testclient import TestClient

from geo.layers.boundaries import KELURAHAN
from geo.public import PublicData
from geo.settings import Settings
from geo.store import open_store
from tests.conftest import HASH_KEY, JATIRANGGA, KALIAWI, location_of, real_data, run
from web.app import create_app
from web.routers.kota import HOME_LIST_MAX

K = 5


@pytest.fixture
def client(backend, demo_store, tmp_path: Path) -> TestClient:
    settings = backend.settings(location_of(demo_store), tmp_path, hash_key=HASH_KEY.decode(), suppression_k=K)
    return TestClient(create_app(settings))


def write_kelurahan(path, frame: gpd.GeoDataFrame) -> None:
    """Boundaries written through the store directly (the importer's handling of real files
    without RW/RT is another issue's work)."""
    with open_store(path).transaction("test") as writer:
        writer.upsert(KELURAHAN, frame)


def test_kota_page_lists_its_kelurahan_with_totals(client, demo_store) -> None:
    r = client.get("/kota/32.75")
    assert r.status_code == 200
    html = r.text
    assert "<h1>Peta Kota Bekasi</h1>" in html
    assert f'href="/kelurahan/{JATIRANGGA}"' in html
    assert KALIAWI not in html  # another kota
    public = PublicData(demo_store, k=K)
    table = public.kelurahan(JATIRANGGA).indicators
    total = re.search(r'<tr id="kota-total">(.*?)</tr>', html, re.S).group(1)
    cells = re.findall(r'<th class="num[^"]*">([^<]*)</th>', total)
    assert cells[0] == str(len(table))
    assert not table["kk_total"].isna().any()
    assert cells[1] == f"{int(table['kk_total'].sum()):,}".replace(",", ".")  # Indonesian thousands
    budget = int(public.kelurahan(JATIRANGGA).works["budget_idr"].fillna(0).sum())
    assert cells[-1] == "Rp " + f"{budget:,}".replace(",", ".")  # Indonesian thousands: "Rp 1.234.567"
    assert "/tiles/{layer}/{z}/{x}/{y}.pbf" in html
    assert "Leaflet.VectorGrid.bundled.min.js" in html
    assert "unpkg" not in html
    assert "cdn" not in html.lower()


def test_kota_total_is_hidden_when_any_part_is(backend, demo_store, tmp_path: Path) -> None:
    """With k = 60 some RT counts are suppressed: the kelurahan and kota totals must not be published
    (they would reveal the hidden counts), while the RT count still is."""
    k = 60
    table = PublicData(demo_store, k=k).kelurahan(JATIRANGGA).indicators
    assert table["kk_total"].isna().any()
    assert table["kk_total"].notna().any()
    client = TestClient(create_app(backend.settings(location_of(demo_store), tmp_path, hash_key="x", suppression_k=k)))
    html = client.get("/kota/3275").text  # the code without its dot works too
    row = re.search(rf'<tr data-code="{JATIRANGGA}">(.*?)</tr>', html, re.S).group(1)
    assert re.findall(r'<td class="num">([^<]*)</td>', row)[:2] == [str(len(table)), "*"]
    total = re.search(r'<tr id="kota-total">(.*?)</tr>', html, re.S).group(1)
    assert re.findall(r'<th class="num[^"]*">([^<]*)</th>', total)[1] == "*"
    published = int(table["kk_total"].sum())  # the sum of the published counts only
    assert f"{published:,}".replace(",", ".") not in html


def test_kota_page_in_english_and_unknown_kota(client) -> None:
    r = client.get("/kota/18.71?lang=en")
    assert "<h1>Map of Kota Bandar Lampung</h1>" in r.text
    assert '"lang": "en"' in r.text
    r = client.get("/kota/18.72?lang=id")  # the English choice above is remembered in a cookie
    assert r.status_code == 404
    assert "kota/kabupaten 18.72 tidak ada di penyimpanan" in r.text
    r = client.get("/kota/99.99")  # not a Kemendagri code at all
    assert r.status_code == 404
    assert "kode provinsi (2 angka pertama) tidak dikenal" in r.text
    assert "Traceback" not in r.text
    assert client.get("/kota/abc").status_code == 404
    assert client.get("/kota/18.71.06").status_code == 404


def test_home_shows_kota_grouped_by_provinsi_with_a_map(client) -> None:
    html = client.get("/").text
    assert 'href="/kota/18.71"' in html
    assert 'href="/kota/32.75"' in html
    assert "Lampung" in html
    assert "Jawa Barat" in html
    assert 'id="home-map"' in html
    assert 'id="pk-map-config"' in html  # the map's data; static/pk/tile-pages.js starts it (no inline script)
    assert 'src="/static/pk/tile-pages.js"' in html
    for kota in ("36.71", "15.71", "31.71"):  # the newer seeds: Kota Tangerang, Kota Jambi, Jakarta Pusat
        assert f'href="/kota/{kota}"' in html
    assert html.count('<tr data-search="') == 5  # a small store lists every kelurahan (the five seeds)


@pytest.fixture
def big_store(new_location):
    """HOME_LIST_MAX + 50 small kelurahan in two kota (no RT)."""
    n = HOME_LIST_MAX + 50
    codes = [
        f"18.71.{1 + i // 50:02d}.{1001 + i:04d}" if i < n // 2 else f"32.75.{1 + i // 50:02d}.{2001 + i:04d}"
        for i in range(n)
    ]
    frame = gpd.GeoDataFrame(
        {
            "kelurahan_code": codes,
            "name": [f"Desa Uji {i:03d}" for i in range(n)],
            "kecamatan": "Kecamatan Uji",
            "kota": ["Kota Bandar Lampung" if c.startswith("18") else "Kota Bekasi" for c in codes],
            "provinsi": ["Lampung" if c.startswith("18") else "Jawa Barat" for c in codes],
            "unit_type": "RW",
        },
        geometry=[
            shapely.MultiPolygon([shapely.box(105 + i * 0.01, -5.4, 105.009 + i * 0.01, -5.39)]) for i in range(n)
        ],
        crs=4326,
    )
    path = new_location("big")
    write_kelurahan(path, frame)
    return path


def test_home_with_many_kelurahan_lists_none_until_searched(backend, big_store, tmp_path: Path) -> None:
    client = TestClient(create_app(backend.settings(big_store, tmp_path, hash_key="x")))
    html = client.get("/").text
    assert html.count('<tr data-search="') == 0
    assert 'data-complete="false"' in html
    assert f"{HOME_LIST_MAX + 50} kelurahan tersimpan" in html
    assert html.count('href="/kota/') == 2
    found = client.get("/?q=uji 01").text
    assert found.count('<tr data-search="') == 10  # 010 ... 019
    api = client.get("/api/wilayah/cari", params={"q": "desa uji", "limit": 20}).json()
    assert len(api["kelurahan"]) == 20
    assert api["matched"] == HOME_LIST_MAX + 50
    assert client.get("/api/wilayah/cari", params={"q": "bekasi"}).json()["kota"][0]["code"] == "32.75"
    kota = client.get("/kota/18.71").text
    assert kota.count('<tr data-code="') == (HOME_LIST_MAX + 50) // 2
    assert "belum ada RT" in kota


def test_map_kota_writes_a_small_stand_alone_file(demo_store, tmp_path: Path, capsys) -> None:
    out = tmp_path / "kota.html"
    code, stdout, _ = run(["--store", str(location_of(demo_store)), "map", "--kota", "32.75", "-o", str(out)], capsys)
    assert code == 0
    assert "Peta kota ditulis" in stdout
    size = out.stat().st_size
    assert 50_000 < size < 2_000_000
    html = out.read_text()
    assert "pkTiles.kotaMap" in html
    assert '"embedded"' in html
    assert "<script src=" not in html
    assert 'rel="stylesheet" href=' not in html
    assert "kk_key" not in html
    assert "decile" not in html


def test_map_needs_exactly_one_place(demo_store, tmp_path: Path, capsys) -> None:
    out = tmp_path / "x.html"
    code, _, err = run(["--store", str(location_of(demo_store)), "map", "-o", str(out)], capsys)
    assert code == 2
    assert "--kelurahan" in err
    assert "--kota" in err
    code, _, err = run(["--store", str(location_of(demo_store)), "map", "--kota", "18.72", "-o", str(out)], capsys)
    assert code == 1
    assert "18.72" in err
    assert not out.exists()


@pytest.mark.realdata
def test_map_kota_of_real_bandar_lampung(tmp_path: Path, capsys) -> None:
    source = gpd.read_file(real_data("wilayah-boundaries", "kelurahan_kota_bandar_lampung.geojson"))
    frame = gpd.GeoDataFrame(
        {
            "kelurahan_code": source["kode"],
            "name": source["nama"],
            "kecamatan": source["nama_kec"],
            "kota": source["nama_kab"],
            "provinsi": source["nama_prov"],
            "unit_type": "Lingkungan",
        },
        geometry=source.geometry,
        crs=4326,
    )
    store = tmp_path / "bdl.gpkg"
    write_kelurahan(store, frame)
    out = tmp_path / "bandar_lampung.html"
    code, stdout, _ = run(["--store", str(store), "map", "--kota", "18.71", "-o", str(out)], capsys)
    assert code == 0, stdout
    assert out.stat().st_size < 2_000_000
    html = out.read_text()
    assert html.count('"18.71.') >= 126  # every kelurahan is in the map's configuration
    client = TestClient(create_app(Settings(store=store, hash_key="x")))
    page = client.get("/kota/18.71").text
    assert page.count('<tr data-code="') == 126
    assert "Kota Bandar Lampung" in page
