"""Walk every public route on the demo data and look for household data.

Nothing a visitor can fetch (pages, API, OGC API Features, downloads) may contain a household
key, a KK number, a name, a welfare decile or a household's GPS point, and every household count
it publishes is either suppressed or at least k.
"""

from __future__ import annotations

import io
import json
import re

import pandas as pd
import pyogrio
import pytest
from fastapi.testclient import TestClient

from geo.demo import DEFAULT_DATA_DIR
from geo.store import open_store
from tests.conftest import JATIRANGGA, KALIAWI
from web.app import create_app

K = 5
LAYERS = ["boundaries", "households", "infrastructure", "gardens", "facilities", "roads"]


@pytest.fixture(scope="module")
def walk(backend, demo_source, tmp_path_factory) -> dict[str, bytes]:
    """Every public URL and what it returned (downloads turned into text as a GIS user reads them)."""
    path = backend.copy(demo_source, name="walk")
    folder = tmp_path_factory.mktemp("walk")
    client = TestClient(create_app(backend.settings(path, folder, hash_key="x", suppression_k=K)))
    store = open_store(path)
    from datetime import date, datetime

    from geo.accounts import User
    from geo.progress import Photo, ProgressInput, record_progress
    from tests.photos import jpeg

    recorder = User("lkm.rahasia", "lkm", KALIAWI, None, True, 1)
    record_progress(
        store,
        recorder,
        KALIAWI,
        ProgressInput(
            "CSR-2026-01",
            "2026-11-20",
            fisik_pct=61,
            spent_idr=50_000_000,
            note="catatan uji privasi",
            photos=[Photo("p.jpg", "image/jpeg", jpeg(105.2428, -5.414, datetime(2026, 11, 20, 8)))],
        ),
        today=date(2026, 11, 23),
    )
    urls = ["/", "/?lang=en", "/ogc", "/ogc/conformance", "/ogc/collections", "/api/kelurahan", "/openapi.json"]
    urls += ["/kota/18.71", "/kota/32.75", "/kota/32.75?lang=en", "/?q=a", "/api/wilayah/cari?q=a&limit=100"]
    for code in (KALIAWI, JATIRANGGA):
        urls += [
            f"/kelurahan/{code}",
            f"/kelurahan/{code}?lang=en",
            f"/kelurahan/{code}/peta",
            f"/kelurahan/{code}/pekerjaan",
            f"/api/kelurahan/{code}",
            f"/api/kelurahan/{code}/indicators",
            f"/api/kelurahan/{code}/indicators.csv",
            f"/api/kelurahan/{code}/works",
            f"/api/kelurahan/{code}/gardens",
            f"/api/kelurahan/{code}/facilities",
        ]
        urls += [f"/api/kelurahan/{code}/map/{layer}" for layer in ("works", "gardens", "facilities")]
        urls += [
            f"/kelurahan/{code}/perencanaan",
            f"/api/kelurahan/{code}/rank?budget=1500000000",
            f"/api/kelurahan/{code}/rank?budget=900000000&legal_only=false&slum_only=false",
        ]
        rt = store.read("rt", kelurahan_code=code)
        urls += [f"/kelurahan/{code}/rt/{u}/{r}" for u, r in zip(rt["unit_number"], rt["rt_number"], strict=True)]
        works = store.read("works", kelurahan_code=code)
        urls += [f"/api/kelurahan/{code}/works/{w}/progress" for w in works["work_id"]]
        urls += [f"/kelurahan/{code}/pekerjaan/{w}" for w in works["work_id"]]
        urls += [f"/kelurahan/{code}/pekerjaan/{w}/kurva-s.csv" for w in works["work_id"]]
        urls += [f"/kelurahan/{code}/dasbor", f"/kelurahan/{code}/kurva-s.csv"]
    for code in (KALIAWI, JATIRANGGA, "36.71.03.1002", "15.71.01.1010", "31.71.08.1004"):  # the seeds' community pages
        urls += [f"/kelurahan/{code}/program", f"/kelurahan/{code}/program?lang=en"]
        urls += [f"/kelurahan/{code}/rumah-dataku", f"/kelurahan/{code}/rumah-dataku?lang=en"]
        urls += [f"/kelurahan/{code}/layanan?layanan={s}" for s in ("posyandu", "pos_ronda", "pendidikan")]
        urls += [f"/kelurahan/{code}/layanan?jarak=1000&lang=en", f"/kelurahan/{code}/layanan?jarak=200"]
        urls += [f"/api/kelurahan/{code}/rumah-dataku", f"/api/kelurahan/{code}/rumah-dataku.csv"]  # their data
        urls += [f"/api/kelurahan/{code}/layanan", f"/api/kelurahan/{code}/layanan.csv?jarak=1000"]
    for cid in ("kelurahan", "rw", "rt", "works", "gardens", "facilities"):
        urls += [f"/ogc/collections/{cid}", f"/ogc/collections/{cid}/items?limit=10000"]
    urls += [f"/ogc/collections/rt/items/{KALIAWI}-1-3", "/ogc/collections/works/items/KTK-2019-01"]
    urls += [f"/foto/{p}" for p in store.read("progress_photos")["photo_id"]]
    urls += ["/docs", "/redoc", f"/kelurahan/{KALIAWI}/pekerjaan/CSR-2026-01?lang=en"]  # issue 12 pages
    out: dict[str, bytes] = {}
    for url in urls:
        r = client.get(url)
        assert r.status_code == 200, url
        out[url] = r.content
    out.update(_tiles(client, store))
    for layer in LAYERS:
        for fmt in ("gpkg", "geojson", "csv"):
            for query in ("", f"?kelurahan={KALIAWI}"):
                url = f"/unduh/{layer}.{fmt}{query}"
                r = client.get(url)
                assert r.status_code == 200, url
                out[url] = r.content + _as_text(r.content, fmt, tmp_path_factory)
    return out


def _tiles(client: TestClient, store) -> dict[str, bytes]:
    """Every vector tile of every layer over both demo kelurahan, from each layer's first zoom to
    z16, as the JSON a map client decodes (so the checks below read their properties)."""
    import mapbox_vector_tile
    import mercantile

    from geo.tiles import TILE_LAYERS

    out: dict[str, bytes] = {}
    for code in (KALIAWI, JATIRANGGA):
        bounds = store.read("kelurahan", kelurahan_code=code).total_bounds
        for layer, spec in TILE_LAYERS.items():
            for z in range(spec.min_zoom, 17):
                for t in mercantile.tiles(*bounds, zooms=z):
                    url = f"/tiles/{layer}/{t.z}/{t.x}/{t.y}.pbf"
                    r = client.get(url)
                    assert r.status_code in (200, 204), url
                    if r.status_code == 200:
                        out[url] = json.dumps(mapbox_vector_tile.decode(r.content)).encode()
    assert len(out) > 50
    return out


def _as_text(content: bytes, fmt: str, factory) -> bytes:
    """A GeoPackage read back as CSV text, every layer, as a GIS user would see its attributes."""
    if fmt != "gpkg":
        return b""
    path = factory.mktemp("dl") / "x.gpkg"
    path.write_bytes(content)
    texts = []
    for name, _ in pyogrio.list_layers(path):
        frame = pyogrio.read_dataframe(path, layer=name)
        texts.append(pd.DataFrame(frame).to_csv(index=False))
    return "\n".join(texts).encode()


def test_walk_covers_every_route_kind(walk: dict[str, bytes]) -> None:
    kinds = {u.split("/")[1].split("?")[0] for u in walk}
    assert {"", "kelurahan", "kota", "tiles", "api", "ogc", "unduh", "openapi.json"} <= kinds
    assert len(walk) > 150


def test_no_household_identifier_name_or_kk_number(walk: dict[str, bytes], demo_source) -> None:
    keys = set(open_store(demo_source).read("households")["kk_key"])
    numbers, names = set(), set()
    for csv in (DEFAULT_DATA_DIR / "households").glob("*.csv"):
        source = pd.read_csv(csv, dtype=str)
        numbers |= set(source["no_kk"])
        names |= set(source["nama_kepala_keluarga"])
    for url, body in walk.items():
        text = body.decode("utf-8", errors="replace")
        assert "Warga Contoh" not in text, url
        assert "lkm.rahasia" not in text, url  # who recorded progress is never published
        found_keys = set(re.findall(r"[0-9a-f]{32}", text)) & keys
        assert not found_keys, url
        assert not set(re.findall(r"\d{16}", text)) & numbers, url
        assert not re.search(r'"(decile|desil|kk_key|no_kk|nik)"\s*:', text), url
        assert not re.search(r"(^|,)(decile|desil|kk_key|no_kk|nik)(,|$)", text, re.MULTILINE), url
    assert names


def test_no_household_gps_point(walk: dict[str, bytes], demo_source) -> None:
    points = open_store(demo_source).read("households").geometry.dropna()
    pairs = [(f"{p.x:.6f}", f"{p.y:.6f}") for p in points[::7]]
    for url, body in walk.items():
        text = body.decode("utf-8", errors="replace")
        leaked = [xy for xy in pairs if _written_together(text, *xy)]
        assert leaked == [], url


def _written_together(text: str, x: str, y: str, window: int = 60) -> bool:
    """Whether ``x`` and ``y`` appear within ``window`` characters of each other, as a point's two
    coordinates are written (GeoJSON, WKT, a CSV row).  Not anywhere in the body: a download of
    thousands of road vertices holds many x and y prefixes by chance, in different vertices."""
    start = text.find(x)
    while start >= 0:
        if y in text[max(0, start - window) : start + len(x) + window]:
            return True
        start = text.find(x, start + 1)
    return False


def _count_fields(obj, path=""):
    """Every (name, value) of household-count fields in a JSON document."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k.startswith("kk_") and not isinstance(v, dict | list):
                yield k, v
            else:
                yield from _count_fields(v, path + "/" + k)
    elif isinstance(obj, list):
        for v in obj:
            yield from _count_fields(v, path)


def test_no_published_count_below_k(walk: dict[str, bytes]) -> None:
    checked = 0
    for url, body in walk.items():
        text = body.decode("utf-8", errors="replace")
        if text.lstrip().startswith(("{", "[")):
            for name, value in _count_fields(json.loads(text)):
                assert value is None or value >= K, (url, name, value)
                checked += 1
        elif url.endswith(".csv") or ".csv?" in url:
            table = pd.read_csv(io.StringIO(text))
            counts = table.filter(regex="^kk_").to_numpy(dtype=float)
            assert ((counts >= K) | pd.isna(counts)).all(), url
            checked += counts.size
        elif "/rumah-dataku" in url or "/layanan" in url:  # every bare count cell of their tables
            for found in re.findall(r'<td class="num">([\d.,]+)</td>', text):
                assert int(found.replace(".", "").replace(",", "")) >= K, (url, found)
                checked += 1
        elif url.startswith("/kelurahan/") and "/rt/" not in url:
            for found in re.findall(r'"(?:kk_text|poor_text)": "(\d+)"', text):
                assert int(found) >= K, url
                checked += 1
    assert checked > 1000
