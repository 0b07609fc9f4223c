"""What every browser test shares: Debian's chromium, a page that reaches only localhost, and a
log of what went wrong on a page.

Base-map tiles fail here on purpose (as on a bad connection): the vector layers, the legend and
the popups must still work.
"""

from __future__ import annotations

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
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
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
# a request the browser itself cancelled because the page moved on (a map's pending tiles when the
# visitor clicks a link) is not an error a visitor sees
NAVIGATION_ABORT = "net::ERR_ABORTED"


class PageLog:
    """Everything a page said that a developer would want to see: errors and failed requests."""

    def __init__(self, page) -> None:
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.failed: list[str] = []
        page.on("console", lambda m: self.console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.page_errors.append(str(e)))
        page.on("requestfailed", self._failed)

    def _failed(self, request) -> None:
        if (request.failure or "") != NAVIGATION_ABORT:
            self.failed.append(request.url)

    def assert_clean(self) -> None:
        """No script errors; the only failures are base-map tiles, blocked by this machine."""
        assert self.page_errors == []
        assert [u for u in self.failed if not any(h in u for h in TILE_HOSTS)] == []
        assert all(e.startswith("Failed to load resource") for e in self.console_errors), self.console_errors
        assert len(self.console_errors) <= len(self.failed)


def new_page(browser, viewport: dict | None = None):
    context = browser.new_context(viewport=viewport or DESKTOP)
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
