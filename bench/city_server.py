"""The ``server`` section of ``bench/bench_city.py``: a real ``petakampung serve`` on the city store
(10,000 RT at scale 1) and on the national store (the city plus 83,402 kelurahan).

Per start, on a free port: the time from spawn to the first 200 of ``/``; the first
``/kelurahan/{code}`` page of a kelurahan (cold: its public data built), the same page again
(warm), another kelurahan's first page; ``/kota/{PP.KK}`` when the route exists; and how long a
new LKM progress record, written by this process with :func:`geo.progress.record_progress`,
takes to show in ``/api/kelurahan/{code}/works`` (the same public frames the kelurahan page
draws), polled from the moment the write returns.
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


@dataclass
class Start:
    listen_s: float
    start_s: float
    first_page_s: float
    warm_page_s: float
    other_page_s: float
    kota_s: float | None  # None: no /kota/{code} route on this build
    write_s: float
    visible_s: float
    page_after_write_s: float
    peak_mib: float
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
    try:
        with httpx2.Client(timeout=600, headers={"Accept-Encoding": "gzip"}) as client:
            first = _ok(client, f"{server.url}/kelurahan/{codes[0]}")
            warm = _ok(client, f"{server.url}/kelurahan/{codes[0]}")
            other = _ok(client, f"{server.url}/kelurahan/{codes[1]}")
            kota_s, status, _ = _get(client, f"{server.url}/kota/{kota}")
            fisik = round(41.17 + 7 * run + 0.01 * (time.time_ns() % 97), 2)  # never a value the file declared
            write_s, visible_s, page_s = _progress_visible(client, server.url, store_path, codes[0], fisik)
            return Start(
                server.listen_s,
                server.start_s,
                first,
                warm,
                other,
                kota_s if status == 200 else None,
                write_s,
                visible_s,
                page_s,
                server.peak_mib(),
                [] if status in (200, 404) else [f"/kota/{kota} answered {status}"],
            )
    finally:
        server.stop()


def _table(label: str, starts: list[Start]) -> None:
    rows = [
        ("server start: spawn to the port accepting", [s.listen_s for s in starts]),
        ("server start: spawn to the first 200 of /", [s.start_s for s in starts]),
        ("first /kelurahan/{code} page (cold)", [s.first_page_s for s in starts]),
        ("the same page again (warm)", [s.warm_page_s for s in starts]),
        ("another kelurahan's first page", [s.other_page_s for s in starts]),
        ("/kota/{PP.KK} first page", [s.kota_s for s in starts if s.kota_s is not None]),
        ("LKM progress record written (record_progress)", [s.write_s for s in starts]),
        ("new record visible in /api/kelurahan/{code}/works", [s.visible_s for s in starts]),
        ("kelurahan page right after the write", [s.page_after_write_s for s in starts]),
    ]
    print(f"-- {label} --")
    print(f"{'':52s} {'median s':>9s} {'min s':>7s} {'max s':>7s}")
    for name, values in rows:
        if not values:
            print(f"{name:52s} {'(no such route on this build: 404)':>25s}")
            continue
        print(f"{name:52s} {med(values):9.3f} {min(values):7.3f} {max(values):7.3f}")
    print(f"server peak memory (VmHWM): {med([s.peak_mib for s in starts]):,.0f} MiB")
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
        start, page = med([s.start_s for s in starts]), med([s.first_page_s for s in starts])
        visible = med([s.visible_s for s in starts])
        target(f"server start < {START_TARGET_S:g} s ({short})", start < START_TARGET_S, f"{start:.2f} s")
        target(f"first kelurahan page < {PAGE_TARGET_S:g} s ({short})", page < PAGE_TARGET_S, f"{page:.2f} s")
        target(f"new record visible < {VISIBLE_TARGET_S:g} s ({short})", visible < VISIBLE_TARGET_S, f"{visible:.2f} s")
    if path is None:
        target("server start / first page on the national store", None, "real data absent")
