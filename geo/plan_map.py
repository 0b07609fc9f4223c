"""The map of a city plan: kelurahan outlines, and a layer the page fills with the chosen RTs.

Small on purpose: a city of 10,000 RTs inlines only its kelurahan outlines (simplified to a few
metres); the chosen RTs arrive with each plan as GeoJSON and are drawn outlined, with a legend
entry.  Public data only (outlines and names).
"""

from __future__ import annotations

import html

import folium
import geopandas as gpd
import shapely
from branca.element import MacroElement, Template

from geo.i18n import t

CHOSEN_COLOR = "#08519c"
OUTLINE_COLOR = "#636363"


def _l(key: str, lang: str) -> str:
    return t(f"plan_map.{key}", lang)


def kelurahan_outlines(kelurahan: gpd.GeoDataFrame, *, tolerance_deg: float = 2e-5) -> gpd.GeoDataFrame:
    """Kelurahan polygons simplified to about 2 m and rounded to 6 decimals, with their names."""
    out = kelurahan[["kelurahan_code", "name", "geometry"]].copy()
    out["name"] = [html.escape(str(n)) for n in out["name"]]
    geoms = shapely.simplify(out.geometry.to_numpy(), tolerance_deg, preserve_topology=True)
    out["geometry"] = shapely.set_precision(geoms, 1e-6)
    return out


def city_plan_map(kelurahan: gpd.GeoDataFrame, *, lang: str, asset_prefix: str) -> folium.Map:
    """Kelurahan outlines of the city and an empty "chosen RTs" layer (``window.pkPlan``)."""
    outlines = kelurahan_outlines(kelurahan)
    minx, miny, maxx, maxy = outlines.total_bounds
    fmap = folium.Map(location=[(miny + maxy) / 2, (minx + maxx) / 2], zoom_start=13, tiles=None, control_scale=True)
    folium.TileLayer(
        "OpenStreetMap",
        name="OpenStreetMap",
        attr='&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>',
    ).add_to(fmap)
    fmap.default_js = [("leaflet", f"{asset_prefix}/leaflet.js")]
    fmap.default_css = [("leaflet_css", f"{asset_prefix}/leaflet.css")]
    fmap.fit_bounds([[miny, minx], [maxy, maxx]])
    folium.GeoJson(
        outlines,
        name=_l("kelurahan", lang),
        style_function=lambda f: {"fill": True, "fillOpacity": 0.03, "color": OUTLINE_COLOR, "weight": 2},
        tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False),
    ).add_to(fmap)
    _ChosenLayer(lang).add_to(fmap)
    return fmap


class _ChosenLayer(MacroElement):
    """An empty GeoJSON layer for the chosen RTs, a legend, and ``window.pkPlan.show(fc)``."""

    _template = Template("""
{% macro script(this, kwargs) %}
(function () {
  var map = {{ this._parent.get_name() }};
  var layer = L.geoJSON(null, {
    style: function () { return {color: {{ this.color|tojson }}, weight: 4, fillColor: {{ this.color|tojson }},
                                 fillOpacity: 0.35}; },
    onEachFeature: function (f, l) {
      var p = f.properties, a = document.createElement("a");
      a.href = p.rt_url; a.textContent = "#" + p.rank + " " + p.site_label;
      l.bindTooltip(p.site_label); l.bindPopup(a);
    }
  }).addTo(map);
  var legend = L.control({position: "bottomright"});
  legend.onAdd = function () {
    var div = L.DomUtil.create("div", "pk-legend pk-plan-legend");
    div.innerHTML = {{ this.legend|tojson }};
    return div;
  };
  legend.addTo(map);
  window.pkPlan = {
    map: map, layer: layer, legend: legend.getContainer(),
    show: function (fc) {
      layer.clearLayers();
      if (fc && fc.features.length) { layer.addData(fc); map.fitBounds(layer.getBounds(), {maxZoom: 17}); }
    }
  };
})();
{% endmacro %}
""")

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.color = CHOSEN_COLOR
        swatch = "display:inline-block;width:14px;height:14px;margin-right:6px;vertical-align:middle"
        self.legend = (
            '<div style="background:#fff;padding:6px 8px;font:12px/16px sans-serif;border-radius:4px;'
            'box-shadow:0 0 6px rgba(0,0,0,.3)">'
            f'<details class="pk-legend-fold" open><summary><b>{_l("legend", lang)}</b></summary>'
            f'<i style="{swatch};border:3px solid {CHOSEN_COLOR};background:rgba(8,81,156,.35)"></i>'
            f"{_l('chosen', lang)}"
            '<div class="pk-plan-chosen"></div>'
            f'<i style="{swatch};border:2px solid {OUTLINE_COLOR}"></i>{_l("kelurahan", lang)}</details></div>'
        )


PRIORITY_COLORS = ("#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15")  # ColorBrewer Reds, low to high
EXCLUDED_COLOR = "#d9d9d9"


def kelurahan_plan_map(
    rt: gpd.GeoDataFrame, *, lang: str, asset_prefix: str, outline: gpd.GeoDataFrame | None = None
) -> folium.Map:
    """The planner page's map of one kelurahan: the RTs, to be coloured by *priority* (not by
    poverty) and outlined when chosen by ``web/static/pk/planner-map.js`` after each plan.
    ``outline``, the kelurahan's boundary, is what the map shows of a kelurahan with no RT polygons yet.

    Exposes ``window.pkPlanMap = {map, layer, legend}``; the legend is filled by the page script
    (priority classes, "not ranked", and the chosen RTs by name)."""
    from geo.i18n import t

    shapes = rt[["unit_number", "rt_number", "rt_label", "geometry"]].copy()
    shapes["unit_number"] = shapes["unit_number"].astype(int)
    shapes["rt_number"] = shapes["rt_number"].astype(int)
    shapes["rt_label"] = [html.escape(str(n)) for n in shapes["rt_label"]]
    shapes["geometry"] = shapely.set_precision(shapely.simplify(shapes.geometry.to_numpy(), 2e-6), 1e-6)
    framed = shapes if len(shapes) or outline is None or not len(outline) else outline
    minx, miny, maxx, maxy = framed.total_bounds if len(framed) else (95.0, -11.0, 141.0, 6.0)  # Indonesia
    fmap = folium.Map(location=[(miny + maxy) / 2, (minx + maxx) / 2], zoom_start=16, tiles=None, control_scale=True)
    folium.TileLayer(
        "OpenStreetMap",
        name="OpenStreetMap",
        attr='&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>',
    ).add_to(fmap)
    fmap.default_js = [("leaflet", f"{asset_prefix}/leaflet.js")]
    fmap.default_css = [("leaflet_css", f"{asset_prefix}/leaflet.css")]
    fmap.fit_bounds([[miny, minx], [maxy, maxx]])
    if not len(shapes) and outline is not None and len(outline):  # nothing to colour: show where it is
        folium.GeoJson(
            outline[["geometry"]],
            name=t("planner.kelurahan_layer", lang),
            style_function=lambda f: {"fill": False, "color": OUTLINE_COLOR, "weight": 2},
            interactive=False,
        ).add_to(fmap)
    layer = folium.GeoJson(
        shapes,
        name=t("planner.rt_layer", lang),
        style_function=lambda f: {"fillColor": EXCLUDED_COLOR, "color": "#555555", "weight": 1, "fillOpacity": 0.7},
        tooltip=folium.GeoJsonTooltip(fields=["rt_label"], labels=False) if len(shapes) else None,
    )
    layer.add_to(fmap)
    _PlanRegistry(layer).add_to(fmap)
    return fmap


class _PlanRegistry(MacroElement):
    """``window.pkPlanMap``: the map, its RT layer and an empty legend for the page script."""

    _template = Template("""
{% macro script(this, kwargs) %}
(function () {
  var map = {{ this._parent.get_name() }};
  var legend = L.control({position: "bottomright"});
  legend.onAdd = function () { return L.DomUtil.create("div", "pk-legend pk-plan-legend"); };
  legend.addTo(map);
  window.pkPlanMap = {map: map, layer: {{ this.layer.get_name() }}, legend: legend.getContainer()};
})();
{% endmacro %}
""")

    def __init__(self, layer: folium.GeoJson) -> None:
        super().__init__()
        self.layer = layer
