"""Every API, OGC API Features and download route through the app's TestClient."""

from __future__ import annotations

import io

import pandas as pd
import pyogrio
import pytest
from fastapi.testclient import TestClient

from geo.store import open_store
from tests.conftest import JATIRANGGA, KALIAWI
from web.app import create_app

GEOJSON = "application/geo+json"


@pytest.fixture(scope="module")
def client(backend, demo_source, tmp_path_factory):
    location = backend.copy(demo_source, name="api")
    yield TestClient(create_app(backend.settings(location, tmp_path_factory.mktemp("api"), hash_key="x")))
    backend.drop(location)


def test_kelurahan_list_and_one(client: TestClient) -> None:
    r = client.get("/api/kelurahan")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    body = {k["kelurahan_code"]: k for k in r.json()}
    assert set(body) == {KALIAWI, JATIRANGGA, "36.71.03.1002", "15.71.01.1010", "31.71.08.1004"}  # the five seeds
    assert body[KALIAWI]["rt_count"] == 15
    assert body[JATIRANGGA]["name"] == "Jatirangga"
    one = client.get(f"/api/kelurahan/{KALIAWI}").json()
    assert one["works_budget_idr"] == 1_890_000_000
    assert one["rt_count"] == 15


def test_indicators_json_and_csv_agree(client: TestClient) -> None:
    rows = client.get(f"/api/kelurahan/{KALIAWI}/indicators").json()
    assert len(rows) == 15
    r = client.get(f"/api/kelurahan/{KALIAWI}/indicators.csv")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    table = pd.read_csv(io.StringIO(r.text))
    assert list(table["rt_label"]) == [row["rt_label"] for row in rows]
    assert table["kk_total"].sum() == sum(row["kk_total"] for row in rows)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", 11),
        ("?year=2019", 8),
        ("?status=berjalan", 1),
        ("?funding=bpm", 8),
        ("?type=sumur_bor", 2),
        ("?year=2019&type=drainase", 3),
    ],
)
def test_works_filters(client: TestClient, query: str, expected: int) -> None:
    r = client.get(f"/api/kelurahan/{KALIAWI}/works{query}")
    assert r.status_code == 200
    assert r.headers["content-type"] == GEOJSON
    assert r.json()["type"] == "FeatureCollection"
    assert len(r.json()["features"]) == expected


def test_gardens_facilities_progress(client: TestClient) -> None:
    gardens = client.get(f"/api/kelurahan/{KALIAWI}/gardens").json()["features"]
    assert {g["properties"]["kwt_name"] for g in gardens} == {"KWT Sukawangi Sejahtera"}
    facilities = client.get(f"/api/kelurahan/{KALIAWI}/facilities").json()["features"]
    assert all(f["geometry"]["type"] == "Point" for f in facilities)
    hist = client.get(f"/api/kelurahan/{KALIAWI}/works/KTK-2019-01/progress").json()
    assert hist[-1]["fisik_pct"] == 100.0
    assert [h["record_date"] for h in hist] == sorted(h["record_date"] for h in hist)
    assert client.get(f"/api/kelurahan/{KALIAWI}/works/NOPE/progress").status_code == 404


def test_map_layer_endpoint_filters_by_bbox(client: TestClient) -> None:
    everything = client.get(f"/api/kelurahan/{KALIAWI}/map/works").json()["features"]
    assert len(everything) == 11
    assert all("color" in f["properties"] and "status_text" in f["properties"] for f in everything)
    empty = client.get(f"/api/kelurahan/{KALIAWI}/map/works?bbox=100,0,100.1,0.1").json()["features"]
    assert empty == []


def test_ogc_landing_conformance_collections(client: TestClient) -> None:
    landing = client.get("/ogc").json()
    rels = {link["rel"] for link in landing["links"]}
    assert {"self", "service-desc", "conformance", "data"} <= rels
    conf = client.get("/ogc/conformance").json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson" in conf
    cols = client.get("/ogc/collections").json()["collections"]
    assert [c["id"] for c in cols] == ["kelurahan", "rw", "rt", "works", "gardens", "facilities"]
    for c in cols:
        assert any(link["rel"] == "items" for link in c["links"])
        assert c["crs"] == ["http://www.opengis.net/def/crs/OGC/1.3/CRS84"]
        minx, miny, maxx, maxy = c["extent"]["spatial"]["bbox"][0]
        assert 103 < minx < maxx < 107.5  # from Kota Jambi (103.5 E) to Kota Bekasi (106.9 E)
        assert -6.5 < miny < maxy < -1.5
    assert client.get("/ogc/collections/works").json()["id"] == "works"


def test_ogc_items_paging_with_next_links(client: TestClient) -> None:
    total = len(open_store(client.app.state.settings.store).read("rt"))
    seen, url = [], "/ogc/collections/rt/items?limit=40"
    while url:
        r = client.get(url)
        assert r.status_code == 200
        assert r.headers["content-type"] == GEOJSON
        body = r.json()
        assert body["numberMatched"] == total
        assert body["numberReturned"] == len(body["features"]) <= 40
        seen += [f["id"] for f in body["features"]]
        nxt = [link["href"] for link in body["links"] if link["rel"] == "next"]
        url = nxt[0].replace("http://testserver", "") if nxt else None
    assert len(seen) == len(set(seen)) == total


def test_ogc_bbox_and_property_filters(client: TestClient) -> None:
    kaliawi_box = "105.23,-5.43,105.26,-5.40"
    inside = client.get(f"/ogc/collections/rt/items?bbox={kaliawi_box}&limit=1000").json()
    assert {f["properties"]["kelurahan_code"] for f in inside["features"]} == {KALIAWI}
    done = client.get("/ogc/collections/works/items?status=selesai&year=2019").json()
    assert done["numberMatched"] == 8
    one = client.get(f"/ogc/collections/rt/items?kelurahan_code={KALIAWI}&rt_number=3&unit_number=1").json()
    assert one["numberMatched"] == 1
    assert one["features"][0]["properties"]["rt_label"] == "RT 003 / LK 001"


def test_ogc_single_feature(client: TestClient) -> None:
    r = client.get("/ogc/collections/works/items/KTK-2019-01")
    assert r.status_code == 200
    assert r.headers["content-type"] == GEOJSON
    assert r.json()["properties"]["budget_idr"] == 320_000_000
    assert r.json()["id"] == "KTK-2019-01"
    rt = client.get(f"/ogc/collections/rt/items/{KALIAWI}-1-3").json()
    assert rt["properties"]["rt_label"] == "RT 003 / LK 001"


@pytest.mark.parametrize(
    ("url", "status", "code"),
    [
        ("/api/kelurahan/18.71.06.1099", 404, "kelurahan.unknown"),
        ("/api/kelurahan/123/indicators", 404, "code.format"),
        ("/api/kelurahan?lang=xx", 400, "lang.unknown"),
        ("/unduh/households.xlsx", 404, "download.layer"),
        ("/unduh/works.csv", 404, "download.layer"),
        ("/api/kelurahan/18.71.06.1012/map/works?bbox=10,0,5,1", 400, "req.bbox"),  # the API has no antimeridian
    ],
)
def test_api_errors_are_clear_json(client: TestClient, url: str, status: int, code: str) -> None:
    r = client.get(url)
    assert r.status_code == status
    assert r.headers["content-type"] == "application/json"
    assert r.json()["error"] == code
    assert r.json()["detail"]
    assert "Traceback" not in r.text


def test_errors_follow_the_language(client: TestClient) -> None:
    assert "tidak ada" in client.get("/ogc/collections/nope?lang=id").json()["description"]
    assert "does not exist" in client.get("/ogc/collections/nope?lang=en").json()["description"]
    assert "tidak ada di penyimpanan" in client.get("/api/kelurahan/18.71.06.1099?lang=id").json()["detail"]


@pytest.mark.parametrize("fmt", ["gpkg", "geojson", "csv"])
@pytest.mark.parametrize("layer", ["boundaries", "households", "infrastructure", "gardens", "facilities"])
def test_downloads(client: TestClient, tmp_path, layer: str, fmt: str) -> None:
    r = client.get(f"/unduh/{layer}.{fmt}?kelurahan={KALIAWI}")
    assert r.status_code == 200
    assert f"petakampung_{layer}_{KALIAWI}.{fmt}" in r.headers["content-disposition"]
    path = tmp_path / f"x.{fmt}"
    path.write_bytes(r.content)
    main = {"boundaries": "rt", "infrastructure": "works"}.get(layer)
    if fmt == "csv":
        frame = pd.read_csv(path)
    else:
        frame = pyogrio.read_dataframe(path, layer=main if fmt == "gpkg" and main else None)
    assert len(frame) > 0
    assert set(frame["kelurahan_code"]) == {KALIAWI}
    assert not {"kk_key", "decile", "no_kk", "nik"} & set(frame.columns)


def test_openapi_documents_every_route(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path in (
        "/api/kelurahan",
        "/api/kelurahan/{code}/indicators",
        "/ogc/collections/{collection_id}/items",
        "/ogc/collections/{collection_id}/items/{feature_id}",
        "/unduh/{layer}.{fmt}",
    ):
        assert path in spec["paths"]
    limit = next(
        p for p in spec["paths"]["/ogc/collections/{collection_id}/items"]["get"]["parameters"] if p["name"] == "limit"
    )
    assert limit["schema"]["maximum"] == 10_000
    assert client.get("/docs").status_code == 200


def test_responses_are_compressed(client: TestClient) -> None:
    r = client.get(f"/kelurahan/{JATIRANGGA}", headers={"accept-encoding": "gzip"})
    assert r.headers["content-encoding"] == "gzip"
    r = client.get("/ogc/collections/rt/items?limit=1000", headers={"accept-encoding": "gzip"})
    assert r.headers["content-encoding"] == "gzip"


def test_rank_api_within_budget_and_public(client: TestClient) -> None:
    r = client.get(f"/api/kelurahan/{KALIAWI}/rank?budget=1500000000")
    assert r.status_code == 200
    body = r.json()
    chosen = [row for row in body["ranking"] if row["chosen"]]
    assert 0 < body["total_cost_idr"] <= 1_500_000_000
    assert body["total_cost_idr"] == sum(row["cost_idr"] for row in chosen)
    assert all(row["eligible"] and row["kumuh_total"] >= 16 for row in chosen)
    assert all(row["why"] for row in chosen)
    assert body["rule_id"] == "permen-pupr-14-2018"
    assert not {"kk_poor", "decile", "kk_key"} & set(body["ranking"][0])
    flood_only = client.get(
        f"/api/kelurahan/{KALIAWI}/rank?budget=1500000000&w_kumuh=0&w_poverty=0&w_flood=1"
        "&w_population=0&w_strategis=0&w_kependudukan=0&w_sosial=0"
    ).json()
    top = flood_only["ranking"][0]
    assert top["flood_share"] == max(row["flood_share"] for row in flood_only["ranking"] if row["eligible"])


@pytest.mark.parametrize(
    "query",
    [
        "budget=0",
        "budget=-5",
        "budget=abc",
        "",
        "budget=1e9&w_kumuh=-1",
        "budget=1e9&w_kumuh=0&w_poverty=0&w_flood=0&w_population=0&w_strategis=0&w_kependudukan=0&w_sosial=0",
    ],
)
def test_rank_api_refuses_bad_input(client: TestClient, query: str) -> None:
    r = client.get(f"/api/kelurahan/{KALIAWI}/rank?{query}")
    assert r.status_code == 400
    assert r.headers["content-type"] == "application/json"


def test_planner_page(client: TestClient) -> None:
    r = client.get(f"/kelurahan/{KALIAWI}/perencanaan?lang=id")
    assert r.status_code == 200
    assert 'id="plan-form"' in r.text
    assert "Perencanaan lokasi" in r.text
