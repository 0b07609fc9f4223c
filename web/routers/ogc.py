"""OGC API - Features (Part 1: Core, GeoJSON, OpenAPI 3.0) for every public collection.

QGIS, ArcGIS and GDAL's OAPIF driver add ``/ogc`` as a source.  Coordinates are CRS84
(longitude, latitude); feature ids are the natural keys (``rt_id``/``rw_id`` for RT and RW,
never a property named ``fid``, which GeoPackage writers take for their own integer key).
Errors are ``{"code", "description"}`` (the OGC exception schema, see :mod:`web.errors`).
The restricted root, ``/ogc/restricted``, is :mod:`web.routers.ogc_restricted`.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from geo.errors import NotFoundError
from geo.i18n import t
from geo.public import COLLECTIONS
from web.deps import page_lang, public_data
from web.features import features, unknown_params
from web.limits import cached
from web.ogc_api import (
    CONFORMANCE,
    ITEM_PARAMS,
    OPENAPI_30,
    GeoJSONResponse,
    collection_doc,
    feature_collection,
    items_query,
    landing_links,
    link,
    root,
    segment,
    stamped,
)
from web.ogc_openapi import CollectionInfo, api_document
from web.routers import ogc_restricted

router = APIRouter(prefix="/ogc", tags=["OGC API Features"])
PAGE_PARAMS = {"f", "lang"}  # what every non-items route accepts besides its path
DOCUMENTED = {"parameters": [p.openapi() for p in ITEM_PARAMS]}  # /openapi.json: items parameters as parsed


class OgcException(BaseModel):
    """The OGC API exception (17-069r4, exception.yaml): every error under /ogc."""

    code: str
    description: str


ERRORS: dict[int | str, dict] = {
    status: {"model": OgcException, "description": text}
    for status, text in ((400, "invalid parameter"), (404, "no such collection or feature"), (503, "busy"))
}


def _checked(request: Request) -> None:
    unknown_params(list(request.query_params), PAGE_PARAMS)


def _collection_id(collection_id: str) -> str:
    if collection_id not in COLLECTIONS:
        raise NotFoundError("ogc.unknown_collection", collection=collection_id)
    return collection_id


@router.get("", summary="Landing page")
def landing(request: Request) -> JSONResponse:
    _checked(request)
    lang = page_lang(request)
    base = root(request)
    return JSONResponse(
        {
            "title": "petakampung",
            "description": t("ogc.public_description", lang),
            "links": landing_links(request, base, f"{base}/api"),
        }
    )


@router.get("/api", summary="The OpenAPI 3.0 definition of /ogc", response_class=JSONResponse)
def api_definition(request: Request) -> JSONResponse:
    _checked(request)
    lang = page_lang(request)
    data = public_data(request)
    collections = [CollectionInfo(c.id, c.title[lang], tuple(data.queryables(c.id))) for c in COLLECTIONS.values()]
    doc = api_document(
        base=root(request),
        title="petakampung: OGC API Features",
        description=t("ogc.public_description", lang),
        collections=collections,
        secured=False,
    )
    return JSONResponse(doc, media_type=OPENAPI_30)


@router.get("/conformance", summary="Conformance classes")
def conformance(request: Request) -> dict[str, list[str]]:
    _checked(request)
    return {"conformsTo": CONFORMANCE}


def _collection(request: Request, cid: str) -> dict:
    data = public_data(request)
    collection = data.collection(cid)
    bbox = request.app.state.public_store.extent(collection.table)
    return collection_doc(root(request), cid, collection.title[page_lang(request)], bbox, data.temporal_extent(cid))


@router.get("/collections", summary="Collections", responses={400: ERRORS[400]})
def collections(request: Request) -> Response:
    """Cached per data version (the works' time span reads their dates)."""
    _checked(request)

    def build() -> JSONResponse:
        base = root(request)
        body = {
            "links": [link(f"{base}/collections", "self", "application/json")],
            "collections": [_collection(request, cid) for cid in COLLECTIONS],
        }
        return JSONResponse(body)

    return cached(request, "geojson", (str(request.url),), build, code=None)


@router.get("/collections/{collection_id}", summary="One collection", responses={404: ERRORS[404]})
def collection(request: Request, collection_id: str) -> Response:
    _checked(request)
    cid = _collection_id(collection_id)
    return cached(request, "geojson", (str(request.url),), lambda: JSONResponse(_collection(request, cid)), code=None)


@router.get(
    "/collections/{collection_id}/items",
    summary="Features, with bbox, datetime, paging and property filters",
    response_class=GeoJSONResponse,
    openapi_extra=DOCUMENTED,
    responses=ERRORS,
)
def items(request: Request, collection_id: str) -> Response:
    """Cached per data version and full URL (the links name the host asked for); at most four
    pages built at once (else 503 + Retry-After).  The cached page gets a fresh ``timeStamp``."""
    cid = _collection_id(collection_id)
    query = items_query(request, public_data(request).queryables(cid))

    def build() -> Response:
        page, matched = public_data(request).collection_page(
            cid, bbox=query.bbox, equals=query.equals, when=query.when, limit=query.limit, offset=query.offset
        )
        url = f"{root(request)}/collections/{segment(cid)}"
        return feature_collection(request, url, query, matched, features(page, COLLECTIONS[cid].id_column))

    return stamped(cached(request, "geojson", (str(request.url),), build, code=None))


@router.get(
    "/collections/{collection_id}/items/{feature_id:path}",
    summary="One feature",
    response_class=GeoJSONResponse,
    responses={404: ERRORS[404]},
)
def item(request: Request, collection_id: str, feature_id: str) -> GeoJSONResponse:
    _checked(request)
    cid = _collection_id(collection_id)
    id_column = COLLECTIONS[cid].id_column
    hit, _ = public_data(request).collection_page(cid, equals={id_column: feature_id}, limit=1)
    if hit.empty:
        raise NotFoundError("ogc.unknown_feature", feature=feature_id[:100], collection=cid)
    feature = features(hit, id_column)[0]
    url = f"{root(request)}/collections/{segment(cid)}"
    feature["links"] = [
        link(f"{url}/items/{segment(feature_id)}", "self", "application/geo+json"),
        link(url, "collection", "application/json"),
    ]
    return GeoJSONResponse(feature)


router.include_router(ogc_restricted.router)
