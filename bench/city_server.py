"""The ``server`` section of ``bench/bench_city.py``: a real ``petakampung serve`` on the city store
(10,000 RT at scale 1) and on the national store (the city plus 83,402 kelurahan).

Per start, on a free port: the time from spawn to the port accepting connections and to the
first 200 of ``/``; a kelurahan's first page asked as soon as ``/`` answers (while the server
imports what maps need on the first map), then, after the server has settled, another
kelurahan's first ``/kelurahan/{code}`` page (cold: its public data built; the target's
number) and the same page again (warm); ``/kota/{PP.KK}`` when the route exists; and how long a
new LKM progress record, written by this process with :func:`geo.progress.record_progress`,
takes to show in ``/api/kelurahan/{code}/works`` (the same public frames the kelurahan page
draws), polled from the moment the write returns.  Each step also shows the CPU time the server
process used, the steadier number on a shared machine.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from bench.city_common import Bench, city_store, med, national_store, petakampung_server, target
from geo.accounts import add_user, get_user
from geo.progress import ProgressInput, record_progress
from geo.store import open_store

LKM_USER, LKM_PASSWORD = "bench.lkm", "kata-sandi-bench-city-1"
START_TARGET_S, PAGE_TARGET_S, VISIBLE_TARGET_S = 3.0, 1.0, 1.0
POLL_LIMIT_S = 120.0


SETTLE_S = 3.0  # a first visitor comes after the server has settled (it imports the map's libraries then)
STEPS = {  # step: what the table calls it
    "listen": "server start: spawn to the port accepting",
    "start": "server start: spawn to the first 200 of /",
    "rush": "a kelurahan's first page, asked as / answers",
    "first": f"first /kelurahan/{{code}} page (cold), {SETTLE_S:g} s later",
    "warm": "the same page again (warm)",
    "kota": "/kota/{PP.KK} first page",
    "write": "LKM progress record written (record_progress)",
    "visible": "new record visible in /api/kelurahan/{code}/works",
    "after": "kelurahan page right after the write",
}


@dataclass
class Start:
    wall: dict[str, float] = field(default_factory=dict)  # step: seconds
    cpu: dict[str, float] = field(default_factory=dict)  # step: the server's CPU seconds
    peak_mib: float = float("nan")
    notes: list[str] = field(default_factory=list)


def _get(client, url: str) -> tuple[float, int, int]:
    t0 = time.perf_counter()
    r = client.get(url)
    return time.perf_counter() - t0, r.status_code, len(r.content)


def _ok(client, url: str) -> float:
    seconds, status, _ = _get(client, url)
    if status != 200:
        raise RuntimeError(f"{url} answered {status}")
    return seconds


def _lkm(store, code: str):
    user = get_user(store, LKM_USER)
    if user is None or user.kelurahan_code != code:
        name = LKM_USER if user is None else f"{LKM_USER}.{code.replace('.', '')}"
        user = get_user(store, name) or add_user(store, name, LKM_PASSWORD, "lkm", kelurahan_code=code)
    return user


def _fresh_work(store, code: str) -> tuple[str, str]:
    """A work of ``code`` with no LKM record yet (so the new record is its latest), and its status."""
    works = store.read("works", kelurahan_code=code, columns=["work_id", "status"], geometry=False)
    recorded = set(store.read("progress_records", kelurahan=[code], columns=["work_id"], geometry=False)["work_id"])
    free = works[~works["work_id"].isin(recorded)]
    if free.empty:
        raise RuntimeError(f"every work of {code} has a record already: use a fresh work directory")
    row = free.iloc[0]
    return str(row["work_id"]), str(row["status"])


def _progress_visible(client, url: str, store_path: Path, code: str, fisik: float) -> tuple[float, float, float]:
    """(write seconds, seconds from the write's return until the API shows it, page time after)."""
    store = open_store(store_path)
    user = _lkm(store, code)
    work_id, status = _fresh_work(store, code)
    api = f"{url}/api/kelurahan/{code}/works?status={status}"
    _ok(client, api)  # a visitor has seen the works before the write: they are cached
    t0 = time.perf_counter()
    record_progress(
        store, user, code, ProgressInput(work_id=work_id, record_date=date.today().isoformat(), fisik_pct=fisik)
    )
    written = time.perf_counter()
    while time.perf_counter() - written < POLL_LIMIT_S:
        body = client.get(api).json()
        shown = {f["id"]: f["properties"].get("progress_fisik") for f in body["features"]}
        if shown.get(work_id) == fisik:
            visible = time.perf_counter() - written
            break
        time.sleep(0.005)
    else:
        visible = float("inf")
    page = _ok(client, f"{url}/kelurahan/{code}")
    return written - t0, visible, page


def _one_start(store_path: Path, codes: tuple[str, str], kota: str, run: int) -> Start:
    import httpx2

    server = petakampung_server(store_path)
    out = Start()

    def step(name: str, fn) -> object:
        cpu = server.cpu_s()
        result = fn()
        out.cpu[name] = server.cpu_s() - cpu
        return result

    try:
        out.wall["listen"], out.wall["start"] = server.listen_s, server.start_s
        out.cpu["start"] = server.cpu_s()
        with httpx2.Client(timeout=600, headers={"Accept-Encoding": "gzip"}) as client:
            out.wall["rush"] = step("rush", lambda: _ok(client, f"{server.url}/kelurahan/{codes[1]}"))
            time.sleep(SETTLE_S)
            out.wall["first"] = step("first", lambda: _ok(client, f"{server.url}/kelurahan/{codes[0]}"))
            out.wall["warm"] = step("warm", lambda: _ok(client, f"{server.url}/kelurahan/{codes[0]}"))
            kota_s, status, _ = step("kota", lambda: _get(client, f"{server.url}/kota/{kota}"))
            if status == 200:
                out.wall["kota"] = kota_s
            elif status != 404:
                out.notes.append(f"/kota/{kota} answered {status}")
            fisik = round(41.17 + 7 * run + 0.01 * (time.time_ns() % 97), 2)  # never a value the file declared
            write_s, visible_s, page_s = step(
                "visible", lambda: _progress_visible(client, server.url, store_path, codes[0], fisik)
            )
            out.wall.update(write=write_s, visible=visible_s, after=page_s)
            out.peak_mib = server.peak_mib()
            return out
    finally:
        server.stop()


def _table(label: str, starts: list[Start]) -> None:
    print(f"-- {label} --")
    print(f"{'':52s} {'median s':>9s} {'min s':>7s} {'max s':>7s} {'server cpu s':>12s}")
    for key, name in STEPS.items():
        values = [s.wall[key] for s in starts if key in s.wall]
        if not values:
            print(f"{name:52s} {'(no such route on this build: 404)':>25s}")
            continue
        cpus = [s.cpu[key] for s in starts if key in s.cpu]
        cpu = f"{med(cpus):12.2f}" if cpus else ""
        print(f"{name:52s} {med(values):9.3f} {min(values):7.3f} {max(values):7.3f} {cpu}")
    print(f"server peak memory (VmHWM): {med([s.peak_mib for s in starts]):,.0f} MiB")
    print("(server cpu: the server process's CPU during the step; for 'visible', the write and the polling)")
    for note in sorted({n for s in starts for n in s.notes}):
        print(f"note: {note}")


def bench_server(b: Bench) -> None:
    codes = sorted(b.city.kelurahan["kelurahan_code"])
    pair = (codes[0], codes[len(codes) // 2])
    kota = pair[0][:5]
    print(f"\n== server: petakampung serve (1 process), {b.runs} starts per store, pages of {pair[0]} and {pair[1]} ==")
    stores: list[tuple[str, Path]] = [
        (f"city store: {len(b.city.rt):,} RT, {len(b.city.households):,} households", city_store(b))
    ]
    path, note = national_store(b)
    if path is not None:
        stores.append((f"national store: {note}", path))
    else:
        print(f"national store: {note}")
    measured: dict[str, list[Start]] = {}
    for run in range(b.runs):  # the stores interleaved, so a busy spell slows both alike
        for label, store in stores:
            measured.setdefault(label, []).append(_one_start(store, pair, kota, run))
    for label, starts in measured.items():
        _table(label, starts)
    for label, starts in measured.items():
        short = label.split(":")[0]
        start, page = med([s.wall["start"] for s in starts]), med([s.wall["first"] for s in starts])
        visible = med([s.wall["visible"] for s in starts])
        target(f"server start < {START_TARGET_S:g} s ({short})", start < START_TARGET_S, f"{start:.2f} s")
        target(f"first kelurahan page < {PAGE_TARGET_S:g} s ({short})", page < PAGE_TARGET_S, f"{page:.2f} s")
        target(f"new record visible < {VISIBLE_TARGET_S:g} s ({short})", visible < VISIBLE_TARGET_S, f"{visible:.2f} s")
    if path is None:
        target("server start / first page on the national store", None, "real data absent")
