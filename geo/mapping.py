"""Folium (Leaflet) maps of a kelurahan: public data only.

The RT choropleth shows the suppressed poverty share; works are coloured by status with popups;
KWT gardens and facilities by programme are separate layers; a legend and a layer control.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import folium
import geopandas as gpd
import pandas as pd
import shapely
from branca.element import MacroElement, Template

from geo.assets import inline_css, inline_js
from geo.layers.facilities import CATEGORY_LABELS, PROGRAMME_COLORS, PROGRAMME_LABELS
from geo.layers.gardens import SITE_LABELS
from geo.layers.infrastructure import STATUS_COLORS, STATUS_LABELS, WORK_TYPES
from geo.queries import KelurahanData, indicators, load_kelurahan
from geo.store import Store

POVERTY_BINS = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 1.0001]
POVERTY_COLORS = ["#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026"]
SUPPRESSED_COLOR = "#bdbdbd"
_INLINE_JS = "petakampung-inline:leaflet.js"
_INLINE_CSS = "petakampung-inline:leaflet.css"

LABELS = {
    "poverty": {"id": "Persentase KK miskin (desil 1-4) per RT", "en": "Share of poor households (decile 1-4) per RT"},
    "suppressed": {"id": "disembunyikan (< {k} KK)", "en": "suppressed (< {k} households)"},
    "works": {"id": "Pekerjaan infrastruktur", "en": "Infrastructure works"},
    "gardens": {"id": "Kebun KWT", "en": "KWT gardens"},
    "facilities": {"id": "Fasilitas", "en": "Facilities"},
    "boundary": {"id": "Batas kelurahan dan RW/Lingkungan", "en": "Kelurahan and RW/Lingkungan boundaries"},
    "rt": {"id": "RT", "en": "RT"},
    "kk": {"id": "KK", "en": "Households"},
    "poor": {"id": "KK miskin", "en": "Poor households"},
    "share": {"id": "% miskin", "en": "% poor"},
    "road": {"id": "Jalan (m)", "en": "Road (m)"},
    "drainage": {"id": "Drainase (m)", "en": "Drainage (m)"},
    "wells": {"id": "Sumur bor", "en": "Bore wells"},
    "garden_m2": {"id": "Kebun (m²)", "en": "Gardens (m²)"},
    "name": {"id": "Nama", "en": "Name"},
    "type": {"id": "Jenis", "en": "Type"},
    "volume": {"id": "Volume", "en": "Volume"},
    "budget": {"id": "Anggaran", "en": "Budget"},
    "funding": {"id": "Sumber dana", "en": "Funding"},
    "year": {"id": "Tahun", "en": "Year"},
    "ksm": {"id": "KSM", "en": "KSM"},
    "status": {"id": "Status", "en": "Status"},
    "fisik": {"id": "Fisik", "en": "Physical"},
    "keuangan": {"id": "Keuangan", "en": "Financial"},
    "kwt": {"id": "Kelompok", "en": "Group"},
    "crops": {"id": "Tanaman", "en": "Crops"},
    "site": {"id": "Lokasi", "en": "Site"},
    "area": {"id": "Luas", "en": "Area"},
    "revenue": {"id": "Pendapatan/bulan", "en": "Revenue/month"},
    "category": {"id": "Kategori", "en": "Category"},
    "programme": {"id": "Program", "en": "Programme"},
    "hidden": {"id": "disembunyikan", "en": "suppressed"},
}


def _l(key: str, lang: str) -> str:
    return LABELS[key][lang]


def idr(value: object) -> str:
    if value is None or pd.isna(value):
        return "-"
    return "Rp " + f"{int(value):,}".replace(",", ".")


def _round(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    out = gdf.copy()
    out["geometry"] = shapely.set_precision(out.geometry.to_numpy(), 1e-6)
    return out


def rt_features(data: KelurahanData, table: pd.DataFrame, lang: str, k: int) -> gpd.GeoDataFrame:
    """RT polygons with the public indicators and display strings."""
    rt = data.rt[["unit_number", "rt_number", "rt_label", "geometry"]].merge(
        table[
            [
                "unit_number",
                "rt_number",
                "kk_total",
                "kk_poor",
                "poor_share",
                "road_m",
                "drainage_m",
                "wells",
                "garden_m2",
            ]
        ],
        on=["unit_number", "rt_number"],
        how="left",
    )
    hidden = _l("hidden", lang)
    rt["kk_text"] = [hidden if pd.isna(v) else str(int(v)) for v in rt["kk_total"]]
    rt["poor_text"] = [hidden if pd.isna(v) else str(int(v)) for v in rt["kk_poor"]]
    rt["share_text"] = [hidden if pd.isna(v) else f"{100 * v:.1f} %" for v in rt["poor_share"]]
    rt["color"] = [poverty_color(v) for v in rt["poor_share"]]
    rt["poor_share"] = rt["poor_share"].astype(float)
    for col in ("kk_total", "kk_poor", "wells"):
        rt[col] = rt[col].astype(float)
    return _round(rt)


def poverty_color(share: object) -> str:
    if share is None or pd.isna(share):
        return SUPPRESSED_COLOR
    for lo, hi, color in zip(POVERTY_BINS[:-1], POVERTY_BINS[1:], POVERTY_COLORS, strict=True):
        if lo <= float(share) < hi:
            return color
    return POVERTY_COLORS[-1]


def work_features(works: gpd.GeoDataFrame, lang: str) -> gpd.GeoDataFrame:
    out = works.copy()
    out["type_text"] = [WORK_TYPES[w].label_id if lang == "id" else WORK_TYPES[w].label_en for w in out["work_type"]]
    out["volume_text"] = [
        f"{v:,.1f} {u}".replace(",", " ") for v, u in zip(out["volume"], out["volume_unit"], strict=True)
    ]
    out["budget_text"] = [idr(v) for v in out["budget_idr"]]
    out["status_text"] = [STATUS_LABELS[s][lang] for s in out["status"]]
    out["fisik_text"] = [f"{v:.0f} %" if pd.notna(v) else "-" for v in out["progress_fisik"]]
    out["keuangan_text"] = [f"{v:.0f} %" if pd.notna(v) else "-" for v in out["progress_keuangan"]]
    out["color"] = [STATUS_COLORS[s] for s in out["status"]]
    keep = [
        "work_id",
        "name",
        "type_text",
        "volume_text",
        "budget_text",
        "funding",
        "year",
        "ksm",
        "status",
        "status_text",
        "fisik_text",
        "keuangan_text",
        "color",
        "geometry",
    ]
    return _round(out[keep])


def build_map(
    data: KelurahanData, table: pd.DataFrame, *, lang: str = "id", k: int = 5, asset_prefix: str | None = None
) -> folium.Map:
    """The kelurahan map.  ``table`` must be the *public* indicator table.

    ``asset_prefix`` is the URL folder serving Leaflet (the site's ``/static/vendor``); with
    None the Leaflet code is inlined by :func:`render_standalone`.
    """
    bounds = data.kelurahan.total_bounds
    fmap = folium.Map(
        location=[(bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2],
        zoom_start=16,
        tiles="OpenStreetMap",
        control_scale=True,
        prefer_canvas=False,
    )
    js = f"{asset_prefix}/leaflet.js" if asset_prefix else _INLINE_JS
    css = f"{asset_prefix}/leaflet.css" if asset_prefix else _INLINE_CSS
    fmap.default_js = [("leaflet", js)]
    fmap.default_css = [("leaflet_css", css)]
    fmap.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
    _rt_layer(fmap, rt_features(data, table, lang, k), lang)
    _boundary_layer(fmap, data, lang)
    if len(data.works):
        _works_layer(fmap, work_features(data.works, lang), lang)
    if len(data.gardens):
        _gardens_layer(fmap, data.gardens, lang)
    if len(data.facilities):
        _facility_layers(fmap, data.facilities, lang)
    control = folium.LayerControl(collapsed=False)
    control.add_to(fmap)
    _legend(lang, k).add_to(fmap)
    _PhoneLayout(control).add_to(fmap)
    return fmap


def _rt_layer(fmap: folium.Map, rt: gpd.GeoDataFrame, lang: str) -> None:
    fields = ["rt_label", "kk_text", "poor_text", "share_text", "road_m", "drainage_m", "wells", "garden_m2"]
    aliases = [_l(a, lang) for a in ("rt", "kk", "poor", "share", "road", "drainage", "wells", "garden_m2")]
    folium.GeoJson(
        rt[[*fields, "color", "geometry"]],
        name=_l("poverty", lang),
        style_function=lambda f: {
            "fillColor": f["properties"]["color"],
            "color": "#555555",
            "weight": 1,
            "fillOpacity": 0.65,
        },
        highlight_function=lambda f: {"weight": 3, "color": "#000000"},
        tooltip=folium.GeoJsonTooltip(fields=["rt_label", "share_text"], aliases=aliases[:1] + aliases[3:4]),
        popup=folium.GeoJsonPopup(fields=fields, aliases=aliases),
    ).add_to(fmap)


def _boundary_layer(fmap: folium.Map, data: KelurahanData, lang: str) -> None:
    group = folium.FeatureGroup(name=_l("boundary", lang))
    folium.GeoJson(
        _round(data.rw[["unit_label", "geometry"]]),
        style_function=lambda f: {"fill": False, "color": "#333333", "weight": 2, "dashArray": "6 4"},
        tooltip=folium.GeoJsonTooltip(fields=["unit_label"], labels=False),
    ).add_to(group)
    folium.GeoJson(
        _round(data.kelurahan[["name", "geometry"]]),
        style_function=lambda f: {"fill": False, "color": "#000000", "weight": 3},
    ).add_to(group)
    group.add_to(fmap)


def _works_layer(fmap: folium.Map, works: gpd.GeoDataFrame, lang: str) -> None:
    fields = [
        "name",
        "type_text",
        "volume_text",
        "budget_text",
        "funding",
        "year",
        "ksm",
        "status_text",
        "fisik_text",
        "keuangan_text",
    ]
    aliases = [
        _l(a, lang)
        for a in ("name", "type", "volume", "budget", "funding", "year", "ksm", "status", "fisik", "keuangan")
    ]
    folium.GeoJson(
        works,
        name=_l("works", lang),
        style_function=lambda f: {
            "color": f["properties"]["color"],
            "weight": 6,
            "opacity": 0.9,
            "fillColor": f["properties"]["color"],
            "fillOpacity": 0.9,
        },
        marker=folium.CircleMarker(radius=8, weight=2, fill=True),
        popup=folium.GeoJsonPopup(fields=fields, aliases=aliases),
        tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False),
    ).add_to(fmap)


def _gardens_layer(fmap: folium.Map, gardens: gpd.GeoDataFrame, lang: str) -> None:
    out = gardens.copy()
    out["site_text"] = [SITE_LABELS.get(s, {}).get(lang, s) for s in out["site_type"]]
    out["area_text"] = [f"{a:,.0f} m²".replace(",", ".") for a in out["area_m2"]]
    out["revenue_text"] = [idr(v) for v in out["revenue_idr_month"]]
    fields = ["kwt_name", "crops", "site_text", "area_text", "revenue_text"]
    folium.GeoJson(
        _round(out[[*fields, "geometry"]]),
        name=_l("gardens", lang),
        style_function=lambda f: {"color": "#1b7837", "weight": 1, "fillColor": "#5aae61", "fillOpacity": 0.8},
        popup=folium.GeoJsonPopup(
            fields=fields, aliases=[_l(a, lang) for a in ("kwt", "crops", "site", "area", "revenue")]
        ),
    ).add_to(fmap)


def _facility_layers(fmap: folium.Map, facilities: gpd.GeoDataFrame, lang: str) -> None:
    out = facilities.copy()
    out["category_text"] = [CATEGORY_LABELS.get(c, {}).get(lang, c) for c in out["category"]]
    out["programme_text"] = [PROGRAMME_LABELS.get(p, {}).get(lang, p) for p in out["programme"]]
    fields = ["name", "category_text", "programme_text"]
    aliases = [_l(a, lang) for a in ("name", "category", "programme")]
    for programme, group in out.groupby("programme", sort=True):
        color = PROGRAMME_COLORS.get(str(programme), "#333333")
        folium.GeoJson(
            _round(group[[*fields, "geometry"]]),
            name=f"{_l('facilities', lang)}: {PROGRAMME_LABELS.get(str(programme), {}).get(lang, programme)}",
            marker=folium.CircleMarker(
                radius=6, weight=2, color="#ffffff", fill=True, fill_color=color, fill_opacity=1
            ),
            popup=folium.GeoJsonPopup(fields=fields, aliases=aliases),
            tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False),
        ).add_to(fmap)


class _PhoneLayout(MacroElement):
    """On a phone the layer list starts folded (tap its icon to open, tap the map to fold)."""

    _template = Template("""
{% macro script(this, kwargs) %}
(function () {
  var map = {{ this._parent.get_name() }}, control = {{ this.control.get_name() }};
  if (window.innerWidth < 700) {
    control.collapse();
    map.on("click", function () { control.collapse(); });
  }
})();
{% endmacro %}
""")

    def __init__(self, control: folium.LayerControl) -> None:
        super().__init__()
        self.control = control


_LEGEND = Template("""
{% macro script(this, kwargs) %}
(function () {
  var legend = L.control({position: "bottomright"});
  legend.onAdd = function () {
    var div = L.DomUtil.create("div", "pk-legend");
    div.innerHTML = {{ this.html|tojson }};
    // on a phone the legend starts folded; one tap opens it
    div.querySelector("details").open = window.innerWidth >= 700;
    L.DomEvent.disableClickPropagation(div);
    return div;
  };
  legend.addTo({{ this._parent.get_name() }});
})();
{% endmacro %}
""")


def _legend(lang: str, k: int) -> MacroElement:
    rows = [f"<b>{html.escape(_l('poverty', lang))}</b>"]
    for lo, hi, color in zip(POVERTY_BINS[:-1], POVERTY_BINS[1:], POVERTY_COLORS, strict=True):
        label = f"{lo * 100:.0f}–{min(hi, 1) * 100:.0f} %"
        rows.append(f'<i style="background:{color}"></i>{label}')
    rows.append(f'<i style="background:{SUPPRESSED_COLOR}"></i>{html.escape(LABELS["suppressed"][lang].format(k=k))}')
    rows.append(f"<b>{html.escape(_l('works', lang))}</b>")
    for status, color in STATUS_COLORS.items():
        rows.append(f'<i style="background:{color}"></i>{html.escape(STATUS_LABELS[status][lang])}')
    rows.append(f"<b>{html.escape(_l('facilities', lang))}</b>")
    for programme, color in PROGRAMME_COLORS.items():
        rows.append(
            f'<i style="background:{color};border-radius:50%"></i>{html.escape(PROGRAMME_LABELS[programme][lang])}'
        )
    rows.append(f'<i style="background:#5aae61"></i>{html.escape(_l("gardens", lang))}')
    style = (
        "<style>.pk-legend{background:#fff;padding:6px 8px;font:12px/16px sans-serif;"
        "box-shadow:0 0 6px rgba(0,0,0,.3);border-radius:4px;max-height:50vh;overflow:auto}"
        ".pk-legend i{display:inline-block;width:14px;height:14px;margin-right:6px;"
        "vertical-align:middle;opacity:.85}.pk-legend summary{cursor:pointer;font-weight:bold}"
        "@media (max-width:700px){.pk-legend{font-size:11px;line-height:14px;max-height:35vh}}</style>"
    )
    element = MacroElement()
    element._template = _LEGEND
    summary = "Legenda" if lang == "id" else "Legend"
    element.html = f"{style}<details open><summary>{summary}</summary>{'<br>'.join(rows)}</details>"
    return element


def render_standalone(fmap: folium.Map) -> str:
    """The map as one HTML file with Leaflet inlined: opens with no network at all."""
    page = fmap.get_root().render()
    page = re.sub(
        r'<script src="' + re.escape(_INLINE_JS) + r'"></script>',
        lambda _m: "<script>" + inline_js() + "</script>",
        page,
    )
    page = re.sub(
        r'<link rel="stylesheet" href="' + re.escape(_INLINE_CSS) + r'"/>',
        lambda _m: "<style>" + inline_css() + "</style>",
        page,
    )
    return page


def write_map(store: Store, code: str, path: str | Path, *, lang: str = "id", k: int = 5) -> Path:
    """Write the stand-alone public map of kelurahan ``code`` to ``path``."""
    data = load_kelurahan(store, code)
    table = indicators(store, data.info["kelurahan_code"], public=True, k=k).table
    fmap = build_map(data, table, lang=lang, k=k)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_standalone(fmap), encoding="utf-8")
    return path
