"""What the OGC API Features routes (public ``/ogc`` and ``/ogc/restricted``) share.

The query parameters of ``items`` are parsed and documented from one list (:data:`ITEM_PARAMS`),
so the API definition (``/ogc/api``) names exactly what the server accepts and every other
parameter is a 400 (OGC 17-069r4, /req/core/query-param-unknown).  Links are absolute, built
from the address the client asked for, and URL-encoded; the paging links of an items page are
also sent as an RFC 8288 ``Link`` header.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from geo.errors import RequestError
from geo.gpkg import now_iso
from geo.i18n import LANGS
from geo.timespan import Interval, parse_datetime
from web.features import MAX_LIMIT, parse_bbox, unknown_params

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
CRS84H = "http://www.opengis.net/def/crs/OGC/0/CRS84h"
GEOJSON = "application/geo+json"
JSON = "application/json"
OPENAPI_30 = "application/vnd.oai.openapi+json;version=3.0"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
]
DEFAULT_LIMIT = 100
FORMATS = ("json", "geojson")  # values of ?f= (GeoJSON is the only encoding)


class GeoJSONResponse(JSONResponse):
    media_type = GEOJSON


@dataclass(frozen=True)
class Param:
    """A query parameter of the items operation, as OpenAPI 3.0 describes it (form style, not exploded)."""

    name: str
    schema: dict[str, Any]
    description: str

    def openapi(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "in": "query",
            "required": False,
            "style": "form",
            "explode": False,
            "description": self.description,
            "schema": self.schema,
        }


ITEM_PARAMS = (
    Param(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
        f"At most this many features (a larger value is read as {MAX_LIMIT}).",
    ),
    Param("offset", {"type": "integer", "minimum": 0, "default": 0}, "Features to skip (the `next` links use it)."),
    Param(
        "bbox",
        {
            "type": "array",
            "oneOf": [{"minItems": 4, "maxItems": 4}, {"minItems": 6, "maxItems": 6}],
            "items": {"type": "number"},
        },
        "minx,miny,maxx,maxy in CRS84 (or six numbers with heights, which are ignored); minx > maxx "
        "crosses longitude 180. Features whose geometry intersects it.",
    ),
    Param("bbox-crs", {"type": "string", "enum": [CRS84, CRS84H]}, "CRS of bbox: CRS84 only."),
    Param("crs", {"type": "string", "enum": [CRS84]}, "CRS of the response: CRS84 only."),
    Param(
        "datetime",
        {"type": "string"},
        "An RFC 3339 instant (2019-08-17, 2019-08-17T00:00:00Z) or interval (2019-01-01/2019-12-31, "
        "../2019-12-31, 2019-01-01/..). Works: from planned_start to planned_end (a missing date is 1 January "
        "/ 31 December of `year`), stretched to include progress_date. Features without time always match.",
    ),
    Param("f", {"type": "string", "enum": list(FORMATS)}, "Encoding: GeoJSON (the only one)."),
    Param("lang", {"type": "string", "enum": list(LANGS)}, "Language of titles and error messages."),
)


@dataclass(frozen=True)
class ItemsQuery:
    bbox: tuple[float, float, float, float] | None
    when: Interval | None
    limit: int
    offset: int
    equals: dict[str, str] = field(default_factory=dict)


def items_query(request: Request, queryables: list[str], *, default_limit: int = DEFAULT_LIMIT) -> ItemsQuery:
    """The items parameters, checked: every problem a 400 naming the parameter."""
    params = request.query_params
    unknown_params(list(params), {p.name for p in ITEM_PARAMS} | set(queryables))
    for name, supported in (("crs", (CRS84,)), ("bbox-crs", (CRS84, CRS84H))):
        asked = params.get(name)
        if asked is not None and asked not in supported:
            raise RequestError("req.crs", name=name, crs=asked[:80], supported=CRS84)
    fmt = params.get("f")
    if fmt is not None and fmt.lower() not in FORMATS:
        raise RequestError("req.choice", name="f", value=fmt[:20], choices=", ".join(FORMATS))
    when = parse_datetime(params["datetime"]) if "datetime" in params else None
    return ItemsQuery(
        bbox=parse_bbox(params.get("bbox"), across_antimeridian=True),
        when=when,
        limit=min(_whole(params.get("limit"), default_limit, 1, "req.limit_ogc"), MAX_LIMIT),
        offset=_whole(params.get("offset"), 0, 0, "req.offset"),
        equals={k: v for k, v in params.items() if k in queryables},
    )


def _whole(text: str | None, default: int, least: int, code: str) -> int:
    if text is None:
        return default
    if not text.isascii() or not text.isdigit() or int(text) < least:
        raise RequestError(code, max=MAX_LIMIT)
    return int(text)


def root(request: Request, path: str = "/ogc") -> str:
    """The absolute URL of an OGC API root as this client reaches it."""
    return str(request.base_url).rstrip("/") + path


def link(href: str, rel: str, media_type: str, title: str | None = None) -> dict[str, str]:
    out = {"href": href, "rel": rel, "type": media_type}
    if title:
        out["title"] = title
    return out


def segment(value: str) -> str:
    """A collection or feature id as one URL path segment ('/', '#', '?' and spaces encoded)."""
    return quote(value, safe="")


def landing_links(request: Request, base: str, api: str) -> list[dict[str, str]]:
    return [
        link(base, "self", JSON, "this document"),
        link(api, "service-desc", OPENAPI_30, "the API definition (OpenAPI 3.0)"),
        link(root(request, "/docs"), "service-doc", "text/html", "the API documentation"),
        link(f"{base}/conformance", "conformance", JSON, "conformance classes"),
        link(f"{base}/collections", "data", JSON, "collections"),
    ]


def collection_doc(
    base: str,
    cid: str,
    title: str,
    bbox: tuple[float, float, float, float] | None,
    interval: list[str | None] | None,
    description: str | None = None,
) -> dict[str, Any]:
    """One collection's metadata: its extent (CRS84; works also in time) and its links."""
    url = f"{base}/collections/{segment(cid)}"
    extent: dict[str, Any] = {"spatial": {"bbox": [list(bbox) if bbox else [-180.0, -90.0, 180.0, 90.0]], "crs": CRS84}}
    if interval is not None:
        extent["temporal"] = {"interval": [interval], "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"}
    doc: dict[str, Any] = {"id": cid, "title": title}
    if description:
        doc["description"] = description
    doc |= {
        "itemType": "feature",
        "crs": [CRS84],
        "storageCrs": CRS84,
        "extent": extent,
        "links": [link(url, "self", JSON), link(f"{url}/items", "items", GEOJSON, title)],
    }
    return doc


def page_links(request: Request, url: str, query: ItemsQuery, matched: int) -> list[dict[str, str]]:
    """self, next and prev (the request's own parameters kept, URL-encoded) and collection."""
    keep = [(k, v) for k, v in request.query_params.multi_items() if k not in ("limit", "offset")]

    def at(rel: str, offset: int) -> dict[str, str]:
        return link(f"{url}/items?{urlencode([*keep, ('limit', query.limit), ('offset', offset)])}", rel, GEOJSON)

    links = [at("self", query.offset)]
    if query.offset + query.limit < matched:
        links.append(at("next", query.offset + query.limit))
    if query.offset > 0:
        links.append(at("prev", max(0, query.offset - query.limit)))
    links.append(link(url, "collection", JSON))
    return links


def link_header(links: list[dict[str, str]]) -> str:
    """RFC 8288 ``Link`` header of the paging links (hrefs are URL-encoded, so never hold '>')."""
    return ", ".join(f'<{x["href"]}>; rel="{x["rel"]}"; type="{x["type"]}"' for x in links)


def feature_collection(
    request: Request, url: str, query: ItemsQuery, matched: int, features: list[dict[str, Any]], **headers: str
) -> GeoJSONResponse:
    """An items page: ``timeStamp`` second (see :func:`stamped`), counts, features and links."""
    links = page_links(request, url, query, matched)
    body = {
        "type": "FeatureCollection",
        "timeStamp": now_iso(),
        "numberMatched": matched,
        "numberReturned": len(features),
        "features": features,
        "links": links,
    }
    return GeoJSONResponse(body, headers={"Content-Crs": f"<{CRS84}>", "Link": link_header(links), **headers})


_STAMP = b'{"type":"FeatureCollection","timeStamp":"'
_STAMP_LEN = len(now_iso())


def stamped(response: Response) -> Response:
    """A cached items page with the time it is sent as its ``timeStamp`` (/req/core/fc-timeStamp:
    the time the response was generated), written over the cached one in place (same length)."""
    body = bytes(response.body)
    if response.status_code == 200 and body.startswith(_STAMP):
        start = len(_STAMP)
        response.body = body[:start] + now_iso().encode() + body[start + _STAMP_LEN :]
    return response
