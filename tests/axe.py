"""axe-core (Deque, MPL-2.0) for the accessibility checks of the browser tests.

It comes from the npm registry, once, into a cache folder (``~/.cache/petakampung-tests``):
``npm pack axe-core@4`` where npm exists, else the registry's tarball fetched with urllib and
checked against the sha512 integrity the registry publishes for it.  Offline, the tests that need
it are skipped with the reason.  It is injected into the page under test by Playwright, in a
browser context that bypasses the site's CSP (the CSP runs no script the site did not send).
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import tarfile
import urllib.request
from pathlib import Path

import pytest

VERSION = "4.10.2"
CACHE = Path.home() / ".cache" / "petakampung-tests"
REGISTRY = "https://registry.npmjs.org/axe-core"
SERIOUS = ("serious", "critical")


def _extract(tgz: Path, target: Path) -> str:
    with tarfile.open(tgz) as tar:
        member = tar.extractfile("package/axe.min.js")
        if member is None:
            raise OSError("axe.min.js missing from the package")
        source = member.read().decode("utf-8")
    target.write_text(source, encoding="utf-8")
    return source


def _by_npm(folder: Path) -> Path | None:
    npm = shutil.which("npm")
    if npm is None:
        return None
    done = subprocess.run(
        [npm, "pack", f"axe-core@{VERSION}", "--pack-destination", str(folder), "--silent"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    found = folder / f"axe-core-{VERSION}.tgz"
    return found if done.returncode == 0 and found.exists() else None


def _by_urllib(folder: Path) -> Path:
    with urllib.request.urlopen(f"{REGISTRY}/{VERSION}", timeout=30) as r:
        meta = json.load(r)
    integrity = meta["dist"]["integrity"]
    with urllib.request.urlopen(meta["dist"]["tarball"], timeout=60) as r:
        data = r.read()
    algo, _, digest = integrity.partition("-")
    if algo != "sha512" or base64.b64encode(hashlib.sha512(data).digest()).decode() != digest:
        raise OSError("axe-core tarball does not match the registry's integrity")
    found = folder / f"axe-core-{VERSION}.tgz"
    found.write_bytes(data)
    return found


def axe_source() -> str:
    """axe.min.js, from the cache or the registry; skips the test when neither can give it."""
    CACHE.mkdir(parents=True, exist_ok=True)
    cached = CACHE / f"axe-{VERSION}.min.js"
    if cached.exists():
        return cached.read_text(encoding="utf-8")
    try:
        tgz = _by_npm(CACHE) or _by_urllib(CACHE)
        return _extract(tgz, cached)
    except (OSError, subprocess.SubprocessError, KeyError, ValueError) as exc:
        pytest.skip(f"axe-core {VERSION} could not be fetched from the npm registry (offline?): {exc}")


def serious_violations(browser, url: str, viewport: dict, source: str) -> list[str]:
    """axe-core's serious and critical violations on ``url``, one line each (rule, what, where)."""
    context = browser.new_context(viewport=viewport, bypass_csp=True)
    try:
        page = context.new_page()
        page.route(
            "**/*",
            lambda route: (
                route.continue_() if route.request.url.startswith(("http://127.0.0.1", "data:")) else route.abort()
            ),
        )
        page.goto(url)
        page.wait_for_load_state("networkidle")
        page.add_script_tag(content=source)
        result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    finally:
        context.close()
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:5]}"
        for v in result["violations"]
        if v["impact"] in SERIOUS
    ]
