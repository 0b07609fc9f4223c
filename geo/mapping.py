"""Folium (Leaflet) maps of a kelurahan: public data only.

The RT choropleth shows suppressed household indicators (and any other public indicator) in
Fisher-Jenks classes; works are coloured by status with popups; KWT gardens and facilities by
programme (with icons) are separate layers; a legend, a layer control, a scale bar, full-screen
and locate-me buttons.

The work is split by concern; this module keeps the stand-alone file (``petakampung map``) and the
names callers import from ``geo.mapping``:

- :mod:`geo.map_classes`: indicators, Fisher-Jenks classes, colours and legend rows;
- :mod:`geo.map_features`: layers turned into escaped display strings (``MapOptions``);
- :mod:`geo.map_folium`: the Folium assembly; its browser side is ``web/static/pk/kelurahan-map.js``.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from branca.element import Element

from geo.i18n import t
from geo.map_classes import (
    DEVIATION_COLORS,
    FISIK_COLORS,
    INDICATORS,
    SUPPRESSED_COLOR,
    WORK_COLOR_MODES,
    Classes,
    Indicator,
    classify,
    deviation_color,
    fisik_color,
    indicator_label,
    value_text,
    work_legend_html,
    work_legend_rows,
)
from geo.map_features import MapOptions, esc, facility_features, garden_features, rt_features, work_features
from geo.map_folium import add_indicator_picker, build_map, map_parts, render_standalone, rt_legend_html
from geo.store import Store

__all__ = [
    "DEVIATION_COLORS",
    "FISIK_COLORS",
    "INDICATORS",
    "SUPPRESSED_COLOR",
    "WORK_COLOR_MODES",
    "Classes",
    "Indicator",
    "MapOptions",
    "build_map",
    "classify",
    "deviation_color",
    "esc",
    "facility_features",
    "fisik_color",
    "garden_features",
    "indicator_label",
    "map_parts",
    "render_standalone",
    "rt_features",
    "rt_legend_html",
    "value_text",
    "work_features",
    "work_legend_html",
    "work_legend_rows",
    "write_map",
]


def write_map(store: Store, code: str, path: str | Path, *, lang: str = "id", k: int = 5) -> Path:
    """Write the stand-alone public map of kelurahan ``code`` to ``path``: one HTML file with Leaflet
    and the map script inlined, so it opens offline."""
    from geo.public import PublicData

    public = PublicData(store, k=k, max_kelurahan=1)
    data = public.kelurahan(code)
    fmap = build_map(data, data.indicators, MapOptions(lang=lang, k=k, indicators=tuple(INDICATORS)))
    add_indicator_picker(fmap, lang)
    title = t("map.title", lang, name=data.info["name"])
    fmap.get_root().html.add_child(Element(_heading_html(data.info, title, public.version(code), lang)), index=0)
    page = render_standalone(fmap)
    page = page.replace("<html>", f'<html lang="{lang}">', 1)
    page = re.sub(  # folium forbids zooming the page; a visitor with poor sight needs it
        r'<meta name="viewport"[^>]*>', '<meta name="viewport" content="width=device-width, initial-scale=1">', page
    )
    page = page.replace("<head>", f"<head>\n<title>{html.escape(title)} · petakampung</title>", 1)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path


def _heading_html(info: dict, title: str, version: str, lang: str) -> str:
    """The stand-alone map's heading: which kelurahan, where, and the source and date of its data."""
    from geo.public_text import source_note

    place = ", ".join(html.escape(str(info[c])) for c in ("kecamatan", "kota") if info.get(c))
    return (
        '<header class="pk-heading" style="font:14px/1.3 system-ui,sans-serif;padding:6px 10px;'
        'background:#fff;border-bottom:3px solid #b2182b">'
        f'<h1 style="font-size:18px;margin:0">{html.escape(title)}</h1>'
        f"<div>{html.escape(str(info['kelurahan_code']))} · {place}</div>"
        f'<div style="font-size:12px;color:#5b6770">{html.escape(source_note(version, lang))}</div></header>'
        "<style>html,body{height:100%;margin:0}body{display:flex;flex-direction:column}"
        ".folium-map{flex:1 1 auto;height:auto!important;min-height:300px}</style>"
    )
