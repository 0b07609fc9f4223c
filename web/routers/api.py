"""JSON and CSV API for the site and for anyone's scripts.  Public data only."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from geo.report import indicator_csv
from geo.selection import MAX_BUDGET_IDR
from web.deps import public_data
from web.features import MAX_LIMIT, features, records
from web.limits import cached
from web.paths import root_of

MAX_WEIGHT = 100.0

router = APIRouter(prefix="/api", tags=["API"])


@router.get("/kelurahan", summary="Kelurahan with their RT and works counts (a kota, a page)")
def kelurahan_list(
    request: Request,
    kota: str | None = Query(None, max_length=100, description="kota/kabupaten name, or its code PP.KK"),
    limit: int = Query(1000, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0),
) -> list[dict[str, Any]]:
    kel = public_data(request).index()
    if kota:
        kel = kel[(kel["kota"] == kota) | kel["kelurahan_code"].str.startswith(kota.rstrip(".") + ".")]
    return records(kel.iloc[offset : offset + limit])


@router.get("/kelurahan/{code}", summary="One kelurahan: names and totals")
def kelurahan(request: Request, code: str) -> dict[str, Any]:
    data = public_data(request).kelurahan(code)
    info = records(data.kelurahan)[0]
    works = data.works
    info["rt_count"] = len(data.rt)
    info["works_count"] = len(works)
    info["works_budget_idr"] = int(works["budget_idr"].fillna(0).sum())
    return info


@router.get("/kelurahan/{code}/indicators", summary="Public RT indicators (suppressed) as JSON")
def indicators(request: Request, code: str) -> list[dict[str, Any]]:
    return records(public_data(request).indicators(code))


@router.get(
    "/kelurahan/{code}/indicators.csv", summary="Public RT indicators (suppressed) as CSV", response_class=Response
)
def indicators_csv(request: Request, code: str) -> Response:
    data = public_data(request)
    table = data.indicators(code)
    body = indicator_csv(table)
    name = f"indikator_rt_{data.kelurahan(code).info['kelurahan_code']}.csv"
    return Response(
        body, media_type="text/csv; charset=utf-8", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


def _geojson(frame, id_column: str) -> JSONResponse:
    return JSONResponse(
        {"type": "FeatureCollection", "features": features(frame, id_column)}, media_type="application/geo+json"
    )


@router.get(
    "/kelurahan/{code}/works",
    summary="Works as GeoJSON, filtered by year, type, status, funding",
    response_class=JSONResponse,
)
def works(
    request: Request,
    code: str,
    year: int | None = Query(None),
    type: str | None = Query(None, description="work type, e.g. drainase"),
    status: str | None = Query(None, description="rencana, berjalan, selesai, batal"),
    funding: str | None = Query(None, description="BPM, APBD, CSR, swadaya, ..."),
) -> Response:
    kel = public_data(request).kelurahan(code)
    frame = filter_works(kel.works, year=year, work_type=type, status=status, funding=funding)
    return _cached_geojson(request, frame, "work_id", kel.info["kelurahan_code"])


def _cached_geojson(request: Request, frame, id_column: str, code: str) -> Response:
    return cached(request, "geojson", (request.url.query,), lambda: _geojson(frame, id_column), code=code)


def filter_works(frame, *, year: int | None, work_type: str | None, status: str | None, funding: str | None):
    if year is not None:
        frame = frame[frame["year"] == year]
    if work_type:
        frame = frame[frame["work_type"] == work_type]
    if status:
        frame = frame[frame["status"] == status]
    if funding:
        frame = frame[frame["funding"].str.lower() == funding.lower()]
    return frame


@router.get("/kelurahan/{code}/gardens", summary="KWT gardens as GeoJSON", response_class=JSONResponse)
def gardens(request: Request, code: str) -> Response:
    kel = public_data(request).kelurahan(code)
    return _cached_geojson(request, kel.gardens, "garden_id", kel.info["kelurahan_code"])


@router.get("/kelurahan/{code}/facilities", summary="Facilities as GeoJSON", response_class=JSONResponse)
def facilities(request: Request, code: str) -> Response:
    kel = public_data(request).kelurahan(code)
    return _cached_geojson(request, kel.facilities, "facility_id", kel.info["kelurahan_code"])


@router.get("/kelurahan/{code}/works/{work_id}/progress", summary="Progress history of one work")
def work_progress(request: Request, code: str, work_id: str) -> list[dict[str, Any]]:
    data = public_data(request).kelurahan(code)
    from geo.errors import NotFoundError

    if work_id not in set(data.works["work_id"]):
        raise NotFoundError("place.unknown_work", work_id=work_id)
    hist = data.progress[data.progress["work_id"] == work_id].sort_values("record_date")
    return records(hist[["record_date", "fisik_pct", "keuangan_pct", "spent_idr"]])


MAP_LAYERS = {
    "works": ("work_id", "work_features"),
    "gardens": ("garden_id", "garden_features"),
    "facilities": ("facility_id", "facility_features"),
}


@router.get(
    "/kelurahan/{code}/map/{layer}",
    summary="Map-ready features of a layer inside a bbox (for the map page)",
    response_class=JSONResponse,
)
def map_layer(
    request: Request, code: str, layer: str, bbox: str | None = Query(None), limit: int = Query(1000, ge=1, le=10_000)
) -> Response:
    from geo import mapping
    from geo.errors import NotFoundError
    from geo.public import filter_frame
    from web.deps import page_lang
    from web.features import parse_bbox

    if layer not in MAP_LAYERS:
        raise NotFoundError("ogc.unknown_collection", collection=layer)
    id_column, builder = MAP_LAYERS[layer]
    kel = public_data(request).kelurahan(code)
    box = parse_bbox(bbox)

    def build() -> Response:
        frame = filter_frame(getattr(kel, layer), box, {}).head(limit)
        lang = page_lang(request)
        if layer == "works":  # popups link to the work page, as on the inlined map
            url = f"{root_of(request)}/kelurahan/{kel.info['kelurahan_code']}/pekerjaan/{{work_id}}?lang={lang}"
            return _geojson(mapping.work_features(frame, lang, url), id_column)
        return _geojson(getattr(mapping, builder)(frame, lang), id_column)

    return cached(request, "geojson", (request.url.query,), build, code=kel.info["kelurahan_code"])


RANK_FIELDS = [
    "rank",
    "rt_label",
    "unit_number",
    "rt_number",
    "priority",
    "kumuh_total",
    "kumuh_level",
    "kumuh_level_label",
    "poor_share",
    "flood_share",
    "jumlah_penduduk",
    "cost_idr",
    "eligible",
    "chosen",
    "reason_code",
    "why",
]


PLANS_KEPT = 32  # kelurahan plans kept so that "Uji kepekaan" reuses the plan "Hitung" made
_PLANS_LOCK = threading.Lock()


def kept_plan(request: Request, key: tuple, build: Callable[[], Any]) -> Any:
    """The plan for ``key`` (kelurahan, data version, language, question) from the last
    :data:`PLANS_KEPT` made, else ``build()`` kept."""
    with _PLANS_LOCK:
        plans = getattr(request.app.state, "kelurahan_plans", None)
        if plans is None:
            plans = request.app.state.kelurahan_plans = OrderedDict()
        hit = plans.get(key)
        if hit is not None:
            plans.move_to_end(key)
            return hit
    made = build()
    with _PLANS_LOCK:
        plans[key] = made
        while len(plans) > PLANS_KEPT:
            plans.popitem(last=False)
    return made


@router.get("/kelurahan/{code}/rank", summary="Rank RTs and choose upgrade sites within a budget (public data)")
def rank_sites(
    request: Request,
    code: str,
    budget: float = Query(
        ..., gt=0, le=MAX_BUDGET_IDR, allow_inf_nan=False, description="budget in rupiah (at most 10^15)"
    ),
    w_kumuh: float = Query(0.35, ge=0, le=MAX_WEIGHT, allow_inf_nan=False),
    w_poverty: float = Query(0.25, ge=0, le=MAX_WEIGHT, allow_inf_nan=False),
    w_flood: float = Query(0.15, ge=0, le=MAX_WEIGHT, allow_inf_nan=False),
    w_population: float = Query(0.10, ge=0, le=MAX_WEIGHT, allow_inf_nan=False),
    w_strategis: float = Query(0.05, ge=0, le=MAX_WEIGHT, allow_inf_nan=False),
    w_kependudukan: float = Query(0.05, ge=0, le=MAX_WEIGHT, allow_inf_nan=False),
    w_sosial: float = Query(0.05, ge=0, le=MAX_WEIGHT, allow_inf_nan=False),
    w_served: float = Query(0.0, ge=0, le=MAX_WEIGHT, allow_inf_nan=False, description="not yet served by a programme"),
    legal_only: bool = Query(True),
    slum_only: bool = Query(True),
    sensitivity: bool = Query(True, description="also re-solve with each weight moved by +/-20 %"),
) -> Response:
    """Answered from the cache for a question asked before at this data version; at most two
    computed at once (else 503 + Retry-After).  Every RT comes with ``why`` (the reason it was or
    was not chosen) and ``reason_code``; ``sensitivity_text`` says the sensitivity in words."""
    from geo.planning import planning_table
    from geo.selection import PlanOptions, add_sensitivity, plan, plan_summary
    from geo.settings import hazard_raster
    from web.deps import data_version, page_lang

    data = public_data(request)
    code = data.kelurahan(code).info["kelurahan_code"]
    settings = request.app.state.settings
    lang = page_lang(request)
    weights = {
        "kumuh": w_kumuh,
        "poverty": w_poverty,
        "flood": w_flood,
        "population": w_population,
        "strategis": w_strategis,
        "kependudukan": w_kependudukan,
        "sosial": w_sosial,
        "served": w_served,
    }

    def build() -> Response:
        table = data.memo(  # the public planning table of this data version
            code,
            ("planning", lang),
            lambda _: planning_table(
                request.app.state.store,
                code,
                public=True,
                k=settings.suppression_k,
                hazard=hazard_raster(settings, code),
                lang=lang,
            ),
        )
        options = PlanOptions(
            weights=weights, legal_only=legal_only, slum_only=slum_only, suppression_k=settings.suppression_k
        )
        kept = (code, data_version(request, code), lang, asked[:-1])  # the same plan, with or without sensitivity
        result = kept_plan(request, kept, lambda: plan(table, budget, options, lang=lang, with_sensitivity=False))
        if sensitivity:  # on request, on the plan "Hitung" just made: its ranking, its choice as the start
            result = add_sensitivity(result, options)
        ranking = result.ranking[RANK_FIELDS]
        return JSONResponse(
            {
                "budget_idr": budget,
                "total_cost_idr": result.total_cost,
                "chosen": int(ranking["chosen"].sum()),
                "sensitivity": result.sensitivity,
                **plan_summary(result, options, lang),
                "rule_id": "permen-pupr-14-2018",
                "ranking": records(ranking),
            }
        )

    asked = (budget, tuple(sorted(weights.items())), legal_only, slum_only, sensitivity)
    return cached(request, "rank", asked, build, code=code)
