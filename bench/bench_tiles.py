"""Tiles and city-scale pages against a live ``petakampung serve`` (timings live here, never in tests).

    python bench/bench_tiles.py [--workdir /tmp/pk-bench] [--requests 20000] [--connections 8]

Prints, for a synthetic city of ~10,000 RT in 100 kelurahan (and, when ../shared/data/real is
there, the national set of 83,402 kelurahan):

- cold tile builds (z12 and z14 RT tiles, first request after start) p50/p99;
- cached z14 RT tiles under an asyncio keep-alive client with N connections: req/s, p50, p99,
  against the same client on a bare uvicorn app answering the same bytes (the floor of this
  machine, measured in the same run); and revalidation (304) the same way;
- the first kelurahan page after start on the city store and on the national store;
- bytes transferred until the kota map is drawn in Chromium (Playwright), page and tiles apart.

Targets (issue 10): cached z14 tile >= 1,000 req/s and p99 < 50 ms on 2 cores; kota map first
load < 1 MB at 10,000 RT (tiles load lazily per view); first kelurahan page < 1 s.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.request import Request, urlopen

import mercantile

sys.path.insert(0, str(Path(__file__).resolve().parent))
ROOT = Path(__file__).resolve().parents[1]

from tiles_data import CITY_CODE, REAL, national_store, synthetic_city  # noqa: E402

EXE = Path(sys.executable).parent / "petakampung"


# --- a live server -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(args: list[str], url: str, env: dict[str, str] | None = None) -> tuple[subprocess.Popen, float]:
    """Start a server process and wait until ``url`` answers; returns it and the seconds it took."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(  # noqa: S603 - our own server on localhost
        args, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with urlopen(url, timeout=2):  # noqa: S310 - http://127.0.0.1 only
                return proc, time.perf_counter() - t0
        except OSError:
            if time.perf_counter() - t0 > 180:
                proc.kill()
                raise
            time.sleep(0.05)


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def serve(store: Path) -> tuple[subprocess.Popen, str, float]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc, started = start(
        [str(EXE), "--store", str(store), "serve", "--port", str(port)], url + "/static/map/pk-tiles.css"
    )
    return proc, url, started


BASELINE_APP = """
import sys
body = open(sys.argv[1], "rb").read()
async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": [
        (b"content-type", b"application/vnd.mapbox-vector-tile"), (b"content-length", str(len(body)).encode()),
        (b"etag", b'"x"'), (b"cache-control", b"public, no-cache")]})
    await send({"type": "http.response.body", "body": body})
import uvicorn
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="info")  # access log on, as `serve` has
"""


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes, dict[str, str], float]:
    t0 = time.perf_counter()
    req = Request(url, headers=headers or {})  # noqa: S310 - http://127.0.0.1 only
    try:
        with urlopen(req, timeout=600) as r:  # noqa: S310
            body = r.read()
            return r.status, body, dict(r.headers), time.perf_counter() - t0
    except Exception as exc:  # 304 comes as an HTTPError
        code = getattr(exc, "code", None)
        if code is None:
            raise
        return code, b"", dict(exc.headers), time.perf_counter() - t0


# --- an asyncio keep-alive load client ------------------------------------------------------------------------


async def _worker(host: str, port: int, paths: list[str], n: int, offset: int, headers: str, lat: list[float]) -> int:
    reader, writer = await asyncio.open_connection(host, port)
    transferred = 0
    try:
        for i in range(n):
            path = paths[(offset + i) % len(paths)]
            t0 = time.perf_counter()
            writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n{headers}\r\n".encode())
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            if length:
                await reader.readexactly(length)
            lat.append(time.perf_counter() - t0)
            transferred += len(head) + length
    finally:
        writer.close()
    return transferred


async def _load(url: str, paths: list[str], total: int, connections: int, headers: str) -> dict[str, float]:
    host, port = url.removeprefix("http://").split(":")
    lat: list[float] = []
    per = total // connections
    t0 = time.perf_counter()
    sizes = await asyncio.gather(
        *(_worker(host, int(port), paths, per, c * 7, headers, lat) for c in range(connections))
    )
    wall = time.perf_counter() - t0
    lat.sort()
    return {
        "req_s": len(lat) / wall,
        "p50_ms": 1000 * lat[len(lat) // 2],
        "p99_ms": 1000 * lat[int(len(lat) * 0.99)],
        "mb": sum(sizes) / 1e6,
        "n": len(lat),
    }


def load(url: str, paths: list[str], total: int, connections: int, headers: str = "") -> dict[str, float]:
    return asyncio.run(_load(url, paths, total, connections, headers))


def show(name: str, r: dict[str, float]) -> None:
    print(
        f"  {name:<44} {r['req_s']:>8,.0f} req/s   p50 {r['p50_ms']:6.2f} ms   p99 {r['p99_ms']:6.2f} ms"
        f"   ({r['n']:,} requests, {r['mb']:.1f} MB)"
    )


# --- the parts -------------------------------------------------------------------------------------------------


def city_tiles(store: Path, z: int) -> list[mercantile.Tile]:
    from geo.store import open_store

    bounds = open_store(store).read("kelurahan", columns=["kelurahan_code"]).total_bounds
    return list(mercantile.tiles(*bounds, zooms=z))


def bench_tiles(store: Path, requests: int, connections: int, workdir: Path) -> None:
    print("\n== tiles: synthetic city ==")
    proc, url, started = serve(store)
    try:
        print(f"  server start (nothing read): {started:.2f} s")
        cold = {}
        for z in (12, 14):
            times = []
            for t in city_tiles(store, z):
                status, body, _, dt = fetch(f"{url}/tiles/rt/{z}/{t.x}/{t.y}.pbf")
                times.append((dt, len(body), status))
            secs = sorted(d for d, _, _ in times)
            sizes = [n for _, n, s in times if s == 200]
            cold[z] = times
            print(
                f"  cold RT tiles z{z}: {len(times)} tiles, p50 {1000 * secs[len(secs) // 2]:.0f} ms, "
                f"max {1000 * secs[-1]:.0f} ms, largest {max(sizes) / 1000:.0f} kB, "
                f"mean {statistics.mean(sizes) / 1000:.0f} kB"
            )
        z14 = [f"/tiles/rt/14/{t.x}/{t.y}.pbf" for t in city_tiles(store, 14)]
        body = fetch(url + z14[len(z14) // 2])[1]
        etags = {p: fetch(url + p)[2]["etag"] for p in z14}
        load(url, z14, 2000, connections)  # warm-up
        tiles = load(url, z14, requests, connections)
        gz = load(url, z14, requests, connections, "Accept-Encoding: gzip\r\n")
        r304 = asyncio.run(_revalidate(url, z14, etags, requests, connections))
    finally:
        stop(proc)
    sample = workdir / "tile.pbf"
    sample.write_bytes(body)
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    base, _ = start([sys.executable, "-c", BASELINE_APP, str(sample), str(port)], base_url + "/")
    try:
        load(base_url, ["/"], 2000, connections)
        floor = load(base_url, ["/"], requests, connections)
    finally:
        stop(base)
    print(f"  cached z14 RT tiles, {connections} keep-alive connections, {len(z14)} distinct tiles cycled:")
    show("petakampung /tiles (identity)", tiles)
    show("petakampung /tiles (gzip, as browsers ask)", gz)
    show("petakampung /tiles If-None-Match -> 304", r304)
    show(f"baseline: bare uvicorn app, same {len(body) / 1000:.0f} kB body", floor)
    met = "met" if gz["req_s"] >= 1000 and gz["p99_ms"] < 50 else "NOT met"
    print(
        f"  ratio /tiles (gzip) to the bare-uvicorn floor: {gz['req_s'] / floor['req_s']:.2f}x   "
        f"target >= 1,000 req/s and p99 < 50 ms: {met}"
    )


async def _revalidate(url: str, paths: list[str], etags: dict[str, str], total: int, connections: int):
    # one If-None-Match per path: run per path group so each request carries its own tile's ETag
    results = await asyncio.gather(
        *(_load(url, [p], total // len(paths) or 1, 1, f"If-None-Match: {etags[p]}\r\n") for p in paths[:connections])
    )
    n = sum(r["n"] for r in results)
    return {
        "req_s": sum(r["req_s"] for r in results),
        "p50_ms": statistics.median(r["p50_ms"] for r in results),
        "p99_ms": max(r["p99_ms"] for r in results),
        "mb": sum(r["mb"] for r in results),
        "n": n,
    }


def first_pages(store: Path, label: str, kelurahan: str, kota: str) -> None:
    print(f"\n== first pages after start: {label} ==")
    proc, url, started = serve(store)
    try:
        print(f"  server start: {started:.2f} s")
        for name, path in (
            ("first kelurahan page", f"/kelurahan/{kelurahan}"),
            ("the same page again", f"/kelurahan/{kelurahan}"),
            ("home page (first)", "/"),
            ("home page (again)", "/"),
            ("home search ?q=jati", "/?q=jati"),
            ("kota page (first)", f"/kota/{kota}"),
            ("kota page (again)", f"/kota/{kota}"),
        ):
            status, body, _, dt = fetch(url + path, {"Accept-Encoding": "gzip"})
            print(f"  {name:<28} {dt:7.3f} s   {status}   {len(body) / 1000:8.1f} kB (gzip)")
    finally:
        stop(proc)


def kota_bytes(store: Path, kota: str) -> None:
    print("\n== kota map in Chromium: bytes until the map is drawn ==")
    from playwright.sync_api import sync_playwright

    proc, url, _ = serve(store)
    try:
        fetch(f"{url}/kota/{kota}")  # the summary is built once; this measures what a visitor downloads
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox", "--disable-gpu"]
            )
            for label, viewport in (
                ("desktop 1366x800", {"width": 1366, "height": 800}),
                ("phone 390x844", {"width": 390, "height": 844}),
            ):
                page = browser.new_page(viewport=viewport)
                page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(url) else r.abort())
                t0 = time.perf_counter()
                page.goto(f"{url}/kota/{kota}")
                page.wait_for_function("() => document.querySelectorAll('.leaflet-tile path').length > 0")
                page.wait_for_load_state("networkidle")
                drawn = time.perf_counter() - t0
                sizes = page.evaluate("""() => {
                    const nav = performance.getEntriesByType("navigation")[0];
                    const res = performance.getEntriesByType("resource");
                    const tiles = res.filter(r => r.name.includes("/tiles/"));
                    const rest = res.filter(r => !r.name.includes("/tiles/"));
                    const sum = a => a.reduce((s, r) => s + r.transferSize, 0);
                    return {page: nav.transferSize + sum(rest), tiles: sum(tiles), n: tiles.length,
                            paths: document.querySelectorAll('.leaflet-tile path').length,
                            zoom: window.pkTiles.map.getZoom()};
                }""")
                total = sizes["page"] + sizes["tiles"]
                print(
                    f"  {label}: page + scripts {sizes['page'] / 1000:.0f} kB, tiles {sizes['tiles'] / 1000:.0f} kB "
                    f"({sizes['n']} requests), total {total / 1000:.0f} kB; zoom {sizes['zoom']}, "
                    f"{sizes['paths']:,} paths drawn, {drawn:.1f} s  [target < 1,000 kB]"
                )
                page.close()
            browser.close()
    finally:
        stop(proc)


def map_kota(store: Path, workdir: Path) -> None:
    print("\n== petakampung map --kota on the synthetic city ==")
    out = workdir / "kota.html"
    t0 = time.perf_counter()
    subprocess.run(  # noqa: S603 - our own CLI
        [str(EXE), "--store", str(store), "map", "--kota", CITY_CODE, "-o", str(out)],
        check=True,
        stdout=subprocess.PIPE,
    )
    print(f"  {out.stat().st_size / 1e6:.2f} MB in {time.perf_counter() - t0:.0f} s  [bound 2 MB]")


PARTS = ("tiles", "pages", "browser", "map", "national")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "pk-bench")
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--parts", default=",".join(PARTS), help="comma-separated: " + ", ".join(PARTS))
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    machine = platform.processor() or platform.machine()
    print(f"machine: {machine}, {os.cpu_count()} cores, Python {platform.python_version()}")
    city = args.workdir / "city.gpkg"
    if not city.exists():
        t0 = time.perf_counter()
        synthetic_city(city)
        print(f"synthetic city written in {time.perf_counter() - t0:.0f} s")
    from geo.store import open_store

    s = open_store(city)
    print(
        f"city: {s.count('kelurahan')} kelurahan, {s.count('rt'):,} RT, {s.count('households'):,} households, "
        f"{s.count('works'):,} works, {city.stat().st_size / 1e6:.0f} MB"
    )
    codes = s.read("kelurahan", columns=["kelurahan_code"], geometry=False)["kelurahan_code"]
    parts = set(args.parts.split(","))
    if "tiles" in parts:
        bench_tiles(city, args.requests, args.connections, args.workdir)
    if "pages" in parts:
        first_pages(city, "synthetic city (10k RT)", codes.iloc[len(codes) // 2], CITY_CODE)
    if "browser" in parts:
        kota_bytes(city, CITY_CODE)
    if "map" in parts:
        map_kota(city, args.workdir)
    if "national" in parts and REAL.exists():
        national = national_with_demo(args.workdir)
        first_pages(national, "national store (83,402 kelurahan; the demo data in 2 of them)", "18.71.06.1012", "18.71")


def national_with_demo(workdir: Path) -> Path:
    """The national kelurahan set, with the demo RT, households and works imported into two of them."""
    import shutil

    from geo.demo import DEFAULT_DATA_DIR, load_demo
    from geo.store import open_store

    path = workdir / "national_demo.gpkg"
    if not path.exists():
        national = national_store(workdir / "national.gpkg")
        t0 = time.perf_counter()
        shutil.copy(national, path)
        load_demo(open_store(path), DEFAULT_DATA_DIR, hash_key=b"bench")
        print(f"national store with the demo data written in {time.perf_counter() - t0:.0f} s")
    return path


if __name__ == "__main__":
    main()
