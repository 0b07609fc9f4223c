"""Pages in a real browser: Debian's chromium driven by Playwright, no network beyond localhost.

Base-map tiles fail here on purpose (as on a bad connection): the vector layers, the legend and
the popups must still work.  Screenshots land in test-artifacts/.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.request import urlopen

import pytest

from geo.mapping import write_map
from geo.store import open_store
from tests.conftest import KALIAWI

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")]
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
TILE_HOSTS = ("tile.openstreetmap.org",)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


class PageLog:
    """Everything a page said that a developer would want to see: errors and failed requests."""

    def __init__(self, page) -> None:
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.failed: list[str] = []
        page.on("console", lambda m: self.console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.page_errors.append(str(e)))
        page.on("requestfailed", lambda r: self.failed.append(r.url))

    def assert_clean(self) -> None:
        """No script errors; the only failures are base-map tiles, blocked by this machine."""
        assert self.page_errors == []
        ours = [u for u in self.failed if not any(h in u for h in TILE_HOSTS)]
        assert ours == []
        assert all(e.startswith("Failed to load resource") for e in self.console_errors), self.console_errors
        assert len(self.console_errors) <= len(self.failed)


def new_page(browser, **kwargs):
    context = browser.new_context(**kwargs)
    page = context.new_page()
    # localhost and files only, like a phone that reaches our server but nothing else
    page.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(("http://127.0.0.1", "file://", "data:"))
            else route.abort()
        ),
    )
    return page


def test_standalone_map_renders_offline(browser, demo_store, tmp_path: Path, artifacts: Path) -> None:
    html = write_map(demo_store, KALIAWI, tmp_path / "peta.html", lang="id")
    page = new_page(browser, viewport={"width": 1280, "height": 900})
    log = PageLog(page)
    page.goto(html.as_uri())
    page.wait_for_selector(".leaflet-overlay-pane path")
    page.wait_for_timeout(500)
    page.screenshot(path=str(artifacts / "map_standalone_kaliawi.png"))
    log.assert_clean()
    rts = len(demo_store.read("rt", kelurahan_code=KALIAWI))
    assert page.locator(".leaflet-overlay-pane path.leaflet-interactive").count() >= rts + 8
    legend = page.locator(".pk-legend")
    assert legend.is_visible()
    assert "Persentase KK miskin" in legend.inner_text()
    control = page.locator(".leaflet-control-layers").inner_text()
    for name in ("Pekerjaan infrastruktur", "Kebun KWT", "Fasilitas: Kampung KB"):
        assert name in control
    assert page.locator(".leaflet-control-scale").is_visible()


def test_clicking_a_work_opens_its_popup(browser, demo_store, tmp_path: Path, artifacts: Path) -> None:
    html = write_map(demo_store, KALIAWI, tmp_path / "peta.html", lang="en")
    page = new_page(browser, viewport={"width": 1280, "height": 900})
    log = PageLog(page)
    page.goto(html.as_uri())
    page.wait_for_selector(".leaflet-overlay-pane path")
    # hide the RT layer so the click lands on the works line, as a user would with the layer control
    page.locator(".leaflet-control-layers label", has_text="Share of poor households").click()
    line = page.locator('.leaflet-overlay-pane path[stroke="#1a9641"][stroke-width="6"]').first
    x, y = line.evaluate("""el => {
        const p = el.getPointAtLength(el.getTotalLength() / 2);
        const m = el.getScreenCTM();
        return [p.x * m.a + p.y * m.c + m.e, p.x * m.b + p.y * m.d + m.f];
    }""")
    page.mouse.click(x, y)  # a real click on a point of the line
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    text = popup.inner_text()
    page.screenshot(path=str(artifacts / "map_work_popup.png"))
    assert "Budget" in text
    assert "Rp " in text
    assert "Completed" in text
    log.assert_clean()


@pytest.fixture(scope="module")
def server(demo_store_path: Path, tmp_path_factory) -> Iterator[str]:
    """uvicorn serving a copy of the demo store on a free localhost port."""
    import shutil

    store = tmp_path_factory.mktemp("site") / "site.gpkg"
    shutil.copy(demo_store_path, store)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PETAKAMPUNG_STORE": str(store)}
    exe = Path(sys.executable).parent / "petakampung"
    proc = subprocess.Popen(
        [str(exe), "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            with urlopen(url + "/", timeout=1):
                break
        except OSError:
            time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail("the site did not start")
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.mark.parametrize(
    ("viewport", "name"), [({"width": 1280, "height": 900}, "desktop"), ({"width": 390, "height": 844}, "phone")]
)
def test_site_home_to_map(browser, server: str, artifacts: Path, viewport: dict, name: str) -> None:
    page = new_page(browser, viewport=viewport)
    log = PageLog(page)
    page.goto(server + "/")
    page.screenshot(path=str(artifacts / f"site_home_{name}.png"))
    page.get_by_role("link", name="Kaliawi Persada").click()
    page.wait_for_url("**/kelurahan/18.71.06.1012")
    frame = page.frame_locator("#map-frame")
    frame.locator(".leaflet-overlay-pane path").first.wait_for()
    page.wait_for_timeout(500)
    page.screenshot(path=str(artifacts / f"site_map_{name}.png"))
    assert frame.locator(".pk-legend").is_visible()
    log.assert_clean()
    assert open_store  # the site read the store, the page never saw it


def test_site_language_switch_is_remembered(browser, server: str) -> None:
    page = new_page(browser)
    page.goto(server + "/")
    assert page.locator("h1").inner_text() == "Daftar kelurahan"
    page.locator("#lang-switch").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Kelurahan"
    page.goto(server + "/kelurahan/18.71.06.1099")
    assert "is not in the store" in page.locator("#error-message").inner_text()
