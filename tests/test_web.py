"""The site through FastAPI's TestClient: status, content type, body."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from geo.store import open_store
from tests.conftest import KALIAWI
from web.app import create_app
from web.routers.static import VENDOR_PREFIX


@pytest.fixture
def client(demo_settings) -> TestClient:
    return TestClient(create_app(demo_settings))


def test_home_lists_kelurahan_in_indonesian_then_english(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert "Pilih kota, lalu kelurahan" in r.text
    assert "Kaliawi Persada" in r.text
    assert "Jatirangga" in r.text
    r = client.get("/?lang=en")
    assert "Kelurahan" in r.text
    assert "City/Regency" in r.text
    assert r.cookies.get("pk_lang") == "en" or "pk_lang=en" in r.headers.get("set-cookie", "")
    assert "City/Regency" in client.get("/").text  # remembered


def test_kelurahan_page_and_map(client: TestClient) -> None:
    r = client.get(f"/kelurahan/{KALIAWI}")
    assert r.status_code == 200
    assert "Peta Kelurahan Kaliawi Persada" in r.text
    r = client.get(f"/kelurahan/{KALIAWI}/peta")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert f"{VENDOR_PREFIX}/leaflet.js" in r.text
    assert "cdn.jsdelivr" not in r.text
    assert "cdnjs" not in r.text
    assert "code.jquery" not in r.text
    assert "KTK-2019-01" in r.text or "Jalan rabat beton RT 03 LK I" in r.text


def test_map_carries_no_household_data(client: TestClient, demo_settings) -> None:
    text = client.get(f"/kelurahan/{KALIAWI}/peta").text
    households = open_store(demo_settings.store).read("households", kelurahan_code=KALIAWI)
    for key in households["kk_key"].head(200):
        assert key not in text
    for word in ("kk_key", '"decile"', '"desil"', "no_kk", "Warga Contoh"):
        assert word not in text
    pts = households.geometry.dropna().head(100)
    for p in pts:
        assert f"{p.x:.6f}" not in text or f"{p.y:.6f}" not in text


@pytest.mark.parametrize(
    ("url", "lang", "needle"),
    [
        ("/kelurahan/18.71.06.1099", "id", "tidak ada di penyimpanan"),
        ("/kelurahan/18.71.06.1099?lang=en", "en", "is not in the store"),
        ("/kelurahan/bukan-kode", "id", "PP.KK.CC.DDDD"),
        ("/tidak-ada", "id", "tidak ditemukan"),
    ],
)
def test_friendly_error_pages(client: TestClient, url: str, lang: str, needle: str) -> None:
    r = client.get(url)
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")
    assert needle in r.text
    assert f'lang="{lang}"' in r.text
    assert "Traceback" not in r.text
    assert not re.search(r"/(work|tmp|usr)/", r.text)


def test_unknown_kelurahan_as_json(client: TestClient) -> None:
    r = client.get("/kelurahan/18.71.06.1099", headers={"accept": "application/json"})
    assert r.status_code == 404
    assert r.json()["error"] == "kelurahan.unknown"


def test_vendor_assets_are_cached_and_compressed(client: TestClient) -> None:
    r = client.get(f"{VENDOR_PREFIX}/leaflet.js", headers={"accept-encoding": "gzip"})
    assert r.status_code == 200
    assert "javascript" in r.headers["content-type"]
    assert "max-age=31536000" in r.headers["cache-control"]
    assert r.headers["content-encoding"] == "gzip"
    assert client.get(f"{VENDOR_PREFIX}/images/layers.png").headers["content-type"] == "image/png"
    assert client.get(f"{VENDOR_PREFIX}/../../../etc/passwd").status_code == 404
    assert client.get(f"{VENDOR_PREFIX}/images/../../leaflet.js").status_code == 404


def test_empty_store_home_says_what_to_do(tmp_path) -> None:
    from geo.settings import Settings

    client = TestClient(create_app(Settings(store=tmp_path / "none.gpkg")))
    r = client.get("/")
    assert r.status_code == 200
    assert "petakampung demo" in r.text


HOSTILE = '<img src=x onerror="alert(1)">'


def hostile_store(demo_store, tmp_path):
    """The demo store plus a facility and a garden whose names are HTML, as a hostile upload would be."""
    import json

    from geo.importer import import_file
    from tests.conftest import HASH_KEY

    src = tmp_path / "hostile.geojson"
    src.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "geometry": {"type": "Point", "coordinates": [105.2428, -5.4140]},
                        "properties": {
                            "kelurahan_code": KALIAWI,
                            "name": HOSTILE,
                            "category": "posyandu",
                            "programme": "Kampung KB",
                        },
                    }
                ],
            }
        )
    )
    import_file(demo_store, "facilities", src, hash_key=HASH_KEY)
    return demo_store


def test_html_in_imported_names_is_shown_as_text(demo_store, demo_settings, tmp_path) -> None:
    hostile_store(demo_store, tmp_path)
    client = TestClient(create_app(demo_settings))
    for url in (
        f"/kelurahan/{KALIAWI}",
        f"/kelurahan/{KALIAWI}/peta",
        f"/kelurahan/{KALIAWI}/rt/1/1",
        f"/kelurahan/{KALIAWI}/rt/1/2",
        f"/kelurahan/{KALIAWI}/rt/1/3",
    ):
        text = client.get(url).text
        assert HOSTILE not in text, url
        assert "<img src=x" not in text, url
    page = client.get(f"/kelurahan/{KALIAWI}").text
    assert "\\u0026lt;img src=x" in page  # escaped for HTML, then for JSON: a popup shows it as text


def test_rt_profile_page(client: TestClient) -> None:
    r = client.get(f"/kelurahan/{KALIAWI}/rt/1/3")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert "<h1>RT 003 / LK 001</h1>" in r.text
    assert "Jalan rabat beton RT 03 LK I" in r.text
    assert "<svg" in r.text
    assert 'id="rt-kurva-s"' in r.text  # the Kurva S of the RT's works
    r = client.get(f"/kelurahan/{KALIAWI}/rt/9/9?lang=en")
    assert r.status_code == 404
    assert "RT 9 / 9 is not in kelurahan" in r.text
    assert client.get(f"/kelurahan/{KALIAWI}/rt/x/1").status_code == 400


@pytest.mark.parametrize(
    ("query", "rows"),
    [("", 11), ("?year=2019", 8), ("?status=rencana", 1), ("?type=sumur_bor&funding=BPM", 2), ("?year=1999", 0)],
)
def test_works_page_filters(client: TestClient, query: str, rows: int) -> None:
    r = client.get(f"/kelurahan/{KALIAWI}/pekerjaan{query}")
    assert r.status_code == 200
    body = r.text.split("<tbody>")[1].split("</tbody>")[0]
    assert body.count(f'href="/kelurahan/{KALIAWI}?work=') == rows


def test_home_kota_and_search(client: TestClient) -> None:
    r = client.get("/?kota=Kota Bekasi")
    assert "Jatirangga" in r.text
    assert "Kaliawi Persada</a>" not in r.text
    r = client.get("/?q=18.71.06")
    assert "Kaliawi Persada</a>" in r.text
    assert "Jatirangga</a>" not in r.text
    assert shown(r.text, "no-match") is None  # found: the "no match" note stays hidden
    r = client.get("/?q=tidak-ada")
    assert shown(r.text, "no-match") == "Tidak ada kelurahan yang cocok."  # nothing found: it is said


def shown(html: str, element_id: str) -> str | None:
    """The text of the element with this id when the page shows it; None when it is ``hidden``."""
    tag = re.search(rf'<(\w+)\b([^>]*\bid="{element_id}"[^>]*)>(.*?)</\1>', html, re.S)
    assert tag is not None, f"no element #{element_id}"
    return None if re.search(r"\shidden(\s|=|$)", tag.group(2)) else tag.group(3).strip()


def test_bad_language_code_page(client: TestClient) -> None:
    r = client.get("/?lang=fr")
    assert r.status_code == 400
    assert "bahasa &#39;fr&#39; tidak dikenal" in r.text
