"""OGC API Features Part 1 (OGC 17-069r4): every requirement of the classes "Core", "GeoJSON" and
"OpenAPI 3.0", walked on both roots, the public ``/ogc`` and the restricted ``/ogc/restricted``
(with an admin's API token).  Each check is named by its requirement id; a test also fails when a
requirement of those classes has no check.

The OGC's executable test suite (ets-ogcapi-features10) is a Java TEAM Engine jar from Maven
Central, which this machine cannot reach; these checks follow its abstract tests (and what it
sends: a random unknown parameter, ``limit=unlimited``, a box across longitude 180, a start with
a duration) so that a run of it elsewhere meets no surprise.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
import shapely
from fastapi.testclient import TestClient
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate as validate_openapi
from shapely.geometry import shape

from geo.store import open_store
from tests.conftest import HASH_KEY, PASSWORD, location_of
from web.app import create_app

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
GEOJSON = "application/geo+json"
OPENAPI_30 = "application/vnd.oai.openapi+json;version=3.0"
CLASSES = {
    "core": "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "geojson": "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "oas30": "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
}
# every requirement of the three classes, as OGC 17-069r4 numbers them (clauses 7, 8.3 and 9)
CORE = (
    "root-op root-success api-definition-op api-definition-success conformance-op conformance-success http "
    "query-param-unknown query-param-invalid crs84 fc-md-op fc-md-success fc-md-links fc-md-items fc-md-items-links "
    "fc-md-extent fc-md-extent-multi sfc-md-op sfc-md-success fc-op fc-limit-definition fc-limit-response-1 "
    "fc-bbox-definition fc-bbox-response fc-time-definition fc-time-response fc-response fc-links fc-rel-type "
    "fc-timeStamp fc-numberMatched fc-numberReturned f-op f-success f-links"
)
OAS30 = "oas-definition-1 oas-definition-2 oas-impl completeness exceptions-codes security"
REQUIREMENT_IDS = [
    *(f"/req/core/{name}" for name in CORE.split(" ")),
    "/req/geojson/definition",
    "/req/geojson/content",
    *(f"/req/oas30/{name}" for name in OAS30.split(" ")),
]


@dataclass
class Api:
    """One OGC API root as a client sees it."""

    client: TestClient
    root: str
    headers: dict[str, str] = field(default_factory=dict)
    secured: bool = False
    scale: int = 1  # pages this many times larger: walking 3,000 households 5 at a time proves nothing more

    def page(self, size: int) -> int:
        """A page size that still gives several pages (the restricted layer holds thousands)."""
        return size * self.scale

    def get(self, url: str, **kwargs: Any):
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return self.client.get(url, headers=headers, **kwargs)

    def json(self, url: str, **params: Any) -> dict:
        r = self.get(url, params=params or None)
        assert r.status_code == 200, (url, r.status_code, r.text[:300])
        return r.json()

    @cached_property
    def landing(self) -> dict:
        return self.json(self.root)

    @cached_property
    def doc(self) -> dict:
        return self.json(href(self.landing, "service-desc"))

    @cached_property
    def collections(self) -> list[dict]:
        return self.json(f"{self.root}/collections")["collections"]

    def items_url(self, collection: dict) -> str:
        return href(collection, "items")

    def all_features(self, url: str, **params: Any) -> tuple[list[dict], list[dict]]:
        """Every feature, following ``next`` links; and every page."""
        pages, features = [], []
        next_url: str | None = url
        first = True
        while next_url:
            body = self.json(next_url, **(params if first else {}))
            first = False
            pages.append(body)
            features += body["features"]
            next_url = href(body, "next", required=False)
        return features, pages


def href(doc: dict, rel: str, *, required: bool = True) -> str | None:
    found = [link["href"] for link in doc.get("links", []) if link["rel"] == rel]
    assert found or not required, f"no '{rel}' link in {doc.get('links')}"
    return found[0] if found else None


@pytest.fixture(scope="module")
def apps(backend, demo_source, tmp_path_factory) -> Iterator[dict[str, Api]]:
    """Both roots on one private copy of the demo store (either backend), with an admin's token."""
    from geo.accounts import add_user
    from geo.tokens import new_token

    location = backend.copy(demo_source, name="ogc")
    add_user(open_store(location), "admin", PASSWORD, "admin")
    token = new_token(open_store(location), "admin")
    settings = backend.settings(location, tmp_path_factory.mktemp("ogc"), hash_key=HASH_KEY.decode(), secret_key="k")
    client = TestClient(create_app(settings))
    yield {
        "public": Api(client, "/ogc"),
        "restricted": Api(client, "/ogc/restricted", {"Authorization": f"Bearer {token}"}, secured=True, scale=150),
    }
    client.close()
    backend.drop(location)


CHECKS: dict[str, Callable[[Api], None]] = {}


def requirement(rid: str) -> Callable[[Callable[[Api], None]], Callable[[Api], None]]:
    def register(check: Callable[[Api], None]) -> Callable[[Api], None]:
        CHECKS[rid] = check
        return check

    return register


def schema_check(api: Api, name: str, body: Any) -> None:
    """``body`` is valid against the API definition's component schema ``name`` (OpenAPI 3.0 rules)."""
    validator = OAS30Validator({"$ref": f"#/components/schemas/{name}", "components": api.doc["components"]})
    errors = [e.message for e in validator.iter_errors(body)]
    assert not errors, (name, errors[:3])


def items_operations(api: Api) -> Iterator[tuple[str, dict]]:
    for path, item in api.doc["paths"].items():
        if path.endswith("/items"):
            yield path, item["get"]


def param(operation: dict, name: str) -> dict:
    return next(p for p in operation["parameters"] if p["name"] == name)


# --- landing page, API definition, conformance -------------------------------------------------------------
@requirement("/req/core/root-op")
def root_op(api: Api) -> None:
    assert api.get(api.root).status_code == 200


@requirement("/req/core/root-success")
def root_success(api: Api) -> None:
    schema_check(api, "landingPage", api.landing)
    rels = {link["rel"] for link in api.landing["links"]}
    assert {"service-desc", "service-doc", "conformance", "data"} <= rels
    assert href(api.landing, "conformance").endswith(f"{api.root}/conformance")
    assert href(api.landing, "data").endswith(f"{api.root}/collections")


@requirement("/req/core/api-definition-op")
def api_definition_op(api: Api) -> None:
    for rel in ("service-desc", "service-doc"):
        assert api.get(href(api.landing, rel)).status_code == 200, rel


@requirement("/req/core/api-definition-success")
def api_definition_success(api: Api) -> None:
    for link in api.landing["links"]:
        if link["rel"] in ("service-desc", "service-doc"):
            r = api.get(link["href"], headers={"Accept": link["type"]})
            answered = {part.strip() for part in r.headers["content-type"].split(";")}
            assert {part.strip() for part in link["type"].split(";")} <= answered, link  # charset may come too
    assert api.doc["openapi"].startswith("3.0.")


@requirement("/req/core/conformance-op")
def conformance_op(api: Api) -> None:
    assert api.get(f"{api.root}/conformance").status_code == 200


@requirement("/req/core/conformance-success")
def conformance_success(api: Api) -> None:
    body = api.json(href(api.landing, "conformance"))
    schema_check(api, "confClasses", body)
    assert set(CLASSES.values()) <= set(body["conformsTo"])


@requirement("/req/core/http")
def http(api: Api) -> None:
    """HTTP/1.1 as clients lean on it: HEAD answers as GET without a body, an unsupported method
    is 405 with Allow, and every answer says its media type."""
    urls = [api.root, f"{api.root}/collections", api.items_url(api.collections[0])]
    for url in urls:
        got, head = api.get(url), api.client.head(url, headers=api.headers)
        assert (head.status_code, head.headers["content-type"]) == (got.status_code, got.headers["content-type"])
        assert head.content == b""
    refused = api.client.post(urls[-1], headers=api.headers)
    assert refused.status_code == 405
    assert "GET" in refused.headers["allow"]


@requirement("/req/core/query-param-unknown")
def query_param_unknown(api: Api) -> None:
    collection = api.collections[0]
    feature = api.json(api.items_url(collection), limit=1)["features"][0]
    urls = [
        api.root,
        f"{api.root}/conformance",
        f"{api.root}/collections",
        href(collection, "self"),
        api.items_url(collection),
        f"{api.items_url(collection)}/{quote(str(feature['id']), safe='')}",
    ]
    for url in urls:
        r = api.get(url, params={"unknownQueryParameter": "1"})
        assert r.status_code == 400, url
        assert r.json()["code"] == "req.param"
        assert "unknownQueryParameter" in r.json()["description"]


INVALID = [
    {"limit": "unlimited"},
    {"limit": "0"},
    {"limit": "-5"},
    {"limit": "1.5"},
    {"offset": "-1"},
    {"bbox": "1,2,3"},
    {"bbox": "a,b,c,d"},
    {"bbox": "1,2,3,4,5"},
    {"bbox": "105,-5,106,-6"},
    {"bbox": "105,-6,10,106,-5,0"},
    {"bbox": "105,-6,200,-5"},
    {"bbox-crs": "http://www.opengis.net/def/crs/EPSG/0/4326"},
    {"crs": "http://www.opengis.net/def/crs/EPSG/0/32748"},
    {"datetime": "2019-13-01"},
    {"datetime": "2019"},
    {"datetime": "2019-08-17T00:00:00"},
    {"datetime": "2020-01-01/2019-01-01"},
    {"datetime": "../.."},
    {"datetime": "2019-01-01/2019-02-01/2019-03-01"},
    {"f": "html"},
]


@requirement("/req/core/query-param-invalid")
def query_param_invalid(api: Api) -> None:
    url = api.items_url(api.collections[0])
    for params in INVALID:
        r = api.get(url, params=params)
        assert r.status_code == 400, params
        assert set(r.json()) == {"code", "description"}
        assert next(iter(params)) in r.json()["description"], (params, r.json())  # it names the parameter


@requirement("/req/core/crs84")
def crs84(api: Api) -> None:
    for collection in api.collections:
        r = api.get(api.items_url(collection), params={"limit": 10_000})
        assert r.headers["content-crs"] == f"<{CRS84}>"
        for feature in r.json()["features"]:
            if feature["geometry"] is None:
                continue
            x0, y0, x1, y1 = shape(feature["geometry"]).bounds
            assert 95 < x0 <= x1 < 141, (collection["id"], feature["id"])  # longitude first: Indonesia
            assert -11 < y0 <= y1 < 6, (collection["id"], feature["id"])


# --- collections ------------------------------------------------------------------------------------------
@requirement("/req/core/fc-md-op")
def fc_md_op(api: Api) -> None:
    assert api.get(f"{api.root}/collections").status_code == 200


@requirement("/req/core/fc-md-success")
def fc_md_success(api: Api) -> None:
    schema_check(api, "collections", api.json(f"{api.root}/collections"))


@requirement("/req/core/fc-md-links")
def fc_md_links(api: Api) -> None:
    body = api.json(f"{api.root}/collections")
    assert href(body, "self").endswith(f"{api.root}/collections")
    assert all({"rel", "type", "href"} <= set(link) for link in body["links"])


@requirement("/req/core/fc-md-items")
def fc_md_items(api: Api) -> None:
    from geo.public import COLLECTIONS

    expected = ["households"] if api.secured else list(COLLECTIONS)
    assert [c["id"] for c in api.collections] == expected


@requirement("/req/core/fc-md-items-links")
def fc_md_items_links(api: Api) -> None:
    for collection in api.collections:
        items = [link for link in collection["links"] if link["rel"] == "items"]
        assert [link["type"] for link in items] == [GEOJSON]
        assert all({"rel", "type", "href"} <= set(link) for link in collection["links"])


def work_days(props: dict) -> tuple[date, date] | None:
    """The documented time of a work, computed here independently: planned dates, else the fiscal
    year, stretched to the latest progress record."""
    year = props.get("year")
    start = date.fromisoformat(props["planned_start"]) if props.get("planned_start") else None
    end = date.fromisoformat(props["planned_end"]) if props.get("planned_end") else None
    start = start or (date(year, 1, 1) if year else end)
    end = end or (date(year, 12, 31) if year else start)
    if props.get("progress_date"):
        progress = date.fromisoformat(props["progress_date"])
        start, end = min(start or progress, progress), max(end or progress, progress)
    return (start, end) if start else None


@requirement("/req/core/fc-md-extent")
def fc_md_extent(api: Api) -> None:
    for collection in api.collections:
        box = shapely.box(*collection["extent"]["spatial"]["bbox"][0])
        features, _ = api.all_features(api.items_url(collection), limit=10_000)
        assert features, collection["id"]
        for feature in features:
            assert box.covers(shape(feature["geometry"])), (collection["id"], feature["id"])
        temporal = collection["extent"].get("temporal")
        if collection["id"] == "works":
            first, last = (datetime.fromisoformat(t).date() for t in temporal["interval"][0])
            for feature in features:
                start, end = work_days(feature["properties"])
                assert first <= start <= end <= last, feature["id"]
        else:
            assert temporal is None, collection["id"]  # no time: no temporal extent


@requirement("/req/core/fc-md-extent-multi")
def fc_md_extent_multi(api: Api) -> None:
    """One bounding box and one interval each: the first describes every feature (checked in
    fc-md-extent), and there are no others that a feature would have to fall in."""
    for collection in api.collections:
        assert len(collection["extent"]["spatial"]["bbox"]) == 1
        assert len(collection["extent"].get("temporal", {"interval": [None]})["interval"]) == 1


@requirement("/req/core/sfc-md-op")
def sfc_md_op(api: Api) -> None:
    for collection in api.collections:
        assert api.get(href(collection, "self")).status_code == 200


@requirement("/req/core/sfc-md-success")
def sfc_md_success(api: Api) -> None:
    for collection in api.collections:
        one = api.json(href(collection, "self"))
        schema_check(api, "collection", one)
        for key in ("id", "title", "description", "extent", "itemType"):
            assert one.get(key) == collection.get(key), (collection["id"], key)
        assert all(link in one["links"] for link in collection["links"])


# --- features -----------------------------------------------------------------------------------------------
@requirement("/req/core/fc-op")
def fc_op(api: Api) -> None:
    for collection in api.collections:
        assert api.get(api.items_url(collection)).status_code == 200


@requirement("/req/core/fc-limit-definition")
def fc_limit_definition(api: Api) -> None:
    for path, operation in items_operations(api):
        limit = param(operation, "limit")
        assert (limit["in"], limit["required"], limit["style"], limit["explode"]) == ("query", False, "form", False)
        assert limit["schema"]["type"] == "integer"
        assert (limit["schema"]["minimum"], limit["schema"]["maximum"]) == (1, 10_000), path
        assert 1 <= limit["schema"]["default"] <= 10_000


@requirement("/req/core/fc-limit-response-1")
def fc_limit_response_1(api: Api) -> None:
    for collection in api.collections:
        url = api.items_url(collection)
        assert len(api.json(url, limit=5)["features"]) <= 5
        above = api.get(url, params={"limit": 100_000})
        assert above.status_code == 200  # above the maximum: the maximum, not an error
        assert len(above.json()["features"]) <= 10_000
        assert "limit=10000" in href(above.json(), "self")


def bbox_cases(collection: dict) -> list[str]:
    x0, y0, x1, y1 = collection["extent"]["spatial"]["bbox"][0]
    mx, my = (x0 + x1) / 2, (y0 + y1) / 2
    return [f"{x0},{y0},{mx},{my}", f"{mx},{my},{x1},{y1}", f"{x0},{y0},-100,{mx},{y1},100", "177,65,-177,70"]


@requirement("/req/core/fc-bbox-definition")
def fc_bbox_definition(api: Api) -> None:
    for _, operation in items_operations(api):
        bbox = param(operation, "bbox")
        assert (bbox["in"], bbox["required"], bbox["style"], bbox["explode"]) == ("query", False, "form", False)
        assert bbox["schema"]["type"] == "array"
        assert bbox["schema"]["items"] == {"type": "number"}
        assert {(o["minItems"], o["maxItems"]) for o in bbox["schema"]["oneOf"]} == {(4, 4), (6, 6)}
        crs = param(operation, "bbox-crs")
        assert CRS84 in crs["schema"]["enum"]


@requirement("/req/core/fc-bbox-response")
def fc_bbox_response(api: Api) -> None:
    """Exactly the features whose geometry meets the box, for halves of the extent, the six-number
    form (heights ignored) and a box across longitude 180 (none here)."""
    for collection in api.collections:
        url = api.items_url(collection)
        everything, _ = api.all_features(url, limit=10_000)
        for case in bbox_cases(collection):
            numbers = [float(v) for v in case.split(",")]
            x0, y0, x1, y1 = numbers if len(numbers) == 4 else [numbers[i] for i in (0, 1, 3, 4)]
            parts = [(x0, x1)] if x0 <= x1 else [(x0, 180), (-180, x1)]  # across longitude 180: two boxes
            area = shapely.union_all([shapely.box(a, y0, b, y1) for a, b in parts])
            expected = {f["id"] for f in everything if shape(f["geometry"]).intersects(area)}
            got, pages = api.all_features(url, bbox=case, limit=api.page(7))
            assert sorted(f["id"] for f in got) == sorted(expected), (collection["id"], case)
            assert pages[0]["numberMatched"] == len(expected)
            got_crs, _ = api.all_features(url, bbox=case, limit=10_000, **{"bbox-crs": CRS84})
            assert len(got_crs) == len(expected)


@requirement("/req/core/fc-time-definition")
def fc_time_definition(api: Api) -> None:
    for _, operation in items_operations(api):
        when = param(operation, "datetime")
        assert (when["in"], when["required"], when["style"], when["explode"]) == ("query", False, "form", False)
        assert when["schema"]["type"] == "string"


DATETIMES = {  # the parameter -> the days it covers (first, last; None: open), UTC
    "2019-08-17": (date(2019, 8, 17), date(2019, 8, 17)),
    "2019-08-17T00:00:00Z": (date(2019, 8, 17), date(2019, 8, 17)),
    "2024-09-27T23:59:59Z": (date(2024, 9, 27), date(2024, 9, 27)),
    "2024-09-28T00:00:00Z": (date(2024, 9, 28), date(2024, 9, 28)),
    "2019-07-01T06:00:00+07:00": (date(2019, 6, 30), date(2019, 6, 30)),  # 23:00 UTC the day before
    "2019-01-01/2019-12-31": (date(2019, 1, 1), date(2019, 12, 31)),
    "2019-01-01T00:00:00Z/2019-06-30T23:59:59Z": (date(2019, 1, 1), date(2019, 6, 30)),
    "../2019-12-31": (None, date(2019, 12, 31)),
    "/2019-12-31": (None, date(2019, 12, 31)),
    "2026-01-01/..": (date(2026, 1, 1), None),
    "2026-01-01/": (date(2026, 1, 1), None),
    "2027-04-30": (date(2027, 4, 30), date(2027, 4, 30)),
    "2027-05-01": (date(2027, 5, 1), date(2027, 5, 1)),
    "2019-07-01/P2D": (date(2019, 7, 1), date(2019, 7, 2)),  # what the OGC test suite sends
}


def meets(days: tuple[date, date] | None, first: date | None, last: date | None) -> bool:
    if days is None:
        return True
    return (last is None or days[0] <= last) and (first is None or days[1] >= first)


@requirement("/req/core/fc-time-response")
def fc_time_response(api: Api) -> None:
    """Works: exactly those whose documented time meets the value (instants, intervals, open
    ends, offsets); every other collection has no time, so every feature matches."""
    for collection in api.collections:
        url = api.items_url(collection)
        everything, _ = api.all_features(url, limit=10_000)
        for value, (first, last) in DATETIMES.items():
            got, pages = api.all_features(url, datetime=value, limit=api.page(5))
            if collection["id"] == "works":
                expected = {f["id"] for f in everything if meets(work_days(f["properties"]), first, last)}
            else:
                expected = {f["id"] for f in everything}
            assert {f["id"] for f in got} == expected, (collection["id"], value)
            assert pages[0]["numberMatched"] == len(expected)
    if not api.secured:
        works = next(c for c in api.collections if c["id"] == "works")
        counts = {v: api.json(api.items_url(works), datetime=v)["numberMatched"] for v in DATETIMES}
        assert len(set(counts.values())) > 3, counts  # the cases do tell works apart


@requirement("/req/core/fc-response")
def fc_response(api: Api) -> None:
    for collection in api.collections:
        body = api.json(api.items_url(collection), limit=3)
        assert body["type"] == "FeatureCollection"
        assert isinstance(body["features"], list)
        schema_check(api, "featureCollectionGeoJSON", body)
    key, value = ("decile", "1") if api.secured else ("status", "selesai")
    url = api.items_url(api.collections[-1] if api.secured else next(c for c in api.collections if c["id"] == "works"))
    selected, _ = api.all_features(url, **{key: value, "limit": api.page(3)})
    assert selected
    assert {str(f["properties"][key]) for f in selected} == {value}  # only what was asked for


@requirement("/req/core/fc-links")
def fc_links(api: Api) -> None:
    for collection in api.collections:
        url = api.items_url(collection)
        _, pages = api.all_features(url, limit=api.page(4))
        for number, page in enumerate(pages):
            rels = [link["rel"] for link in page["links"]]
            assert rels.count("self") == 1
            assert ("next" in rels) == (number < len(pages) - 1)
            assert ("prev" in rels) == (number > 0)
            again = api.json(href(page, "self"))  # self names this very page
            assert [f["id"] for f in again["features"]] == [f["id"] for f in page["features"]]


@requirement("/req/core/fc-rel-type")
def fc_rel_type(api: Api) -> None:
    for collection in api.collections:
        _, pages = api.all_features(api.items_url(collection), limit=api.page(4))
        for page in pages:
            assert all(link.get("rel") and link.get("type") for link in page["links"])


def parse_stamp(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@requirement("/req/core/fc-timeStamp")
def fc_timestamp(api: Api) -> None:
    """The time the response was made, on a page served from the cache too."""
    url = api.items_url(api.collections[0])
    for _ in range(2):
        before = datetime.now(UTC) - timedelta(milliseconds=1)
        body = api.json(url, limit=2)
        after = datetime.now(UTC) + timedelta(milliseconds=1)
        assert before <= parse_stamp(body["timeStamp"]) <= after
        time.sleep(0.01)


@requirement("/req/core/fc-numberMatched")
def fc_number_matched(api: Api) -> None:
    for collection in api.collections:
        url = api.items_url(collection)
        for params in ({}, {"bbox": bbox_cases(collection)[0]}, {"datetime": "2019-01-01/2019-12-31"}):
            features, pages = api.all_features(url, limit=api.page(6), **params)
            assert {p["numberMatched"] for p in pages} == {len(features)}, (collection["id"], params)


@requirement("/req/core/fc-numberReturned")
def fc_number_returned(api: Api) -> None:
    for collection in api.collections:
        _, pages = api.all_features(api.items_url(collection), limit=api.page(6))
        assert all(p["numberReturned"] == len(p["features"]) for p in pages)


@requirement("/req/core/f-op")
def f_op(api: Api) -> None:
    for collection in api.collections:
        for feature in api.json(api.items_url(collection), limit=3)["features"]:
            r = api.get(f"{api.items_url(collection)}/{quote(str(feature['id']), safe='')}")
            assert r.status_code == 200, (collection["id"], feature["id"])


@requirement("/req/core/f-success")
def f_success(api: Api) -> None:
    collection = api.collections[0]
    feature = api.json(api.items_url(collection), limit=1)["features"][0]
    one = api.get(f"{api.items_url(collection)}/{quote(str(feature['id']), safe='')}")
    assert one.status_code == 200
    assert one.json()["properties"] == feature["properties"]
    assert api.get(f"{api.items_url(collection)}/no-such-feature").status_code == 404


@requirement("/req/core/f-links")
def f_links(api: Api) -> None:
    for collection in api.collections:
        feature = api.json(api.items_url(collection), limit=1)["features"][0]
        url = f"{api.items_url(collection)}/{quote(str(feature['id']), safe='')}"
        one = api.json(url)
        assert href(one, "self").endswith(urlsplit(url).path)
        assert href(one, "collection") == href(collection, "self")
        assert all(link.get("rel") and link.get("type") for link in one["links"])


# --- GeoJSON -----------------------------------------------------------------------------------------------
@requirement("/req/geojson/definition")
def geojson_definition(api: Api) -> None:
    collection = api.collections[0]
    items = api.get(api.items_url(collection), params={"limit": 1})
    feature_id = quote(str(items.json()["features"][0]["id"]), safe="")
    assert items.headers["content-type"] == GEOJSON
    assert api.get(f"{api.items_url(collection)}/{feature_id}").headers["content-type"] == GEOJSON
    for url in (api.root, f"{api.root}/conformance", f"{api.root}/collections", href(collection, "self")):
        assert api.get(url).headers["content-type"] == "application/json", url


@requirement("/req/geojson/content")
def geojson_content(api: Api) -> None:
    for collection in api.collections:
        page = api.json(api.items_url(collection), limit=2)
        for feature in page["features"]:
            one = api.json(f"{api.items_url(collection)}/{quote(str(feature['id']), safe='')}")
            assert one["type"] == "Feature"
            assert one["id"] == feature["id"]  # the id is the featureId of the path
            schema_check(api, "featureGeoJSON", one)
            assert isinstance(one["links"], list)
        assert isinstance(page["links"], list)


# --- OpenAPI 3.0 -------------------------------------------------------------------------------------------
@requirement("/req/oas30/oas-definition-1")
def oas_definition_1(api: Api) -> None:
    types = {(link["rel"], link["type"]) for link in api.landing["links"]}
    assert ("service-desc", OPENAPI_30) in types
    assert ("service-doc", "text/html") in types


@requirement("/req/oas30/oas-definition-2")
def oas_definition_2(api: Api) -> None:
    validate_openapi(api.doc)  # the OpenAPI 3.0 schema itself (openapi-spec-validator)
    assert api.doc["openapi"].startswith("3.0.")


def sample_values(api: Api, collection: dict) -> dict[str, str]:
    """A valid value for every query parameter the API definition gives this collection's items."""
    feature = api.json(api.items_url(collection), limit=1)["features"][0]
    values = {
        "limit": "3",
        "offset": "0",
        "bbox": bbox_cases(collection)[0],
        "bbox-crs": CRS84,
        "crs": CRS84,
        "datetime": "2019-01-01/..",
        "f": "json",
        "lang": "en",
    }
    for key, value in feature["properties"].items():
        if value is not None:
            values[key] = str(value)
    return values


@requirement("/req/oas30/oas-impl")
def oas_impl(api: Api) -> None:
    """Every path of the definition answers, with every parameter it documents."""
    base = api.doc["servers"][0]["url"]
    for path, item in api.doc["paths"].items():
        cid = path.split("/")[2] if path.startswith("/collections/") else None
        collection = next((c for c in api.collections if c["id"] == cid), None)
        url = base + path
        if "{featureId}" in path:
            feature = api.json(api.items_url(collection), limit=1)["features"][0]
            url = url.replace("{featureId}", quote(str(feature["id"]), safe=""))
        values = sample_values(api, collection) if collection and path.endswith("/items") else {"lang": "en"}
        for p in item["get"]["parameters"]:
            if p["in"] == "query":
                r = api.get(url, params={p["name"]: values.get(p["name"], "x")})
                assert r.status_code == 200, (path, p["name"], r.text[:200])
        assert api.get(url).status_code == 200, path


def documented(api: Api, path: str) -> set[str]:
    return set(api.doc["paths"][path]["get"]["responses"])


@requirement("/req/oas30/completeness")
def completeness(api: Api) -> None:
    """The status codes the server answers each operation with are in its definition."""
    collection = api.collections[0]
    path = f"/collections/{collection['id']}/items"
    url = api.items_url(collection)
    answered = {
        str(api.get(url).status_code),
        str(api.get(url, params={"limit": "unlimited"}).status_code),
        str(api.get(f"{url}/no-such-feature").status_code),
    }
    if api.secured:
        answered.add(str(api.client.get(url).status_code))  # no token
    assert answered <= documented(api, path) | documented(api, path + "/{featureId}"), answered
    for path_item in api.doc["paths"].values():
        for status, response in path_item["get"]["responses"].items():
            assert response["description"], status
            assert response["content"], status


@requirement("/req/oas30/exceptions-codes")
def exception_codes(api: Api) -> None:
    for path_item in api.doc["paths"].values():
        for status, response in path_item["get"]["responses"].items():
            if status != "200":
                assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/exception"}
    url = api.items_url(api.collections[0])
    for r in (api.get(url, params={"limit": "0"}), api.get(f"{url}/no-such-feature")):
        schema_check(api, "exception", r.json())


@requirement("/req/oas30/security")
def security(api: Api) -> None:
    schemes = api.doc["components"].get("securitySchemes", {})
    if api.secured:
        assert {s["scheme"] for s in schemes.values() if s["type"] == "http"} == {"basic", "bearer"}
        assert api.doc["security"]
        assert api.client.get(api.root).status_code == 401
    else:
        assert not schemes
        assert "security" not in api.doc


def test_every_requirement_has_a_check() -> None:
    assert sorted(CHECKS) == sorted(REQUIREMENT_IDS)


@pytest.mark.parametrize("rid", REQUIREMENT_IDS)
@pytest.mark.parametrize("root", ["public", "restricted"])
def test_requirement(apps: dict[str, Api], root: str, rid: str) -> None:
    CHECKS[rid](apps[root])


# --- beyond the requirement list: Link headers, encoded links, one error shape ----------------------------------
def link_header(value: str) -> dict[str, str]:
    out = {}
    for part in value.split(", <"):
        target, *attrs = part.strip().lstrip("<").split(";")
        rel = next(a.split("=", 1)[1].strip('"') for a in attrs if a.strip().startswith("rel="))
        out[rel] = target.rstrip(">")
    return out


@pytest.mark.parametrize("root", ["public", "restricted"])
def test_items_pages_carry_link_headers(apps: dict[str, Api], root: str) -> None:
    api = apps[root]
    collection = api.collections[-1]
    _, pages = api.all_features(api.items_url(collection), limit=api.page(3))
    assert len(pages) > 2
    for page in (pages[0], pages[1], pages[-1]):
        r = api.get(href(page, "self"))
        header = link_header(r.headers["link"])
        body = {link["rel"]: link["href"] for link in r.json()["links"]}
        assert header == body
        assert {"self", "collection"} <= set(header)


def test_every_link_is_url_encoded(backend, demo_store, tmp_path) -> None:
    """A feature id and filter values with '/', '#', '&', '?' and spaces survive every link."""
    from geo.importer import import_file
    from tests.test_store_sql import new_facility

    odd = "FAS/UJI #1 & 2?"
    import_file(demo_store, "facilities", new_facility(tmp_path, "odd", "Posyandu"), hash_key=HASH_KEY)
    with demo_store.transaction() as writer:  # the id as a real file may carry it
        import pandas as pd

        from geo.layers.facilities import FACILITIES

        frame = demo_store.read("facilities", facility_id="odd")
        writer.upsert(FACILITIES, pd.DataFrame(frame.assign(facility_id=odd)))
    client = TestClient(create_app(backend.settings(location_of(demo_store), tmp_path, hash_key=HASH_KEY.decode())))
    r = client.get("/ogc/collections/facilities/items", params={"facility_id": odd, "name": "Posyandu", "limit": 1})
    body = r.json()
    assert body["numberMatched"] == 1
    assert dict(parse_qsl(urlsplit(href(body, "self")).query))["facility_id"] == odd
    one = client.get(f"/ogc/collections/facilities/items/{quote(odd, safe='')}")
    assert one.status_code == 200
    assert one.json()["id"] == odd
    assert client.get(href(one.json(), "self")).json()["id"] == odd
    page = client.get("/ogc/collections/facilities/items", params={"datetime": "2019-01-01/..", "limit": 2}).json()
    nxt = href(page, "next")
    assert dict(parse_qsl(urlsplit(nxt).query)) == {"datetime": "2019-01-01/..", "limit": "2", "offset": "2"}
    for link in [*page["links"], *one.json()["links"]]:
        assert " " not in link["href"]
        assert "#" not in link["href"]


ERROR_CASES = [  # (method, url, headers, status, code): every error under /ogc has one shape
    ("GET", "/ogc/nope", {}, 404, "ogc.not_found"),
    ("GET", "/ogc/collections/nope", {}, 404, "ogc.unknown_collection"),
    ("GET", "/ogc/collections/works/items/NOPE", {}, 404, "ogc.unknown_feature"),
    ("GET", "/ogc/collections/works/items?limit=0", {}, 400, "req.limit_ogc"),
    ("GET", "/ogc/collections/works/items?warna=merah", {}, 400, "req.param"),
    ("GET", "/ogc/collections/works/items?datetime=kemarin", {}, 400, "req.datetime"),
    ("GET", "/ogc?lang=xx", {}, 400, "lang.unknown"),
    ("POST", "/ogc/collections", {}, 405, "method.not_allowed"),
    ("GET", "/ogc/restricted", {}, 401, "auth.required"),
    ("GET", "/ogc/restricted/collections", {"Authorization": "Bearer pkt_wrong"}, 401, "auth.token"),
    ("GET", "/ogc/restricted/collections/nope", "admin", 404, "ogc.unknown_collection"),
    ("GET", "/ogc/restricted/collections/households/items?bbox=1", "admin", 400, "req.bbox"),
]


@pytest.mark.parametrize(("method", "url", "headers", "status", "code"), ERROR_CASES)
def test_one_error_shape_under_ogc(apps: dict[str, Api], method, url, headers, status, code) -> None:
    if headers == "admin":
        headers = apps["restricted"].headers
    r = apps["public"].client.request(method, url, headers=headers)
    assert r.status_code == status
    assert r.headers["content-type"] == "application/json"
    assert set(r.json()) == {"code", "description"}
    assert r.json()["code"] == code
    assert r.json()["description"]
    assert "Traceback" not in r.text
    if status == 401:
        assert [h.split()[0] for h in r.headers.get_list("www-authenticate")] == ["Basic", "Bearer"]
