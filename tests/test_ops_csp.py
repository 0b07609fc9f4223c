"""Issue 11, item 4: the Content-Security-Policy and the other security headers.

Every response carries a CSP whose script sources are our origin and a nonce made for that
response; pages have no inline event handler and no inline script without the nonce.  Only the
map alone (``/kelurahan/{code}/peta``) may be framed by another site.  HSTS is sent when cookies are
HTTPS-only.  In browser, every public page, the LKM pages and the map pages run with no CSP
violation, and another origin can embed the map but not a page; screenshots of a map page under
the CSP on a phone (390 x 844) and a desktop (1366 x 800) go to test-artifacts/.
"""

from __future__ import annotations

import re
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from geo.settings import Settings
from tests.browser import CHROMIUM, new_page
from tests.conftest import JATIRANGGA, KALIAWI, PASSWORD, login, start_server, stop_server
from web.app import create_app

WORK = "CSR-2026-01"
PUBLIC_PAGES = [
    "/",
    "/?kota=Kota+Bandar+Lampung",
    "/kota/18.71",
    "/kota/32.75",
    f"/kelurahan/{KALIAWI}",
    f"/kelurahan/{KALIAWI}/peta",
    f"/kelurahan/{KALIAWI}/rt/1/1",
    f"/kelurahan/{KALIAWI}/pekerjaan",
    f"/kelurahan/{KALIAWI}/pekerjaan/{WORK}",
    f"/kelurahan/{KALIAWI}/dasbor",
    f"/kelurahan/{KALIAWI}/perencanaan",
    "/kota/18.71/perencanaan",
    f"/kelurahan/{JATIRANGGA}",
    "/masuk",
    "/tidak-ada",
]
LKM_PAGES = [f"/kelurahan/{KALIAWI}/dasbor", f"/kelurahan/{KALIAWI}/pekerjaan/{WORK}", f"/kelurahan/{KALIAWI}"]
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 800}}


def policy(response) -> dict[str, str]:
    header = response.headers["content-security-policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


@pytest.fixture
def client(users_settings: Settings) -> TestClient:
    return TestClient(create_app(users_settings))


def test_every_page_runs_only_scripts_it_names(client: TestClient) -> None:
    """Each page's inline scripts carry this response's nonce (or are JSON data), no element has
    an inline event handler, and the nonce is new with every response."""
    nonces = set()
    for path in PUBLIC_PAGES:
        r = client.get(path)
        csp = policy(r)
        nonce = re.fullmatch(r"'self' 'nonce-([A-Za-z0-9_-]{20,})'", csp["script-src"]).group(1)
        nonces.add(nonce)
        for attrs in re.findall(r"<script([^>]*)>", r.text):
            if "src=" in attrs or 'type="application/json"' in attrs:
                continue
            assert f'nonce="{nonce}"' in attrs, (path, attrs)
        assert re.findall(r"\son[a-z]+\s*=", r.text) == [], path
        assert "javascript:" not in r.text, path
        assert csp["object-src"] == "'none'"
        assert csp["base-uri"] == "'none'"
    assert len(nonces) == len(PUBLIC_PAGES)


def test_only_the_map_alone_can_be_framed(client: TestClient) -> None:
    for path in [p for p in PUBLIC_PAGES if not p.endswith("/peta")] + ["/api/kelurahan", "/ogc", "/healthz"]:
        r = client.get(path)
        assert policy(r)["frame-ancestors"] == "'none'", path
        assert r.headers["x-frame-options"] == "DENY", path
    peta = client.get(f"/kelurahan/{KALIAWI}/peta")
    assert policy(peta)["frame-ancestors"] == "*"
    assert "x-frame-options" not in peta.headers


def test_other_headers_on_every_response(users_settings: Settings, client: TestClient) -> None:
    tile = client.get("/tiles/rt/16/52139/34137.pbf")  # answered by the tile layer in front of the app
    for r in (client.get("/"), client.get("/static/pk/site.js"), client.get("/api/kelurahan"), tile):
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "same-origin"
        assert "strict-transport-security" not in r.headers
    secure = TestClient(create_app(users_settings.model_copy(update={"cookie_secure": True})), base_url="https://t")
    r = secure.get("/")
    assert r.headers["strict-transport-security"] == "max-age=31536000"
    assert login(secure, "lkm.a").headers["set-cookie"].lower().count("secure") >= 1


# -- in chromium ----------------------------------------------------------------------------------
CSP_LISTENER = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI + " " + (e.sample || ""));
});
"""


@pytest.fixture(scope="module")
def site(users_store_path: Path, tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("csp") / "site.gpkg"
    shutil.copy(users_store_path, path)
    proc, url = start_server(path, PETAKAMPUNG_SECRET_KEY="csp-browser-secret")
    try:
        yield url
    finally:
        stop_server(proc)


class Violations:
    def __init__(self, page) -> None:
        self.page = page
        self.console: list[str] = []
        page.add_init_script(CSP_LISTENER)
        page.on("console", lambda m: self.console.append(m.text) if "Content Security Policy" in m.text else None)

    def visit(self, url: str) -> list[str]:
        self.page.goto(url)
        self.page.wait_for_load_state("networkidle")
        found = list(self.page.evaluate("window.__csp")) + self.console
        self.console.clear()
        return found


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")
def test_no_csp_violation_on_any_page(site: str, browser) -> None:
    page = new_page(browser)
    seen = Violations(page)
    found = {path: seen.visit(site + path) for path in [*PUBLIC_PAGES, "/docs"]}
    page.goto(f"{site}/masuk")
    page.fill("#username", "lkm.a")
    page.fill("#password", PASSWORD)
    page.locator("#login-form button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    for path in LKM_PAGES:
        found["lkm " + path] = seen.visit(site + path)
        if "/pekerjaan/" in path:
            assert page.locator("#record-form").count() == 1  # logged in: the recorder's form is there
    assert {path: v for path, v in found.items() if v} == {}


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")
@pytest.mark.parametrize("device", VIEWPORTS)
def test_map_page_under_the_csp(site: str, browser, artifacts: Path, device: str) -> None:
    page = new_page(browser, VIEWPORTS[device])
    seen = Violations(page)
    assert seen.visit(f"{site}/kelurahan/{KALIAWI}") == []
    page.wait_for_selector(".leaflet-overlay-pane path.leaflet-interactive")
    assert page.locator(".pk-legend").is_visible()
    page.select_option("#indicator", "garden_share")  # the picker works without an inline handler
    assert "kebun" in page.locator(".pk-rt-legend").text_content().lower()  # folded on a phone: text, not shown
    page.screenshot(path=str(artifacts / f"csp_map_{device}.png"))
    assert page.evaluate("window.__csp") == []


class _Embedder(BaseHTTPRequestHandler):
    """Another site (another origin: another port) that frames our pages."""

    target = ""

    def do_GET(self) -> None:
        body = (
            f'<!doctype html><iframe id="map" src="{self.target}/kelurahan/{KALIAWI}/peta" width="600" height="400">'
            f'</iframe><iframe id="page" src="{self.target}/kelurahan/{KALIAWI}" width="600" height="400"></iframe>'
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")
def test_another_site_can_embed_the_map_but_not_a_page(site: str, browser) -> None:
    handler = type("Embedder", (_Embedder,), {"target": site})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        page = new_page(browser)
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/")
        page.wait_for_load_state("networkidle")
        page.frame_locator("#map").locator(".leaflet-overlay-pane path.leaflet-interactive").first.wait_for()
        framed = page.frame_locator("#page")
        assert framed.locator("#rt-table").count() == 0  # refused (frame-ancestors 'none'): chromium shows its error
    finally:
        server.shutdown()
        server.server_close()
