"""The community page of a kelurahan: programme areas, groups, funds ledgers, RW products and
proposals, and the programmes acting in each RT next to its poverty and slum score."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from geo.community import (
    HIGH_POVERTY,
    assets_built,
    community_map,
    ledger_months,
    ledger_summary,
    load_community,
    overlap_table,
    served_rts,
)
from geo.errors import GeoError
from geo.i18n import prefixed, t
from geo.layers.community_rows import PILLAR_LABELS, PROGRAMME_AREA_LABELS
from geo.layers.facilities import CATEGORY_LABELS
from geo.layers.groups import GROUP_TYPE_LABELS, ROLE_LABELS, SPEAKER_LABELS
from geo.layers.products import CATEGORY_LABELS as PRODUCT_LABELS
from geo.layers.products import STATUS_COLORS as PRODUCT_COLORS
from geo.layers.products import STATUS_LABELS as PRODUCT_STATUS
from geo.layers.proposals import STATUS_COLORS as PROPOSAL_COLORS
from geo.layers.proposals import STATUS_LABELS as PROPOSAL_STATUS
from geo.places import rt_label, unit_label
from geo.public import KelurahanPublic
from web.community_text import date_label, month_label
from web.deps import page_lang, public_data
from web.paths import root_of
from web.render import render

router = APIRouter(include_in_schema=False)


@router.get("/kelurahan/{code}/program", response_class=HTMLResponse)
def community_page(request: Request, code: str) -> Response:
    data = public_data(request)
    kel = data.kelurahan(code)
    code = kel.info["kelurahan_code"]
    lang = page_lang(request)
    view = data.memo(code, ("community", lang), lambda k: _view(data.store, k, lang))
    from web.routers.kota import assets  # the vendored Leaflet, behind the site's sub-path

    return render(
        request,
        "community.html",
        info=kel.info,
        c=prefixed("community_ui.", lang),
        assets=assets(root_of(request)),
        **view,
    )


def _view(store: Any, kel: KelurahanPublic, lang: str) -> dict[str, Any]:
    """Everything the page shows, as plain records (built once per data version and language)."""
    code = kel.info["kelurahan_code"]
    unit_type = kel.info.get("unit_type") or "RW"
    com = load_community(store, code)
    served = served_rts(kel.rt, com, kel.works, kel.gardens, kel.facilities)
    table = overlap_table(served, kel.indicators, _kumuh(store, code, lang))
    months = ledger_months(com.funds)
    names = _asset_names(kel)
    built = assets_built(com.funds)
    repaid = com.funds[com.funds["kind"] == "angsuran"].groupby("proposal_id")["amount_idr"].sum()
    books = ledger_summary(com.funds, com.groups, com.areas).to_dict("records")
    for book in books:
        rows = months[months["owner"] == book["owner"]]
        book["months"] = [{**r, "label": month_label(r["month"], lang)} for r in rows.to_dict("records")]
        book["period"] = f"{month_label(book['first'], lang)} - {month_label(book['last'], lang)}"
    return {
        "areas": [
            {**a, "label": PROGRAMME_AREA_LABELS[a["programme"]][lang], "coverage": _coverage(a, unit_type, lang),
             "sk_label": date_label(a["sk_date"], lang), "since": date_label(a["started"], lang)}
            for a in com.areas.sort_values("area_id").to_dict("records")
        ],
        "groups": [
            {**g, "type_label": GROUP_TYPE_LABELS[g["group_type"]][lang], "serves": _place(g, unit_type, lang),
             "pillar_label": PILLAR_LABELS[g["pillar"]][lang] if isinstance(g["pillar"], str) else "",
             "role": ROLE_LABELS[g["contact_role"]][lang] if isinstance(g["contact_role"], str) else "-",
             "founded_label": date_label(g["founded"], lang)}
            for g in com.groups.sort_values(["group_type", "name"]).to_dict("records")
        ],
        "meetings": [
            {**m, "date_label": date_label(m["meeting_date"], lang), "host": _place(m, unit_type, lang),
             "speaker_labels": ", ".join(SPEAKER_LABELS[s][lang] for s in (m["speakers"] or "").split(";") if s)}
            for m in com.meetings.sort_values("meeting_date").to_dict("records")
        ],
        "books": books,
        "built": [
            {**b, "name": names.get(b["asset_id"], b["asset_id"]), "date_label": date_label(b["entry_date"], lang)}
            for b in built.sort_values("entry_date").to_dict("records")
        ],
        "products": [
            {**p, "rw": _unit(unit_type, p["unit_number"]), "cat": PRODUCT_LABELS[p["category"]][lang],
             "status_label": PRODUCT_STATUS[p["status"]][lang], "color": PRODUCT_COLORS[p["status"]]}
            for p in com.products.sort_values("unit_number").to_dict("records")
        ],
        "proposals": [
            {**p, "rw": _unit(unit_type, p["unit_number"]), "status_label": PROPOSAL_STATUS[p["status"]][lang],
             "color": PROPOSAL_COLORS[p["status"]], "submitted": date_label(p["submitted_on"], lang),
             "repaid": int(repaid.get(p["proposal_id"], 0))}
            for p in com.proposals.sort_values(["unit_number", "submitted_on"]).to_dict("records")
        ],
        "overlap": table.sort_values(["unit_number", "rt_number"]).to_dict("records"),
        "high_poverty": HIGH_POVERTY,
        "legend": [(PRODUCT_STATUS[s][lang], PRODUCT_COLORS[s]) for s in PRODUCT_STATUS] if len(com.products) else [],
        "map_json": json.dumps(
            {
                **community_map(kel.rw, kel.indicators, com, kel.facilities, kel.works),
                "text": {k: t(f"community_ui.{k}", lang) for k in ("poor_share", "products", "proposal", "amount")},
                "status": {**{s: v[lang] for s, v in PRODUCT_STATUS.items()}},
                "proposal_status": {s: v[lang] for s, v in PROPOSAL_STATUS.items()},
                "colors": PRODUCT_COLORS,
            },
            ensure_ascii=False,
        ).replace("</", "<\\/"),
    }  # fmt: skip


def _kumuh(store: Any, code: str, lang: str) -> pd.DataFrame | None:
    from geo.planning import scored_rts

    try:
        table = scored_rts(store, code, lang=lang, rts_only=True)
    except GeoError:  # no slum baseline for this kelurahan
        return None
    return table.astype({"unit_number": int, "rt_number": int})


def _asset_names(kel: KelurahanPublic) -> dict[str, str]:
    names = dict(zip(kel.works["work_id"], kel.works["name"].fillna(kel.works["work_id"]), strict=True))
    for f in kel.facilities.to_dict("records"):
        names[f["facility_id"]] = f"{f['name']} ({CATEGORY_LABELS.get(f['category'], {}).get('id', '')})"
    return names


def _unit(unit_type: str, number: object) -> str:
    return "-" if number is None or pd.isna(number) else unit_label(int(number), unit_type)


def _place(rec: dict, unit_type: str, lang: str) -> str:
    unit, rt = rec.get("unit_number"), rec.get("rt_number")
    if unit is None or pd.isna(unit):
        return prefixed("community_ui.", lang)["whole"]
    if rt is None or pd.isna(rt):
        return _unit(unit_type, unit)
    return rt_label(int(rt), int(unit), unit_type)


def _coverage(area: dict, unit_type: str, lang: str) -> str:
    listed = area.get("rt_list")
    if isinstance(listed, str) and listed:
        pairs = [tuple(int(x) for x in p.split("/")) for p in listed.split(",")]
        return "; ".join(rt_label(r, u, unit_type) for u, r in pairs)
    return _place({"unit_number": area.get("unit_number")}, unit_type, lang)
