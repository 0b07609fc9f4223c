#!/usr/bin/env python3
"""The national indicator batch (issue 11): one process against dask with 1 and 2 workers.

    python bench/bench_batch.py [--scale 0.25] [--kota 4] [--runs 1] [--seed 2026]

Builds the synthetic city of ``bench/synthetic_city.py`` at ``--scale`` (1.0: 10,000 RT in 100
kelurahan, 1,000,000 households) spread over ``--kota`` kota of Jawa Barat, writes it straight
into a fresh GeoPackage (not timed), then times, in this process:

* ``city_rt_indicators, whole store``: every kelurahan in one call, no partitions (reference);
* ``single process, kota by kota``: the batch's single-process path (the baseline of the ratios);
* ``dask LocalCluster, N worker(s)``: the same partitions on worker processes that open the
  store themselves, for N = 1 and 2, each cluster started once beforehand (start-up printed on
  its own, and added in the "incl. start" column: what one ``--parallel`` run pays);
* the single-process path once more, now writing each kota's rows (one transaction per kota):
  what ``indicators --all`` costs on a store that has no results yet.

Rounds are interleaved (each path once per round, ``--runs`` rounds; medians printed) so that a
busy machine slows all alike.  Every path's rows are asserted identical (exactly, every column)
to the whole-store reference.  Wall time and CPU time are printed; for dask the CPU column adds
the worker processes' CPU (psutil, asked of each worker before and after) to this process's,
the steadier number on a shared machine.  Timings are never asserted; this file is for people.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from pandas.testing import assert_frame_equal

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.city_common import timed
from bench.synthetic_city import generate, spread_over_kota, store_city
from geo.indicator_batch import LAYERS, kota_partitions, partition_results, run_batch, stored_form
from geo.indicator_dask import dask_client
from geo.indicators import KEY, city_rt_indicators
from geo.store import open_store

WORKER_COUNTS = (1, 2)


def gathered(results) -> pd.DataFrame:
    frames = []
    for kota, frame in results:
        if isinstance(frame, BaseException):
            raise RuntimeError(f"kota {kota} failed") from frame
        frames.append(frame)
    return pd.concat(frames, ignore_index=True).sort_values(KEY).reset_index(drop=True)


def build_store(path: Path, scale: float, n_kota: int, seed: int):
    city = spread_over_kota(generate(scale, seed=seed), n_kota)
    store = open_store(path)
    _, wall, _ = timed(lambda: store_city(store, city))
    sizes = ", ".join(f"{name}: {len(frame):,}" for name, frame in city.frames().items())
    print(f"city at scale {scale:g}: {sizes}; written to {path.name} in {wall:.1f} s (not part of the timings)")
    return store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=0.25, help="1.0: 10,000 RT and 1,000,000 households")
    parser.add_argument("--kota", type=int, default=4, help="kota the city is spread over (partitions), 1-9")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    print(f"python {platform.python_version()}, {os.cpu_count()} cores (shared), {platform.machine()}")
    with tempfile.TemporaryDirectory(prefix="pk-bench-batch-") as tmp:
        store = build_store(Path(tmp) / "city.gpkg", args.scale, args.kota, args.seed)
        location = str(store.location)
        partitions = kota_partitions(store)
        sizes = {k: int(store.count("rt", kelurahan=codes)) for k, codes in partitions.items()}
        listed = ", ".join(f"{k}: {len(partitions[k])}, {sizes[k]:,}" for k in partitions)
        print(f"partitions (kota: kelurahan, RT): {listed}")
        run(store, location, partitions, args.runs)


def _workers(n: int) -> str:
    return f"{n} worker{'s' if n > 1 else ''}"


def _process_cpu() -> float:
    import psutil

    times = psutil.Process().cpu_times()
    return times.user + times.system


def workers_cpu(client) -> float:
    """CPU seconds used so far by the client's worker processes (0 without a client)."""
    return 0.0 if client is None else float(sum(client.run(_process_cpu).values()))


def run(store, location: str, partitions: dict[str, list[str]], runs: int) -> None:
    reference, ref_wall, ref_cpu = timed(
        lambda: stored_form(city_rt_indicators(*(store.read(n) for n in LAYERS)).table)
    )
    clients, starts = {}, {}
    stack = []
    try:
        for n in WORKER_COUNTS:
            manager = dask_client(workers=n)
            client, wall, _ = timed(manager.__enter__)
            stack.append(manager)
            clients[n], starts[n] = client, wall
        paths = {"single process, kota by kota": lambda: partition_results(location, partitions)}
        for n, client in clients.items():
            paths[f"dask LocalCluster, {n} worker{'s' if n > 1 else ''}"] = lambda c=client: partition_results(
                location, partitions, client=c
            )
        walls: dict[str, list[float]] = {name: [] for name in paths}
        cpus: dict[str, list[float]] = {name: [] for name in paths}
        for _ in range(runs):
            for name, make in paths.items():
                client = next((c for n, c in clients.items() if name.endswith(_workers(n))), None)
                before = workers_cpu(client)
                rows, wall, cpu = timed(lambda make=make: gathered(make()))
                assert_frame_equal(rows, reference, check_exact=True)  # identical results, every column
                walls[name].append(wall)
                cpus[name].append(cpu + workers_cpu(client) - before)
    finally:
        for manager in reversed(stack):
            manager.__exit__(None, None, None)
    _, write_wall, _ = timed(lambda: run_batch(store, partitions, partition_results(location, partitions)))
    report(walls, cpus, starts, ref_wall, ref_cpu, write_wall, len(reference), runs)


def report(walls, cpus, starts, ref_wall, ref_cpu, write_wall, rows, runs) -> None:
    base = "single process, kota by kota"
    base_wall = float(np.median(walls[base]))
    print(f"\n== national batch: {rows:,} RT, median of {runs} run(s); ratios against {base!r} ==")
    print(f"{'':40s} {'wall s':>8s} {'cpu s':>8s} {'speed-up':>9s} {'incl. start':>12s}")
    print(f"{'city_rt_indicators, whole store':40s} {ref_wall:8.2f} {ref_cpu:8.2f} {base_wall / ref_wall:8.2f}x")
    for name in walls:
        wall, cpu = float(np.median(walls[name])), float(np.median(cpus[name]))
        n = next((k for k in starts if name.endswith(_workers(k))), None)
        start = "" if n is None else f"{base_wall / (wall + starts[n]):11.2f}x"
        print(f"{name:40s} {wall:8.2f} {cpu:8.2f} {base_wall / wall:8.2f}x {start}")
    for n, s in starts.items():
        print(f"LocalCluster start-up, {n} worker(s): {s:.2f} s")
    print(f"single process again, now writing each kota's rows (one transaction per kota): {write_wall:.2f} s")
    print("results: every path's rows identical to the whole-store reference (asserted)")


if __name__ == "__main__":
    main()
