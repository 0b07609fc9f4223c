"""Leaflet served from our own site, or inlined into a stand-alone map: never from a CDN.

Our users are often on slow, metered phone connections and our test machines have no internet,
so folium's default CDN links are replaced (STYLE.md, "Practical notes").
"""

from __future__ import annotations

import base64
import re
from functools import cache
from pathlib import Path

import xstatic.pkg.leaflet as xleaflet

LEAFLET_DIR = Path(xleaflet.BASE_DIR)
VENDOR_FILES = {"leaflet.js": LEAFLET_DIR / "leaflet.js", "leaflet.css": LEAFLET_DIR / "leaflet.css"}
VENDOR_IMAGES = LEAFLET_DIR / "images"
LEAFLET_VERSION = xleaflet.VERSION


def vendor_path(name: str) -> Path | None:
    """The file behind ``/static/vendor/<name>`` (Leaflet and its images), or None."""
    if name in VENDOR_FILES:
        return VENDOR_FILES[name]
    if name.startswith("images/"):
        candidate = (VENDOR_IMAGES / name.removeprefix("images/")).resolve()
        if candidate.parent == VENDOR_IMAGES.resolve() and candidate.is_file():
            return candidate
    return None


@cache
def inline_css() -> str:
    """leaflet.css with its images as data URIs, for a map that must work from one file."""
    css = VENDOR_FILES["leaflet.css"].read_text(encoding="utf-8")

    def data_uri(match: re.Match[str]) -> str:
        path = VENDOR_IMAGES / match.group(1)
        if not path.is_file():
            return match.group(0)
        encoded = base64.b64encode(path.read_bytes()).decode()
        return f"url(data:image/png;base64,{encoded})"

    return re.sub(r"url\(images/([\w.-]+\.png)\)", data_uri, css)


@cache
def inline_js() -> str:
    return VENDOR_FILES["leaflet.js"].read_text(encoding="utf-8")


ICON_NAMES = {
    "posyandu": "baby",
    "balai_warga": "people-roof",
    "musala": "mosque",
    "masjid": "mosque",
    "dapur_stunting": "bowl-food",
    "bank_sampah": "recycle",
    "pos_ronda": "shield-halved",
    "rumah_data": "chart-column",
    "sekolah": "school",
    "paud": "children",
    "rumah_bibit": "seedling",
    "puskesmas": "house-medical",
    "sekretariat": "building",
    "lainnya": "location-dot",
}


@cache
def fa_svg(name: str, fill: str = "#ffffff", size: int = 14) -> str:
    """A Font Awesome Free (CC BY 4.0) solid icon as inline SVG: no web font to download."""
    import xstatic.pkg.font_awesome as xfa

    text = (Path(xfa.BASE_DIR) / "svgs" / "solid" / f"{name}.svg").read_text(encoding="utf-8")
    text = re.sub(r"<!--.*?-->", "", text)
    return text.replace("<svg ", f'<svg fill="{fill}" width="{size}" height="{size}" aria-hidden="true" ', 1)


def icon_svg(category: str) -> str:
    """The icon of a facility category."""
    return fa_svg(ICON_NAMES.get(category, "location-dot"))


# --- vector tiles in the browser: Leaflet.VectorGrid (vendored from npm) and our own map script ---------

STATIC_DIR = Path(__file__).resolve().parent / "static"
VECTORGRID_VERSION = "1.3.0"
VECTORGRID_DIR = STATIC_DIR / "vendor" / "leaflet.vectorgrid" / VECTORGRID_VERSION
VECTORGRID_FILES = ("Leaflet.VectorGrid.bundled.min.js", "LICENSE.md")
MAP_SCRIPTS = ("pk-tiles.js", "pk-tiles.css")


def vectorgrid_path(name: str) -> Path | None:
    """The file behind ``/static/vendor/vectorgrid/<version>/<name>`` (the bundle and its licences)."""
    return VECTORGRID_DIR / name if name in VECTORGRID_FILES else None


def map_script_path(name: str) -> Path | None:
    """Our own tile-map script and style (``/static/map/<name>``), shared by the site and the
    stand-alone city map."""
    return STATIC_DIR / name if name in MAP_SCRIPTS else None


@cache
def inline_text(path: Path) -> str:
    return path.read_text(encoding="utf-8")
