#!/usr/bin/env python3
"""The naive baseline of the ``ogc`` section: FastAPI + GeoPandas, everything in memory.

    python bench/naive_ogc_app.py STORE.gpkg --port 8124

At start it loads the public RT frames (with their suppressed indicators) and the public works
of every kelurahan of the store into two GeoDataFrames (through :class:`geo.public.PublicData`,
so the features are the ones petakampung publishes), then serves the same three OGC API
Features queries as ``/ogc``: a page (``limit``/``offset``), a ``bbox`` (the frame's own
spatial index, exact ``intersects``) and one item, each answered with ``GeoDataFrame.to_json``.
One uvicorn process, as ``petakampung serve``.  No cache, no gate, no store after start.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from fastapi import FastAPI, HTTPException, Query
from fastapi.responses import Response

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

GEOJSON = "application/geo+json"
ID_COLUMNS = {"rt": "fid", "works": "work_id"}


def load(store_path: Path, *, k: int = 5) -> dict[str, gpd.GeoDataFrame]:
    """The public ``rt`` and ``works`` frames of every kelurahan in the store, indexed by id."""
    from geo.public import PublicData, concat_frames
    from geo.store import open_store

    data = PublicData(open_store(store_path), k=k, max_kelurahan=1_000_000)
    kelurahan = data.many(data.index()["kelurahan_code"])
    frames = {}
    for cid, id_column in ID_COLUMNS.items():
        frame = concat_frames([getattr(kel, cid) for kel in kelurahan])
        frames[cid] = frame.set_index(id_column, drop=False)
        frames[cid].sindex  # noqa: B018 - the spatial index built at start, not on the first bbox
    return frames


def create_app(frames: dict[str, gpd.GeoDataFrame]) -> FastAPI:
    app = FastAPI()

    def frame_of(cid: str) -> gpd.GeoDataFrame:
        if cid not in frames:
            raise HTTPException(404, f"no collection {cid}")
        return frames[cid]

    @app.get("/")
    def landing() -> dict[str, list[str]]:
        return {"collections": list(frames)}

    @app.get("/ogc/collections/{cid}/items")
    def items(cid: str, limit: int = Query(100, ge=1, le=10_000), offset: int = 0, bbox: str | None = None):
        frame = frame_of(cid)
        if bbox:
            box = shapely.box(*(float(v) for v in bbox.split(",")))
            frame = frame.iloc[np.sort(frame.sindex.query(box, predicate="intersects"))]
        return Response(frame.iloc[offset : offset + limit].to_json(), media_type=GEOJSON)

    @app.get("/ogc/collections/{cid}/items/{feature_id}")
    def item(cid: str, feature_id: str):
        frame = frame_of(cid)
        hit = frame[frame.index == feature_id]
        if hit.empty:
            raise HTTPException(404, f"no feature {feature_id}")
        return Response(json.dumps(json.loads(hit.to_json())["features"][0]), media_type=GEOJSON)

    return app


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    app = create_app(load(args.store))
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="info", server_header=False)


if __name__ == "__main__":
    main()
