#!/usr/bin/env python3
"""City benchmark (issue 10): a synthetic city of 10,000 RT and 1,000,000 households.

    python bench/bench_city.py [--scale 1.0] [--runs 3] [--only placement,...,ogc] [--keep DIR]

Generates the city with ``bench/synthetic_city.py`` (seeded), then runs each section and prints
medians of ``--runs`` runs with the baselines measured in the same process, interleaved with
ours so that a busy machine slows both alike.  Wall and CPU (process) time are both printed:
the machine is shared, and CPU time is the steadier of the two for single-threaded code.
Sections (``--only``, comma-separated; the default runs all):

* ``placement``: households to RTs with geo.placement against geopandas.sjoin + groupby and
  against DuckDB spatial (optional ``bench`` extra); asserts identical assignments.
* ``indicators``: geo.indicators.city_rt_indicators for the whole city, wall time and peak
  memory (tracemalloc), against rt_indicators called kelurahan by kelurahan.
* ``write``: pyogrio writing each generated frame to a fresh GeoPackage: the baseline for the
  import timings.
* ``import``: ``petakampung import`` per layer (a child process: wall, CPU, peak RSS) and
  in-process, against pyogrio writing the same frames; a re-import; one extra kelurahan into
  the full city store against an empty one (``bench/city_import.py``).
* ``server``: a real ``petakampung serve`` on the city store and on the national store: start,
  first and warm kelurahan pages, the kota page, a new progress record visible
  (``bench/city_server.py``).
* ``ogc``: OGC API Features items under 8 connections against a naive FastAPI + GeoPandas app
  and pygeoapi on the same GeoPackage (``bench/city_ogc.py``).

The stores the later sections need are built once in the work directory (``--keep DIR`` keeps
it, so ``--only server`` does not import everything again).  More sections are functions taking
a :class:`Bench`, registered in ``SECTIONS``.  Targets are printed as "met" / "NOT MET" lines;
timings are never asserted anywhere; this file is for people.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import sys
import tempfile
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.city_common import Bench, target, timed
from bench.city_import import bench_import, pyogrio_write, store_frames
from bench.city_ogc import bench_ogc
from bench.city_server import bench_server
from bench.synthetic_city import generate
from geo.indicators import KEY, city_rt_indicators, rt_indicators
from geo.placement import PolygonIndex, clear_index_cache, points_in_polygons

LAYERS = ("rt", "households", "works", "gardens", "facilities")
PLACEMENT_TARGET_X = 5.0  # issue 10: placement >= 5x geopandas.sjoin + groupby
INDICATORS_TARGET_S = 30.0  # issue 10: indicators for the whole city < 30 s


def interleaved(methods: dict[str, Callable[[], Callable[[], object]]], runs: int) -> dict[str, dict]:
    """Run every method once per round, ``runs`` rounds; ``methods`` give a fresh callable per run
    (built outside the timing) so no run profits from an index cached by an earlier one."""
    out: dict[str, dict] = {name: {"wall": [], "cpu": [], "result": None} for name in methods}
    for _ in range(runs):
        for name, make in methods.items():
            fn = make()
            result, wall, cpu = timed(fn)
            out[name]["wall"].append(wall)
            out[name]["cpu"].append(cpu)
            out[name]["result"] = result
    return out


def report(title: str, results: dict[str, dict], baseline: str) -> None:
    print(f"\n== {title} ==")
    base_wall = np.median(results[baseline]["wall"])
    base_cpu = np.median(results[baseline]["cpu"])
    print(f"{'':52s} {'wall s':>8s} {'cpu s':>8s}   speed-up vs {baseline!r} (wall / cpu)")
    for name, r in results.items():
        wall, cpu = np.median(r["wall"]), np.median(r["cpu"])
        print(f"{name:52s} {wall:8.3f} {cpu:8.3f}   {base_wall / wall:5.2f}x / {base_cpu / cpu:5.2f}x")


# --- placement ---------------------------------------------------------------------------------


def _fresh(geoms: np.ndarray) -> np.ndarray:
    """New geometry objects: no spatial index or prepared geometry left from an earlier run."""
    return shapely.from_wkb(shapely.to_wkb(geoms))


def _duckdb() -> tuple[object | None, str]:
    """A DuckDB connection with spatial loaded (from where it is installed, else downloaded from
    extensions.duckdb.org, else from the PyPI package duckdb-extension-spatial), or None and why."""
    try:
        import duckdb
    except ImportError:
        return None, "duckdb not installed (pip install -e '.[bench]'): skipped"
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    tried = []
    for how in ("installed", "download", "pypi"):
        try:
            if how == "download":
                con.execute("INSTALL spatial")
            elif how == "pypi":
                import duckdb_extension_spatial

                folder = Path(duckdb_extension_spatial.__file__).parent / "extensions" / f"v{duckdb.__version__}"
                con.execute(f"INSTALL '{folder / 'spatial.duckdb_extension'}'")
            con.execute("LOAD spatial")
        except (ImportError, duckdb.Error) as exc:
            tried.append(f"{how}: {str(exc).splitlines()[0][:120]}")
            continue
        origin = con.execute(
            "SELECT installed_from, extension_version FROM duckdb_extensions() WHERE extension_name = 'spatial'"
        ).fetchone()
        source = origin[0] or "the default repository"
        note = f"DuckDB {duckdb.__version__}, spatial {origin[1]} installed from {source}"
        return con, note + (f" (earlier tries: {'; '.join(tried)})" if tried else "")
    return None, "spatial extension unavailable, skipped (" + "; ".join(tried) + ")"


def _duckdb_placement(con, pts: np.ndarray, polys: np.ndarray) -> Callable[[], np.ndarray]:
    import pandas as pd

    wkb = pd.DataFrame({"pos": np.arange(len(polys)), "wkb": shapely.to_wkb(polys)})

    def run() -> np.ndarray:
        coords, owner = shapely.get_coordinates(pts, return_index=True)
        points = pd.DataFrame({"i": owner, "x": coords[:, 0], "y": coords[:, 1]})
        con.register("points_df", points)
        con.register("rt_df", wkb)
        rows = con.execute(
            """
            WITH rt AS (SELECT pos, ST_GeomFromWKB(wkb) AS geom FROM rt_df),
                 p AS (SELECT i, ST_Point(x, y) AS geom FROM points_df)
            SELECT p.i, min(rt.pos) AS pos FROM p JOIN rt ON ST_Within(p.geom, rt.geom) GROUP BY p.i
            """
        ).fetchnumpy()
        out = np.full(len(pts), -1, dtype=np.int64)
        out[rows["i"]] = rows["pos"]
        np.bincount(out[out >= 0], minlength=len(polys))
        return out

    return run


def bench_placement(b: Bench) -> None:
    hh, rt = b.city.households, b.city.rt
    pts, polys = hh.geometry.to_numpy(), rt.geometry.to_numpy()
    stored_hh = hh.drop(columns="geometry")

    def sjoin_lean() -> Callable[[], np.ndarray]:
        left, right = gpd.GeoDataFrame(geometry=_fresh(pts)), gpd.GeoDataFrame(geometry=_fresh(polys))

        def run() -> np.ndarray:
            joined = gpd.sjoin(left, right, how="inner", predicate="within")
            joined = joined[~joined.index.duplicated(keep="first")]
            joined.groupby("index_right").size()
            out = np.full(len(pts), -1, dtype=np.int64)
            out[joined.index.to_numpy()] = joined["index_right"].to_numpy()
            return out

        return run

    def sjoin_frames() -> Callable[[], object]:
        left = gpd.GeoDataFrame(stored_hh.copy(), geometry=_fresh(pts), crs=hh.crs)
        right = gpd.GeoDataFrame(rt[KEY].copy(), geometry=_fresh(polys), crs=rt.crs)

        def run() -> object:
            joined = gpd.sjoin(left, right, how="inner", predicate="within", lsuffix="hh", rsuffix="rt")
            joined = joined[~joined.index.duplicated(keep="first")]
            return joined.groupby([f"{c}_rt" for c in KEY]).size()

        return run

    def ours() -> Callable[[], np.ndarray]:
        p, q = _fresh(pts), _fresh(polys)
        clear_index_cache()  # one shot: nothing drawn by an earlier run

        def run() -> np.ndarray:
            out = points_in_polygons(p, q)
            np.bincount(out[out >= 0], minlength=len(q))
            return out

        return run

    def ours_again() -> Callable[[], np.ndarray]:
        p, q = _fresh(pts), _fresh(polys)
        clear_index_cache()
        points_in_polygons(_fresh(pts), _fresh(polys))  # an earlier placement in the same RTs (new objects)

        def run() -> np.ndarray:
            out = points_in_polygons(p, q)  # finds that placement's index by the RTs' content
            np.bincount(out[out >= 0], minlength=len(q))
            return out

        return run

    index = PolygonIndex(_fresh(polys), expected_points=len(pts))
    index.locate(_fresh(pts))  # draws the raster once; the runs below only look points up

    def ours_reused() -> Callable[[], np.ndarray]:
        p = _fresh(pts)

        def run() -> np.ndarray:
            out = index.locate(p)
            np.bincount(out[out >= 0], minlength=len(polys))
            return out

        return run

    xy = shapely.get_coordinates(pts, return_index=True)
    x, y = np.full(len(pts), np.nan), np.full(len(pts), np.nan)
    x[xy[1]], y[xy[1]] = xy[0][:, 0], xy[0][:, 1]

    def ours_xy_reused() -> Callable[[], np.ndarray]:
        def run() -> np.ndarray:
            out = index.locate_xy(x, y)
            np.bincount(out[out >= 0], minlength=len(polys))
            return out

        return run

    methods: dict[str, Callable[[], Callable[[], object]]] = {
        "geopandas.sjoin(within) + groupby": sjoin_lean,
        "  same, on the frames as stored (all columns)": sjoin_frames,
        "petakampung points_in_polygons (one shot)": ours,
        "petakampung points_in_polygons, same RTs again": ours_again,
        "petakampung PolygonIndex, raster already drawn": ours_reused,
        "  same, from x/y arrays (no point objects to read)": ours_xy_reused,
    }
    con, duck_note = _duckdb()
    if con is not None:
        methods["DuckDB spatial ST_Within join + GROUP BY"] = lambda: _duckdb_placement(con, _fresh(pts), polys)
    results = interleaved(methods, b.runs)
    n_points = int(hh.geometry.notna().sum())
    report(
        f"placement: {len(hh):,} households ({n_points:,} with a GPS point) x {len(rt):,} RT, median of {b.runs} runs",
        results,
        "geopandas.sjoin(within) + groupby",
    )
    expected = results["geopandas.sjoin(within) + groupby"]["result"]
    compared = [k for k in results if isinstance(results[k]["result"], np.ndarray)]
    same = all(np.array_equal(results[k]["result"], expected) for k in compared)
    print(f"DuckDB: {duck_note}")
    print(f"identical: {'yes' if same else 'NO'} ({', '.join(compared)})")
    assert same, "placements differ"
    base = results["geopandas.sjoin(within) + groupby"]
    for name in (
        "petakampung points_in_polygons (one shot)",
        "petakampung points_in_polygons, same RTs again",
        "petakampung PolygonIndex, raster already drawn",
        "  same, from x/y arrays (no point objects to read)",
    ):
        # the lower of the wall and CPU ratios: on a loaded machine the baseline's waits flatter us
        ratio = min(np.median(base[k]) / np.median(results[name][k]) for k in ("wall", "cpu"))
        short = name.strip().removeprefix("petakampung ")
        target(
            f"placement >= {PLACEMENT_TARGET_X:g}x sjoin: {short[:31]}", ratio >= PLACEMENT_TARGET_X, f"{ratio:.2f}x"
        )


# --- indicators --------------------------------------------------------------------------------


def bench_indicators(b: Bench) -> None:
    frames = {name: getattr(b.city, name).to_crs(4326) for name in LAYERS}  # as the store holds them
    codes = list(frames["rt"]["kelurahan_code"].unique())
    by_code = {
        name: dict(list(frame.groupby("kelurahan_code"))) if len(frame) else {} for name, frame in frames.items()
    }

    def per_kelurahan() -> Callable[[], object]:
        empty = {name: frame.iloc[0:0] for name, frame in frames.items()}
        return lambda: [rt_indicators(*(by_code[n].get(c, empty[n]) for n in LAYERS)) for c in codes]

    def city() -> Callable[[], object]:
        return lambda: city_rt_indicators(*(frames[n] for n in LAYERS))

    results = interleaved({"rt_indicators kelurahan by kelurahan": per_kelurahan, "city_rt_indicators": city}, b.runs)
    report(
        f"indicators: {len(codes)} kelurahan, {len(frames['rt']):,} RT, {len(frames['households']):,} households, "
        f"{len(frames['works']):,} works, median of {b.runs} runs",
        results,
        "rt_indicators kelurahan by kelurahan",
    )
    tracemalloc.start()
    city_rt_indicators(*(frames[n] for n in LAYERS))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"city_rt_indicators peak memory (tracemalloc, numpy included): {peak / 2**20:,.0f} MB")
    seconds = float(np.median(results["city_rt_indicators"]["wall"]))
    target(
        f"indicators for the whole city < {INDICATORS_TARGET_S:g} s", seconds < INDICATORS_TARGET_S, f"{seconds:.1f} s"
    )


# --- write -------------------------------------------------------------------------------------


def bench_write(b: Bench) -> None:
    print(f"\n== write: pyogrio.write_dataframe of each frame (EPSG:4326) to a fresh GeoPackage, median of {b.runs} ==")
    print(f"{'frame':12s} {'rows':>10s} {'wall s':>8s} {'cpu s':>8s}")
    frames = store_frames(b)
    for name in ("kelurahan", "rw", *LAYERS):
        times = [pyogrio_write({name: frames[name]}, b.workdir / f"write_{name}_{run}.gpkg") for run in range(b.runs)]
        walls, cpus = [w for w, _ in times], [c for _, c in times]
        print(f"{name:12s} {len(frames[name]):10,d} {np.median(walls):8.2f} {np.median(cpus):8.2f}")


SECTIONS: dict[str, Callable[[Bench], None]] = {
    "placement": bench_placement,
    "indicators": bench_indicators,
    "write": bench_write,
    "import": bench_import,
    "server": bench_server,
    "ogc": bench_ogc,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0: 10,000 RT and 1,000,000 households")
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (the median is printed)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--only", default=",".join(SECTIONS), help=f"comma-separated sections: {', '.join(SECTIONS)}")
    parser.add_argument(
        "--keep", type=Path, default=None, help="work directory kept after the run (import files and stores reused)"
    )
    args = parser.parse_args()
    chosen = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = [s for s in chosen if s not in SECTIONS]
    if unknown:
        parser.error(f"unknown section(s) {unknown}; choose from {list(SECTIONS)}")
    print(f"bench_city.py --scale {args.scale} --runs {args.runs} --seed {args.seed} --only {','.join(chosen)}")
    cpus = len(os.sched_getaffinity(0))
    print(f"machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}, {cpus} CPUs")
    print(f"numpy {np.__version__}, shapely {shapely.__version__}, geopandas {gpd.__version__}, ", end="")
    print(f"GEOS {shapely.geos_version_string}, pyogrio {pyogrio.__version__}")
    city, wall, _ = timed(lambda: generate(args.scale, seed=args.seed))
    print(f"city generated in {wall:.1f} s: " + ", ".join(f"{k} {len(v):,}" for k, v in city.frames().items()))
    with contextlib.ExitStack() as stack:
        if args.keep is None:
            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench_city_")))
        else:
            workdir = args.keep.resolve()
            workdir.mkdir(parents=True, exist_ok=True)
        bench = Bench(city=city, scale=args.scale, runs=args.runs, workdir=workdir, seed=args.seed)
        for name in chosen:
            _, wall, _ = timed(lambda n=name: SECTIONS[n](bench))
            print(f"({name}: {wall:.0f} s)")


if __name__ == "__main__":
    main()
