"""The kota map: its configuration for the browser, and the stand-alone city map file.

The map itself is drawn in the browser from vector tiles by ``geo/static/pk-tiles.js``
(Leaflet.VectorGrid).  The site gives it tile URLs; the stand-alone file (``petakampung map
--kota``) embeds the tiles themselves, at the deepest zoom whose tiles fit the size bound
(2 MB by default, Leaflet and VectorGrid included), and the browser draws them larger when the
visitor zooms in further.  So the file opens with no network at all and stays small whatever the
size of the city.
"""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path
from typing import Any

import mercantile

from geo.assets import MAP_SCRIPTS, STATIC_DIR, VECTORGRID_DIR, inline_css, inline_js, inline_text
from geo.errors import RequestError
from geo.i18n import prefixed
from geo.kota import KotaSummary, kota_summary
from geo.layers.facilities import CATEGORY_LABELS, PROGRAMME_COLORS, PROGRAMME_LABELS
from geo.layers.gardens import SITE_LABELS
from geo.layers.infrastructure import STATUS_COLORS, STATUS_LABELS, WORK_TYPES
from geo.mapping import INDICATORS, indicator_label
from geo.public import PublicData
from geo.store import Store
from geo.tiles import TILE_LAYERS, TileService

__all__ = ["DEFAULT_MAX_BYTES", "map_config", "write_kota_map"]

DEFAULT_MAX_BYTES = 2_000_000
EMBED_ZOOMS = (15, 14, 13, 12)  # the deepest that fits is embedded; RT appear from z12
OUTLINE_ZOOM = 14  # kelurahan outlines at most at z14: few tiles to draw at city zoom, edges that meet the RT


def texts(lang: str, k: int) -> dict[str, str]:
    out = dict(prefixed("kota_map.", lang))
    out["suppressed"] = out["suppressed"].format(k=k)
    return out


def labels(lang: str) -> dict[str, Any]:
    """The names the map's popups and legend use for codes (status, work type, programme, ...)."""
    return {
        "statusColors": STATUS_COLORS,
        "statusLabels": {s: v[lang] for s, v in STATUS_LABELS.items()},
        "workTypes": {w.id: w.label(lang) for w in WORK_TYPES.values()},
        "programmeColors": PROGRAMME_COLORS,
        "programmeLabels": {p: v.get(lang, p) for p, v in PROGRAMME_LABELS.items()},
        "categoryLabels": {c: v.get(lang, c) for c, v in CATEGORY_LABELS.items()},
        "siteLabels": {s: v.get(lang, s) for s, v in SITE_LABELS.items()},
    }


def map_config(
    summary: KotaSummary,
    *,
    lang: str,
    k: int,
    tiles_url: str = "/tiles/{layer}/{z}/{x}/{y}.pbf",
    links: dict[str, str] | None = None,
    indicator: str = "poor_share",
) -> dict[str, Any]:
    """Everything the browser needs to draw the kota map besides the tiles (a few kB a kelurahan)."""
    return {
        "lang": lang,
        "tiles": tiles_url,
        "bounds": [round(float(v), 6) for v in summary.bounds],
        "indicator": indicator,
        "minZoom": {name: spec.min_zoom for name, spec in TILE_LAYERS.items()},
        "indicators": {key: {"label": indicator_label(key, lang), "kind": INDICATORS[key].kind} for key in INDICATORS},
        "rtClasses": {key: {"bounds": c.bounds, "colors": c.colors} for key, c in summary.rt_classes.items()},
        "kelurahanClasses": {
            key: {"bounds": c.bounds, "colors": c.colors} for key, c in summary.kelurahan_classes.items()
        },
        "kelurahan": {
            r["kelurahan_code"]: {
                "name": r["name"],
                "rt_count": r["rt_count"],
                "kk": r["kk"],
                "values": {key: (None if v is None else round(float(v), 6)) for key, v in r["values"].items()},
            }
            for r in summary.rows
        },
        "text": texts(lang, k),
        "links": links or {},
        **labels(lang),
    }


def script_json(value: Any) -> str:
    """JSON safe inside a <script> element (no "</script>" can close it early)."""
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")


def embedded_tiles(
    service: TileService, bounds: tuple[float, float, float, float], zoom: int
) -> dict[str, dict[str, str]]:
    """Every non-empty tile of every layer at ``zoom`` over ``bounds`` (kelurahan outlines at z14 at
    most: enough for a boundary, and few tiles to draw at city zoom), base64-encoded by "z/x/y"."""
    out: dict[str, dict[str, str]] = {}
    cover = list(mercantile.tiles(*bounds, zooms=zoom))
    outlines = list(mercantile.tiles(*bounds, zooms=min(zoom, OUTLINE_ZOOM)))
    for name in TILE_LAYERS:
        tiles = {}
        for t in outlines if name == "kelurahan" else cover:
            tile = service.tile(name, t.z, t.x, t.y)
            if tile.body:
                tiles[f"{t.z}/{t.x}/{t.y}"] = base64.b64encode(tile.body).decode("ascii")
        out[name] = tiles
    return out


def _page(summary: KotaSummary, config: dict[str, Any], lang: str) -> str:
    vectorgrid = inline_text(VECTORGRID_DIR / "Leaflet.VectorGrid.bundled.min.js")
    script, style = (inline_text(STATIC_DIR / name) for name in MAP_SCRIPTS)
    options = "".join(f'<option value="{key}">{html.escape(indicator_label(key, lang))}</option>' for key in INDICATORS)
    title = html.escape(f"{summary.name} · petakampung")
    return f"""<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{inline_css()}</style><style>{style}</style>
<style>html,body{{margin:0;height:100%;font-family:sans-serif}}#map{{position:absolute;inset:0}}
.pk-picker-box{{background:#fff;padding:4px 6px;font:13px sans-serif}}</style>
</head><body>
<div id="map"></div>
<script>{inline_js()}</script>
<script>{vectorgrid}</script>
<script>{script}</script>
<script>
(function () {{
  var cfg = {script_json(config)};
  var map = window.pkTiles.kotaMap(document.getElementById("map"), cfg);
  var picker = L.control({{position: "topright"}});
  picker.onAdd = function () {{
    var div = L.DomUtil.create("div", "leaflet-bar pk-picker-box");
    div.innerHTML = '<label>' + window.pkTiles.esc(cfg.text.indicator) +
      ' <select id="indicator">{options}</select></label>';
    L.DomEvent.disableClickPropagation(div);
    div.querySelector("select").addEventListener("change", function (e) {{
      window.pkTiles.setIndicator(e.target.value);
    }});
    return div;
  }};
  picker.addTo(map);
}})();
</script>
</body></html>
"""


def write_kota_map(
    store: Store, code: str, path: str | Path, *, lang: str = "id", k: int = 5, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[Path, int]:
    """Write the stand-alone map of kota ``code`` (tiles embedded) to ``path``; returns the path and
    the zoom its tiles were embedded at.  Refuses (``map.too_big``) when not even z12 fits."""
    public = PublicData(store, k=k, max_kelurahan=100_000)
    summary = kota_summary(public, code)
    service = TileService(store, public)
    base = _page(summary, map_config(summary, lang=lang, k=k), lang)
    for zoom in EMBED_ZOOMS:
        tiles = embedded_tiles(service, summary.bounds, zoom)
        config = map_config(summary, lang=lang, k=k)
        config["embedded"] = tiles
        config["nativeZoom"] = {name: min(zoom, OUTLINE_ZOOM) if name == "kelurahan" else zoom for name in TILE_LAYERS}
        page = _page(summary, config, lang)
        if len(page.encode("utf-8")) <= max_bytes:
            break
    else:
        raise RequestError("map.too_big", code=summary.code, size=len(base.encode()) // 1000, limit=max_bytes // 1000)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path, zoom
