"""Public pages: pick a kelurahan, its map, RT profiles and the works list."""

from __future__ import annotations

import math

import pandas as pd
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from geo.errors import NotFoundError
from geo.i18n import t
from geo.layers import LAYERS
from geo.layers.facilities import CATEGORY_LABELS, PROGRAMME_LABELS
from geo.layers.gardens import SITE_LABELS
from geo.layers.infrastructure import FUNDING, WORK_TYPES
from geo.mapping import INDICATORS, MapOptions, build_map, indicator_label, map_parts
from geo.public import KelurahanPublic, PublicData
from web.charts import compare_bars, kurva_s_chart
from web.deps import page_lang, parse_year, public_data
from web.i18n import ui
from web.locator import rt_locator_svg
from web.paths import root_of
from web.render import render
from web.routers.api import filter_works
from web.routers.static import VENDOR_PREFIX
from web.security import nonce_scripts

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, q: str = Query("", max_length=100), kota: str = Query("", max_length=100)) -> Response:
    from web.routers.kota import home_context  # kota with data, their map, and a bounded kelurahan list

    return render(request, "home.html", **home_context(request, q, kota))


def _map_parts(request: Request, data: PublicData, code: str, lang: str) -> dict[str, str]:
    """The kelurahan's map (header, body, script), built once per data version and language."""
    return data.memo(code, ("map", lang, root_of(request)), lambda kel: _build_map_parts(request, kel, lang))


def _build_map_parts(request: Request, kel: KelurahanPublic, lang: str) -> dict[str, str]:
    code = kel.info["kelurahan_code"]
    settings = request.app.state.settings
    limit = settings.map_inline_max_features
    root = root_of(request)
    lazy = {
        name: f"{root}/api/kelurahan/{code}/map/{name}?lang={lang}"
        for name, frame in (("works", kel.works), ("gardens", kel.gardens), ("facilities", kel.facilities))
        if len(frame) > limit
    }
    opts = MapOptions(
        lang=lang,
        k=settings.suppression_k,
        asset_prefix=root + VENDOR_PREFIX,
        script_prefix=root + "/static/pk",  # kelurahan-map.js, cached like the site's other scripts
        indicators=tuple(INDICATORS),
        lazy=lazy,
        rt_url=f"{root}/kelurahan/{code}/rt/{{unit}}/{{rt}}?lang={lang}",
        work_url=f"{root}/kelurahan/{code}/pekerjaan/{{work_id}}?lang={lang}",
    )
    return map_parts(build_map(kel, kel.indicators, opts))


@router.get("/kelurahan/{code}", response_class=HTMLResponse)
def kelurahan_page(request: Request, code: str) -> Response:
    data = public_data(request)
    kel = data.kelurahan(code)
    code = kel.info["kelurahan_code"]
    lang = page_lang(request)
    table = data.indicators(code)
    works = kel.works.sort_values(["year", "work_id"], ascending=[False, True])
    summary = {
        "kk": _sum(table["kk_total"]),
        "poor": _sum(table["kk_poor"]),
        "budget": int(works["budget_idr"].fillna(0).sum()),
    }
    summary["poor_share"] = (summary["poor"] / summary["kk"]) if summary["kk"] and summary["poor"] is not None else None
    return render(
        request,
        "kelurahan.html",
        info=kel.info,
        map=_map_parts(request, data, code, lang),
        indicators=[(k, indicator_label(k, lang)) for k in INDICATORS],
        works=works.to_dict("records"),
        gardens=kel.gardens.sort_values("garden_id").to_dict("records"),
        rts=table.to_dict("records"),
        summary=summary,
        work_types=WORK_TYPES,
        site_labels=SITE_LABELS,
        download_layers=[(name, _download_title(name, lang)) for name in LAYERS],
    )


def _download_title(layer: str, lang: str) -> str:
    if layer == "households":  # only the per-RT aggregates are downloadable
        return t("download.households", lang)
    return LAYERS[layer].title[lang]


def _sum(series: pd.Series) -> int | None:
    """A total that is only published when no part of it is hidden (else it would reveal them)."""
    return None if series.isna().any() else int(series.sum())


@router.get("/kelurahan/{code}/peta", response_class=HTMLResponse)
def kelurahan_map(request: Request, code: str) -> HTMLResponse:
    """The map alone, full window, for embedding elsewhere."""
    data = public_data(request)
    code = data.kelurahan(code).info["kelurahan_code"]
    parts = _map_parts(request, data, code, page_lang(request))
    nonce = request.state.csp_nonce  # the CSP runs inline scripts with this response's nonce only
    page = (
        f'<!doctype html><html lang="{page_lang(request)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"{nonce_scripts(parts['header'], nonce)}<style>html,body{{margin:0;height:100%}}</style></head>"
        f'<body>{parts["html"]}<script nonce="{nonce}">{parts["script"]}</script></body></html>'
    )
    return HTMLResponse(page)


@router.get("/kelurahan/{code}/rt/{unit}/{rt}", response_class=HTMLResponse)
def rt_page(request: Request, code: str, unit: int, rt: int) -> Response:
    data = public_data(request)
    kel = data.kelurahan(code)
    code = kel.info["kelurahan_code"]
    lang = page_lang(request)
    table = data.indicators(code)
    row = table[(table["unit_number"] == unit) & (table["rt_number"] == rt)]
    if row.empty:
        raise NotFoundError("rt.unknown", rt=rt, unit=unit, code=code)
    rec = row.iloc[0].to_dict()
    geom = kel.rt[(kel.rt["unit_number"] == unit) & (kel.rt["rt_number"] == rt)].geometry.iloc[0]
    works = kel.works[kel.works.geometry.intersects(geom)]
    gardens = kel.gardens[kel.gardens.geometry.intersects(geom)]
    facilities = kel.facilities[kel.facilities.geometry.within(geom)]
    kk_all, kel_shares = _sum(table["kk_total"]), {}
    for share, count in (
        ("poor_share", "kk_poor"),
        ("share_unsafe_water", "kk_unsafe_water"),
        ("share_no_own_toilet", "kk_no_own_toilet"),
        ("share_earth_floor", "kk_earth_floor"),
        ("share_wood_fuel", "kk_wood_fuel"),
    ):
        total = _sum(table[count])
        kel_shares[share] = (total / kk_all) if kk_all and total is not None else _kel_share(table, count)
    chart_rows = [(_share_label(s, lang), _num(rec.get(s)), _num(kel_shares[s])) for s in kel_shares]
    words = ui(lang)
    chart = compare_bars(chart_rows, (words["this_rt"], words["whole_kelurahan"]), words["hidden"], lang=lang)
    kel_totals = {
        "kk": kk_all,
        "poor_share": kel_shares["poor_share"],
        "road_m": float(table["road_m"].sum()),
        "drainage_m": float(table["drainage_m"].sum()),
        "wells": int(table["wells"].sum()),
        "garden_m2": float(table["garden_m2"].sum()),
        "area_m2": float(table["area_m2"].sum()),
        "works_budget_idr": int(table["works_budget_idr"].sum()),
    }
    from geo.progress import kurva_s

    rt_curve = kurva_s(works, kel.progress[kel.progress["work_id"].isin(works["work_id"])]) if len(works) else None
    locator = rt_locator_svg(
        kel.kelurahan,
        kel.rt,
        geom,
        works,
        f"{rec['rt_label']} · {kel.info['name']}",
        north=t("map.north", lang),
    )
    return render(
        request,
        "rt.html",
        locator=locator,
        kurva=kurva_s_chart(rt_curve, lang, rec["rt_label"]),
        info=kel.info,
        rt=rec,
        chart=chart,
        kel_totals=kel_totals,
        works=works.to_dict("records"),
        gardens=gardens.to_dict("records"),
        facilities=[
            dict(
                f,
                category_text=CATEGORY_LABELS.get(f["category"], {}).get(lang, f["category"]),
                programme_text=PROGRAMME_LABELS.get(f["programme"], {}).get(lang, f["programme"]),
            )
            for f in facilities.to_dict("records")
        ],
        work_types=WORK_TYPES,
        site_labels=SITE_LABELS,
    )


def _kel_share(table: pd.DataFrame, count: str) -> float | None:
    """The kelurahan share from the RTs whose counts are published, when the total is hidden."""
    ok = table[count].notna() & table["kk_total"].notna()
    kk = table.loc[ok, "kk_total"].sum()
    return float(table.loc[ok, count].sum() / kk) if kk else None


def _num(value: object) -> float | None:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value)  # type: ignore[arg-type]


def _share_label(key: str, lang: str) -> str:
    return t(f"share.{key}", lang)


@router.get("/kelurahan/{code}/pekerjaan", response_class=HTMLResponse)
def works_page(
    request: Request,
    code: str,
    year: str = Query(""),
    type: str = Query(""),
    status: str = Query(""),
    funding: str = Query(""),
) -> Response:
    data = public_data(request)
    kel = data.kelurahan(code)
    all_works = kel.works
    shown = filter_works(
        all_works,
        year=parse_year(year, "year") if year else None,
        work_type=type or None,
        status=status or None,
        funding=funding or None,
    )
    shown = shown.sort_values(["year", "work_id"], ascending=[False, True])
    return render(
        request,
        "works.html",
        info=kel.info,
        works=shown.to_dict("records"),
        total=len(all_works),
        years=sorted({int(y) for y in all_works["year"].dropna()}, reverse=True),
        work_types=WORK_TYPES,
        fundings=sorted(set(FUNDING.values())),
        chosen={"year": year, "type": type, "status": status, "funding": funding},
        budget=int(shown["budget_idr"].fillna(0).sum()),
    )


@router.get("/kelurahan/{code}/perencanaan", response_class=HTMLResponse)
def planner_page(request: Request, code: str) -> Response:
    """The planner page: weights, budget, the ranked RTs with the reason for each, and the RTs on
    a map coloured by priority with the chosen ones outlined (public data)."""
    from geo.plan_map import kelurahan_plan_map
    from geo.plan_reasons import factor_label, page_texts
    from geo.selection import DEFAULT_WEIGHTS, OPTIONAL_FACTORS

    data = public_data(request)
    kel = data.kelurahan(code)
    code = kel.info["kelurahan_code"]
    lang = page_lang(request)
    root = root_of(request)
    factors = [(f, factor_label(f, lang), DEFAULT_WEIGHTS.get(f, 0.0)) for f in (*DEFAULT_WEIGHTS, *OPTIONAL_FACTORS)]
    plan_map = data.memo(
        code,
        ("plan-map", lang, root),
        lambda k: map_parts(
            kelurahan_plan_map(k.rt, lang=lang, asset_prefix=root + VENDOR_PREFIX, outline=k.kelurahan)
        ),
    )
    return render(request, "planner.html", info=kel.info, map=plan_map, factors=factors, pt=page_texts(lang))
