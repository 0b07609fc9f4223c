"""Folium (Leaflet) maps of a kelurahan: public data only.

The RT choropleth shows suppressed household indicators (and any other public indicator) in
Fisher-Jenks classes; works are coloured by status with popups; KWT gardens and facilities by
programme (with icons) are separate layers; a legend, a layer control, a scale bar, full-screen
and locate-me buttons.  Every text that reaches a popup is HTML-escaped: names come from
imported files and must never run as code in a visitor's browser.
"""

from __future__ import annotations

import html
import json
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, MacroElement, Template

from geo.assets import fa_svg, icon_svg, inline_css, inline_js
from geo.formats import number, percent, rupiah
from geo.layers.facilities import CATEGORY_LABELS, PROGRAMME_COLORS, PROGRAMME_LABELS
from geo.layers.gardens import SITE_LABELS
from geo.layers.infrastructure import STATUS_COLORS, STATUS_LABELS, WORK_TYPES
from geo.progress import deviation_today
from geo.public_text import deviation_words
from geo.queries import KelurahanData
from geo.store import Store

SUPPRESSED_COLOR = "#bdbdbd"
_INLINE_JS = "petakampung-inline:leaflet.js"
_INLINE_CSS = "petakampung-inline:leaflet.css"

# indicator -> (label id, label en, kind, palette)
INDICATORS: dict[str, tuple[str, str, str, list[str]]] = {
    "poor_share": (
        "KK miskin (desil 1-4)",
        "Poor households (decile 1-4)",
        "share",
        ["#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"],
    ),
    "share_unsafe_water": (
        "KK tanpa air minum aman",
        "Households without safe water",
        "share",
        ["#f1eef6", "#bdc9e1", "#74a9cf", "#2b8cbe", "#045a8d"],
    ),
    "share_no_own_toilet": (
        "KK tanpa jamban sendiri",
        "Households without own toilet",
        "share",
        ["#feedde", "#fdbe85", "#fd8d3c", "#e6550d", "#a63603"],
    ),
    "garden_share": (
        "Luas kebun KWT",
        "KWT garden area",
        "share",
        ["#edf8e9", "#bae4b3", "#74c476", "#31a354", "#006d2c"],
    ),
    "works_budget_idr": (
        "Anggaran pekerjaan",
        "Works budget",
        "idr",
        ["#f2f0f7", "#cbc9e2", "#9e9ac8", "#756bb1", "#54278f"],
    ),
}

LABELS = {
    "rt_layer": {"id": "RT: indikator terpilih", "en": "RT: selected indicator"},
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
    "deviation": {"id": "Deviasi", "en": "Deviation"},
    "profile": {"id": "Profil RT", "en": "RT profile"},
    "legend": {"id": "Legenda", "en": "Legend"},
    "indicator": {"id": "Indikator", "en": "Indicator"},
    "fullscreen": {"id": "Layar penuh", "en": "Full screen"},
    "locate": {"id": "Lokasi saya", "en": "My location"},
    "locate_fail": {"id": "Lokasi tidak dapat ditemukan", "en": "Location not found"},
    "icons": {"id": "Ikon: Font Awesome (CC BY 4.0)", "en": "Icons: Font Awesome (CC BY 4.0)"},
    "work_page": {"id": "Rincian pekerjaan", "en": "Work details"},
}


def _l(key: str, lang: str) -> str:
    return LABELS[key][lang]


def indicator_label(key: str, lang: str) -> str:
    label_id, label_en, _, _ = INDICATORS[key]
    return label_id if lang == "id" else label_en


@dataclass
class MapOptions:
    """How a map is built: language, suppression k, where Leaflet comes from, what is selectable.

    ``asset_prefix`` is the URL folder serving Leaflet (the site's vendor path); None inlines it
    (stand-alone file).  ``lazy`` maps a layer name ("works", "gardens", "facilities") to the
    OGC items URL it is loaded from by bounding box instead of being inlined.  ``rt_url`` is a
    template for RT profile links, e.g. "/kelurahan/18.71.06.1012/rt/{unit}/{rt}".
    """

    lang: str = "id"
    k: int = 5
    asset_prefix: str | None = None
    indicators: tuple[str, ...] = ("poor_share",)
    lazy: dict[str, str] = field(default_factory=dict)
    rt_url: str | None = None
    work_url: str | None = None  # e.g. "/kelurahan/18.71.06.1012/pekerjaan/{work_id}": popups link there


def esc(value: object) -> str:
    """Text for a popup: escaped, and '-' for nothing."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "-"
    return html.escape(str(value))


def _round(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    out = gdf.copy()
    out["geometry"] = shapely.set_precision(out.geometry.to_numpy(), 1e-6)
    return out


# --- classes and colours ---------------------------------------------------------------------------


@dataclass
class Classes:
    """Fisher-Jenks classes of one indicator: upper bounds and a colour for each."""

    key: str
    bounds: list[float]
    colors: list[str]
    low: float = 0.0  # the smallest published value: the first class starts there

    def color(self, value: object) -> str:
        if value is None or pd.isna(value):
            return SUPPRESSED_COLOR
        for bound, color in zip(self.bounds, self.colors, strict=True):
            if float(value) <= bound + 1e-12:
                return color
        return self.colors[-1]

    def legend_rows(self, lang: str) -> list[tuple[str, str]]:
        """One row per class, "low – high"; a class of one value shows that value alone (every RT
        with Rp 0 reads "Rp 0 (semua RT)", never "Rp 0 – Rp 0")."""
        kind = INDICATORS[self.key][2]
        if len(self.bounds) == 1 and abs(self.bounds[0] - self.low) < 1e-12:
            every = "semua RT" if lang == "id" else "every RT"
            return [(self.colors[0], f"{value_text(kind, self.low, lang)} ({every})")]
        rows, low = [], self.low
        for i, (bound, color) in enumerate(zip(self.bounds, self.colors, strict=True)):
            if abs(bound - low) < 1e-12 or value_text(kind, low, lang) == value_text(kind, bound, lang):
                rows.append((color, value_text(kind, bound, lang)))
            else:
                above = ("> " if i else "") + value_text(kind, low, lang)
                rows.append((color, f"{above} – {value_text(kind, bound, lang)}"))
            low = bound
        return rows


def value_text(kind: str, value: float, lang: str = "id") -> str:
    """An indicator's value as its legend and popup write it (a share, rupiah or a count)."""
    if kind == "share":
        return percent(value, lang)
    if kind == "idr":
        return rupiah(value, lang)
    return number(value, lang)


def classify(key: str, values: pd.Series, k: int = 5) -> Classes:
    """Natural breaks (Fisher-Jenks) over the published values; one class when they are all equal."""
    palette = INDICATORS[key][3]
    vals = values.dropna().astype(float).to_numpy()
    unique = np.unique(vals)
    if len(unique) <= 1:
        top = float(unique[0]) if len(unique) else 0.0
        return Classes(key, [top], [palette[2]], low=top)
    n = min(k, len(unique))
    with warnings.catch_warnings():  # "Numba not installed": the pure-Python path is fast enough here
        warnings.simplefilter("ignore")
        import mapclassify  # imports scikit-learn and scipy.stats: 4 s and 40 MB, only when a map is classified

        bins = [float(b) for b in mapclassify.FisherJenks(vals, k=n).bins]
    colors = [palette[round(i * (len(palette) - 1) / max(n - 1, 1))] for i in range(n)]
    return Classes(key, bins, colors, low=float(unique[0]))


# --- features --------------------------------------------------------------------------------------


def rt_features(data: KelurahanData, table: pd.DataFrame, opts: MapOptions) -> tuple[gpd.GeoDataFrame, dict]:
    """RT polygons with display strings and a colour per selectable indicator."""
    lang = opts.lang
    cols = [
        "unit_number",
        "rt_number",
        "kk_total",
        "kk_poor",
        "road_m",
        "drainage_m",
        "wells",
        "garden_m2",
        *[c for c in opts.indicators if c in table.columns],
    ]
    rt = data.rt[["unit_number", "rt_number", "rt_label", "geometry"]].merge(
        table[list(dict.fromkeys(cols))], on=["unit_number", "rt_number"], how="left"
    )
    hidden = _l("hidden", lang)
    out = gpd.GeoDataFrame({"rt_label": [esc(v) for v in rt["rt_label"]]}, geometry=rt.geometry, crs=rt.crs)
    out["kk_text"] = [number(v, lang, missing=hidden) for v in rt["kk_total"]]
    out["poor_text"] = [number(v, lang, missing=hidden) for v in rt["kk_poor"]]
    for col in ("road_m", "drainage_m", "garden_m2"):
        out[col] = [number(v, lang) for v in rt[col].fillna(0)]
    out["wells"] = [str(int(v)) for v in rt["wells"].fillna(0)]
    legends = {}
    for key in opts.indicators:
        if key not in rt.columns:
            continue
        if rt.empty:  # no RT polygons yet: no classes to show, only the outline
            out[f"c_{key}"], out[f"v_{key}"] = [], []
            continue
        classes = classify(key, rt[key])
        kind = INDICATORS[key][2]
        out[f"c_{key}"] = [classes.color(v) for v in rt[key]]
        label = html.escape(indicator_label(key, lang))  # the value names its indicator: it changes with the picker
        out[f"v_{key}"] = [f"{label}: {hidden if pd.isna(v) else value_text(kind, v, lang)}" for v in rt[key]]
        legends[key] = {"title": indicator_label(key, lang), "rows": classes.legend_rows(lang)}
    first = opts.indicators[0]
    out["color"] = out[f"c_{first}"]
    out["value"] = out[f"v_{first}"]
    if opts.rt_url:
        out["profile"] = [
            f'<a href="{html.escape(opts.rt_url.format(unit=int(u), rt=int(r)))}">{_l("profile", lang)}</a>'
            for u, r in zip(rt["unit_number"], rt["rt_number"], strict=True)
        ]
    return _round(out), legends


def work_features(works: gpd.GeoDataFrame, lang: str, work_url: str | None = None) -> gpd.GeoDataFrame:
    """Works with display strings, a colour per colour mode and, given ``work_url`` (a template
    with ``{work_id}``), a link to each work's page in its popup."""
    out = gpd.GeoDataFrame({"work_id": works["work_id"].to_numpy()}, geometry=works.geometry.to_numpy(), crs=works.crs)
    out["name"] = [esc(v) for v in works["name"]]
    out["type_text"] = [WORK_TYPES[w].label_id if lang == "id" else WORK_TYPES[w].label_en for w in works["work_type"]]
    out["volume_text"] = [
        f"{number(v, lang, 1)} {u}" for v, u in zip(works["volume"], works["volume_unit"], strict=True)
    ]
    out["budget_text"] = [rupiah(v, lang) for v in works["budget_idr"]]
    out["funding"] = [esc(v) for v in works["funding"]]
    out["year_text"] = [str(int(y)) if pd.notna(y) else "-" for y in works["year"]]  # not "2,019"
    out["ksm"] = [esc(v) for v in works["ksm"]]
    out["status"] = works["status"].to_numpy()
    out["status_text"] = [STATUS_LABELS[s][lang] for s in works["status"]]
    out["fisik_text"] = [percent(v / 100, lang, 0) if pd.notna(v) else "-" for v in works["progress_fisik"]]
    out["keuangan_text"] = [percent(v / 100, lang, 0) if pd.notna(v) else "-" for v in works["progress_keuangan"]]
    out["color"] = [STATUS_COLORS[s] for s in works["status"]]
    out["c_status"] = out["color"]
    out["c_fisik"] = [fisik_color(v) for v in works["progress_fisik"]]
    deviation = [deviation_today(w) for _, w in works.iterrows()]  # progress_fisik: latest record
    out["c_deviation"] = [deviation_color(d, s) for d, s in zip(deviation, works["status"], strict=True)]
    out["deviation_text"] = [deviation_words(d, lang) for d in deviation]
    if work_url:
        label = html.escape(LABELS["work_page"][lang])
        out["page"] = [
            f'<a href="{html.escape(work_url.format(work_id=quote(str(w), safe="")))}">{label}</a>'
            for w in works["work_id"]
        ]
    return _round(out)


def work_legend_rows(key: str, lang: str) -> list[tuple[str, str]]:
    """What each colour of the works means in colour mode ``key`` (status, fisik, deviation)."""
    none = "belum ada data" if lang == "id" else "no data yet"
    if key == "fisik":  # fisik_color: below 25 red, 25 up to below 50 orange, ...
        (b1, c1), (b2, c2), (b3, c3), (_, c4) = FISIK_COLORS
        p1, p2, p3 = (percent(b / 100, lang, 0) for b in (b1, b2, b3))
        rows = [(c1, f"< {p1}"), (c2, f"{p1} – < {p2}"), (c3, f"{p2} – < {p3}"), (c4, f"≥ {p3}")]
        return [*rows, (DEVIATION_COLORS["none"], none)]
    if key == "deviation":
        words = {
            "id": {
                "ahead": "sesuai atau lebih cepat dari rencana",
                "slightly": "terlambat hingga 10 poin persen",
                "late": "terlambat lebih dari 10 poin persen",
                "none": "tanpa jadwal, atau batal",
            },
            "en": {
                "ahead": "on or ahead of schedule",
                "slightly": "up to 10 percentage points behind",
                "late": "more than 10 percentage points behind",
                "none": "no schedule, or cancelled",
            },
        }[lang]
        return [(DEVIATION_COLORS[k], words[k]) for k in ("ahead", "slightly", "late", "none")]
    return [(c, STATUS_LABELS[s][lang]) for s, c in STATUS_COLORS.items()]


WORK_COLOR_MODES = ("status", "fisik", "deviation")


def work_legend_html(key: str, lang: str) -> str:
    title = {
        "status": {"id": "status", "en": "status"},
        "fisik": {"id": "progres fisik", "en": "physical progress"},
        "deviation": {"id": "deviasi dari rencana", "en": "deviation from plan"},
    }[key][lang]
    head = f"<b>{html.escape(_l('works', lang))}: {html.escape(title)}</b>"
    rows = [f'<i style="background:{c}"></i>{html.escape(text)}' for c, text in work_legend_rows(key, lang)]
    return "<br>".join([head, *rows])


FISIK_COLORS = [(25, "#d7191c"), (50, "#fdae61"), (75, "#a6d96a"), (100.01, "#1a9641")]
DEVIATION_COLORS = {"ahead": "#1a9641", "slightly": "#fdae61", "late": "#d7191c", "none": "#999999"}


def fisik_color(value: object) -> str:
    if value is None or pd.isna(value):
        return DEVIATION_COLORS["none"]
    return next(c for bound, c in FISIK_COLORS if float(value) < bound)


def deviation_color(deviation: float | None, status: str) -> str:
    if deviation is None or status == "batal":
        return DEVIATION_COLORS["none"]
    return DEVIATION_COLORS["ahead" if deviation >= 0 else "slightly" if deviation >= -10 else "late"]


def garden_features(gardens: gpd.GeoDataFrame, lang: str) -> gpd.GeoDataFrame:
    out = gpd.GeoDataFrame(
        {"garden_id": gardens["garden_id"].to_numpy()}, geometry=gardens.geometry.to_numpy(), crs=gardens.crs
    )
    out["kwt_name"] = [esc(v) for v in gardens["kwt_name"]]
    out["crops"] = [esc(v) for v in gardens["crops"]]
    out["site_text"] = [SITE_LABELS.get(s, {}).get(lang, esc(s)) for s in gardens["site_type"]]
    out["area_text"] = [f"{number(a, lang)} m²" for a in gardens["area_m2"].fillna(0)]
    out["revenue_text"] = [rupiah(v, lang) for v in gardens["revenue_idr_month"]]
    return _round(out)


def facility_features(facilities: gpd.GeoDataFrame, lang: str) -> gpd.GeoDataFrame:
    out = gpd.GeoDataFrame(
        {"facility_id": facilities["facility_id"].to_numpy()},
        geometry=facilities.geometry.to_numpy(),
        crs=facilities.crs,
    )
    out["name"] = [esc(v) for v in facilities["name"]]
    out["category"] = facilities["category"].to_numpy()
    out["category_text"] = [CATEGORY_LABELS.get(c, {}).get(lang, esc(c)) for c in facilities["category"]]
    out["programme"] = facilities["programme"].to_numpy()
    out["programme_text"] = [PROGRAMME_LABELS.get(p, {}).get(lang, esc(p)) for p in facilities["programme"]]
    return _round(out)


# --- the map -------------------------------------------------------------------------------------------


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
        attr='&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> · ' + _l("icons", lang),
    ).add_to(fmap)
    fmap.default_js = [("leaflet", f"{opts.asset_prefix}/leaflet.js" if opts.asset_prefix else _INLINE_JS)]
    fmap.default_css = [("leaflet_css", f"{opts.asset_prefix}/leaflet.css" if opts.asset_prefix else _INLINE_CSS)]
    fmap.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
    rt, legends = rt_features(data, table, opts)
    layers = {"rt": _rt_layer(fmap, rt, opts)}
    _boundary_layer(fmap, data, lang)
    layers["works"] = _works_layer(fmap, work_features(data.works, lang, opts.work_url), opts)
    layers["gardens"] = _gardens_layer(fmap, garden_features(data.gardens, lang), opts)
    layers["facilities"] = _facilities_layer(fmap, facility_features(data.facilities, lang), opts)
    control = folium.LayerControl(collapsed=False)
    control.add_to(fmap)
    legend = _Legend(legends, opts)
    legend.add_to(fmap)
    corners = [[float(bounds[1]), float(bounds[0])], [float(bounds[3]), float(bounds[2])]]
    _Registry(layers, control, legend, opts, corners).add_to(fmap)
    fmap.get_root().header.add_child(Element(legends_script(legends, opts)))
    return fmap


def _hover(frame: gpd.GeoDataFrame, **parts: object) -> dict[str, object]:
    """Tooltip and popup of a layer, or none for a layer with no features (a kelurahan with only
    its boundary): folium refuses fields that no feature carries."""
    return parts if len(frame) else {}


def _geojson(frame: gpd.GeoDataFrame, opts: MapOptions, layer: str) -> gpd.GeoDataFrame:
    """The layer's data; only its first feature when the rest is loaded by bounding box (folium
    needs one feature to know the popup fields)."""
    return frame.head(1) if layer in opts.lazy else frame


def _rt_layer(fmap: folium.Map, rt: gpd.GeoDataFrame, opts: MapOptions) -> folium.GeoJson:
    lang = opts.lang
    fields = ["rt_label", "value", "kk_text", "poor_text", "road_m", "drainage_m", "wells", "garden_m2"]
    aliases = [
        _l("rt", lang),
        _l("indicator", lang),
        *[_l(a, lang) for a in ("kk", "poor", "road", "drainage", "wells", "garden_m2")],
    ]
    if "profile" in rt.columns:
        fields.append("profile")
        aliases.append("")
    layer = folium.GeoJson(
        rt,
        name=_l("rt_layer", lang),
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
            popup=folium.GeoJsonPopup(fields=fields, aliases=aliases),
        ),
    )
    layer.add_to(fmap)
    return layer


def _boundary_layer(fmap: folium.Map, data: KelurahanData, lang: str) -> None:
    group = folium.FeatureGroup(name=_l("boundary", lang))
    rw = data.rw[["unit_label", "geometry"]].copy()
    rw["unit_label"] = [esc(v) for v in rw["unit_label"]]
    folium.GeoJson(
        _round(rw),
        style_function=lambda f: {"fill": False, "color": "#333333", "weight": 2, "dashArray": "6 4"},
        **_hover(rw, tooltip=folium.GeoJsonTooltip(fields=["unit_label"], labels=False)),
    ).add_to(group)
    folium.GeoJson(
        _round(data.kelurahan[["geometry"]]), style_function=lambda f: {"fill": False, "color": "#000000", "weight": 3}
    ).add_to(group)
    group.add_to(fmap)


def _works_layer(fmap: folium.Map, works: gpd.GeoDataFrame, opts: MapOptions) -> folium.GeoJson:
    lang = opts.lang
    fields = [
        "name",
        "type_text",
        "volume_text",
        "budget_text",
        "funding",
        "year_text",
        "ksm",
        "status_text",
        "fisik_text",
        "keuangan_text",
        "deviation_text",
    ]
    aliases = [
        _l(a, lang)
        for a in (
            "name",
            "type",
            "volume",
            "budget",
            "funding",
            "year",
            "ksm",
            "status",
            "fisik",
            "keuangan",
            "deviation",
        )
    ]
    if "page" in works.columns:
        fields.append("page")
        aliases.append("")
    layer = folium.GeoJson(
        _geojson(works, opts, "works"),
        name=_l("works", lang),
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
            popup=folium.GeoJsonPopup(fields=fields, aliases=aliases),
            tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False),
        ),
    )
    layer.add_to(fmap)
    return layer


def _gardens_layer(fmap: folium.Map, gardens: gpd.GeoDataFrame, opts: MapOptions) -> folium.GeoJson:
    lang = opts.lang
    fields = ["kwt_name", "crops", "site_text", "area_text", "revenue_text"]
    layer = folium.GeoJson(
        _geojson(gardens, opts, "gardens"),
        name=_l("gardens", lang),
        style_function=lambda f: {"color": "#1b7837", "weight": 1, "fillColor": "#5aae61", "fillOpacity": 0.8},
        **_hover(
            gardens,
            popup=folium.GeoJsonPopup(
                fields=fields, aliases=[_l(a, lang) for a in ("kwt", "crops", "site", "area", "revenue")]
            ),
        ),
    )
    layer.add_to(fmap)
    return layer


def _facilities_layer(fmap: folium.Map, facilities: gpd.GeoDataFrame, opts: MapOptions) -> folium.GeoJson:
    """One layer whose points are drawn as programme-coloured icons (see pk.facilityIcon)."""
    lang = opts.lang
    layer = folium.GeoJson(
        _geojson(facilities, opts, "facilities"),
        name=_l("facilities", lang),
        marker=folium.Marker(icon=folium.DivIcon(html="")),  # replaced by programme icons in _Registry
        **_hover(
            facilities,
            popup=folium.GeoJsonPopup(
                fields=["name", "category_text", "programme_text"],
                aliases=[_l(a, lang) for a in ("name", "category", "programme")],
            ),
            tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False),
        ),
    )
    layer.add_to(fmap)
    return layer


_LEGEND = Template("""
{% macro script(this, kwargs) %}
(function () {
  var legend = L.control({position: "bottomright"});
  legend.onAdd = function () {
    var div = L.DomUtil.create("div", "pk-legend");
    div.innerHTML = {{ this.html|tojson }};
    div.querySelector("details").open = window.innerWidth >= 700;  // folded on a phone; one tap opens it
    L.DomEvent.disableClickPropagation(div);
    return div;
  };
  legend.addTo({{ this._parent.get_name() }});
})();
{% endmacro %}
""")


class _Legend(MacroElement):
    def __init__(self, legends: dict, opts: MapOptions) -> None:
        super().__init__()
        self._template = _LEGEND
        lang = opts.lang
        first = opts.indicators[0]
        rows = [
            f'<div class="pk-rt-legend">{rt_legend_html(legends.get(first), opts)}</div>',
            f'<div class="pk-works-legend">{work_legend_html("status", lang)}</div>',
        ]
        rows.append(f"<b>{html.escape(_l('facilities', lang))}</b>")
        rows += [
            f'<i style="background:{c};border-radius:50%"></i>{html.escape(PROGRAMME_LABELS[p][lang])}'
            for p, c in PROGRAMME_COLORS.items()
        ]
        rows.append(f'<i style="background:#5aae61"></i>{html.escape(_l("gardens", lang))}')
        style = (
            "<style>.pk-legend{background:#fff;padding:6px 8px;font:12px/16px sans-serif;"
            "box-shadow:0 0 6px rgba(0,0,0,.3);border-radius:4px;max-height:50vh;overflow:auto}"
            ".pk-legend i{display:inline-block;width:14px;height:14px;margin-right:6px;"
            "vertical-align:middle;opacity:.85}.pk-legend summary{cursor:pointer;font-weight:bold}"
            ".pk-icon{display:flex;align-items:center;justify-content:center;border-radius:50%;"
            "border:2px solid #fff;box-shadow:0 0 3px rgba(0,0,0,.5)}"
            ".leaflet-bar a.pk-btn{display:flex;align-items:center;justify-content:center;background:#fff}"
            "@media (max-width:700px){.pk-legend{font-size:11px;line-height:14px;max-height:35vh}}</style>"
        )
        self.html = f"{style}<details open><summary>{_l('legend', lang)}</summary>" + "<br>".join(rows) + "</details>"


def rt_legend_html(legend: dict | None, opts: MapOptions) -> str:
    if not legend:
        return ""
    rows = [f"<b>{html.escape(legend['title'])}</b>"]
    rows += [f'<i style="background:{c}"></i>{html.escape(text)}' for c, text in legend["rows"]]
    rows.append(
        f'<i style="background:{SUPPRESSED_COLOR}"></i>{html.escape(_l("suppressed", opts.lang).format(k=opts.k))}'
    )
    return "<br>".join(rows)


class _Registry(MacroElement):
    """Names the map's layers for page scripts (``window.pk``) and adds the small controls:
    full screen, locate me, facility icons, the phone layout, and bounding-box loading."""

    _template = Template("""
{% macro script(this, kwargs) %}
(function () {
  var map = {{ this._parent.get_name() }};
  var pk = window.pk = window.pk || {};
  pk.map = map;
  pk.layers = { {% for name, layer in this.layers.items() %}{{ name|tojson }}: {{ layer.get_name() }},{% endfor %} };
  pk.control = {{ this.control.get_name() }};
  pk.config = {{ this.config|tojson }};
  pk.icons = {{ this.icons|tojson }};
  pk.facilityIcon = function (feature) {
    var p = feature.properties, color = pk.config.programmeColors[p.programme] || "#333333";
    return L.divIcon({className: "", iconSize: [26, 26], iconAnchor: [13, 13],
      html: '<div class="pk-icon" style="width:26px;height:26px;background:' + color + '">' +
            (pk.icons[p.category] || pk.icons.lainnya) + "</div>"});
  };
  var fac = pk.layers.facilities;
  fac.options.pointToLayer = function (feature, latlng) {  // named: a screen reader says which facility
    var text = document.createElement("textarea");  // the popup's escaped name, as plain letters again
    text.innerHTML = feature.properties.name || "";
    var name = text.value;
    return L.marker(latlng, {icon: pk.facilityIcon(feature), title: name, alt: name});
  };
  var existing = [];
  fac.eachLayer(function (l) { existing.push(l.feature); });
  fac.clearLayers();
  existing.forEach(function (f) { fac.addData(f); });

  function button(text, title, onClick) {
    var c = L.control({position: "topleft"});
    c.onAdd = function () {
      var div = L.DomUtil.create("div", "leaflet-bar"), a = L.DomUtil.create("a", "pk-btn", div);
      a.href = "#"; a.title = title; a.setAttribute("role", "button"); a.setAttribute("aria-label", title);
      a.innerHTML = text;
      L.DomEvent.on(a, "click", function (e) { L.DomEvent.preventDefault(e); onClick(); });
      L.DomEvent.disableClickPropagation(div);
      return div;
    };
    return c.addTo(map);
  }
  var box = map.getContainer();
  button(pk.config.buttons.expand, pk.config.text.fullscreen, function () {
    if (document.fullscreenElement) { document.exitFullscreen(); }
    else if (box.requestFullscreen) { box.requestFullscreen(); }
  });
  document.addEventListener("fullscreenchange", function () { map.invalidateSize(); });
  button(pk.config.buttons.locate, pk.config.text.locate, function () { map.locate({setView: true, maxZoom: 18}); });
  map.on("locationfound", function (e) { L.circle(e.latlng, {radius: e.accuracy}).addTo(map); });
  map.on("locationerror", function () { alert(pk.config.text.locate_fail); });

  if (window.innerWidth < 700) {  // on a phone the layer list starts folded
    pk.control.collapse();
    map.on("click", function () { pk.control.collapse(); });
  }
  // the kelurahan fills the part of the map that the legend and the layer list leave free
  pk.fitClear = function () {
    var right = 10, legend = box.querySelector(".pk-legend"), layers = box.querySelector(".leaflet-control-layers");
    if (legend && layers) {  // the legend scrolls inside what the layer list leaves of the right side
      legend.style.maxHeight = Math.max(120, box.clientHeight - layers.offsetHeight - 50) + "px";
    }
    if (legend) { right = Math.max(right, legend.offsetWidth + 20); }
    if (layers) { right = Math.max(right, layers.offsetWidth + 20); }
    if (right > box.clientWidth / 2) { right = 10; }  // too narrow to leave a side free: fold instead
    map.fitBounds(pk.config.bounds, {paddingTopLeft: [50, 10], paddingBottomRight: [right, 10]});
  };
  pk.fitClear();

  function key(f) { var p = f.properties; return p.work_id || p.garden_id || p.facility_id; }
  var seen = {};
  Object.keys(pk.config.lazy).forEach(function (name) {
    seen[name] = {};
    pk.layers[name].eachLayer(function (l) { seen[name][key(l.feature)] = true; });
  });
  function loadVisible() {
    var b = map.getBounds(), bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].join(",");
    Object.keys(pk.config.lazy).forEach(function (name) {
      var url = pk.config.lazy[name] + (pk.config.lazy[name].indexOf("?") < 0 ? "?" : "&") +
                "bbox=" + bbox + "&limit=1000";
      fetch(url).then(function (r) { return r.json(); }).then(function (fc) {
        fc.features.forEach(function (f) {
          if (seen[name][key(f)]) { return; }
          seen[name][key(f)] = true;
          pk.layers[name].addData(f);
        });
      });
    });
  }
  if (Object.keys(pk.config.lazy).length) { map.on("moveend", loadVisible); map.whenReady(loadVisible); }
})();
{% endmacro %}
""")

    def __init__(
        self, layers: dict, control: folium.LayerControl, legend: _Legend, opts: MapOptions, bounds: list
    ) -> None:
        super().__init__()
        self.layers = layers
        self.control = control
        self.icons = {c: icon_svg(c) for c in CATEGORY_LABELS}
        self.config = {
            "bounds": bounds,
            "lazy": opts.lazy,
            "programmeColors": PROGRAMME_COLORS,
            "text": {k: _l(k, opts.lang) for k in ("fullscreen", "locate", "locate_fail")},
            "buttons": {
                "expand": fa_svg("expand", "#333333", 16),
                "locate": fa_svg("location-crosshairs", "#333333", 16),
            },
        }


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


def map_parts(fmap: folium.Map) -> dict[str, str]:
    """Header, body and script of a map, to embed it in one of our own pages."""
    root = fmap.get_root()
    root.render()
    header = re.sub(r'<meta name="viewport"[^>]*>', "", root.header.render())  # the page has its own, zoomable
    return {"header": header, "html": root.html.render(), "script": root.script.render()}


def write_map(store: Store, code: str, path: str | Path, *, lang: str = "id", k: int = 5) -> Path:
    """Write the stand-alone public map of kelurahan ``code`` to ``path``."""
    from geo.public import PublicData

    public = PublicData(store, k=k, max_kelurahan=1)
    data = public.kelurahan(code)
    fmap = build_map(data, data.indicators, MapOptions(lang=lang, k=k, indicators=tuple(INDICATORS)))
    _IndicatorPicker(lang).add_to(fmap)
    title = f"{'Peta Kelurahan' if lang == 'id' else 'Map of Kelurahan'} {data.info['name']}"
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


class _IndicatorPicker(MacroElement):
    """A select box on the stand-alone map (the site has its own, beside the map)."""

    _template = Template("""
{% macro script(this, kwargs) %}
(function () {
  var c = L.control({position: "topright"});
  c.onAdd = function () {
    var div = L.DomUtil.create("div", "leaflet-bar pk-picker");
    div.style.background = "#fff"; div.style.padding = "4px";
    div.innerHTML = {{ this.html|tojson }};
    L.DomEvent.disableClickPropagation(div);
    div.querySelector("select").addEventListener("change", function (e) { window.pk.setIndicator(e.target.value); });
    return div;
  };
  c.addTo({{ this._parent.get_name() }});
})();
{% endmacro %}
""")

    def __init__(self, lang: str) -> None:
        super().__init__()
        options = "".join(f'<option value="{k}">{html.escape(indicator_label(k, lang))}</option>' for k in INDICATORS)
        self.html = f'<select aria-label="indikator">{options}</select>'


SET_INDICATOR_JS = """
window.pk = window.pk || {};
window.pk.setWorkColor = function (key) {
  var works = window.pk.layers.works;
  works.setStyle(function (f) { var c = f.properties["c_" + key]; return {color: c, fillColor: c}; });
  works.eachLayer(function (l) { l.feature.properties.color = l.feature.properties["c_" + key]; });
  var box = document.querySelector(".pk-works-legend"), legends = window.pk.workLegends || {};
  if (box && legends[key]) { box.innerHTML = legends[key]; }
};
window.pk.setIndicator = function (key) {
  var rt = window.pk.layers.rt, legends = window.pk.legends || {};
  rt.setStyle(function (f) { return {fillColor: f.properties["c_" + key]}; });
  rt.eachLayer(function (l) { l.feature.properties.color = l.feature.properties["c_" + key];
                               l.feature.properties.value = l.feature.properties["v_" + key]; });
  var box = document.querySelector(".pk-rt-legend");
  if (box && legends[key]) { box.innerHTML = legends[key]; }
};
"""


def legends_script(legends: dict, opts: MapOptions) -> str:
    data = {k: rt_legend_html(v, opts) for k, v in legends.items()}
    works = {k: work_legend_html(k, opts.lang) for k in WORK_COLOR_MODES}
    return (
        f"<script>window.pk = window.pk || {{}}; window.pk.legends = {json.dumps(data)};"
        f"window.pk.workLegends = {json.dumps(works)};{SET_INDICATOR_JS}</script>"
    )
