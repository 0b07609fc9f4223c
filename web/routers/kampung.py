"""Public pages of the community programmes: Rumah DataKu (Kampung KB) and Kampung Tangguh service areas.

Household data reach these pages only as per-RT counts suppressed in :mod:`geo.rumah_dataku` and
:mod:`geo.kampung_tangguh`; both are built once per kelurahan data version (and, for service
areas, per walking distance and the versions of the kelurahan whose roads and facilities are within reach).
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable

import geopandas as gpd
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from geo.formats import percent
from geo.kampung_tangguh import (
    DEFAULT_DISTANCE_M,
    MAX_DISTANCE_M,
    MIN_DISTANCE_M,
    PILLARS,
    SERVICES,
    public_table,
    service_areas,
)
from geo.layers.facilities import CATEGORY_LABELS
from geo.layers.groups import GROUP_TYPE_LABELS, POKTAN
from geo.public import KelurahanPublic, PublicData
from geo.rumah_dataku import COUNTS, SHARES, family_counts, has_family_data, kelurahan_totals, public_family_table
from geo.svg_map import Marker, class_color, svg_map
from web.deps import page_lang, public_data
from web.kampung_text import text
from web.render import render

router = APIRouter(include_in_schema=False)
SHARE_COLORS = ("#d7191c", "#fdae61", "#a6d96a", "#1a9641")  # below 25, 50, 75 %, and above
SHARE_BREAKS = (0.25, 0.5, 0.75)
SERVICE_COLORS = {
    "posyandu": "#e7298a",
    "pos_ronda": "#ff7f00",
    "pendidikan": "#1f78b4",
    "puskesmas": "#e31a1c",
    "balai_warga": "#6a3d9a",
}


def _households(data: PublicData, code: str) -> gpd.GeoDataFrame:
    return (data.households or data.store).read("households", kelurahan=code)


# --- Rumah DataKu ---------------------------------------------------------------------------------


def _dataku(data: PublicData, kel: KelurahanPublic) -> dict:
    code = kel.info["kelurahan_code"]
    counts = family_counts(kel.rt, _households(data, code))
    public = public_family_table(counts, k=data.k)
    return {
        "table": public,
        "totals": kelurahan_totals(public),
        "has_data": has_family_data(counts),
        "groups": _poktan_groups(data, code),
    }


def _poktan_groups(data: PublicData, code: str) -> list[dict]:
    """The kelurahan's Pokja Kampung KB and poktan groups still active (the groups layer: names and
    member counts, which are public; never a member)."""
    groups = data.store.read("groups", kelurahan_code=code, geometry=False)
    if groups.empty:
        return []
    kinds = ("pokja_kkb", *POKTAN)
    active = groups[groups["group_type"].isin(kinds) & groups["dissolved"].isna()].copy()
    active["order"] = active["group_type"].map({k: i for i, k in enumerate(kinds)})
    active = active.sort_values(["order", "name"])
    return [
        {"kind": t, "name": n, "members": m}
        for t, n, m in zip(active["group_type"], active["name"], active["member_count"], strict=True)
    ]


@router.get("/kelurahan/{code}/rumah-dataku", response_class=HTMLResponse)
def rumah_dataku(request: Request, code: str) -> Response:
    data = public_data(request)
    kel = data.kelurahan(code)
    code = kel.info["kelurahan_code"]
    lang = page_lang(request)
    built = data.memo(code, ("rumah_dataku",), lambda k: _dataku(data, k))
    table, tk = built["table"], text(lang)
    rt = kel.rt.merge(table[["unit_number", "rt_number", "kb_share"]], on=["unit_number", "rt_number"], how="left")
    fills = [class_color(v, SHARE_COLORS, SHARE_BREAKS) for v in rt["kb_share"]]
    pairs = zip(rt["rt_label"], rt["kb_share"], strict=True)
    titles = [f"{lab}: {tk['kb_share']} {percent(v, lang, missing='*')}" for lab, v in pairs]
    return render(
        request,
        "rumah_dataku.html",
        info=kel.info,
        tk=tk,
        rows=table.to_dict("records"),
        totals=built["totals"],
        has_data=built["has_data"],
        groups=[{**g, "type": GROUP_TYPE_LABELS.get(g["kind"], {}).get(lang, g["kind"])} for g in built["groups"]],
        counts=COUNTS,
        shares=list(SHARES),
        svg=svg_map(rt, fills, titles, label=tk["map_kb"]),
        legend=_legend(lang),
    )


def _legend(lang: str) -> list[tuple[str, str]]:
    edges = [0, *SHARE_BREAKS, 1]
    return [
        (color, f"{percent(lo, lang)} - {percent(hi, lang)}")
        for color, lo, hi in zip(SHARE_COLORS, edges[:-1], edges[1:], strict=True)
    ] + [("#d9d9d9", "*")]


# --- Kampung Tangguh service areas ----------------------------------------------------------------


def _service_result(request: Request, data: PublicData, kel: KelurahanPublic, distance_m: int) -> dict:
    """The service areas at ``distance_m``, built once and kept while what they were built from
    stays the same (:func:`service_result`).  A build waits for one of the site's ``service_area``
    slots (503 when all are busy); a kept result does not."""
    gates = getattr(request.app.state, "gates", None)
    return service_result(
        data, kel, distance_m, admit=(lambda: gates["service_area"].admit(path=request.url.path)) if gates else None
    )


def service_result(
    data: PublicData,
    kel: KelurahanPublic,
    distance_m: int,
    *,
    admit: Callable[[], contextlib.AbstractContextManager] | None = None,
) -> dict:
    """Service areas of one kelurahan, kept per walking distance in its public frames (which the
    kelurahan's own data version already renews) and keyed on :func:`service_inputs`: the data
    versions of every kelurahan whose roads or facilities lie within reach, and the roads of no
    stored kelurahan there.  A write elsewhere in the store costs one look at those inputs, not
    a rebuild."""
    star = data.store.versions(["*"])["*"]
    key = ("layanan", distance_m)
    hit = kel.memo.get(key)
    if hit is not None and hit[0] == star:
        return hit[2]
    inputs = service_inputs(data, kel, distance_m)
    if hit is not None and hit[1] == inputs:
        kel.memo[key] = (star, inputs, hit[2])
        return hit[2]
    with admit() if admit is not None else contextlib.nullcontext():
        built = _build_service_result(data, kel, distance_m)
    kel.memo[key] = (star, inputs, built)
    return built


def service_inputs(data: PublicData, kel: KelurahanPublic, distance_m: int) -> tuple:
    """What the service areas of ``kel`` at ``distance_m`` are built from besides the kelurahan's
    own rows: the versions of the kelurahan that own a road or facility (or a boundary) within
    reach, and a fingerprint of the roads there that lie in no stored kelurahan (their writes
    move only the store-wide version)."""
    box = _around(kel, distance_m)
    roads = data.store.read("roads", columns=["road_id", "kelurahan_code"], bbox=box)
    facilities = data.store.read("facilities", columns=["facility_id", "kelurahan_code"], bbox=box)
    nearby = data.store.read("kelurahan", columns=["kelurahan_code"], bbox=box)
    codes = {kel.info["kelurahan_code"]}
    for frame in (roads, facilities, nearby):
        codes |= {c for c in frame["kelurahan_code"] if isinstance(c, str) and c}
    fingerprint = hashlib.sha256()
    for frame, id_column in ((roads, "road_id"), (facilities, "facility_id")):
        loose = frame[frame["kelurahan_code"].isna()]
        for ident, wkb in sorted(zip(loose[id_column].astype(str), loose.geometry.to_wkb(), strict=True)):
            fingerprint.update(f"{id_column}:{ident}".encode() + b"\0" + wkb)
    return tuple(sorted(data.store.versions(codes).items())), fingerprint.hexdigest()


def _build_service_result(data: PublicData, kel: KelurahanPublic, distance_m: int) -> dict:
    code = kel.info["kelurahan_code"]
    box = _around(kel, distance_m)
    roads = data.store.read("roads", bbox=box)
    facilities = data.store.read("facilities", bbox=box)
    result = service_areas(kel.rt, _households(data, code), facilities, roads, distance_m=distance_m)
    built = {
        "mode": result.mode,
        "roads": roads,
        "facilities": facilities,
        "used": result.facilities,
        "table": public_table(result, k=data.k),
    }
    return built


def _around(kel: KelurahanPublic, distance_m: int) -> tuple[float, float, float, float]:
    """The kelurahan's bounds widened by the walking distance and as much again (a road detour)."""
    x0, y0, x1, y1 = kel.kelurahan.total_bounds
    pad = 2 * distance_m / 111_000
    return x0 - pad, y0 - pad, x1 + pad, y1 + pad


@router.get("/kelurahan/{code}/layanan", response_class=HTMLResponse)
def layanan(
    request: Request,
    code: str,
    jarak: int = Query(DEFAULT_DISTANCE_M, ge=MIN_DISTANCE_M, le=MAX_DISTANCE_M),
    layanan: str = Query("posyandu", max_length=20, pattern="^[a-z_]+$"),
) -> Response:
    data = public_data(request)
    kel = data.kelurahan(code)
    code = kel.info["kelurahan_code"]
    lang = page_lang(request)
    tk = text(lang)
    service = layanan if layanan in SERVICES else "posyandu"
    distance_m = int(round(jarak / 50) * 50)  # 50 m steps: a bounded number of cached results
    built = _service_result(request, data, kel, distance_m)
    table = built["table"]
    rt = kel.rt.merge(table.drop(columns=["rt_label"]), on=["kelurahan_code", "unit_number", "rt_number"], how="left")
    area = rt[f"area_{service}"]
    gaps = (area < 0.5).tolist()
    fills = [class_color(v, SHARE_COLORS, SHARE_BREAKS) for v in area]
    label = tk[f"svc_{service}"]
    titles = [
        f"{lab}: {tk['share_area']} {percent(v, lang, missing='*')}"
        for lab, v in zip(rt["rt_label"], area, strict=True)
    ]
    fac = built["facilities"]
    chosen = fac[fac["category"].isin(SERVICES[service])] if len(fac) else fac
    markers = [
        Marker(g, f"{n} ({CATEGORY_LABELS.get(c, {}).get(lang, c)})", SERVICE_COLORS[service])
        for g, n, c in zip(chosen.geometry, chosen["name"], chosen["category"], strict=True)
    ]
    caption = tk["gap_map"].format(service=label)
    svg = svg_map(rt, fills, titles, roads=built["roads"], markers=markers, hatched=gaps, label=caption)
    return render(
        request,
        "layanan.html",
        info=kel.info,
        tk=tk,
        mode=built["mode"],
        n_roads=len(built["roads"]),
        distance_m=distance_m,
        service=service,
        services=[(s, tk[f"svc_{s}"], built["used"].get(s, 0)) for s in SERVICES],
        pillars=[(p, tk[f"pillar_{p}"]) for p in PILLARS],
        rows=table.to_dict("records"),
        gap_rows=[r for r, g in zip(rt["rt_label"], gaps, strict=True) if g],
        svg=svg,
        legend=_legend(lang)[:-1],
    )
