"""Issue 11, item 3: the site behind a real reverse proxy under a sub-path.

Debian's nginx runs ``deploy/nginx/petakampung-location.conf`` exactly as the README tells an
operator to install it (``/petakampung/`` stripped and passed to the site, ``X-Forwarded-For``
overwritten), in front of ``petakampung serve`` with two workers and
``PETAKAMPUNG_ROOT_PATH=/petakampung``.  Every link, redirect, form action, OGC link, asset, tile
and API call a visitor meets must stay under ``/petakampung/``: the pages are walked in chromium,
and every request the browser makes is checked (nothing outside the sub-path, nothing failing, no
CSP violation).  The whole TLS server block is checked with ``nginx -t``.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

from tests.browser import CHROMIUM, TILE_HOSTS, new_page
from tests.conftest import KALIAWI, PASSWORD, ROOT, start_server, stop_server
from tests.test_browser_kota import RT_PATH

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
PREFIX = "/petakampung"
WORK = "CSR-2026-01"
pytestmark = pytest.mark.skipif(not Path(NGINX).exists(), reason="Debian nginx is not installed (scripts/test.sh)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def nginx_conf(folder: Path, listen: int, upstream: str) -> Path:
    """A minimal nginx.conf (everything in ``folder``) with the README's location block inside."""
    location = (ROOT / "deploy" / "nginx" / "petakampung-location.conf").read_text()
    conf = folder / "nginx.conf"
    conf.write_text(f"""
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log;
events {{ worker_connections 256; }}
http {{
    access_log {folder}/access.log;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    upstream petakampung {{ server {upstream}; keepalive 16; }}
    server {{
        listen 127.0.0.1:{listen};
        server_name localhost;
        {location}
    }}
}}
""")
    return conf


@pytest.fixture(scope="module")
def proxied(users_store_path: Path, tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("proxy")
    store = folder / "site.gpkg"
    shutil.copy(users_store_path, store)
    proc, direct = start_server(
        store,
        PETAKAMPUNG_WORKERS="2",
        PETAKAMPUNG_ROOT_PATH=PREFIX,
        PETAKAMPUNG_TRUSTED_PROXIES="127.0.0.1",
        PETAKAMPUNG_SECRET_KEY="proxy-root-path-secret",
    )
    port = free_port()
    conf = nginx_conf(folder, port, direct.removeprefix("http://"))
    nginx = subprocess.Popen(
        [NGINX, "-p", str(folder), "-c", str(conf), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if nginx.poll() is not None:
                raise RuntimeError(nginx.stderr.read().decode())
            try:
                with urllib.request.urlopen(base + PREFIX + "/healthz", timeout=5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield base, store
    finally:
        nginx.terminate()
        nginx.wait(timeout=15)
        nginx.stderr.close()
        stop_server(proc)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(opener, url: str, data: dict | None = None) -> tuple[int, dict, str]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    try:
        with opener.open(urllib.request.Request(url, data=body), timeout=120) as resp:
            return resp.status, dict(resp.headers), resp.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read().decode()


def local_urls(html: str) -> list[str]:
    """Every href, src and action of a page that points into this site (not #, not elsewhere)."""
    found = re.findall(r'\b(?:href|src|action)="([^"#][^"]*)"', html)
    return [u for u in found if not u.startswith(("http://", "https://", "?", "data:", "mailto:"))]


def test_pages_links_and_redirects_stay_under_the_sub_path(proxied) -> None:
    base, _ = proxied
    opener = urllib.request.build_opener(_NoRedirect, urllib.request.HTTPCookieProcessor(CookieJar()))
    pages = ["/", "/kota/18.71", f"/kelurahan/{KALIAWI}", f"/kelurahan/{KALIAWI}/pekerjaan", "/masuk"]
    for path in pages:
        status, headers, html = fetch(opener, base + PREFIX + path)
        assert status == 200, path
        urls = local_urls(html)
        assert urls, path
        assert [u for u in urls if not u.startswith(PREFIX + "/")] == [], path
    # outside the sub-path nginx answers, not the site
    assert fetch(opener, base + "/kelurahan/" + KALIAWI)[0] in (403, 404)  # nginx itself: no such place
    # a restricted page sends a stranger to the login page, and back after it
    status, headers, _ = fetch(opener, base + PREFIX + "/admin/audit")
    assert status == 303
    assert headers["location"] == PREFIX + "/masuk?next=" + urllib.parse.quote(PREFIX + "/admin/audit", safe="")
    status, _, page = fetch(opener, base + headers["location"])
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    sent_next = re.search(r'name="next" value="([^"]+)"', page).group(1)
    assert sent_next == PREFIX + "/admin/audit"
    form = {"username": "admin", "password": PASSWORD, "csrf_token": token, "next": sent_next}
    status, headers, _ = fetch(opener, base + PREFIX + "/masuk", form)
    assert (status, headers["location"]) == (303, PREFIX + "/admin/audit")
    assert "path=/petakampung;" in headers["set-cookie"].lower()
    assert fetch(opener, base + PREFIX + "/admin/audit")[0] == 200
    status, headers, _ = fetch(opener, base + PREFIX + "/lkm")
    assert (status, headers["location"]) == (303, PREFIX + "/")


def test_ogc_links_carry_the_sub_path_and_can_be_followed(proxied) -> None:
    base, _ = proxied
    opener = urllib.request.build_opener()
    landing = json.loads(fetch(opener, base + PREFIX + "/ogc")[2])
    assert all(link["href"].startswith(base + PREFIX + "/") for link in landing["links"]), landing["links"]
    page = json.loads(fetch(opener, base + PREFIX + "/ogc/collections/rt/items?limit=2")[2])
    links = {link["rel"]: link["href"] for link in page["links"]}
    assert links["self"].startswith(base + PREFIX + "/ogc/collections/rt/items")
    status, _, body = fetch(opener, links["next"])
    assert status == 200
    assert len(json.loads(body)["features"]) == 2
    openapi = json.loads(fetch(opener, base + PREFIX + "/openapi.json")[2])
    assert openapi["servers"] == [{"url": PREFIX}]


def test_the_tls_server_block_is_valid_nginx(tmp_path: Path) -> None:
    """The README's whole nginx file (TLS, redirect, upstream), with a throw-away certificate."""
    if not shutil.which("openssl"):
        pytest.skip("openssl is not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=peta.example.go.id", "-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
    )
    site = (ROOT / "deploy" / "nginx" / "petakampung.conf").read_text()
    site = site.replace("/etc/letsencrypt/live/peta.example.go.id/fullchain.pem", str(cert))
    site = site.replace("/etc/letsencrypt/live/peta.example.go.id/privkey.pem", str(key))
    location = ROOT / "deploy" / "nginx" / "petakampung-location.conf"
    site = site.replace("/etc/nginx/petakampung-location.conf", str(location))
    (tmp_path / "site.conf").write_text(site)
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        f"pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log; events {{}}\n"
        f"http {{ access_log off; include {tmp_path}/site.conf; }}\n"
    )
    done = subprocess.run([NGINX, "-t", "-p", str(tmp_path), "-c", str(conf)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


# -- in the browser ----------------------------------------------------------------------------------
CSP_LISTENER = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI);
});
"""


class Walk:
    """Every request a page makes, every failure and every CSP violation, for one browser page."""

    def __init__(self, page, base: str) -> None:
        self.page = page
        self.base = base
        self.requests: list[str] = []
        self.bad: list[str] = []
        self.errors: list[str] = []
        page.add_init_script(CSP_LISTENER)
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("response", lambda r: self.bad.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        page.on("requestfailed", lambda r: None if _tile(r.url) else self.bad.append(f"failed {r.url}"))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on(
            "console",
            lambda m: (
                self.errors.append(m.text)
                if m.type == "error" and not m.text.startswith("Failed to load resource")
                else None
            ),
        )

    def visit(self, path: str) -> None:
        response = self.page.goto(self.base + PREFIX + path)
        assert response.status == 200, path
        self.page.wait_for_load_state("networkidle")

    def check(self) -> None:
        outside = [u for u in self.requests if not u.startswith(self.base + PREFIX + "/") and not _tile(u)]
        assert outside == []
        assert self.bad == []
        assert self.errors == []
        assert self.page.evaluate("window.__csp") == []


def _tile(url: str) -> bool:
    return any(h in url for h in TILE_HOSTS) or url.startswith("data:")


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")
def test_public_pages_and_their_assets_load_under_the_sub_path(proxied, browser, artifacts: Path) -> None:
    base, _ = proxied
    page = new_page(browser)
    walk = Walk(page, base)
    walk.visit("/")
    page.wait_for_selector(".pk-kota-point", timeout=30_000)
    walk.check()
    walk.visit("/kota/18.71")
    page.wait_for_selector(RT_PATH, timeout=30_000)
    page.select_option("#indicator", index=1)  # wired by site.js, not an inline handler
    page.wait_for_load_state("networkidle")
    assert any("/petakampung/tiles/" in u for u in walk.requests)
    walk.check()
    walk.visit(f"/kelurahan/{KALIAWI}")
    page.wait_for_selector(".leaflet-overlay-pane path.leaflet-interactive")
    legend = page.locator(".pk-rt-legend").inner_text()
    page.select_option("#indicator", "garden_share")
    assert page.locator(".pk-rt-legend").inner_text() != legend
    assert any(u.startswith(base + PREFIX + "/static/vendor/leaflet/") for u in walk.requests)
    page.screenshot(path=str(artifacts / "proxy_subpath_kelurahan.png"))
    walk.check()
    page.locator("#rt-table a").first.click()
    page.wait_for_load_state("networkidle")
    assert page.url.startswith(base + PREFIX + f"/kelurahan/{KALIAWI}/rt/")
    walk.check()
    for path in (f"/kelurahan/{KALIAWI}/peta", f"/kelurahan/{KALIAWI}/pekerjaan", f"/kelurahan/{KALIAWI}/dasbor"):
        walk.visit(path)
        walk.check()
    walk.visit(f"/kelurahan/{KALIAWI}/perencanaan")
    page.wait_for_selector("#plan-table tbody tr", timeout=60_000)
    walk.check()
    walk.visit("/kota/18.71/perencanaan")
    page.wait_for_selector("#plan-table tbody tr", timeout=120_000)
    assert page.locator("#plan-table tbody a").first.get_attribute("href").startswith(PREFIX + "/kelurahan/")
    walk.check()


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")
def test_an_lkm_member_logs_in_and_records_through_the_proxy(proxied, browser) -> None:
    base, _ = proxied
    page = new_page(browser)
    walk = Walk(page, base)
    walk.visit("/")
    page.click("#login-link")
    page.fill("#username", "lkm.a")
    page.fill("#password", PASSWORD)
    page.locator("#login-form button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert page.url == base + PREFIX + f"/kelurahan/{KALIAWI}/dasbor"
    with page.expect_navigation():
        page.select_option("#tahun", "semua")  # submits its form (site.js: no inline handler)
    assert page.url.startswith(base + PREFIX + "/")
    assert "tahun=semua" in page.url
    walk.visit(f"/kelurahan/{KALIAWI}/pekerjaan/{WORK}")
    page.fill("#record-form input[name=fisik_pct]", "61")
    page.fill("#record-form input[name=note]", "lewat proksi")
    page.locator("#record-form button[type=submit]").click()  # sent by work.js, which then opens the page
    page.wait_for_url("**disimpan=*")
    page.wait_for_load_state("networkidle")
    assert page.url.startswith(base + PREFIX + f"/kelurahan/{KALIAWI}/pekerjaan/{WORK}?disimpan=")
    assert page.locator("#saved-flash").is_visible()
    assert "lewat proksi" in page.locator("#records").inner_text()
    page.locator("header form button").click()  # log out
    page.wait_for_load_state("networkidle")
    assert page.url == base + PREFIX + "/"
    walk.check()
