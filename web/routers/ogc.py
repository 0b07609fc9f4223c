"""OGC API - Features (Part 1: Core, GeoJSON, OpenAPI 3.0) for every public collection.

QGIS, ArcGIS and GDAL's OAPIF driver add ``/ogc`` as a source.  Coordinates are CRS84
(longitude, latitude); feature ids are the natural keys.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from geo.errors import NotFoundError, RequestError
from geo.gpkg import now_iso
from geo.public import COLLECTIONS
from web.deps import page_lang, public_data
from web.features import MAX_LIMIT, check_limit, features, parse_bbox, unknown_params
from web.limits import cached

router = APIRouter(prefix="/ogc", tags=["OGC API Features"])
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
GEOJSON = "application/geo+json"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
]


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/ogc"


@router.get("", summary="Landing page")
def landing(request: Request) -> dict[str, Any]:
    base = _base(request)
    lang = page_lang(request)
    return {
        "title": "petakampung",
        "description": "Data publik kampung: batas RT/RW, indikator RT (disamarkan), pekerjaan, kebun, fasilitas"
        if lang == "id"
        else "Public kampung data: RT/RW boundaries, suppressed RT indicators, works, gardens, facilities",
        "links": [
            {"href": base, "rel": "self", "type": "application/json", "title": "this document"},
            {
                "href": str(request.base_url) + "openapi.json",
                "rel": "service-desc",
                "type": "application/vnd.oai.openapi+json;version=3.0",
                "title": "API definition",
            },
            {"href": str(request.base_url) + "docs", "rel": "service-doc", "type": "text/html", "title": "API docs"},
            {"href": base + "/conformance", "rel": "conformance", "type": "application/json"},
            {"href": base + "/collections", "rel": "data", "type": "application/json"},
        ],
    }


@router.get("/conformance", summary="Conformance classes")
def conformance() -> dict[str, list[str]]:
    return {"conformsTo": CONFORMANCE}


def _collection(request: Request, cid: str) -> dict[str, Any]:
    collection = public_data(request).collection(cid)
    lang = page_lang(request)
    base = _base(request)
    extent = request.app.state.public_store.extent(collection.table)
    bounds = list(extent) if extent is not None else [-180.0, -90.0, 180.0, 90.0]
    return {
        "id": cid,
        "title": COLLECTIONS[cid].title[lang],
        "itemType": "feature",
        "crs": [CRS84],
        "storageCrs": CRS84,
        "extent": {"spatial": {"bbox": [bounds], "crs": CRS84}},
        "links": [
            {"href": f"{base}/collections/{cid}", "rel": "self", "type": "application/json"},
            {"href": f"{base}/collections/{cid}/items", "rel": "items", "type": GEOJSON},
        ],
    }


@router.get("/collections", summary="Collections")
def collections(request: Request) -> dict[str, Any]:
    base = _base(request)
    return {
        "links": [{"href": f"{base}/collections", "rel": "self", "type": "application/json"}],
        "collections": [_collection(request, cid) for cid in COLLECTIONS],
    }


@router.get("/collections/{collection_id}", summary="One collection")
def collection(request: Request, collection_id: str) -> dict[str, Any]:
    if collection_id not in COLLECTIONS:
        raise NotFoundError("ogc.unknown_collection", collection=collection_id)
    return _collection(request, collection_id)


@router.get(
    "/collections/{collection_id}/items",
    summary="Features, with bbox, paging and property filters",
    response_class=JSONResponse,
)
def items(
    request: Request,
    collection_id: str,
    bbox: str | None = Query(None, description="minx,miny,maxx,maxy in CRS84"),
    limit: int = Query(100, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0),
) -> Response:
    """Cached per data version and full URL (the links name the host asked for); at most four
    pages built at once (else 503 + Retry-After)."""
    if collection_id not in COLLECTIONS:
        raise NotFoundError("ogc.unknown_collection", collection=collection_id)
    check_limit(limit, offset)
    data = public_data(request)
    queryables = set(data.queryables(collection_id))
    params = list(request.query_params)
    unknown_params(params, {"bbox", "limit", "offset", "f", "lang", "crs", "bbox-crs"} | queryables)
    for name in ("crs", "bbox-crs"):  # Part 2 clients (GDAL) name the CRS; we serve CRS84 only
        asked = request.query_params.get(name)
        if asked is not None and asked != CRS84:
            raise RequestError("req.crs", crs=asked[:80], supported=CRS84)
    equals = {k: v for k, v in request.query_params.items() if k in queryables}
    box = parse_bbox(bbox)
    return cached(
        request,
        "geojson",
        (str(request.url),),
        lambda: _items_page(request, collection_id, box, equals, limit, offset),
        code=None,
    )


def _items_page(
    request: Request, collection_id: str, box: tuple | None, equals: dict[str, str], limit: int, offset: int
) -> JSONResponse:
    page, matched = public_data(request).collection_page(
        collection_id, bbox=box, equals=equals, limit=limit, offset=offset
    )
    base = f"{_base(request)}/collections/{collection_id}/items"
    keep = [(k, v) for k, v in request.query_params.multi_items() if k not in ("limit", "offset")]

    def link(rel: str, off: int) -> dict[str, str]:
        query = urlencode([*keep, ("limit", limit), ("offset", off)])  # a value with '&' or '#' stays one value
        return {"href": f"{base}?{query}", "rel": rel, "type": GEOJSON}

    links = [link("self", offset)]
    if offset + limit < matched:
        links.append(link("next", offset + limit))
    if offset > 0:
        links.append(link("prev", max(0, offset - limit)))
    links.append(
        {"href": f"{_base(request)}/collections/{collection_id}", "rel": "collection", "type": "application/json"}
    )
    body = {
        "type": "FeatureCollection",
        "timeStamp": now_iso(),
        "numberMatched": matched,
        "numberReturned": len(page),
        "features": features(page, COLLECTIONS[collection_id].id_column),
        "links": links,
    }
    return JSONResponse(body, media_type=GEOJSON, headers={"Content-Crs": f"<{CRS84}>"})


@router.get("/collections/{collection_id}/items/{feature_id}", summary="One feature", response_class=JSONResponse)
def item(request: Request, collection_id: str, feature_id: str) -> JSONResponse:
    if collection_id not in COLLECTIONS:
        raise NotFoundError("ogc.unknown_collection", collection=collection_id)
    id_column = COLLECTIONS[collection_id].id_column
    hit, _ = public_data(request).collection_page(collection_id, equals={id_column: feature_id}, limit=1)
    if hit.empty:
        raise NotFoundError("ogc.unknown_feature", feature=feature_id, collection=collection_id)
    feature = features(hit, id_column)[0]
    base = _base(request)
    feature["links"] = [
        {"href": f"{base}/collections/{collection_id}/items/{feature_id}", "rel": "self", "type": GEOJSON},
        {"href": f"{base}/collections/{collection_id}", "rel": "collection", "type": "application/json"},
    ]
    return JSONResponse(feature, media_type=GEOJSON)


RESTRICTED = {"households": "kk_key"}


@router.get(
    "/restricted/collections/{collection_id}/items",
    summary="Restricted features (planners and admins, within their area)",
    response_class=JSONResponse,
)
def restricted_items(
    request: Request,
    collection_id: str,
    kelurahan_code: str | None = Query(None),
    limit: int = Query(1000, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0),
) -> JSONResponse:
    """Household points with their attributes, for GIS staff allowed to see them: every request is
    checked against the user's area (a planner sees the kelurahan of their kota only)."""
    from geo.places import normalize_kelurahan_code
    from web.auth import require_restricted, require_user

    if collection_id not in RESTRICTED:
        raise NotFoundError("ogc.unknown_collection", collection=collection_id)
    user = require_user(request)
    codes = list(public_data(request).index()["kelurahan_code"])
    if kelurahan_code:
        code = normalize_kelurahan_code(kelurahan_code)
        require_restricted(request, code)
        codes = [code]
    else:
        codes = [c for c in codes if user.can_read_restricted(c)]
        if not codes:
            require_restricted(request, "")
    store = request.app.state.store
    import pandas as pd

    frames = [store.read("households", kelurahan_code=c) for c in codes]
    frame = pd.concat(frames, ignore_index=True) if frames else store.read("households").iloc[0:0]
    frame = frame[frame.geometry.notna()]
    page = frame.iloc[offset : offset + limit]
    body = {
        "type": "FeatureCollection",
        "numberMatched": len(frame),
        "numberReturned": len(page),
        "features": features(page, RESTRICTED[collection_id]),
        "timeStamp": now_iso(),
    }
    return JSONResponse(body, media_type=GEOJSON, headers={"Cache-Control": "no-store"})
