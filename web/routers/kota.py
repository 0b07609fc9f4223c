"""The kota page (every kelurahan and RT of a city on one tile map) and what the home page shows
above the kelurahan: kota grouped by provinsi on a map, and a bounded search."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from geo.formats import number
from geo.i18n import prefixed
from geo.kota import KotaSummary, KotaViews, search
from geo.kota_map import labels, map_config, script_json, texts
from geo.mapping import INDICATORS, indicator_label
from geo.tiles import TILE_LAYERS
from web.deps import page_lang, public_data
from web.paths import root_of
from web.render import render
from web.routers.static import MAP_PREFIX, VECTORGRID_PREFIX, VENDOR_PREFIX

router = APIRouter(include_in_schema=False)
api = APIRouter(tags=["wilayah"])
HOME_LIST_MAX = 100  # up to this many kelurahan the home page lists them all; above, it searches
TILES_URL = "/tiles/{layer}/{z}/{x}/{y}.pbf"


def kota_views(request: Request) -> KotaViews:
    views = getattr(request.app.state, "kota", None)
    if views is None:
        views = request.app.state.kota = KotaViews(public_data(request))
    return views


def assets(root: str) -> dict[str, str]:
    """Where the tile maps' scripts and styles are, behind the site's sub-path ``root``."""
    return {"leaflet": root + VENDOR_PREFIX, "vectorgrid": root + VECTORGRID_PREFIX, "map": root + MAP_PREFIX}


def _config_json(summary: KotaSummary, lang: str, k: int, root: str) -> str:
    key = ("config", lang, root)
    if key not in summary.memo:
        links = {
            "kelurahan": root + "/kelurahan/{code}",
            "rt": root + "/kelurahan/{code}/rt/{unit}/{rt}",
            "work": root + "/kelurahan/{code}/pekerjaan/{work}",
        }
        config = map_config(summary, lang=lang, k=k, tiles_url=root + TILES_URL, links=links)
        summary.memo[key] = script_json(config)
    return summary.memo[key]


@router.get("/kota/{code}", response_class=HTMLResponse)
def kota_page(request: Request, code: str) -> Response:
    """Every kelurahan and RT of a kota on one map (vector tiles), and a kelurahan table with totals."""
    summary = kota_views(request).summary(code)
    lang = page_lang(request)
    k = request.app.state.settings.suppression_k
    kt = dict(prefixed("kota_ui.", lang))
    kt["hidden_note"] = kt["hidden_note"].format(k=k)
    return render(
        request,
        "kota.html",
        summary=summary,
        kt=kt,
        config=_config_json(summary, lang, k, root_of(request)),
        indicators=[(key, indicator_label(key, lang)) for key in INDICATORS],
        assets=assets(root_of(request)),
    )


def home_context(request: Request, q: str, kota: str) -> dict[str, Any]:
    """What the home page shows: kota with data grouped by provinsi, a map of them, and kelurahan:
    all of them while there are at most HOME_LIST_MAX, else only the (bounded) matches of a search."""
    data = public_data(request)
    overview = kota_views(request).overview(places=True)
    lang = page_lang(request)
    kt = prefixed("kota_ui.", lang)
    total = len(overview.index)
    rows = overview.index
    if kota:
        rows = rows[rows["kota"].fillna("-") == kota]
    if q.strip():
        found, _ = search(data, q, limit=100_000)
        rows = rows[rows["kelurahan_code"].isin(set(found["kelurahan_code"]))]
    matched = len(rows)
    complete = total <= HOME_LIST_MAX
    if not complete and not (q.strip() or kota):
        rows = rows.iloc[0:0]
    shown = rows.head(HOME_LIST_MAX).to_dict("records")
    groups: dict[str, list[dict[str, Any]]] = {}
    for rec in overview.kotas.sort_values(["provinsi", "kota"]).to_dict("records"):
        groups.setdefault(rec["provinsi"] or "-", []).append(rec)
    note = ""
    if not complete and (q.strip() or kota) and matched > len(shown):
        note = kt["more"].format(shown=len(shown), total=matched)
    elif not complete and not (q.strip() or kota):
        note = kt["search_hint"].format(total=number(total, lang))
    return {
        "rows": shown,
        "total": total,
        "kotas": overview.kota_names,
        "q": q,
        "kota": kota,
        "complete": complete,
        "kota_groups": groups,
        "places": _places_json(request, overview.places, lang),
        "list_note": note,
        "kt": kt,
        "assets": assets(root_of(request)),
    }


def _places_json(request: Request, places: dict[str, Any], lang: str) -> str:
    """The home map's configuration: the kota with data, and where tiles come from."""
    root = root_of(request)
    config = {
        "lang": lang,
        "tiles": root + TILES_URL,
        "minZoom": {name: spec.min_zoom for name, spec in TILE_LAYERS.items()},
        "places": places,
        "links": {"kota": root + "/kota/{code}", "kelurahan": root + "/kelurahan/{code}"},
        "text": texts(lang, request.app.state.settings.suppression_k),
        **labels(lang),
    }
    return script_json(config)


@api.get("/api/wilayah/cari", summary="Search kelurahan and kota by name or code (bounded)")
def search_places(
    request: Request, q: str = Query("", max_length=100), limit: int = Query(20, ge=1, le=100)
) -> dict[str, Any]:
    data = public_data(request)
    found, matched = search(data, q, limit=limit)
    needle = q.strip().lower()
    kotas = kota_views(request).overview().kotas
    kota_hits = (
        kotas[kotas["kota"].str.lower().str.contains(needle, regex=False) | kotas["kota_code"].str.startswith(needle)]
        if needle
        else kotas.iloc[0:0]
    )
    cols = ["kelurahan_code", "name", "kecamatan", "kota", "provinsi", "rt_count", "works_count"]
    return {
        "query": q,
        "matched": matched,
        "kelurahan": [
            {c: (int(r[c]) if c.endswith("_count") else r[c]) for c in cols} for r in found.to_dict("records")
        ],
        "kota": [
            {"code": r["kota_code"], "name": r["kota"], "provinsi": r["provinsi"], "kelurahan": int(r["kelurahan"])}
            for r in kota_hits.head(limit).to_dict("records")
        ],
    }
