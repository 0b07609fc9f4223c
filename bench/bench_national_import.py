#!/usr/bin/env python3
"""Benchmark: importing the 83,402 national desa/kelurahan polygons as kelurahan boundaries.

    python bench/bench_national_import.py [--real ../shared/data/real/wilayah-boundaries] [--keep DIR]

Runs ``import_file`` on the two GeoParquet parts into a fresh store, exactly what
``petakampung import boundaries part1.parquet part2.parquet`` does, and prints the time and
the peak resident memory (RSS, sampled every 20 ms, so GEOS, Arrow and SQLite memory count) of
each stage the progress bar shows: read, validate (rows, names, geometry), hierarchy, write.
Then, in the same process, a baseline: ``pyogrio.write_dataframe`` of the same frame to a fresh
GeoPackage (GDAL's own writer, with its R-tree), and the ratio.  The target (issue 9) is under
60 s and 2 GB on a 2-core machine.  Timings are never asserted in tests; this file is for people.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from geo.importer import ImportOptions, import_file
from geo.store import open_store

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_REAL = ROOT.parent / "shared" / "data" / "real" / "wilayah-boundaries"
PARTS = ("indonesia_desa_kelurahan_part1_prov11-51.parquet", "indonesia_desa_kelurahan_part2_prov52-96.parquet")
PAGE = 4096


def rss_mib() -> float:
    with open("/proc/self/statm") as fh:  # noqa: PTH123 - a kernel file, read as it is
        return int(fh.read().split()[1]) * PAGE / 2**20


class Stages:
    """Stage times from the importer's progress callback; peak RSS per stage from a sampler."""

    def __init__(self) -> None:
        self.order: list[str] = []
        self.seconds: dict[str, float] = {}
        self.since = 0.0
        self.peak: dict[str, float] = {}
        self.current: str | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> Stages:
        self.t0 = time.perf_counter()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._switch(None)

    def _sample(self) -> None:
        while not self._stop.is_set():
            if self.current:
                self.peak[self.current] = max(self.peak.get(self.current, 0.0), rss_mib())
            time.sleep(0.02)

    def progress(self, stage: str, done: int, total: int) -> None:
        if stage != self.current:
            self._switch(stage)

    def _switch(self, stage: str | None) -> None:
        """Time spent in a stage adds up over every stretch in it (validation resumes after the
        hierarchy check to finish its bar)."""
        now = time.perf_counter()
        if self.current:
            self.seconds[self.current] = self.seconds.get(self.current, 0.0) + now - self.since
        self.current, self.since = stage, now
        if stage:
            self.order.append(stage)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--real", type=Path, default=DEFAULT_REAL, help="the wilayah-boundaries folder")
    parser.add_argument("--keep", type=Path, default=None, help="keep the stores in this folder")
    args = parser.parse_args()
    paths = [args.real / name for name in PARTS]
    folder = Path(args.keep or tempfile.mkdtemp(prefix="pk-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    store_path = folder / "national.gpkg"
    store_path.unlink(missing_ok=True)

    print(f"start RSS {rss_mib():.0f} MiB")
    with Stages() as stages:
        t0 = time.perf_counter()
        result = import_file(
            open_store(store_path),
            "boundaries",
            paths,
            hash_key=b"bench",
            progress=stages.progress,
            options=ImportOptions(),
        )
        total = time.perf_counter() - t0
    print(f"imported {result.total.inserted:,} kelurahan into {store_path}")
    print(f"{'stage':<18}{'seconds':>9}{'peak RSS MiB':>15}")
    for stage in dict.fromkeys(stages.order):
        print(f"{stage:<18}{stages.seconds[stage]:9.1f}{stages.peak.get(stage, rss_mib()):15.0f}")
    write_s = stages.seconds.get("stage.write", 0.0)
    print(f"{'total':<18}{total:9.1f}{max(stages.peak.values()):15.0f}")
    print(f"store write is {100 * write_s / total:.0f} % of the import")

    # baseline: the same rows, read and written by GDAL alone
    t0 = time.perf_counter()
    frame = gpd.GeoDataFrame(pd.concat([gpd.read_parquet(p) for p in paths], ignore_index=True), crs=4326)
    t_read = time.perf_counter() - t0
    out = folder / "baseline.gpkg"
    out.unlink(missing_ok=True)
    t0 = time.perf_counter()
    pyogrio.write_dataframe(frame, out, driver="GPKG", layer="kelurahan")
    t_write = time.perf_counter() - t0
    print(f"baseline read_parquet {t_read:.1f} s + pyogrio.write_dataframe {t_write:.1f} s = {t_read + t_write:.1f} s")
    ratio = total / (t_read + t_write)
    print(f"ratio import / baseline: {ratio:.1f}x;  store write / pyogrio write: {write_s / t_write:.1f}x")
    print(f"peak RSS of the whole run {max(stages.peak.values()):.0f} MiB (target: under 2048 MiB, under 60 s)")


if __name__ == "__main__":
    main()
