"""OGC API Features of restricted data, ``/ogc/restricted``: household points for planners and admins.

A whole OGC API root (landing page, API definition, conformance, collections, items with paging
links, single features), so QGIS adds it as it adds ``/ogc``: *Layer > Add Layer > Add WFS / OGC
API Features Layer*, URL ``http://HOST:PORT/ogc/restricted``, with an authentication
configuration of type *Basic* holding the user name and its API token (``petakampung user token
NAME``).  A request carries the token (Bearer, or the HTTP Basic password) or a browser session,
and sees exactly what the account may: an admin everything, a planner the kelurahan of their
kota, anyone else nothing (403).  Nothing here is cached, by us or by anyone between.
"""

from __future__ import annotations

import pandas as pd
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from fastapi.security import APIKeyCookie, HTTPBasic, HTTPBearer
from starlette.requests import HTTPConnection

from geo.accounts import User
from geo.errors import Forbidden, NotFoundError
from geo.i18n import t
from geo.layers.households import HOUSEHOLDS
from geo.places import normalize_kelurahan_code
from geo.public import filter_frame, read_in_box
from web.auth import require_api_user
from web.deps import page_lang, public_data
from web.features import features, unknown_params
from web.ogc_api import (
    CONFORMANCE,
    OPENAPI_30,
    GeoJSONResponse,
    ItemsQuery,
    collection_doc,
    feature_collection,
    items_query,
    landing_links,
    link,
    root,
    segment,
)
from web.ogc_openapi import CollectionInfo, api_document

PATH = "/ogc/restricted"
ID_COLUMN = "kk_key"
NO_STORE = {"Cache-Control": "no-store"}
WORLD = (-180.0, -90.0, 180.0, 90.0)  # read through the R-tree: only households with a point


class _Documented:
    """Puts a security scheme into ``/openapi.json``; :func:`web.auth.api_user` does the checking."""

    async def __call__(self, request: HTTPConnection) -> None:
        return None


class _Basic(_Documented, HTTPBasic):
    pass


class _Bearer(_Documented, HTTPBearer):
    pass


class _Session(_Documented, APIKeyCookie):
    pass


SECURITY = [
    Depends(_Basic(scheme_name="basic", description="user name + API token", auto_error=False)),
    Depends(_Bearer(scheme_name="bearer", description="API token", auto_error=False)),
    Depends(_Session(name="pk_session", scheme_name="session", auto_error=False)),
]
router = APIRouter(prefix="/restricted", dependencies=SECURITY)


def _reader(request: Request, *, items: bool = False) -> User:
    """The account asking, if it may read restricted data somewhere (401 without one, 403 else);
    a route other than ``items`` takes no parameter but ``f`` and ``lang``."""
    user = require_api_user(request)
    if not user.reads_restricted:
        raise Forbidden("auth.forbidden")
    if not items:
        unknown_params(list(request.query_params), {"f", "lang"})
    return user


def _households(collection_id: str) -> str:
    if collection_id != "households":
        raise NotFoundError("ogc.unknown_collection", collection=collection_id)
    return collection_id


def _codes(request: Request, user: User) -> list[str] | None:
    """The kelurahan this account may read (None: every one, for an admin)."""
    if user.is_admin:
        return None
    return [c for c in public_data(request).index()["kelurahan_code"] if user.can_read_restricted(c)]


def _queryables() -> list[str]:
    return [c.name for c in HOUSEHOLDS.columns]


@router.get("", summary="Landing page of the restricted data")
def landing(request: Request) -> JSONResponse:
    _reader(request)
    lang = page_lang(request)
    base = root(request, PATH)
    body = {
        "title": t("ogc.restricted_title", lang),
        "description": t("ogc.restricted_description", lang),
        "links": landing_links(request, base, f"{base}/api"),
    }
    return JSONResponse(body, headers=NO_STORE)


@router.get("/api", summary="The OpenAPI 3.0 definition of /ogc/restricted")
def api_definition(request: Request) -> JSONResponse:
    _reader(request)
    lang = page_lang(request)
    doc = api_document(
        base=root(request, PATH),
        title=t("ogc.restricted_title", lang),
        description=t("ogc.restricted_description", lang),
        collections=[CollectionInfo("households", t("ogc.households_title", lang), tuple(_queryables()))],
        secured=True,
    )
    return JSONResponse(doc, media_type=OPENAPI_30, headers=NO_STORE)


@router.get("/conformance", summary="Conformance classes")
def conformance(request: Request) -> JSONResponse:
    _reader(request)
    return JSONResponse({"conformsTo": CONFORMANCE}, headers=NO_STORE)


def _collection(request: Request, user: User) -> dict:
    codes = _codes(request, user)
    store = request.app.state.store
    if codes is None:
        bbox = store.extent("households")
    else:
        points = store.read("households", kelurahan=codes, columns=["kelurahan_code"]) if codes else None
        bbox = tuple(points.total_bounds) if points is not None and points.geometry.notna().any() else None
    title = t("ogc.households_title", page_lang(request))
    return collection_doc(root(request, PATH), "households", title, bbox, None)


@router.get("/collections", summary="Collections of restricted data")
def collections(request: Request) -> JSONResponse:
    user = _reader(request)
    base = root(request, PATH)
    body = {
        "links": [link(f"{base}/collections", "self", "application/json")],
        "collections": [_collection(request, user)],
    }
    return JSONResponse(body, headers=NO_STORE)


@router.get("/collections/{collection_id}", summary="One collection of restricted data")
def collection(request: Request, collection_id: str) -> JSONResponse:
    user = _reader(request)
    _households(collection_id)
    return JSONResponse(_collection(request, user), headers=NO_STORE)


@router.get(
    "/collections/{collection_id}/items",
    summary="Household points within the account's area",
    response_class=GeoJSONResponse,
)
def items(request: Request, collection_id: str) -> Response:
    """Like the public items: bbox, datetime (households have no time: every one matches),
    limit/offset with ``next`` links and a ``Link`` header, and filters on any column;
    ``kelurahan_code`` outside the account's area is 403."""
    user = _reader(request, items=True)
    cid = _households(collection_id)
    query = items_query(request, _queryables(), default_limit=1000)
    frame = _scoped(request, user, query)
    page = frame.iloc[query.offset : query.offset + query.limit]
    url = f"{root(request, PATH)}/collections/{segment(cid)}"
    return feature_collection(request, url, query, len(frame), features(page, ID_COLUMN), **NO_STORE)


def _scoped(request: Request, user: User, query: ItemsQuery) -> pd.DataFrame:
    equals = dict(query.equals)
    codes = _codes(request, user)
    if "kelurahan_code" in equals:
        code = normalize_kelurahan_code(equals.pop("kelurahan_code"))
        if not user.can_read_restricted(code):
            raise Forbidden("auth.forbidden")
        codes = [code]
    if codes == []:
        return request.app.state.store.read("households", limit=0)
    frame = read_in_box(request.app.state.store, "households", query.bbox or WORLD, kelurahan=codes)
    return filter_frame(frame, None, equals)


@router.get(
    "/collections/{collection_id}/items/{feature_id:path}",
    summary="One household",
    response_class=GeoJSONResponse,
)
def item(request: Request, collection_id: str, feature_id: str) -> GeoJSONResponse:
    user = _reader(request)
    cid = _households(collection_id)
    hit = request.app.state.store.read("households", kk_key=feature_id)
    hit = hit[hit.geometry.notna()]
    if hit.empty or not user.can_read_restricted(str(hit["kelurahan_code"].iloc[0])):
        raise NotFoundError("ogc.unknown_feature", feature=feature_id[:100], collection=cid)
    feature = features(hit, ID_COLUMN)[0]
    url = f"{root(request, PATH)}/collections/{segment(cid)}"
    feature["links"] = [
        link(f"{url}/items/{segment(feature_id)}", "self", "application/geo+json"),
        link(url, "collection", "application/json"),
    ]
    return GeoJSONResponse(feature, headers=NO_STORE)
