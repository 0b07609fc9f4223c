"""City-wide planning on the site: one budget across every kelurahan of a kota (public data).

``/kota/{code}/perencanaan`` is the planner page; ``/api/kota/{code}/rank`` answers it (JSON,
with the chosen RTs as GeoJSON) and ``/api/kota/{code}/rank.csv`` gives the whole ranking.
Planning tables are built per kelurahan and kept by data version (:class:`geo.city_plan.CityParts`).
"""

from __future__ import annotations

import contextlib
import threading
from collections import OrderedDict
from dataclasses import replace
from typing import Any

import pandas as pd
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from geo.city_plan import CityParts, CityPlan, kota_members, normalize_kota_code, plan_city
from geo.i18n import t
from geo.plan_reasons import factor_label, page_texts
from geo.selection import (
    DEFAULT_WEIGHTS,
    MAX_WEIGHT,
    OPTIONAL_FACTORS,
    PlanOptions,
    add_sensitivity,
    parse_budget,
    plan_summary,
)
from web.deps import page_lang, public_data
from web.features import records
from web.paths import root_of
from web.render import render
from web.routers.static import VENDOR_PREFIX

router = APIRouter()
_LOCK = threading.Lock()
API_TIME_LIMIT_S = 10.0  # a request waits at most this long per solve; the gap is stated if reached
MAX_API_TIME_LIMIT_S = 30.0
RESULTS_KEPT = 16
PAGE_TEXTS = (
    "kota.page_title",
    "kota.page_intro",
    "kota.page_per_kelurahan",
    "kota.page_more",
    "kota.page_csv",
    "kota.page_sensitivity",
    "kota.page_kota_map",
    "kota.page_computing",
    "kota.page_missing",
)
RANK_FIELDS = [
    "rank",
    "kelurahan_code",
    "kelurahan_name",
    "rt_label",
    "unit_number",
    "rt_number",
    "priority",
    "kumuh_total",
    "kumuh_level_label",
    "poor_share",
    "flood_share",
    "jumlah_penduduk",
    "already_served",
    "cost_idr",
    "eligible",
    "chosen",
    "reason_code",
    "why",
]


class _State:
    """What this router keeps per app: the per-kelurahan parts and the last few plans."""

    def __init__(self, request: Request) -> None:
        settings, store = request.app.state.settings, request.app.state.store

        def build(kel: Any, lang: str) -> pd.DataFrame:
            from geo.planning import planning_table
            from geo.settings import hazard_raster

            code = kel.info["kelurahan_code"]
            return planning_table(
                store,
                code,
                public=True,
                k=settings.suppression_k,
                hazard=hazard_raster(settings, code),
                lang=lang,
                public_table=kel.indicators,
            )

        self.parts = CityParts(request.app.state.public, build)
        self.results: OrderedDict[tuple, tuple[CityPlan, Any]] = OrderedDict()
        self.maps: dict[tuple, dict[str, str]] = {}
        self.lock = threading.Lock()


def _state(request: Request) -> _State:
    state = getattr(request.app.state, "city_plan", None)
    if state is None:
        with _LOCK:
            state = getattr(request.app.state, "city_plan", None)
            if state is None:
                state = request.app.state.city_plan = _State(request)
    return state


def _members(request: Request, code: str) -> tuple[str, pd.DataFrame]:
    kota = normalize_kota_code(code)
    return kota, kota_members(public_data(request).index(), kota)


def _weight(default: float) -> Any:
    return Query(default, ge=0, le=MAX_WEIGHT, allow_inf_nan=False, description=f"0-{MAX_WEIGHT:g}, relative")


def _served_weight() -> Any:
    """The optional "already served" factor, 0 (left out) unless a planner asks for it, as on the
    kelurahan planner (``/api/kelurahan/{code}/rank``)."""
    return Query(
        0.0, ge=0, le=MAX_WEIGHT, allow_inf_nan=False, description="RTs where no programme acts yet; 0: left out"
    )


def _plan(
    request: Request, code: str, budget_text: str, weights: dict[str, float], flags: dict[str, Any]
) -> tuple[CityPlan, Any]:
    """The city plan for these inputs and the RT outlines of the city, from the last few plans
    kept while no kelurahan of the city changed.

    Plans are kept without regard to the sensitivity flag: "Hitung" solves once without the 14
    sensitivity runs, and asking for the sensitivity afterwards reuses that plan (its ranking and
    its choice as the runs' starting solution) instead of solving it again."""
    budget = parse_budget(budget_text)
    kota, members = _members(request, code)
    lang = page_lang(request)
    state = _state(request)
    codes = list(members["kelurahan_code"])
    names = dict(zip(members["kelurahan_code"], members["name"], strict=True))
    versions = tuple(request.app.state.store.versions(codes).values())
    plain = {k: v for k, v in flags.items() if k != "sensitivity"}
    key = (kota, versions, lang, budget, tuple(sorted(weights.items())), tuple(sorted(plain.items())))
    options = PlanOptions(
        weights=weights,
        legal_only=flags["legal_only"],
        slum_only=flags["slum_only"],
        suppression_k=request.app.state.settings.suppression_k,
    )
    with state.lock:
        hit = state.results.get(key)
    if hit is not None and (hit[0].plan.changes is not None or not flags["sensitivity"]):
        return hit
    gates = getattr(request.app.state, "gates", None)  # the site's limit on expensive routes (issue 8)
    with gates["rank"].admit(path=request.url.path) if gates else contextlib.nullcontext():
        if hit is not None:  # the same plan, now with its sensitivity
            city, outlines = hit
            more = add_sensitivity(city.plan, options, label="site_label", time_limit_s=flags["time_limit"])
            city = replace(city, plan=more)
        else:
            table, outlines, missing = state.parts.table(codes, names, lang)
            city = plan_city(
                table,
                budget,
                options,
                kota=kota,
                lang=lang,
                time_limit_s=flags["time_limit"],
                with_sensitivity=flags["sensitivity"],
                missing=missing,
            )
    with state.lock:
        state.results[key] = (city, outlines)
        state.results.move_to_end(key)
        while len(state.results) > RESULTS_KEPT:
            state.results.popitem(last=False)
    return city, outlines


@router.get("/api/kota/{code}/rank", tags=["API"], summary="One budget across every kelurahan of a kota (public data)")
def rank_kota(
    request: Request,
    code: str,
    budget: str = Query(..., max_length=40, description="rupiah, e.g. 1500000000 or 1.500.000.000"),
    w_kumuh: float = _weight(DEFAULT_WEIGHTS["kumuh"]),
    w_poverty: float = _weight(DEFAULT_WEIGHTS["poverty"]),
    w_flood: float = _weight(DEFAULT_WEIGHTS["flood"]),
    w_population: float = _weight(DEFAULT_WEIGHTS["population"]),
    w_strategis: float = _weight(DEFAULT_WEIGHTS["strategis"]),
    w_kependudukan: float = _weight(DEFAULT_WEIGHTS["kependudukan"]),
    w_sosial: float = _weight(DEFAULT_WEIGHTS["sosial"]),
    w_served: float = _served_weight(),
    legal_only: bool = Query(True),
    slum_only: bool = Query(True),
    sensitivity: bool = Query(True, description="also re-solve with each weight moved by +/-20 %"),
    limit: int = Query(100, ge=0, le=10_000, description="ranking rows besides the chosen RTs"),
    time_limit: float = Query(API_TIME_LIMIT_S, ge=0.1, le=MAX_API_TIME_LIMIT_S, allow_inf_nan=False),
) -> JSONResponse:
    weights = dict(
        zip(
            DEFAULT_WEIGHTS,
            (w_kumuh, w_poverty, w_flood, w_population, w_strategis, w_kependudukan, w_sosial),
            strict=True,
        ),
        served=w_served,
    )
    flags = {"legal_only": legal_only, "slum_only": slum_only, "sensitivity": sensitivity, "time_limit": time_limit}
    city, outlines = _plan(request, code, budget, weights, flags)
    if not sensitivity and city.plan.changes is not None:  # a kept plan had it: answer what was asked
        city = replace(city, plan=replace(city.plan, sensitivity=None, changes=None, sensitivity_unproven=[]))
    body = _body(request, city, PlanOptions(weights=weights), limit=limit, time_limit=time_limit)
    body["chosen_geojson"] = chosen_features(city, outlines, root_of(request))
    return JSONResponse(body)


@router.get("/api/kota/{code}/rank.csv", tags=["API"], summary="The whole city ranking as CSV (public data)")
def rank_kota_csv(
    request: Request,
    code: str,
    budget: str = Query(..., max_length=40),
    w_kumuh: float = _weight(DEFAULT_WEIGHTS["kumuh"]),
    w_poverty: float = _weight(DEFAULT_WEIGHTS["poverty"]),
    w_flood: float = _weight(DEFAULT_WEIGHTS["flood"]),
    w_population: float = _weight(DEFAULT_WEIGHTS["population"]),
    w_strategis: float = _weight(DEFAULT_WEIGHTS["strategis"]),
    w_kependudukan: float = _weight(DEFAULT_WEIGHTS["kependudukan"]),
    w_sosial: float = _weight(DEFAULT_WEIGHTS["sosial"]),
    w_served: float = _served_weight(),
    legal_only: bool = Query(True),
    slum_only: bool = Query(True),
) -> Response:
    weights = dict(
        zip(
            DEFAULT_WEIGHTS,
            (w_kumuh, w_poverty, w_flood, w_population, w_strategis, w_kependudukan, w_sosial),
            strict=True,
        ),
        served=w_served,
    )
    flags = {"legal_only": legal_only, "slum_only": slum_only, "sensitivity": False, "time_limit": API_TIME_LIMIT_S}
    city, _ = _plan(request, code, budget, weights, flags)
    body = city.plan.ranking[RANK_FIELDS].to_csv(index=False)
    name = f"rencana_{city.kota}.csv"
    return Response(
        body, media_type="text/csv; charset=utf-8", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


def _body(request: Request, city: CityPlan, options: PlanOptions, *, limit: int, time_limit: float) -> dict[str, Any]:
    from geo.plan_report import solver_text

    lang = page_lang(request)
    ranking = city.plan.ranking
    chosen = ranking["chosen"].to_numpy()
    shown = ranking[chosen | ((~chosen).cumsum() <= limit)]
    rows = records(shown[RANK_FIELDS])
    root = root_of(request)
    for row in rows:
        row["rt_url"] = f"{root}/kelurahan/{row['kelurahan_code']}/rt/{row['unit_number']}/{row['rt_number']}"
        row["kelurahan_url"] = f"{root}/kelurahan/{row['kelurahan_code']}"
    solution = city.plan.solution
    return {
        "kota": city.kota,
        "budget_idr": city.plan.budget,
        "total_cost_idr": city.plan.total_cost,
        "chosen": int(chosen.sum()),
        "rts": len(ranking),
        "eligible": int(ranking["eligible"].sum()),
        "solver": {
            "status": solution.status,
            "gap": solution.gap,
            "objective": solution.objective,
            "bound": solution.bound,
            "seconds": round(solution.seconds, 4),
            "candidates": solution.candidates,
            "core": solution.core,
            "time_limit_s": time_limit,
            "text": solver_text(solution, lang, time_limit_s=time_limit),
        },
        "message": city.message,
        "sensitivity": city.plan.sensitivity,
        "sensitivity_unproven": city.plan.sensitivity_unproven,
        "kelurahan": records(city.kelurahan),
        "missing_baseline": city.missing,
        "rule_id": "permen-pupr-14-2018",
        "ranking_total": len(ranking),
        "ranking": rows,
        **plan_summary(city.plan, options, lang),
    }


def chosen_features(city: CityPlan, outlines: Any, root: str = "") -> dict[str, Any]:
    """The chosen RTs as a light FeatureCollection (simplified outlines, 6 decimals); links behind
    the site's sub-path ``root``."""
    from shapely.geometry import mapping

    features = []
    for row in city.chosen.itertuples():
        geom = outlines.get(row.rt_id)
        if geom is None:
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": mapping(geom),
                "properties": {
                    "rank": int(row.rank),
                    "site_label": row.site_label,
                    "rt_url": f"{root}/kelurahan/{row.kelurahan_code}/rt/{int(row.unit_number)}/{int(row.rt_number)}",
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


@router.get("/kota/{code}/perencanaan", response_class=HTMLResponse, include_in_schema=False)
def kota_planner_page(request: Request, code: str) -> Response:
    """The city planner page: one budget, the chosen RTs on the city map, the ranked table."""
    kota, members = _members(request, code)
    lang = page_lang(request)
    factors = [(f, factor_label(f, lang), DEFAULT_WEIGHTS.get(f, 0.0)) for f in (*DEFAULT_WEIGHTS, *OPTIONAL_FACTORS)]
    kota_name = next((k for k in members["kota"] if isinstance(k, str) and k), kota)
    texts = {k.removeprefix("kota.page_"): t(k, lang, kota_name=kota_name, n=len(members)) for k in PAGE_TEXTS}
    return render(
        request,
        "kota_planner.html",
        kota=kota,
        kota_name=kota_name,
        kelurahan_count=len(members),
        map=_map_parts(request, kota, members, lang),
        factors=factors,
        texts=texts,
        pt=page_texts(lang),
    )


def _map_parts(request: Request, kota: str, members: pd.DataFrame, lang: str) -> dict[str, str]:
    from geo.mapping import map_parts
    from geo.plan_map import city_plan_map

    state = _state(request)
    codes = list(members["kelurahan_code"])
    root = root_of(request)
    key = (kota, lang, root, tuple(request.app.state.store.versions(codes).values()))
    with state.lock:
        hit = state.maps.get(key)
    if hit is not None:
        return hit
    kelurahan = request.app.state.store.read("kelurahan", kelurahan=codes, columns=["kelurahan_code", "name"])
    parts = map_parts(city_plan_map(kelurahan, lang=lang, asset_prefix=root + VENDOR_PREFIX))
    with state.lock:
        state.maps = {k: v for k, v in state.maps.items() if k[:3] != key[:3]}
        state.maps[key] = parts
    return parts
