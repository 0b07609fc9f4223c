"""Vector tiles as a map client gets them: real HTTP handling through the app, decoded with
mapbox-vector-tile, compared with the public data they must carry and nothing more."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import mapbox_vector_tile
import mercantile
import pandas as pd
import pytest
import shapely
from fastapi.testclient import TestClient

from geo.importer import import_file
from geo.public import PublicData
from geo.store import Store
from geo.tiles import TILE_LAYERS, TileBudget, encode_tile, tile_bbox
from tests.conftest import HASH_KEY, JATIRANGGA, KALIAWI, location_of
from web.app import create_app

K = 5
HOUSEHOLD_WORDS = {
    "kk_key",
    "decile",
    "desil",
    "nik",
    "no_kk",
    "nama",
    "nama_kepala_keluarga",
    "lat",
    "lon",
    "geometry",
}


@pytest.fixture
def client(backend, demo_store: Store, tmp_path: Path) -> TestClient:
    settings = backend.settings(location_of(demo_store), tmp_path, hash_key=HASH_KEY.decode(), suppression_k=K)
    return TestClient(create_app(settings))


def centre_tile(store: Store, code: str, z: int) -> mercantile.Tile:
    point = store.read("kelurahan", kelurahan_code=code).geometry.iloc[0].representative_point()
    return mercantile.tile(point.x, point.y, z)


def get_tile(client: TestClient, layer: str, t: mercantile.Tile, **headers: str):
    return client.get(f"/tiles/{layer}/{t.z}/{t.x}/{t.y}.pbf", headers=headers)


def decoded(response) -> dict:
    return mapbox_vector_tile.decode(response.content) if response.status_code == 200 else {}


def covering_tiles(store: Store, code: str, z: int) -> list[mercantile.Tile]:
    return list(mercantile.tiles(*store.read("kelurahan", kelurahan_code=code).total_bounds, zooms=z))


ID_OF = {
    "kelurahan": lambda p: p["kelurahan_code"],
    "rt": lambda p: (p["kelurahan_code"], int(p["unit_number"]), int(p["rt_number"])),
    "works": lambda p: p["work_id"],
    "gardens": lambda p: p["garden_id"],
    "facilities": lambda p: p["facility_id"],
}


def expected_ids(public: PublicData, store: Store, layer: str, tiles: list[mercantile.Tile]) -> set:
    kel = public.kelurahan(KALIAWI)
    frame = {
        "kelurahan": kel.kelurahan,
        "rt": kel.rt,
        "works": kel.works,
        "gardens": kel.gardens,
        "facilities": kel.facilities,
    }[layer]
    boxes = shapely.union_all([shapely.box(*tile_bbox(t.z, t.x, t.y, buffer=0)) for t in tiles])
    inside = frame[frame.geometry.intersects(boxes)]
    return {ID_OF[layer](row) for row in inside.to_dict("records")}


@pytest.mark.parametrize("layer", list(TILE_LAYERS))
def test_tiles_hold_the_public_features_of_their_area(client, demo_store, layer: str) -> None:
    z = max(TILE_LAYERS[layer].min_zoom, 15)
    tiles = covering_tiles(demo_store, KALIAWI, z)
    found: dict = {}
    for t in tiles:
        r = get_tile(client, layer, t)
        assert r.status_code in (200, 204), (t, r.status_code)
        if r.status_code == 200:
            assert r.headers["content-type"] == "application/vnd.mapbox-vector-tile"
            for feature in decoded(r)[layer]["features"]:
                props = feature["properties"]
                if props["kelurahan_code"] == KALIAWI:
                    found[ID_OF[layer](props)] = props
    public = PublicData(demo_store, k=K)
    assert set(found) == expected_ids(public, demo_store, layer, tiles)
    assert found, "the demo kelurahan has features in every layer"
    allowed = set(TILE_LAYERS[layer].properties)
    assert all(set(props) <= allowed for props in found.values())


def test_rt_tiles_carry_the_suppressed_indicators_exactly(client, demo_store) -> None:
    public = PublicData(demo_store, k=K)
    for code in (KALIAWI, JATIRANGGA):
        rt = public.kelurahan(code).rt.set_index(["unit_number", "rt_number"])
        seen = {}
        for t in covering_tiles(demo_store, code, 14):
            for f in decoded(get_tile(client, "rt", t)).get("rt", {}).get("features", []):
                p = f["properties"]
                if p["kelurahan_code"] == code:
                    seen[(p["unit_number"], p["rt_number"])] = p
        assert set(seen) == set(rt.index)
        hidden = 0
        for key, props in seen.items():
            row = rt.loc[key]
            for col in ("kk_total", "kk_poor", "poor_share", "share_unsafe_water", "share_no_own_toilet"):
                if pd.isna(row[col]):
                    assert col not in props, (code, key, col)  # a suppressed cell stays suppressed
                    hidden += 1
                else:
                    assert props[col] == pytest.approx(float(row[col]), abs=1e-6), (code, key, col)
            assert props["rt_label"] == row["rt_label"]
        if code == JATIRANGGA:
            assert hidden > 0  # the demo has suppressed RTs: this test would notice a leak


def test_tiles_carry_no_household_data(client, demo_store) -> None:
    households = demo_store.read("households")
    keys = set(households["kk_key"])
    texts = []
    for code in (KALIAWI, JATIRANGGA):
        for layer, spec in TILE_LAYERS.items():
            for z in (spec.min_zoom, 16):
                for t in covering_tiles(demo_store, code, z):
                    r = get_tile(client, layer, t)
                    for _name, data in decoded(r).items():
                        for f in data["features"]:
                            props = f["properties"]
                            assert not set(props) & HOUSEHOLD_WORDS, (layer, props)
                            for col in ("kk_total", "kk_poor"):
                                assert props.get(col, K) >= K, (layer, props)
                            texts.append(json.dumps(props))
    blob = "\n".join(texts)
    assert len(texts) > 100
    assert not any(key in blob for key in keys)
    assert "Warga Contoh" not in blob  # demo household heads are all called so


def test_min_zoom_outside_data_and_bad_addresses(client, demo_store) -> None:
    t = centre_tile(demo_store, KALIAWI, 11)
    assert get_tile(client, "rt", t).status_code == 204  # no RT polygons below z12
    assert get_tile(client, "rt", centre_tile(demo_store, KALIAWI, 12)).status_code == 200
    assert get_tile(client, "kelurahan", centre_tile(demo_store, KALIAWI, 7)).status_code == 204
    assert get_tile(client, "kelurahan", centre_tile(demo_store, KALIAWI, 8)).status_code == 200
    pacific = mercantile.tile(-140.0, 10.0, 14)
    for layer in TILE_LAYERS:
        assert get_tile(client, layer, pacific).status_code == 204
    r = client.get("/tiles/rt/25/0/0.pbf")
    assert r.status_code == 400
    assert r.json()["error"] == "tiles.address"
    assert client.get("/tiles/rt/3/8/0.pbf").status_code == 400
    r = client.get("/tiles/households/14/0/0.pbf")
    assert r.status_code == 404
    assert "households" in r.json()["detail"]
    assert client.get("/tiles/rt/a/b/c.pbf").status_code == 404


def test_etag_304_and_compression(client, demo_store) -> None:
    t = centre_tile(demo_store, JATIRANGGA, 14)
    first = get_tile(client, "rt", t, **{"accept-encoding": "identity"})
    assert first.status_code == 200
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "public, no-cache"
    again = get_tile(client, "rt", t, **{"if-none-match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    zipped = client.get(
        f"/tiles/rt/{t.z}/{t.x}/{t.y}.pbf", headers={"accept-encoding": "gzip"}, extensions={"decode": False}
    )
    assert get_tile(client, "rt", t, **{"if-none-match": '"other"'}).status_code == 200
    raw = zipped.content
    body = gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
    assert body == first.content
    assert zipped.headers["etag"] == etag


def test_a_write_changes_the_tiles_of_its_kelurahan_only(client, demo_store, tmp_path: Path) -> None:
    kal = {layer: centre_tile(demo_store, KALIAWI, 15) for layer in TILE_LAYERS}
    jat = {layer: centre_tile(demo_store, JATIRANGGA, 15) for layer in TILE_LAYERS}
    before_kal = {layer: get_tile(client, layer, t).headers["etag"] for layer, t in kal.items()}
    before_jat = {layer: get_tile(client, layer, t).headers["etag"] for layer, t in jat.items()}
    builds = client.app.state.tiles.builds
    point = demo_store.read("kelurahan", kelurahan_code=KALIAWI).geometry.iloc[0].representative_point()
    facility = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {
                    "facility_id": "FAS-1012-99",
                    "kelurahan_code": KALIAWI,
                    "name": "Bank Sampah Baru",
                    "category": "bank_sampah",
                    "programme": "Kampung KB",
                },
                "geometry": {"type": "Point", "coordinates": [point.x, point.y]},
            }
        ],
    }
    path = tmp_path / "fasilitas.geojson"
    path.write_text(json.dumps(facility))
    import_file(demo_store, "facilities", path, hash_key=HASH_KEY)
    after_kal = {layer: get_tile(client, layer, t) for layer, t in kal.items()}
    after_jat = {layer: get_tile(client, layer, t).headers["etag"] for layer, t in jat.items()}
    assert after_jat == before_jat  # the other kelurahan's tiles did not change, and were not rebuilt:
    assert client.app.state.tiles.builds == builds + len(TILE_LAYERS)  # only Kaliawi's five tiles were
    for layer, r in after_kal.items():
        assert r.headers["etag"] != before_kal[layer], layer
    names = [f["properties"]["name"] for f in decoded(after_kal["facilities"])["facilities"]["features"]]
    assert "Bank Sampah Baru" in names
    old = get_tile(client, "facilities", kal["facilities"], **{"if-none-match": before_kal["facilities"]})
    assert old.status_code == 200  # a browser holding the old tile gets the new one


def test_encoder_keeps_a_tile_within_its_byte_budget() -> None:
    import geopandas as gpd

    t = mercantile.tile(105.25, -5.41, 14)
    b = tile_bbox(t.z, t.x, t.y, buffer=0)
    cells = [
        shapely.box(
            b[0] + i * (b[2] - b[0]) / 60,
            b[1] + j * (b[3] - b[1]) / 60,
            b[0] + (i + 1) * (b[2] - b[0]) / 60,
            b[1] + (j + 1) * (b[3] - b[1]) / 60,
        ).buffer(1e-6, 16)
        for i in range(60)
        for j in range(60)
    ]
    frame = gpd.GeoDataFrame(
        {"kelurahan_code": [f"18.71.06.{1000 + n}" for n in range(len(cells))], "name": "x" * 40},
        geometry=cells,
        crs=4326,
    )
    full = encode_tile({"kelurahan": frame}, t.z, t.x, t.y)
    small = encode_tile({"kelurahan": frame}, t.z, t.x, t.y, budget=TileBudget(max_bytes=len(full) // 4))
    assert len(small) <= len(full) // 4
    assert 0 < len(mapbox_vector_tile.decode(small)["kelurahan"]["features"]) <= len(cells)
