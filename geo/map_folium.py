"""The kelurahan map assembled with Folium (Leaflet): the layers, the legend, the controls.

What the map does in the browser lives in ``web/static/pk/kelurahan-map.js``; this module writes one
call to it (``pk.initKelurahanMap``) with the map's words, legends and settings as data.  On the site
the script is loaded from ``/static/pk/`` (``MapOptions.script_prefix``); a stand-alone file gets it
inlined by :func:`render_standalone`, with Leaflet, so it opens with no network at all.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import folium
import geopandas as gpd
import pandas as pd
from branca.element import Element, MacroElement, Template

from geo.assets import fa_svg, icon_svg, inline_css, inline_js
from geo.layers.facilities import CATEGORY_LABELS, PROGRAMME_COLORS, PROGRAMME_LABELS
from geo.map_classes import INDICATORS, SUPPRESSED_COLOR, WORK_COLOR_MODES, indicator_label, label, work_legend_html
from geo.map_features import (
    MapOptions,
    esc,
    facility_features,
    garden_features,
    rounded,
    rt_features,
    work_features,
)
from geo.queries import KelurahanData

__all__ = ["MAP_SCRIPT", "build_map", "map_parts", "render_standalone", "rt_legend_html"]

_INLINE_JS = "petakampung-inline:leaflet.js"
_INLINE_CSS = "petakampung-inline:leaflet.css"
MAP_SCRIPT = "kelurahan-map.js"  # in web/static/pk/, served at /static/pk/kelurahan-map.js
_SCRIPT_DIR = Path(__file__).resolve().parent.parent / "web" / "static" / "pk"
_INLINE_SCRIPT = f"petakampung-inline:{MAP_SCRIPT}"

_LEGEND_STYLE = (
    "<style>.pk-legend{background:#fff;padding:6px 8px;font:12px/16px sans-serif;"
    "box-shadow:0 0 6px rgba(0,0,0,.3);border-radius:4px;max-height:50vh;overflow:auto}"
    ".pk-legend i{display:inline-block;width:14px;height:14px;margin-right:6px;"
    "vertical-align:middle;opacity:.85}.pk-legend summary{cursor:pointer;font-weight:bold}"
    ".pk-icon{display:flex;align-items:center;justify-content:center;border-radius:50%;"
    "border:2px solid #fff;box-shadow:0 0 3px rgba(0,0,0,.5)}"
    ".leaflet-bar a.pk-btn{display:flex;align-items:center;justify-content:center;background:#fff}"
    "@media (max-width:700px){.pk-legend{font-size:11px;line-height:14px;max-height:35vh}}</style>"
)


def build_map(data: KelurahanData, table: pd.DataFrame, opts: MapOptions | None = None) -> folium.Map:
    """The kelurahan map.  ``table`` must be the *public* (suppressed) indicator table."""
    opts = opts or MapOptions()
    lang = opts.lang
    bounds = data.kelurahan.total_bounds
    fmap = folium.Map(
        location=[(bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2],
        zoom_start=16,
        tiles=None,
        control_scale=True,
    )
    folium.TileLayer(
        "OpenStreetMap",
        name="OpenStreetMap",
        attr='&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> · ' + label("icons", lang),
    ).add_to(fmap)
    fmap.default_js = [("leaflet", f"{opts.asset_prefix}/leaflet.js" if opts.asset_prefix else _INLINE_JS)]
    fmap.default_css = [("leaflet_css", f"{opts.asset_prefix}/leaflet.css" if opts.asset_prefix else _INLINE_CSS)]
    script = f"{opts.script_prefix}/{MAP_SCRIPT}" if opts.script_prefix else _INLINE_SCRIPT
    fmap.get_root().header.add_child(Element(f'<script src="{html.escape(script)}"></script>'))
    fmap.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
    rt, legends = rt_features(data, table, opts)
    layers = {"rt": _rt_layer(fmap, rt, opts)}
    _boundary_layer(fmap, data, lang)
    layers["works"] = _works_layer(fmap, work_features(data.works, lang, opts.work_url), opts)
    layers["gardens"] = _gardens_layer(fmap, garden_features(data.gardens, lang), opts)
    layers["facilities"] = _facilities_layer(fmap, facility_features(data.facilities, lang), opts)
    control = folium.LayerControl(collapsed=False)
    control.add_to(fmap)
    corners = [[float(bounds[1]), float(bounds[0])], [float(bounds[3]), float(bounds[2])]]
    _Init(layers, control, _config(legends, opts, corners)).add_to(fmap)
    return fmap


def add_indicator_picker(fmap: folium.Map, lang: str) -> None:
    """A select box of every indicator on the map itself (the stand-alone file; the site has its own)."""
    options = "".join(f'<option value="{k}">{html.escape(indicator_label(k, lang))}</option>' for k in INDICATORS)
    picker = f'<select aria-label="{html.escape(label("picker", lang))}">{options}</select>'
    for child in fmap._children.values():
        if isinstance(child, _Init):
            child.config["pickerHtml"] = picker


def _config(legends: dict, opts: MapOptions, bounds: list) -> dict:
    """Everything kelurahan-map.js needs, as JSON: words, legends, icons, where to load layers from."""
    return {
        "bounds": bounds,
        "lazy": opts.lazy,
        "programmeColors": PROGRAMME_COLORS,
        "icons": {c: icon_svg(c) for c in CATEGORY_LABELS},
        "text": {k: label(k, opts.lang) for k in ("fullscreen", "locate", "locate_fail")},
        "buttons": {
            "expand": fa_svg("expand", "#333333", 16),
            "locate": fa_svg("location-crosshairs", "#333333", 16),
        },
        "legendHtml": _legend_html(legends, opts),
        "legends": {k: rt_legend_html(v, opts) for k, v in legends.items()},
        "workLegends": {k: work_legend_html(k, opts.lang) for k in WORK_COLOR_MODES},
        "pickerHtml": None,
    }


class _Init(MacroElement):
    """``pk.initKelurahanMap(map, layers, control, config)``: names the layers for page scripts
    (``window.pk``) and hands the rest to web/static/pk/kelurahan-map.js."""

    _template = Template("""
{% macro script(this, kwargs) %}
window.pk.initKelurahanMap({{ this._parent.get_name() }},
  { {% for name, layer in this.layers.items() %}{{ name|tojson }}: {{ layer.get_name() }},{% endfor %} },
  {{ this.control.get_name() }}, {{ this.config|tojson }});
{% endmacro %}
""")

    def __init__(self, layers: dict, control: folium.LayerControl, config: dict) -> None:
        super().__init__()
        self.layers = layers
        self.control = control
        self.config = config


def _legend_html(legends: dict, opts: MapOptions) -> str:
    lang = opts.lang
    first = opts.indicators[0]
    rows = [
        f'<div class="pk-rt-legend">{rt_legend_html(legends.get(first), opts)}</div>',
        f'<div class="pk-works-legend">{work_legend_html("status", lang)}</div>',
        f"<b>{html.escape(label('facilities', lang))}</b>",
    ]
    rows += [
        f'<i style="background:{c};border-radius:50%"></i>{html.escape(PROGRAMME_LABELS[p][lang])}'
        for p, c in PROGRAMME_COLORS.items()
    ]
    rows.append(f'<i style="background:#5aae61"></i>{html.escape(label("gardens", lang))}')
    return f"{_LEGEND_STYLE}<details open><summary>{label('legend', lang)}</summary>" + "<br>".join(rows) + "</details>"


def rt_legend_html(legend: dict | None, opts: MapOptions) -> str:
    if not legend:
        return ""
    rows = [f"<b>{html.escape(legend['title'])}</b>"]
    rows += [f'<i style="background:{c}"></i>{html.escape(text)}' for c, text in legend["rows"]]
    rows.append(
        f'<i style="background:{SUPPRESSED_COLOR}"></i>{html.escape(label("suppressed", opts.lang).format(k=opts.k))}'
    )
    return "<br>".join(rows)


# --- layers --------------------------------------------------------------------------------------------


def _hover(frame: gpd.GeoDataFrame, **parts: object) -> dict[str, object]:
    """Tooltip and popup of a layer, or none for a layer with no features (a kelurahan with only
    its boundary): folium refuses fields that no feature carries."""
    return parts if len(frame) else {}


def _geojson(frame: gpd.GeoDataFrame, opts: MapOptions, layer: str) -> gpd.GeoDataFrame:
    """The layer's data; only its first feature when the rest is loaded by bounding box (folium
    needs one feature to know the popup fields)."""
    return frame.head(1) if layer in opts.lazy else frame


_RT_FIELDS = {
    "rt_label": "rt",
    "value": "indicator",
    "kk_text": "kk",
    "poor_text": "poor",
    "road_m": "road",
    "drainage_m": "drainage",
    "wells": "wells",
    "garden_m2": "garden_m2",
}
_WORK_FIELDS = {
    "name": "name",
    "type_text": "type",
    "volume_text": "volume",
    "budget_text": "budget",
    "funding": "funding",
    "year_text": "year",
    "ksm": "ksm",
    "status_text": "status",
    "fisik_text": "fisik",
    "keuangan_text": "keuangan",
    "deviation_text": "deviation",
}
_GARDEN_FIELDS = {
    "kwt_name": "kwt",
    "crops": "crops",
    "site_text": "site",
    "area_text": "area",
    "revenue_text": "revenue",
}
_FACILITY_FIELDS = {"name": "name", "category_text": "category", "programme_text": "programme"}


def _popup(frame: gpd.GeoDataFrame, fields: dict[str, str], lang: str, link: str) -> folium.GeoJsonPopup:
    """A popup of ``fields`` (column -> word), and the ``link`` column (no heading) when there is one."""
    names, aliases = list(fields), [label(v, lang) for v in fields.values()]
    if link in frame.columns:
        names.append(link)
        aliases.append("")
    return folium.GeoJsonPopup(fields=names, aliases=aliases)


def _rt_layer(fmap: folium.Map, rt: gpd.GeoDataFrame, opts: MapOptions) -> folium.GeoJson:
    layer = folium.GeoJson(
        rt,
        name=label("rt_layer", opts.lang),
        style_function=lambda f: {
            "fillColor": f["properties"]["color"],
            "color": "#555555",
            "weight": 1,
            "fillOpacity": 0.65,
        },
        highlight_function=lambda f: {"weight": 3, "color": "#000000"},
        **_hover(
            rt,
            tooltip=folium.GeoJsonTooltip(fields=["rt_label", "value"], labels=False),
            popup=_popup(rt, _RT_FIELDS, opts.lang, "profile"),
        ),
    )
    layer.add_to(fmap)
    return layer


def _boundary_layer(fmap: folium.Map, data: KelurahanData, lang: str) -> None:
    group = folium.FeatureGroup(name=label("boundary", lang))
    rw = data.rw[["unit_label", "geometry"]].copy()
    rw["unit_label"] = [esc(v) for v in rw["unit_label"]]
    folium.GeoJson(
        rounded(rw),
        style_function=lambda f: {"fill": False, "color": "#333333", "weight": 2, "dashArray": "6 4"},
        **_hover(rw, tooltip=folium.GeoJsonTooltip(fields=["unit_label"], labels=False)),
    ).add_to(group)
    folium.GeoJson(
        rounded(data.kelurahan[["geometry"]]), style_function=lambda f: {"fill": False, "color": "#000000", "weight": 3}
    ).add_to(group)
    group.add_to(fmap)


def _works_layer(fmap: folium.Map, works: gpd.GeoDataFrame, opts: MapOptions) -> folium.GeoJson:
    layer = folium.GeoJson(
        _geojson(works, opts, "works"),
        name=label("works", opts.lang),
        style_function=lambda f: {
            "color": f["properties"]["color"],
            "weight": 6,
            "opacity": 0.9,
            "fillColor": f["properties"]["color"],
            "fillOpacity": 0.9,
        },
        marker=folium.CircleMarker(radius=8, weight=2, fill=True),
        **_hover(
            works,
            popup=_popup(works, _WORK_FIELDS, opts.lang, "page"),
            tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False),
        ),
    )
    layer.add_to(fmap)
    return layer


def _gardens_layer(fmap: folium.Map, gardens: gpd.GeoDataFrame, opts: MapOptions) -> folium.GeoJson:
    layer = folium.GeoJson(
        _geojson(gardens, opts, "gardens"),
        name=label("gardens", opts.lang),
        style_function=lambda f: {"color": "#1b7837", "weight": 1, "fillColor": "#5aae61", "fillOpacity": 0.8},
        **_hover(gardens, popup=_popup(gardens, _GARDEN_FIELDS, opts.lang, "")),
    )
    layer.add_to(fmap)
    return layer


def _facilities_layer(fmap: folium.Map, facilities: gpd.GeoDataFrame, opts: MapOptions) -> folium.GeoJson:
    """One layer whose points are drawn as programme-coloured icons (pk.facilityIcon in kelurahan-map.js)."""
    layer = folium.GeoJson(
        _geojson(facilities, opts, "facilities"),
        name=label("facilities", opts.lang),
        marker=folium.Marker(icon=folium.DivIcon(html="")),  # replaced by programme icons in the browser
        **_hover(
            facilities,
            popup=_popup(facilities, _FACILITY_FIELDS, opts.lang, ""),
            tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False),
        ),
    )
    layer.add_to(fmap)
    return layer


# --- output --------------------------------------------------------------------------------------------


def map_script() -> str:
    """The text of web/static/pk/kelurahan-map.js, for a file that must work offline."""
    return (_SCRIPT_DIR / MAP_SCRIPT).read_text(encoding="utf-8")


def render_standalone(fmap: folium.Map) -> str:
    """The map as one HTML file with Leaflet and our map script inlined: opens with no network at all."""
    page = fmap.get_root().render()
    inline = {
        f'<script src="{_INLINE_JS}"></script>': lambda: "<script>" + inline_js() + "</script>",
        f'<script src="{_INLINE_SCRIPT}"></script>': lambda: "<script>" + map_script() + "</script>",
        f'<link rel="stylesheet" href="{_INLINE_CSS}"/>': lambda: "<style>" + inline_css() + "</style>",
    }
    for tag, text in inline.items():
        page = re.sub(re.escape(tag), lambda _m, text=text: text(), page)
    return page


def map_parts(fmap: folium.Map) -> dict[str, str]:
    """Header, body and script of a map, to embed it in one of our own pages."""
    root = fmap.get_root()
    root.render()
    header = re.sub(r'<meta name="viewport"[^>]*>', "", root.header.render())  # the page has its own, zoomable
    inline = f'<script src="{_INLINE_SCRIPT}"></script>'  # no script_prefix: the page carries the script itself
    header = header.replace(inline, "<script>" + map_script() + "</script>") if inline in header else header
    return {"header": header, "html": root.html.render(), "script": root.script.render()}
