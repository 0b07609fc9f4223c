#!/usr/bin/env python3
"""Benchmark: scoring and ranking 320,000 RTs (the size of the national KOTAKU baseline).

    python bench/bench_scoring.py [--rows 320000]

Prints time and peak Python-tracked memory (tracemalloc, numpy included) of each step, and
ratios against baselines measured in the same process on the same data:
  * float rounding   : plain numpy percentages rounded with np.round (fast, but wrong on ties);
  * decimal reference: a straightforward Python ``decimal`` implementation, timed on a sample
                       and scaled to the full size.
Timings are never asserted in tests; this file is for people.
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

from geo.criteria import PROFILE_FIELDS, load_rule
from geo.kumuh import score
from geo.selection import PlanOptions, rank, select

RULE = load_rule()


def synthetic(n: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    kk = rng.integers(20, 200, n)
    frame = pd.DataFrame(
        {
            "rt_label": [f"RT {i % 999 + 1:03d} / RW {i // 999 % 999 + 1:03d}" for i in range(n)],
            "luas_verifikasi_ha": rng.uniform(0.5, 8, n).round(4),
            "jumlah_bangunan": (kk * 0.9).round(),
            "jumlah_penduduk": kk * 4,
            "jumlah_kk": kk,
            "panjang_jalan_ideal_m": rng.uniform(100, 900, n).round(1),
            "panjang_drainase_ideal_m": rng.uniform(150, 1500, n).round(1),
        }
    )
    for c in RULE.criteria:
        frame[f"v_{c.id}"] = (frame[c.denominator] * rng.uniform(0, 1.1, n)).round(2)
    return frame


def measure(fn):
    tracemalloc.start()
    t0 = time.perf_counter()
    out = fn()
    seconds = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return out, seconds, peak / 2**20


def float_baseline(frame: pd.DataFrame) -> np.ndarray:
    cols = [np.round(frame[f"v_{c.id}"].to_numpy() / frame[c.denominator].to_numpy() * 100, 2) for c in RULE.criteria]
    return np.vstack(cols)


def decimal_reference(frame: pd.DataFrame) -> list[int]:
    totals = []
    hundred, cent = Decimal(100), Decimal("0.01")
    for rec in frame.to_dict("records"):
        total = 0
        for c in RULE.criteria:
            d = Decimal(str(rec[c.denominator]))
            p = (Decimal(str(rec[f"v_{c.id}"])) / d * hundred).quantize(cent, ROUND_HALF_UP) if d else Decimal(0)
            total += 5 if p >= 76 else 3 if p >= 51 else 1 if p >= 25 else 0
        totals.append(total)
    return totals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=320_000)
    args = parser.parse_args()
    frame, t_make, _ = measure(lambda: synthetic(args.rows))
    print(f"{args.rows:,} synthetic RTs built in {t_make:.2f} s ({len(PROFILE_FIELDS)} profile fields, 16 volumes)")

    scored, t_score, m_score = measure(lambda: score(frame))
    _, t_float, m_float = measure(lambda: float_baseline(frame))
    sample = frame.head(20_000)
    ref, t_ref_sample, _ = measure(lambda: decimal_reference(sample))
    t_ref = t_ref_sample * len(frame) / len(sample)
    assert list(scored["total"].head(len(sample))) == ref, "scoring disagrees with the decimal reference"
    print(f"score        {t_score:7.2f} s  peak {m_score:7.1f} MiB")
    print(f"  vs float rounding baseline   {t_float:7.2f} s  peak {m_float:7.1f} MiB   ratio {t_score / t_float:6.1f}x")
    print(f"  vs decimal reference (est.)  {t_ref:7.2f} s                     ratio {t_ref / t_score:6.1f}x faster")

    table = frame.assign(
        kumuh_total=scored["total"],
        poor_share=np.random.default_rng(2).uniform(0, 1, len(frame)),
        flood_share=0.0,
        nilai_strategis=1,
        kependudukan=3,
        kondisi_sosial=1,
        legalitas_lahan="jelas",
        sesuai_rtrw="ya",
    )
    ranked, t_rank, m_rank = measure(lambda: rank(table, PlanOptions()))
    print(f"rank         {t_rank:7.2f} s  peak {m_rank:7.1f} MiB   ratio to score {t_rank / t_score:6.1f}x")

    city = ranked[ranked["eligible"]].head(2_000)
    chosen, t_select, m_select = measure(
        lambda: select(city["priority"].to_numpy(), city["cost_idr"].to_numpy(), 50_000_000_000)
    )
    print(
        f"select 2,000 RTs within Rp 50 billion (exact MILP) {t_select:.2f} s  peak {m_select:.1f} MiB, "
        f"{int(chosen.sum())} chosen"
    )


if __name__ == "__main__":
    main()
