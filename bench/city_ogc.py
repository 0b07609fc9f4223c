"""The ``ogc`` section of ``bench/bench_city.py``: OGC API Features items under load.

Three servers on the city store, one process each under uvicorn: ``petakampung serve`` (/ogc),
the naive FastAPI + in-memory GeoPandas app of ``bench/naive_ogc_app.py`` and pygeoapi with its
SQLite/GeoPackage provider (``bench/pygeoapi_server.py``; skipped with the reason when it cannot
run here).  Three queries: a page of 100 RT, a ~1 km bbox of RT around a kelurahan centre, one
work.  Each is measured twice with an asyncio client (httpx2.AsyncClient, 8 connections, no
compression asked): the same URL again and again for a fixed time after a warm-up (what a map
client re-asking costs: petakampung answers from its cache, keyed by data version), and
distinct URLs, each asked once (other pages, bboxes around other RTs, other works: no answer
cached, every kelurahan's public frames already built by a warm-up).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from pyproj import Transformer

from bench.city_common import (
    PETAKAMPUNG,
    ROOT,
    Bench,
    Server,
    city_store,
    copy_store,
    free_port,
    med,
    start_server,
    target,
)

# pygeoapi lives in its own virtualenv (bench/pygeoapi-requirements.txt: its wheel ships a
# top-level "tests" package that would shadow ours)
PYGEOAPI_PYTHON = Path(os.environ.get("PETAKAMPUNG_BENCH_PYGEOAPI_PYTHON", ROOT / ".venv-pygeoapi" / "bin" / "python"))
CONNECTIONS = 8
OGC_TARGET_X = 2.0
OURS, NAIVE, PYGEOAPI = "petakampung", "naive FastAPI+GeoPandas", "pygeoapi"
QUERIES = ("page of 100 RT", "~1 km bbox of RT", "one work")


@dataclass
class Load:
    done: int
    seconds: float
    latencies: list[float]
    failed: int  # answers other than 200 (a 503 from a gate counts here)

    @property
    def rate(self) -> float:
        """Answers of 200 per second (a 503 at once is no answer)."""
        return (self.done - self.failed) / self.seconds if self.seconds else float("nan")


async def _load(urls: list[str], *, duration_s: float | None, warmup_s: float) -> Load:
    """8 workers over one client: ``duration_s`` of the same URL(s) repeated after a warm-up,
    or (``duration_s`` None) every URL once."""
    import httpx2

    limits = httpx2.Limits(max_connections=CONNECTIONS, max_keepalive_connections=CONNECTIONS)
    headers = {"Accept-Encoding": "identity"}
    latencies: list[float] = []
    failed = 0
    async with httpx2.AsyncClient(limits=limits, timeout=120, headers=headers) as client:
        next_url = iter(range(len(urls)))

        async def worker(until: float, record: bool) -> None:
            nonlocal failed
            while True:
                if duration_s is None:
                    i = next(next_url, None)
                    if i is None:
                        return
                else:
                    if time.perf_counter() >= until:
                        return
                    i = 0
                t0 = time.perf_counter()
                r = await client.get(urls[i])
                if record:
                    if r.status_code == 200:
                        latencies.append(time.perf_counter() - t0)
                    failed += r.status_code != 200

        if duration_s is not None and warmup_s:
            end = time.perf_counter() + warmup_s
            await asyncio.gather(*(worker(end, False) for _ in range(CONNECTIONS)))
        start = time.perf_counter()
        end = start + (duration_s or 0)
        await asyncio.gather(*(worker(end, True) for _ in range(CONNECTIONS)))
        seconds = time.perf_counter() - start
    return Load(len(latencies) + failed, seconds, latencies, failed)


def _queries(b: Bench, runs: int) -> tuple[dict[str, str], dict[str, list[list[str]]]]:
    """The fixed query of each kind (a path and query string), and per run a list of distinct ones."""
    to4326 = Transformer.from_crs(b.city.rt.crs, 4326, always_xy=True)

    def bbox(x: float, y: float) -> str:
        lon0, lat0 = to4326.transform(x - 500, y - 500)
        lon1, lat1 = to4326.transform(x + 500, y + 500)
        return f"{lon0:.6f},{lat0:.6f},{lon1:.6f},{lat1:.6f}"

    first = sorted(b.city.kelurahan["kelurahan_code"])[0]
    centre = b.city.kelurahan.set_index("kelurahan_code").geometry[first].representative_point()
    rng = np.random.default_rng(b.seed)
    rt_points = shapely.get_coordinates(b.city.rt.geometry.representative_point().to_numpy())
    works = b.city.works["work_id"].to_numpy()
    n = 60  # distinct URLs per query and run
    pages = [f"rt/items?limit=100&offset={o}" for o in range(0, len(b.city.rt), 100)]
    picks = rng.permutation(len(rt_points))[: n * runs]
    boxes = [f"rt/items?limit=1000&bbox={bbox(*rt_points[i])}" for i in picks]
    items = [f"works/items/{w}" for w in rng.choice(works, n * runs, replace=False)]
    fixed = {
        QUERIES[0]: "rt/items?limit=100",
        QUERIES[1]: f"rt/items?limit=1000&bbox={bbox(centre.x, centre.y)}",
        QUERIES[2]: f"works/items/{works[len(works) // 2]}",
    }
    distinct = {
        QUERIES[0]: [pages[r::runs][:n] for r in range(runs)],
        QUERIES[1]: [boxes[r::runs] for r in range(runs)],
        QUERIES[2]: [items[r::runs] for r in range(runs)],
    }
    return fixed, distinct


def _url(server: str, base: str, query: str) -> str:
    """The full URL of a query on a server (pygeoapi: no /ogc prefix, ?f=json)."""
    if server == PYGEOAPI:
        return f"{base}/collections/{query}{'&' if '?' in query else '?'}f=json"
    return f"{base}/ogc/collections/{query}"


def _start_servers(store, workdir) -> tuple[dict[str, Server], str | None]:
    servers: dict[str, Server] = {}
    port = free_port()
    servers[OURS] = start_server([PETAKAMPUNG, "--store", store, "serve", "--port", str(port)], port)
    port = free_port()
    servers[NAIVE] = start_server(
        [sys.executable, ROOT / "bench" / "naive_ogc_app.py", store, "--port", str(port)], port
    )
    why = pygeoapi_unavailable()
    if why is None:
        python = PYGEOAPI_PYTHON
        port = free_port()
        copy = workdir / "store.gpkg"  # pygeoapi writes vgpkg_* virtual tables into what it serves
        workdir.mkdir(parents=True, exist_ok=True)
        copy_store(store, copy)
        args = [python, ROOT / "bench" / "pygeoapi_server.py", copy, "--port", str(port), "--workdir", workdir]
        try:
            servers[PYGEOAPI] = start_server(args, port, ready_path="/collections?f=json")
        except RuntimeError as exc:
            why = f"pygeoapi did not start: {exc}"
    return servers, why


def pygeoapi_unavailable() -> str | None:
    """Why pygeoapi cannot run here (asked of its own Python), or None."""
    if not PYGEOAPI_PYTHON.exists():
        return (
            f"no {PYGEOAPI_PYTHON}: python3 -m venv .venv-pygeoapi && "
            ".venv-pygeoapi/bin/pip install -r bench/pygeoapi-requirements.txt"
        )
    check = subprocess.run(  # noqa: S603 - our own script
        [PYGEOAPI_PYTHON, ROOT / "bench" / "pygeoapi_server.py", "--check"], capture_output=True, text=True, check=False
    )
    answer = (check.stdout.strip() or check.stderr.strip()[-300:]).splitlines()
    return None if answer == ["ok"] else " ".join(answer)


def _pygeoapi_version() -> str:
    return subprocess.run(  # noqa: S603 - our own interpreter
        [PYGEOAPI_PYTHON, "-c", "import pygeoapi; print(pygeoapi.__version__)"], capture_output=True, text=True
    ).stdout.strip()


def _count(client, url: str) -> int:
    body = client.get(url).json()
    return len(body["features"]) if body.get("type") == "FeatureCollection" else int(body.get("type") == "Feature")


def _warm_ours(client, base: str, codes: list[str]) -> None:
    """Every kelurahan's public frames built once (the naive app builds them all at start)."""
    for code in codes:
        client.get(f"{base}/ogc/collections/rt/items?kelurahan_code={code}&limit=1")
        client.get(f"{base}/ogc/collections/works/items?kelurahan_code={code}&limit=1")


def bench_ogc(b: Bench) -> None:
    import httpx2

    store = city_store(b)
    t0 = time.perf_counter()
    servers, why = _start_servers(store, b.workdir / "pygeoapi")
    print(
        f"\n== ogc: OGC API Features items, {CONNECTIONS} connections (httpx2.AsyncClient), "
        f"median of {b.runs} runs, one uvicorn process per server =="
    )
    print("servers started in " + ", ".join(f"{n} {s.start_s:.1f} s" for n, s in servers.items()))
    if why:
        print(f"pygeoapi: skipped ({why})")
    else:
        print(
            f"pygeoapi {_pygeoapi_version()}: Flask app, gunicorn 1 sync worker, SQLiteGPKG provider (SpatiaLite) "
            "on a byte copy of the same GeoPackage"
        )
    fixed, distinct = _queries(b, b.runs)
    try:
        with httpx2.Client(timeout=600, headers={"Accept-Encoding": "identity"}) as client:
            _warm_ours(client, servers[OURS].url, sorted(b.city.kelurahan["kelurahan_code"]))
            counts = {q: {n: _count(client, _url(n, s.url, fixed[q])) for n, s in servers.items()} for q in QUERIES}
        results: dict[tuple[str, str, str], list[Load]] = {}
        duration = 5.0 if b.scale >= 0.1 else 2.0
        for run in range(b.runs):
            for q in QUERIES:
                for name, server in servers.items():
                    same = asyncio.run(_load([_url(name, server.url, fixed[q])], duration_s=duration, warmup_s=1.0))
                    results.setdefault((q, "same URL", name), []).append(same)
                    urls = [_url(name, server.url, u) for u in distinct[q][run]]
                    results.setdefault((q, "distinct URLs", name), []).append(
                        asyncio.run(_load(urls, duration_s=None, warmup_s=0))
                    )
    finally:
        for server in servers.values():
            server.stop()
    _report(results, counts, list(servers), duration)
    print(f"(section took {time.perf_counter() - t0:.0f} s)")


def _report(results, counts, names: list[str], duration: float) -> None:
    print(
        "features per answer (the fixed queries): "
        + "; ".join(
            f"{q}: "
            + ", ".join(f"{n} {c}" for n, c in per.items())
            + ("" if len(set(per.values())) == 1 else " DIFFER")
            for q, per in counts.items()
        )
    )
    print(f"same URL: {duration:g} s after a 1 s warm-up; distinct URLs: each asked once")
    print(
        f"{'query':18s} {'load':14s} {'server':24s} {'200/s':>8s} {'p50 ms':>8s} {'p99 ms':>8s} "
        f"{'non-200':>7s} {'vs naive':>8s}"
    )
    ratios: dict[tuple[str, str], float] = {}
    for (q, kind, name), loads in results.items():
        rate = med([x.rate for x in loads])
        lat = (
            np.concatenate([x.latencies for x in loads]) * 1000
            if any(x.latencies for x in loads)
            else np.array([np.nan])
        )
        naive = med([x.rate for x in results[(q, kind, NAIVE)]])
        if name == OURS:
            ratios[(q, kind)] = rate / naive
        print(
            f"{q:18s} {kind:14s} {name:24s} {rate:8.1f} {np.percentile(lat, 50):8.1f} {np.percentile(lat, 99):8.1f} "
            f"{sum(x.failed for x in loads):7d} {rate / naive:7.2f}x"
        )
    for (q, kind), ratio in ratios.items():
        target(f"OGC {q}, {kind}: >= {OGC_TARGET_X:g}x naive", ratio >= OGC_TARGET_X, f"{ratio:.2f}x req/s")
