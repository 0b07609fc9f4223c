"""Rumah DataKu and Kampung Tangguh service areas as JSON and CSV (public data).

The same tables the pages show (:mod:`web.routers.kampung`), built once and shared with them:
per-RT counts and shares suppressed exactly as on the page (a hidden cell is ``null`` in JSON and
empty in CSV), group names with member *counts*, never a household, a member or a person.
"""

from __future__ import annotations

import io
from typing import Any

import pandas as pd
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from geo.export import formula_safe
from geo.kampung_tangguh import DEFAULT_DISTANCE_M, GAP_BELOW, MAX_DISTANCE_M, MIN_DISTANCE_M, PILLARS, SERVICES
from geo.rumah_dataku import PUBLIC_COLUMNS
from web.deps import public_data
from web.features import plain, records
from web.routers.kampung import _dataku, _service_result

router = APIRouter(prefix="/api", tags=["API"])
SERVICE_COLUMNS = [
    "kelurahan_code",
    "unit_number",
    "rt_number",
    "rt_label",
    "kk_located",
    *[f"{kind}_{s}" for s in SERVICES for kind in ("kk_reach", "share", "area")],
    *[f"pillar_{p}" for p in PILLARS],
    "pillars",
]


def _jarak() -> Any:
    return Query(
        DEFAULT_DISTANCE_M,
        ge=MIN_DISTANCE_M,
        le=MAX_DISTANCE_M,
        description=f"walking distance in metres ({MIN_DISTANCE_M}-{MAX_DISTANCE_M}), rounded to 50 m as on the page",
    )


def _csv(frame: pd.DataFrame, name: str) -> Response:
    buf = io.StringIO()
    formula_safe(frame).to_csv(buf, index=False)
    return Response(
        buf.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


# --- Rumah DataKu ---------------------------------------------------------------------------------


def _dataku_built(request: Request, code: str) -> tuple[str, dict]:
    data = public_data(request)
    kel = data.kelurahan(code)
    code = kel.info["kelurahan_code"]
    return code, data.memo(code, ("rumah_dataku",), lambda k: _dataku(data, k))


@router.get("/kelurahan/{code}/rumah-dataku", summary="Rumah DataKu per RT (Kampung KB; suppressed) as JSON")
def rumah_dataku_json(request: Request, code: str) -> JSONResponse:
    """PUS, KB participants and MKJP, families at risk of stunting and poktan participation per RT;
    a count or share under the suppression threshold is ``null``, a kelurahan total only when no
    RT cell is hidden.  ``groups``: the Pokja and poktan groups (names, member counts)."""
    code, built = _dataku_built(request, code)
    return JSONResponse(
        {
            "kelurahan_code": code,
            "suppression_k": public_data(request).k,
            "has_data": built["has_data"],
            "totals": {key: plain(value) for key, value in built["totals"].items()},
            "rts": records(built["table"][PUBLIC_COLUMNS]),
            "groups": [
                {"type": g["kind"], "name": g["name"], "member_count": plain(g["members"])} for g in built["groups"]
            ],
        }
    )


@router.get(
    "/kelurahan/{code}/rumah-dataku.csv",
    summary="Rumah DataKu per RT (Kampung KB; suppressed) as CSV",
    response_class=Response,
)
def rumah_dataku_csv(request: Request, code: str) -> Response:
    code, built = _dataku_built(request, code)
    return _csv(built["table"][PUBLIC_COLUMNS], f"rumah_dataku_{code}.csv")


# --- Kampung Tangguh service areas ----------------------------------------------------------------


def _layanan_built(request: Request, code: str, jarak: int) -> tuple[str, int, dict]:
    data = public_data(request)
    kel = data.kelurahan(code)
    distance_m = int(round(jarak / 50) * 50)  # the page's steps: a bounded number of kept results
    return kel.info["kelurahan_code"], distance_m, _service_result(request, data, kel, distance_m)


@router.get("/kelurahan/{code}/layanan", summary="Kampung Tangguh service areas per RT (suppressed) as JSON")
def layanan_json(request: Request, code: str, jarak: int = _jarak()) -> JSONResponse:
    """Per RT and service: households within ``jarak`` metres (count and share, suppressed like
    every household figure: ``null`` when hidden) and the share of the RT's ground within reach
    (no household data, never hidden); the Kampung Tangguh pillars per RT; ``gaps``: the RTs less
    than half of whose ground is within reach of each service; ``mode``: along the road network
    or in a straight line."""
    code, distance_m, built = _layanan_built(request, code, jarak)
    table = built["table"]
    return JSONResponse(
        {
            "kelurahan_code": code,
            "distance_m": distance_m,
            "mode": built["mode"],
            "suppression_k": public_data(request).k,
            "facilities": {s: int(built["used"].get(s, 0)) for s in SERVICES},
            "gaps": {s: table.loc[table[f"area_{s}"] < GAP_BELOW, "rt_label"].tolist() for s in SERVICES},
            "rts": records(table[SERVICE_COLUMNS]),
        }
    )


@router.get(
    "/kelurahan/{code}/layanan.csv",
    summary="Kampung Tangguh service areas per RT (suppressed) as CSV",
    response_class=Response,
)
def layanan_csv(request: Request, code: str, jarak: int = _jarak()) -> Response:
    code, distance_m, built = _layanan_built(request, code, jarak)
    return _csv(built["table"][SERVICE_COLUMNS], f"layanan_{code}_{distance_m}m.csv")
