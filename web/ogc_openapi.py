"""The OpenAPI 3.0 definition of an OGC API Features root (``/ogc/api``, ``/ogc/restricted/api``).

FastAPI's own ``/openapi.json`` documents the whole site in OpenAPI 3.1 with one generic items
path; OGC 17-069r4 (conformance class "OpenAPI 3.0") asks for a 3.0 document, and OGC clients
(QGIS, the OGC test suite) read from it which parameters each collection's items accept.  So
each collection gets its own paths here, with its property filters spelled out, every status
code the routes answer, the OGC exception schema and, for the restricted root, the security
schemes.  The schemas follow the OGC's own (``core/openapi/schemas`` of the standard).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from geo.i18n import LANGS
from web.ogc_api import CRS84, GEOJSON, ITEM_PARAMS, JSON, OPENAPI_30, Param


@dataclass(frozen=True)
class CollectionInfo:
    id: str
    title: str
    queryables: tuple[str, ...]


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


LINK = {
    "type": "object",
    "required": ["href", "rel"],
    "properties": {k: {"type": "string"} for k in ("href", "rel", "type", "hreflang", "title")},
}
LINKS = {"type": "array", "items": _ref("link")}
GEOMETRY = {
    "type": "object",
    "nullable": True,
    "required": ["type"],
    "properties": {
        "type": {
            "type": "string",
            "enum": [
                "Point",
                "MultiPoint",
                "LineString",
                "MultiLineString",
                "Polygon",
                "MultiPolygon",
                "GeometryCollection",
            ],
        },
        "coordinates": {"type": "array"},
        "geometries": {"type": "array"},
    },
}
FEATURE = {
    "type": "object",
    "required": ["type", "geometry", "properties"],
    "properties": {
        "type": {"type": "string", "enum": ["Feature"]},
        "id": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
        "geometry": _ref("geometryGeoJSON"),
        "properties": {"type": "object", "nullable": True},
        "links": LINKS,
    },
}
FEATURES = {
    "type": "object",
    "required": ["type", "features"],
    "properties": {
        "type": {"type": "string", "enum": ["FeatureCollection"]},
        "features": {"type": "array", "items": _ref("featureGeoJSON")},
        "links": LINKS,
        "timeStamp": {"type": "string", "format": "date-time"},
        "numberMatched": {"type": "integer", "minimum": 0},
        "numberReturned": {"type": "integer", "minimum": 0},
    },
}
EXTENT = {
    "type": "object",
    "properties": {
        "spatial": {
            "type": "object",
            "properties": {
                "bbox": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "array",
                        "oneOf": [{"minItems": 4, "maxItems": 4}, {"minItems": 6, "maxItems": 6}],
                        "items": {"type": "number"},
                    },
                },
                "crs": {"type": "string", "enum": [CRS84]},
            },
        },
        "temporal": {
            "type": "object",
            "properties": {
                "interval": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "array",
                        "minItems": 2,
                        "maxItems": 2,
                        "items": {"type": "string", "format": "date-time", "nullable": True},
                    },
                },
                "trs": {"type": "string"},
            },
        },
    },
}
COLLECTION = {
    "type": "object",
    "required": ["id", "links"],
    "properties": {
        "id": {"type": "string"},
        "title": {"type": "string"},
        "description": {"type": "string"},
        "links": LINKS,
        "extent": _ref("extent"),
        "itemType": {"type": "string", "default": "feature"},
        "crs": {"type": "array", "items": {"type": "string"}},
        "storageCrs": {"type": "string"},
    },
}
SCHEMAS = {
    "exception": {
        "type": "object",
        "required": ["code"],
        "properties": {"code": {"type": "string"}, "description": {"type": "string"}},
    },
    "link": LINK,
    "landingPage": {
        "type": "object",
        "required": ["links"],
        "properties": {"title": {"type": "string"}, "description": {"type": "string"}, "links": LINKS},
    },
    "confClasses": {
        "type": "object",
        "required": ["conformsTo"],
        "properties": {"conformsTo": {"type": "array", "items": {"type": "string"}}},
    },
    "collections": {
        "type": "object",
        "required": ["links", "collections"],
        "properties": {"links": LINKS, "collections": {"type": "array", "items": _ref("collection")}},
    },
    "collection": COLLECTION,
    "extent": EXTENT,
    "geometryGeoJSON": GEOMETRY,
    "featureGeoJSON": FEATURE,
    "featureCollectionGeoJSON": FEATURES,
}
ERRORS = {
    "400": "A query parameter has an invalid value, or is not one this operation accepts.",
    "401": "No API token or session, or a wrong one (see WWW-Authenticate).",
    "403": "This account may not read restricted data, or not of this area.",
    "404": "No such collection or feature.",
    "429": "Too many wrong tokens or passwords from this address: wait and try again.",
    "500": "An error in the server (never a trace).",
    "503": "Too many large requests at once: try again after Retry-After seconds.",
}
LANG = Param("lang", {"type": "string", "enum": list(LANGS)}, "Language of titles and error messages.")
SECURITY_SCHEMES = {
    "basic": {"type": "http", "scheme": "basic", "description": "The user name and its API token as the password."},
    "bearer": {"type": "http", "scheme": "bearer", "description": "`Authorization: Bearer <API token>`."},
    "session": {"type": "apiKey", "in": "cookie", "name": "pk_session", "description": "A logged-in browser."},
}


def _operation(summary: str, schema: dict[str, Any], media_type: str, errors: list[str], params: list) -> dict:
    responses: dict[str, Any] = {"200": {"description": summary, "content": {media_type: {"schema": schema}}}}
    for status in sorted(errors):
        responses[status] = {"description": ERRORS[status], "content": {JSON: {"schema": _ref("exception")}}}
    return {"summary": summary, "parameters": params, "responses": responses}


def api_document(
    *, base: str, title: str, description: str, collections: list[CollectionInfo], secured: bool
) -> dict[str, Any]:
    """The OpenAPI 3.0 document of the OGC API Features root at ``base``."""
    fail = ["400", "500", *(["401", "403", "429"] if secured else [])]
    lang = [LANG.openapi()]

    def get(summary: str, schema: str, media_type: str = JSON, params: list = lang, more: tuple = ()) -> dict:
        return {"get": _operation(summary, _ref(schema), media_type, [*fail, *more], params)}

    paths: dict[str, Any] = {
        "/": get("Landing page", "landingPage"),
        "/api": {"get": _operation("This API definition", {"type": "object"}, OPENAPI_30, fail, lang)},
        "/conformance": get("Conformance classes", "confClasses"),
        "/collections": get("Collections", "collections"),
    }
    feature_id = {"name": "featureId", "in": "path", "required": True, "schema": {"type": "string"}}
    for c in collections:
        url = f"/collections/{c.id}"
        filters = [
            Param(name, {"type": "string"}, f"Features whose `{name}` equals this value.").openapi()
            for name in c.queryables
        ]
        paths[url] = get(f"{c.title}: metadata", "collection", more=("404",))
        paths[f"{url}/items"] = get(
            f"{c.title}: features",
            "featureCollectionGeoJSON",
            GEOJSON,
            [p.openapi() for p in ITEM_PARAMS] + filters,
            ("404", "503"),
        )
        paths[f"{url}/items/{{featureId}}"] = get(
            f"{c.title}: one feature", "featureGeoJSON", GEOJSON, [feature_id, *lang], ("404",)
        )
    doc: dict[str, Any] = {
        "openapi": "3.0.3",
        "info": {"title": title, "description": description, "version": "1.0.0"},
        "servers": [{"url": base}],
        "paths": paths,
        "components": {"schemas": SCHEMAS},
    }
    if secured:
        doc["components"]["securitySchemes"] = SECURITY_SCHEMES
        doc["security"] = [{name: []} for name in SECURITY_SCHEMES]
    return doc
