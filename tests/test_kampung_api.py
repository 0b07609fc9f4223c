"""Rumah DataKu and Kampung Tangguh service areas as JSON and CSV, and how long service areas are kept.

The JSON and CSV carry exactly what the pages show (the same suppressed tables); hostile query
parameters are refused with 400; a write in another kelurahan leaves a kelurahan's service areas
as they were built, a write within reach rebuilds them.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from geo.demo import DEFAULT_DATA_DIR
from geo.formats import number, percent
from geo.importer import import_file
from geo.kampung_tangguh import PILLARS
from geo.store import Store
from tests.conftest import HASH_KEY, JATIRANGGA, KALIAWI
from tests.test_kampung import K, _client, _row, kb_store  # noqa: F401 (a fixture)
from web.routers.kampung import service_result

NEIGHBOUR = "18.71.06.1099"  # a test kelurahan laid against Kaliawi Persada's eastern border


# --- Rumah DataKu ---------------------------------------------------------------------------------


def test_rumah_dataku_json_and_csv_are_the_page_table(backend, kb_store: Store, tmp_path: Path) -> None:  # noqa: F811
    client = _client(backend, kb_store, tmp_path)
    page = client.get(f"/kelurahan/{KALIAWI}/rumah-dataku").text
    r = client.get(f"/api/kelurahan/{KALIAWI}/rumah-dataku")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    body = r.json()
    assert body["suppression_k"] == K
    assert body["has_data"] is True
    # every RT's cells, written the page's way, are the page's cells: the same suppression
    order = ["kk_data", "kk_pus", "kk_kb", "kb_share", "kk_mkjp", "mkjp_share", "kk_stunting_risk",
             "stunting_share", "kk_poktan", "poktan_share"]  # fmt: skip
    for row in body["rts"]:
        shown = [
            percent(row[c], "id", missing="*") if c.endswith("_share") else number(row[c], "id", missing="*")
            for c in order
        ]
        assert shown == _row(page, row["rt_label"]), row["rt_label"]
    rts = {row["rt_label"]: row for row in body["rts"]}
    one, two = rts["RT 001 / LK 001"], rts["RT 002 / LK 001"]
    assert one["kk_data"] == 20
    assert one["kk_mkjp"] is None  # 3 MKJP users: fewer than k
    assert all(two[c] is None for c in order)  # 3 KK: the whole RT is hidden
    assert all(body["totals"][c] is None for c in order)  # a total over hidden parts would give them away
    csv = client.get(f"/api/kelurahan/{KALIAWI}/rumah-dataku.csv")
    assert csv.status_code == 200
    assert csv.headers["content-type"].startswith("text/csv")
    assert f'filename="rumah_dataku_{KALIAWI}.csv"' in csv.headers["content-disposition"]
    table = pd.read_csv(io.StringIO(csv.text)).set_index("rt_label")
    assert table.loc["RT 001 / LK 001", "kk_data"] == 20
    assert table.loc["RT 002 / LK 001"][order].isna().all()
    for row in body["rts"]:  # the same cells as the JSON
        assert [None if pd.isna(v) else v for v in table.loc[row["rt_label"], order]] == pytest.approx(
            [row[c] for c in order]
        )
    assert len(table) == len(body["rts"])
    assert not {"kk_key", "no_kk", "nik", "decile", "name"} & set(table.columns)


def test_rumah_dataku_page_links_its_data(backend, kb_store: Store, tmp_path: Path) -> None:  # noqa: F811
    client = _client(backend, kb_store, tmp_path)
    for lang, words in (("id", "Unduh tabel (CSV)"), ("en", "Download table (CSV)")):
        page = client.get(f"/kelurahan/{KALIAWI}/rumah-dataku?lang={lang}").text
        assert words in page
        for link in ("dataku-csv", "dataku-json"):
            href = re.search(rf'id="{link}" href="([^"]+)"', page).group(1)
            assert client.get(href).status_code == 200, href


# --- service areas --------------------------------------------------------------------------------


def test_layanan_json_and_csv_are_the_page_table(backend, demo_store: Store, tmp_path: Path) -> None:
    client = _client(backend, demo_store, tmp_path)
    page = client.get(f"/kelurahan/{KALIAWI}/layanan?jarak=750&layanan=posyandu").text
    body = client.get(f"/api/kelurahan/{KALIAWI}/layanan?jarak=740").json()  # 50 m steps, as the page
    assert body["distance_m"] == 750
    assert body["mode"] == "network"  # Kaliawi has the demo road layer
    assert body["suppression_k"] == K
    n_rt = len(demo_store.read("rt", kelurahan_code=KALIAWI))
    assert len(body["rts"]) == n_rt
    # the gap list and the facility counts the page shows
    listed = re.search(r'<span id="gap-list">([^<]*)</span>', page).group(1)
    assert body["gaps"]["posyandu"] == ([] if listed.startswith("Tidak ada") else listed.split(", "))
    assert f"Posyandu ({body['facilities']['posyandu']})" in page
    for row in body["rts"]:
        cells = _row(page, row["rt_label"])
        kk = cells[0]
        assert kk == ("*" if row["kk_located"] is None else f"{row['kk_located']:,}".replace(",", "."))
        area = f"{100 * row['area_posyandu']:.1f}".replace(".", ",") + " %"
        assert cells[1].endswith(area)
        assert 0 <= row["area_posyandu"] <= 1
        assert row["pillars"] == sum(row[f"pillar_{p}"] for p in PILLARS)
    csv = client.get(f"/api/kelurahan/{KALIAWI}/layanan.csv?jarak=750")
    assert csv.status_code == 200
    assert f'filename="layanan_{KALIAWI}_750m.csv"' in csv.headers["content-disposition"]
    table = pd.read_csv(io.StringIO(csv.text))
    assert list(table["rt_label"]) == [r["rt_label"] for r in body["rts"]]
    assert list(table["area_posyandu"]) == pytest.approx([r["area_posyandu"] for r in body["rts"]])
    links = client.get(f"/kelurahan/{KALIAWI}/layanan?jarak=1000&lang=en").text
    assert "Download table (CSV)" in links
    assert f'href="/api/kelurahan/{KALIAWI}/layanan.csv?jarak=1000"' in links
    assert f'href="/api/kelurahan/{KALIAWI}/layanan?jarak=1000"' in links


@pytest.mark.parametrize(
    "query",
    ["jarak=-1", "jarak=1e9", "jarak=1000000000", "jarak=abc", "jarak=", "jarak=500.5", "jarak=99", "jarak=2001"],
)
def test_hostile_distances_are_refused(backend, demo_store: Store, tmp_path: Path, query: str) -> None:
    client = _client(backend, demo_store, tmp_path)
    for path in ("layanan", "layanan.csv"):
        r = client.get(f"/api/kelurahan/{KALIAWI}/{path}?{query}&lang=id")
        assert r.status_code in (400, 422), (path, query, r.status_code)
        assert "jarak" in r.json()["detail"]
        assert "Traceback" not in r.text


@pytest.mark.parametrize("path", ["rumah-dataku", "rumah-dataku.csv", "layanan", "layanan.csv"])
def test_unknown_or_hostile_kelurahan_is_not_found(backend, demo_store: Store, tmp_path: Path, path: str) -> None:
    client = _client(backend, demo_store, tmp_path)
    for code in ("99.99.99.9999", "%3Cscript%3E", "x" * 300):
        r = client.get(f"/api/kelurahan/{code}/{path}")
        assert r.status_code == 404, (code, r.status_code)
        assert "<script>" not in r.text


def _neighbour_boundaries(store: Store, folder: Path) -> Path:
    """RW 01 of Jatirangga moved so that its kelurahan touches Kaliawi Persada's eastern edge."""
    shapes = gpd.read_file(DEFAULT_DATA_DIR / "boundaries" / "jatirangga.geojson")
    keep = shapes[(shapes["level"] == "kelurahan") | (shapes["rw"] == "RW 01")].copy()
    kaliawi = store.read("kelurahan", kelurahan_code=KALIAWI).total_bounds
    outline = keep[keep["level"] == "kelurahan"].total_bounds
    dx, dy = kaliawi[2] - outline[0], kaliawi[1] - outline[1]
    keep["geometry"] = keep.geometry.translate(dx, dy)
    keep["kelurahan_code"] = NEIGHBOUR
    keep.loc[keep["level"] == "kelurahan", ["name", "kecamatan", "kota", "provinsi"]] = [
        "Tetangga Uji",
        "Kecamatan Uji",
        "Kota Bandar Lampung",
        "Lampung",
    ]
    path = folder / "tetangga.geojson"
    keep.to_file(path, driver="GeoJSON")
    return path


def _posyandu(folder: Path, name: str, code: str, x: float, y: float) -> Path:
    path = folder / f"{name}.geojson"
    feature = {
        "type": "Feature",
        "properties": {"id_fasilitas": name, "kode_kelurahan": code, "nama": name, "kategori": "posyandu",
                       "program": "Swadaya"},
        "geometry": {"type": "Point", "coordinates": [x, y]},
    }  # fmt: skip
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), encoding="utf-8")
    return path


def test_service_areas_are_kept_across_writes_elsewhere(backend, demo_store: Store, tmp_path: Path) -> None:
    """Kept on the versions of what lies within reach, not on the store-wide version: a write in
    Jatirangga (another city) reuses Kaliawi's result; a posyandu just across the border in a new
    neighbouring kelurahan, a road outside every kelurahan, and a write in Kaliawi rebuild it."""
    client = _client(backend, demo_store, tmp_path)
    data = client.app.state.public
    first = service_result(data, data.kelurahan(KALIAWI), 500)
    jatirangga = demo_store.read("kelurahan", kelurahan_code=JATIRANGGA).geometry.iloc[0].representative_point()
    import_file(demo_store, "facilities", _posyandu(tmp_path, "PY-JTR", JATIRANGGA, jatirangga.x, jatirangga.y),
                hash_key=HASH_KEY)  # fmt: skip
    assert service_result(data, data.kelurahan(KALIAWI), 500) is first  # kept: nothing within reach changed
    assert service_result(data, data.kelurahan(KALIAWI), 500) is first

    import_file(demo_store, "boundaries", _neighbour_boundaries(demo_store, tmp_path), hash_key=HASH_KEY)
    x0, y0, x1, y1 = demo_store.read("kelurahan", kelurahan_code=KALIAWI).total_bounds
    inside = demo_store.read("kelurahan", kelurahan_code=NEIGHBOUR).geometry.iloc[0]
    kaliawi = demo_store.read("kelurahan", kelurahan_code=KALIAWI).geometry.iloc[0]
    point = inside.intersection(kaliawi.buffer(0.003)).representative_point()  # about 300 m from the border
    import_file(demo_store, "facilities", _posyandu(tmp_path, "PY-TTG", NEIGHBOUR, point.x, point.y),
                hash_key=HASH_KEY)  # fmt: skip
    second = service_result(data, data.kelurahan(KALIAWI), 500)
    assert second is not first
    assert second["used"]["posyandu"] == first["used"]["posyandu"] + 1  # the neighbour's posyandu counts
    page = client.get(f"/kelurahan/{KALIAWI}/layanan").text
    assert f"Posyandu ({second['used']['posyandu']})" in page

    road = tmp_path / "jalan.geojson"  # beside the kelurahan, in no stored kelurahan
    line = [[x0 - 0.0008, y0], [x0 - 0.0008, y1]]
    road.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"osm_id": "w-uji", "highway": "footway"},
         "geometry": {"type": "LineString", "coordinates": line}}]}), encoding="utf-8")  # fmt: skip
    import_file(demo_store, "roads", road, hash_key=HASH_KEY)
    assert demo_store.read("roads", road_id="w-uji")["kelurahan_code"].isna().all()
    third = service_result(data, data.kelurahan(KALIAWI), 500)
    assert third is not second
    assert service_result(data, data.kelurahan(KALIAWI), 500) is third

    import_file(demo_store, "facilities", _posyandu(tmp_path, "PY-KLW", KALIAWI, (x0 + x1) / 2, (y0 + y1) / 2),
                hash_key=HASH_KEY)  # fmt: skip
    fourth = service_result(data, data.kelurahan(KALIAWI), 500)
    assert fourth is not third
    assert fourth["used"]["posyandu"] == third["used"]["posyandu"] + 1
