"""Issue 8, items 6, 7, 8, 9 and 15: expensive routes answer 503 with Retry-After instead of
queueing and are cached per data version; the audit page survives "before" values; CSV cells
cannot run as formulas; malformed parameters are 400/404, never 500; HEAD works on every GET
route and 405s say what is allowed; OGC paging links are URL-encoded."""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from geo.accounts import set_password
from geo.cli import main
from geo.layers.facilities import FACILITIES
from geo.layers.infrastructure import WORKS
from geo.settings import Settings
from geo.store import open_store
from tests.conftest import KALIAWI, login
from web.app import create_app
from web.routers import account, api, audit, downloads, ogc, pages, reports, static, works

ROUTERS = (static, account, works, reports, audit, pages, api, ogc, downloads)

FORMULAS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
def client(demo_settings: Settings) -> TestClient:
    return TestClient(create_app(demo_settings))


@pytest.mark.parametrize("audit_rows", ["keys", "rows"])
def test_audit_page_after_a_password_change(users_settings: Settings, audit_rows: str) -> None:
    """With PETAKAMPUNG_AUDIT_ROWS=rows the page shows the row before (the hash redacted); by
    default (keys) only which fields changed.  The hash never appears either way."""
    store = open_store(users_settings.store, audit_rows=audit_rows)
    set_password(store, "lkm.a", "kata-sandi-baru-99")  # an audit row with "before"
    client = TestClient(create_app(users_settings.model_copy(update={"audit_rows": audit_rows})))
    assert login(client, "admin").status_code == 303
    page = client.get("/admin/audit")
    assert page.status_code == 200
    rows = re.findall(r"<tr><td>.*?</tr>", page.text, flags=re.S)
    changed = [r for r in rows if "update" in r and "pk_users" in r]
    assert changed
    if audit_rows == "rows":
        assert "&lt;redacted&gt;" in changed[0]  # the before value is shown, the hash is not
    else:
        assert "&lt;redacted&gt;" not in changed[0]
        # which fields changed, as JSON (PostGIS writes it with spaces after ':' and ',')
        compact = changed[0].replace("&#34; : ", "&#34;:").replace("&#34;, &#34;", "&#34;,&#34;")
        assert "{&#34;changed&#34;:[&#34;password_hash&#34;,&#34;session_version&#34;]}" in compact
    assert "argon2" not in page.text


def _formula_names(store) -> None:
    works = store.read("works")
    works.loc[works.index[:3], "name"] = [
        '=HYPERLINK("http://jahat.example","klik")',
        "+1+cmd|' /C calc'!A0",
        "@SUM(1)",
    ]
    facilities = store.read("facilities")
    facilities.loc[facilities.index[0], "name"] = "-2+3"
    with store.transaction(actor="uji") as writer:
        writer.upsert(WORKS, works)
        writer.upsert(FACILITIES, facilities)


def _unsafe_cells(text: str) -> list[str]:
    bad = []
    for row in csv.reader(io.StringIO(text)):
        for cell in row:
            if cell.startswith(FORMULAS):
                try:
                    float(cell)  # a negative number is a number, not a formula
                except ValueError:
                    bad.append(cell)
    return bad


def test_no_csv_we_produce_can_run_a_formula(users_settings: Settings, tmp_path, capsys) -> None:
    store = open_store(users_settings.store)
    _formula_names(store)
    client = TestClient(create_app(users_settings))
    assert login(client, "admin").status_code == 303
    urls = [
        f"/unduh/infrastructure.csv?kelurahan={KALIAWI}",
        "/unduh/facilities.csv",
        "/unduh/gardens.csv",
        "/unduh/boundaries.csv",
        "/unduh/households.csv",
        "/unduh/kumuh.csv",
        f"/api/kelurahan/{KALIAWI}/indicators.csv",
        f"/kelurahan/{KALIAWI}/kurva-s.csv?tahun=semua",
        "/admin/audit.csv",
        f"/unduh/terbatas/infrastructure.csv?kelurahan={KALIAWI}",
    ]
    seen_formula_names = 0
    for url in urls:
        r = client.get(url)
        assert r.status_code == 200, url
        assert _unsafe_cells(r.text) == [], url
        seen_formula_names += r.text.count("'=HYPERLINK")
    assert seen_formula_names >= 2  # the names are there, as text
    out = tmp_path / "works.csv"
    assert main(["--store", str(users_settings.store), "export", "infrastructure", "-o", str(out)]) == 0
    assert _unsafe_cells(out.read_text()) == []
    assert "'=HYPERLINK" in out.read_text()
    capsys.readouterr()


@pytest.mark.parametrize(
    "url",
    [
        f"/kelurahan/{KALIAWI}/dasbor?tahun=²",
        f"/kelurahan/{KALIAWI}/laporan.pdf?tahun=²",
        f"/kelurahan/{KALIAWI}/kurva-s.csv?tahun=²",
        f"/kelurahan/{KALIAWI}/kurva-s.png?tahun=١٢٣٤",  # Arabic-Indic digits: also isdigit()
        f"/kelurahan/{KALIAWI}/pekerjaan?year=²",
        f"/kelurahan/{KALIAWI}/dasbor?tahun=99999",
        f"/api/kelurahan/{KALIAWI}/works?year=²",
    ],
)
def test_a_malformed_year_is_400_naming_the_parameter(client: TestClient, url: str) -> None:
    r = client.get(url)
    assert r.status_code == 400
    assert "tahun" in r.text or "year" in r.text


@pytest.mark.parametrize("fmt", ["gpkg", "geojson", "csv"])
def test_the_kumuh_download_every_kelurahan_page_links_to(client: TestClient, fmt: str) -> None:
    page = client.get(f"/kelurahan/{KALIAWI}").text
    assert f"/unduh/kumuh.{fmt}?kelurahan={KALIAWI}" in page
    r = client.get(f"/unduh/kumuh.{fmt}?kelurahan={KALIAWI}")
    assert r.status_code == 200
    assert len(r.content) > 100


@pytest.mark.parametrize(
    "query",
    ["budget=inf", "budget=-inf", "budget=nan", "budget=-5", "budget=1e300", "budget=1e9&w_kumuh=inf"],
)
def test_rank_refuses_budgets_and_weights_that_are_not_numbers(client: TestClient, query: str) -> None:
    r = client.get(f"/api/kelurahan/{KALIAWI}/rank?{query}")
    assert r.status_code == 400
    assert ("budget" if "w_" not in query else "w_kumuh") in r.json()["detail"]


SAMPLE = {
    "code": KALIAWI,
    "work_id": "CSR-2026-01",
    "unit": "1",
    "rt": "3",
    "layer": "works",
    "fmt": "csv",
    "collection_id": "works",
    "feature_id": "CSR-2026-01",
    "photo_id": "0" * 32,
    "name": "site.css",
}


def test_head_answers_on_every_get_route(users_settings: Settings) -> None:
    app = create_app(users_settings)
    client = TestClient(app)
    assert login(client, "admin").status_code == 303
    checked = 0
    routes = [r for module in ROUTERS for r in module.router.routes]
    for route in routes:
        if not isinstance(route, APIRoute) or "GET" not in route.methods:
            continue
        path = re.sub(r"{(\w+)(:path)?}", lambda m: SAMPLE.get(m.group(1), "x"), route.path)
        query = {"kelurahan": KALIAWI, "budget": "1500000000"}
        got, head = client.get(path, params=query), client.head(path, params=query)
        assert head.status_code == got.status_code != 405, path
        assert head.content == b"", path
        assert head.headers.get("content-type") == got.headers.get("content-type"), path
        checked += 1
    assert checked >= 30


def test_a_405_says_what_is_allowed(client: TestClient) -> None:
    r = client.post("/", data={})
    assert r.status_code == 405
    assert r.headers["Allow"] == "GET, HEAD"
    r = client.delete(f"/api/kelurahan/{KALIAWI}")
    assert r.status_code == 405
    assert r.headers["Allow"] == "GET, HEAD"
    assert "GET, HEAD" in r.json()["detail"]
    r = client.get("/masuk/x")
    assert r.status_code == 404
    assert client.put("/keluar").headers["Allow"] == "POST"


def test_ogc_paging_links_are_url_encoded(client: TestClient) -> None:
    asked = {"status": "selesai & batal #1", "limit": "1"}
    r = client.get("/ogc/collections/works/items", params=asked)
    assert r.status_code == 200
    for link in r.json()["links"]:
        if link["rel"] == "self":
            query = parse_qs(urlsplit(link["href"]).query)
            assert query == {"status": ["selesai & batal #1"], "limit": ["1"], "offset": ["0"]}
    r = client.get("/ogc/collections/works/items", params={"limit": "2", "funding": "BPM"})
    nxt = next(link["href"] for link in r.json()["links"] if link["rel"] == "next")
    assert parse_qs(urlsplit(nxt).query) == {"funding": ["BPM"], "limit": ["2"], "offset": ["2"]}


EXPENSIVE = [
    ("report", f"/kelurahan/{KALIAWI}/laporan.pdf"),
    ("rank", f"/api/kelurahan/{KALIAWI}/rank?budget=1500000000"),
    ("download", f"/unduh/infrastructure.geojson?kelurahan={KALIAWI}"),
    ("geojson", f"/api/kelurahan/{KALIAWI}/works"),
    ("geojson", "/ogc/collections/rt/items?limit=500"),
    ("chart", f"/kelurahan/{KALIAWI}/kurva-s.png"),
]


@pytest.mark.parametrize(("gate", "url"), EXPENSIVE)
def test_a_busy_expensive_route_answers_503_at_once(demo_settings: Settings, gate: str, url: str) -> None:
    app = create_app(demo_settings)
    client = TestClient(app)
    slots = app.state.gates[gate]
    held = [slots.admit() for _ in range(slots.limit)]
    for h in held:  # every slot taken by other visitors
        h.__enter__()
    try:
        r = client.get(url)
        assert r.status_code == 503
        assert r.headers["Retry-After"] == str(demo_settings.busy_retry_after_s)
        assert client.get(f"/api/kelurahan/{KALIAWI}").status_code == 200  # the rest of the site answers
    finally:
        for h in held:
            h.__exit__(None, None, None)
    assert client.get(url).status_code == 200


def test_expensive_results_are_cached_per_data_version(demo_settings: Settings) -> None:
    app = create_app(demo_settings)
    client = TestClient(app)
    url = f"/kelurahan/{KALIAWI}/laporan.pdf"
    first = client.get(url)
    assert first.status_code == 200
    with app.state.gates["report"].admit():  # no slot: only the cache can answer
        again = client.get(url)
        assert again.status_code == 200
        assert again.content == first.content
        store = open_store(demo_settings.store)
        works = store.read("works")
        works.loc[works.index[0], "name"] = "Jalan baru"
        with store.transaction(actor="uji") as writer:
            writer.upsert(WORKS, works)
        assert client.get(url).status_code == 503  # new data version: the old PDF is not served
