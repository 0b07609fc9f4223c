"""The kelurahan map's features: public layers turned into GeoDataFrames of display strings and
colours, ready for GeoJSON.  Every text that reaches a popup is HTML-escaped here: names come from
imported files and must never run as code in a visitor's browser."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from urllib.parse import quote

import geopandas as gpd
import pandas as pd
import shapely

from geo.formats import number, percent, rupiah
from geo.layers.facilities import CATEGORY_LABELS, PROGRAMME_LABELS
from geo.layers.gardens import SITE_LABELS
from geo.layers.infrastructure import STATUS_COLORS, STATUS_LABELS, WORK_TYPES
from geo.map_classes import (
    INDICATORS,
    classify,
    deviation_color,
    fisik_color,
    indicator_label,
    label,
    value_text,
)
from geo.progress import deviation_today
from geo.public_text import deviation_words
from geo.queries import KelurahanData

__all__ = ["MapOptions", "esc", "facility_features", "garden_features", "rt_features", "work_features"]


@dataclass
class MapOptions:
    """How a map is built: language, suppression k, where Leaflet comes from, what is selectable.

    ``asset_prefix`` is the URL folder serving Leaflet (the site's vendor path); None inlines it
    (stand-alone file).  ``script_prefix`` is the URL folder serving our own map script
    (``/static/pk``); None inlines it too.  ``lazy`` maps a layer name ("works", "gardens",
    "facilities") to the OGC items URL it is loaded from by bounding box instead of being inlined.
    ``rt_url`` is a template for RT profile links, e.g. "/kelurahan/18.71.06.1012/rt/{unit}/{rt}".
    """

    lang: str = "id"
    k: int = 5
    asset_prefix: str | None = None
    indicators: tuple[str, ...] = ("poor_share",)
    lazy: dict[str, str] = field(default_factory=dict)
    rt_url: str | None = None
    work_url: str | None = None  # e.g. "/kelurahan/18.71.06.1012/pekerjaan/{work_id}": popups link there
    script_prefix: str | None = None


def esc(value: object) -> str:
    """Text for a popup: escaped, and '-' for nothing."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "-"
    return html.escape(str(value))


def rounded(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Coordinates to 1e-6 degrees (about 0.1 m): GeoJSON a third smaller."""
    out = gdf.copy()
    out["geometry"] = shapely.set_precision(out.geometry.to_numpy(), 1e-6)
    return out


_RT_COLUMNS = ("unit_number", "rt_number", "kk_total", "kk_poor", "road_m", "drainage_m", "wells", "garden_m2")


def rt_features(data: KelurahanData, table: pd.DataFrame, opts: MapOptions) -> tuple[gpd.GeoDataFrame, dict]:
    """RT polygons with display strings and a colour per selectable indicator."""
    lang = opts.lang
    cols = [*_RT_COLUMNS, *[c for c in opts.indicators if c in table.columns]]
    rt = data.rt[["unit_number", "rt_number", "rt_label", "geometry"]].merge(
        table[list(dict.fromkeys(cols))], on=["unit_number", "rt_number"], how="left"
    )
    hidden = label("hidden", lang)
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
        kind = INDICATORS[key].kind
        out[f"c_{key}"] = [classes.color(v) for v in rt[key]]
        name = html.escape(indicator_label(key, lang))  # the value names its indicator: it changes with the picker
        out[f"v_{key}"] = [f"{name}: {hidden if pd.isna(v) else value_text(kind, v, lang)}" for v in rt[key]]
        legends[key] = {"title": indicator_label(key, lang), "rows": classes.legend_rows(lang)}
    first = opts.indicators[0]
    out["color"] = out[f"c_{first}"]
    out["value"] = out[f"v_{first}"]
    if opts.rt_url:
        out["profile"] = [
            f'<a href="{html.escape(opts.rt_url.format(unit=int(u), rt=int(r)))}">{label("profile", lang)}</a>'
            for u, r in zip(rt["unit_number"], rt["rt_number"], strict=True)
        ]
    return rounded(out), legends


def work_features(works: gpd.GeoDataFrame, lang: str, work_url: str | None = None) -> gpd.GeoDataFrame:
    """Works with display strings, a colour per colour mode and, given ``work_url`` (a template
    with ``{work_id}``), a link to each work's page in its popup."""
    out = gpd.GeoDataFrame({"work_id": works["work_id"].to_numpy()}, geometry=works.geometry.to_numpy(), crs=works.crs)
    out["name"] = [esc(v) for v in works["name"]]
    out["type_text"] = [WORK_TYPES[w].label(lang) for w in works["work_type"]]
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
        link = html.escape(label("work_page", lang))
        out["page"] = [
            f'<a href="{html.escape(work_url.format(work_id=quote(str(w), safe="")))}">{link}</a>'
            for w in works["work_id"]
        ]
    return rounded(out)


def garden_features(gardens: gpd.GeoDataFrame, lang: str) -> gpd.GeoDataFrame:
    out = gpd.GeoDataFrame(
        {"garden_id": gardens["garden_id"].to_numpy()}, geometry=gardens.geometry.to_numpy(), crs=gardens.crs
    )
    out["kwt_name"] = [esc(v) for v in gardens["kwt_name"]]
    out["crops"] = [esc(v) for v in gardens["crops"]]
    out["site_text"] = [SITE_LABELS.get(s, {}).get(lang, esc(s)) for s in gardens["site_type"]]
    out["area_text"] = [f"{number(a, lang)} m²" for a in gardens["area_m2"].fillna(0)]
    out["revenue_text"] = [rupiah(v, lang) for v in gardens["revenue_idr_month"]]
    return rounded(out)


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
    return rounded(out)
