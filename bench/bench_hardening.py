#!/usr/bin/env python3
"""Benchmark: does a flood of expensive anonymous requests slow the rest of the site down?

    python bench/bench_hardening.py [--pdfs 40] [--logins 60]

Starts `petakampung serve` on a copy of the demo store (with one admin account) and measures,
over real HTTP on localhost:
  * an unrelated API call (/api/kelurahan/CODE) at rest: the baseline, measured in this run;
  * the same call while --pdfs report PDFs are requested at once (issue 8: it waited 62 s);
  * the same call while --logins logins with made-up names are sent at once;
and prints each as a ratio to the baseline, with how the flood was answered (200/503/401) and
the server's peak resident memory (VmHWM).  Timings are never asserted in tests.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geo.accounts import add_user  # noqa: E402
from geo.demo import DEFAULT_DATA_DIR, load_demo  # noqa: E402
from geo.store import open_store  # noqa: E402
from tests.conftest import KALIAWI, start_server, stop_server  # noqa: E402
from tests.test_security_login import try_login  # noqa: E402


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=600) as resp:  # noqa: S310 - our own server on localhost
            resp.read()
            return resp.status
    except urllib.error.HTTPError as err:
        return err.code


def api_latency(url: str, n: int = 5) -> float:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        status_of(f"{url}/api/kelurahan/{KALIAWI}")
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def under_flood(url: str, flood) -> tuple[list[float], Counter]:
    """Latencies of the API call, asked one after another for as long as the flood lasts."""
    answers: list[int] = []
    threads = [threading.Thread(target=lambda job=job: answers.append(job())) for job in flood]
    for th in threads:
        th.start()
    latencies = []
    while any(th.is_alive() for th in threads) or not latencies:
        latencies.append(api_latency(url, n=1))
    for th in threads:
        th.join()
    return latencies, Counter(answers)


def summary(latencies: list[float], base: float) -> str:
    worst = max(latencies)
    return (
        f"median {statistics.median(latencies) * 1000:.0f} ms, worst {worst * 1000:.0f} ms "
        f"({worst / base:.1f}x baseline) over {len(latencies)} calls"
    )


def peak_mib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024
    return -1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pdfs", type=int, default=40)
    parser.add_argument("--logins", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store = Path(folder) / "bench.gpkg"
        load_demo(open_store(store), DEFAULT_DATA_DIR, hash_key=b"bench")
        add_user(open_store(store), "admin", "kata-sandi-bench-1", "admin")
        proc, url = start_server(store, PETAKAMPUNG_SECRET_KEY="bench-secret")  # noqa: S106 - a throwaway store
        try:
            status_of(f"{url}/kelurahan/{KALIAWI}")  # warm
            base = api_latency(url)
            print(f"API call at rest: {base * 1000:.0f} ms (baseline)")
            pdf = f"{url}/kelurahan/{KALIAWI}/laporan.pdf?tahun=semua&lang=en"
            latencies, answers = under_flood(url, [lambda: status_of(pdf)] * args.pdfs)
            print(f"... while {args.pdfs} report PDFs are asked at once: {summary(latencies, base)}")
            print(f"    PDFs answered {dict(answers)}")
            logins = [lambda i=i: try_login(url, f"tidak.ada.{i}", "salah-sekali-123")[0] for i in range(args.logins)]
            latencies, answers = under_flood(url, logins)
            print(f"... while {args.logins} logins for made-up names arrive at once: {summary(latencies, base)}")
            print(f"    logins answered {dict(answers)}")
            print(f"server peak resident memory (VmHWM): {peak_mib(proc.pid)} MiB")
        finally:
            stop_server(proc)


if __name__ == "__main__":
    main()
