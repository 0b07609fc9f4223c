"""The site's own scripts (web/static/pk/*.js) parse: a syntax error would leave a page's map or form
dead in every browser, and no Python test would notice.  Uses Debian's node when it is installed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPTS = sorted((Path(__file__).resolve().parent.parent / "web" / "static" / "pk").glob("*.js"))
NODE = shutil.which("node")


@pytest.mark.skipif(NODE is None, reason="node is not installed")
@pytest.mark.parametrize("script", SCRIPTS, ids=[p.name for p in SCRIPTS])
def test_page_script_parses(script: Path) -> None:
    done = subprocess.run([NODE, "--check", str(script)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_the_kelurahan_map_script_is_among_them() -> None:
    assert "kelurahan-map.js" in {p.name for p in SCRIPTS}
