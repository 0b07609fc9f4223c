#!/usr/bin/env python3
"""Benchmark: one budget across a city of 10,000 RTs (issue 10, city-wide planning).

    python bench/bench_plan.py [--rts 10000] [--kelurahan 100] [--runs 3] [--time-limit 20]

Generates synthetic planning rows the way ``geo.planning.planning_table`` builds them (slum
volumes scored with Permen PUPR 14/2018, suppressed poverty shares, flood shares, the
non-physical fields, costs from the default unit costs), ranks them with the default weights
and, for budgets of 2 %, 10 % and 30 % of the eligible cost, prints the median of ``--runs``
solves of the exact knapsack (:func:`geo.selection.solve`): seconds, whether it is proven
optimal or the gap HiGHS stated, how many RTs the bound left open, and the ratios against a
ratio-sorted greedy (:func:`geo.knapsack.greedy`) run in the same process on the same rows (time and total priority).
Then, for the 10 % budget: the whole city handed to HiGHS at once (how ``select`` solved it
before), the whole plan as the site computes it, and the weight sensitivity (14 exact re-solves
from the base choice) against re-ranking the table 14 times.
Timings are never asserted in tests; this file is for people.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp

from geo.criteria import load_rule
from geo.knapsack import greedy, solve
from geo.kumuh import score
from geo.selection import DEFAULT_UNIT_COSTS, PlanOptions, plan, rank, sensitivity

RULE = load_rule()


def synthetic_city(n: int, kelurahan: int, seed: int = 7) -> pd.DataFrame:
    """``n`` RT planning rows spread over ``kelurahan`` kelurahan of kota 18.71."""
    rng = np.random.default_rng(seed)
    kk = rng.integers(20, 200, n)
    frame = pd.DataFrame(
        {
            "kelurahan_code": [f"18.71.{i % 20 + 1:02d}.{1001 + i % kelurahan}" for i in range(n)],
            "unit_number": rng.integers(1, 12, n),
            "rt_number": np.arange(n) % 99 + 1,
            "luas_verifikasi_ha": rng.uniform(0.5, 8, n).round(4),
            "jumlah_bangunan": (kk * 0.9).round(),
            "jumlah_penduduk": kk * 4,
            "jumlah_kk": kk,
            "panjang_jalan_ideal_m": rng.uniform(100, 900, n).round(1),
            "panjang_drainase_ideal_m": rng.uniform(150, 1500, n).round(1),
        }
    )
    pairs = zip(frame["rt_number"], frame["unit_number"], strict=True)
    frame["rt_label"] = [f"RT {r:03d} / RW {u:03d}" for r, u in pairs]
    severity = rng.beta(2, 3, n)  # most RTs ringan or sedang, some berat
    for c in RULE.criteria:
        frame[f"v_{c.id}"] = (frame[c.denominator] * np.clip(severity * rng.uniform(0.3, 1.6, n), 0, 1.2)).round(2)
    scored = score(frame)
    frame["kumuh_total"] = scored["total"].to_numpy()
    frame["kumuh_level_label"] = ""
    poor = rng.beta(2, 4, n).round(4)
    frame["poor_share"] = np.where(kk < 25, np.nan, poor)  # suppressed where few households
    frame["flood_share"] = np.where(rng.random(n) < 0.3, rng.uniform(0, 1, n), 0.0).round(4)
    frame["nilai_strategis"] = rng.choice([1, 5], n, p=[0.8, 0.2])
    frame["kependudukan"] = rng.choice([1, 3, 5], n)
    frame["kondisi_sosial"] = rng.choice([1, 5], n, p=[0.7, 0.3])
    frame["legalitas_lahan"] = rng.choice(["jelas", "tidak_jelas"], n, p=[0.92, 0.08])
    frame["sesuai_rtrw"] = rng.choice(["ya", "tidak"], n, p=[0.95, 0.05])
    return frame


def highs_whole(priority: np.ndarray, cost: np.ndarray, budget: float, time_limit_s: float):
    """The formulation ``select`` used before this benchmark: every RT handed to HiGHS at once."""
    idx = np.flatnonzero((priority > 0) & (cost <= budget))
    res = milp(
        -(priority[idx] - 1e-12 * cost[idx] / budget),
        constraints=LinearConstraint(cost[idx][None, :], -np.inf, budget),
        integrality=np.ones(len(idx)),
        bounds=Bounds(0, 1),
        options={"time_limit": time_limit_s},
    )
    chosen = np.zeros(len(priority), dtype=bool)
    if res.x is not None:
        chosen[idx] = np.rint(res.x).astype(bool)
    return chosen, res.status


def median_time(fn, runs: int):
    times, out = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return out, statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rts", type=int, default=10_000)
    parser.add_argument("--kelurahan", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--time-limit", type=float, default=20.0)
    parser.add_argument("--baseline-limit", type=float, default=60.0, help="time limit of the whole-city HiGHS run")
    args = parser.parse_args()

    t0 = time.perf_counter()
    table = synthetic_city(args.rts, args.kelurahan)
    ranked = rank(table, PlanOptions(unit_costs=dict(DEFAULT_UNIT_COSTS)))
    priority = np.where(ranked["eligible"], ranked["priority"], 0.0)
    cost = ranked["cost_idr"].to_numpy()
    eligible_cost = cost[ranked["eligible"].to_numpy()].sum()
    print(
        f"planning: {args.rts:,} RT in {args.kelurahan} kelurahan, {int(ranked['eligible'].sum()):,} eligible, "
        f"eligible cost Rp {eligible_cost / 1e9:,.1f} miliar; rows and ranking in {time.perf_counter() - t0:.2f} s"
    )
    print(
        f"{'budget':>20} {'solve s':>8} {'status':>8} {'gap':>9} {'open':>6} {'chosen':>7} "
        f"{'greedy s':>9} {'time x':>7} {'priority vs greedy':>19}"
    )
    for share in (0.02, 0.10, 0.30):
        budget = float(round(share * eligible_cost, -6))
        sol, t_exact = median_time(lambda b=budget: solve(priority, cost, b, time_limit_s=args.time_limit), args.runs)
        pick, t_greedy = median_time(lambda b=budget: greedy(priority, cost, b), args.runs)
        assert cost[sol.chosen].sum() <= budget
        assert cost[pick].sum() <= budget
        gain = sol.objective / priority[pick].sum()
        print(
            f"Rp {budget / 1e9:>9,.1f} miliar {t_exact:>8.2f} {sol.status:>8} {sol.gap:>9.2e} {sol.core:>6} "
            f"{int(sol.chosen.sum()):>7} {t_greedy:>9.3f} {t_exact / t_greedy:>6.0f}x {gain:>18.6f}x"
        )
    budget = float(round(0.10 * eligible_cost, -6))
    sol = solve(priority, cost, budget)
    (whole, status), t_whole = median_time(lambda: highs_whole(priority, cost, budget, args.baseline_limit), 1)
    print(
        f"baseline, the whole city handed to HiGHS at once (budget 10 %, one run): {t_whole:.1f} s, "
        f"{'optimal' if status == 0 else 'stopped at the time limit'}, total priority "
        f"{priority[whole].sum() / sol.objective:.6f}x ours; ours {sol.seconds:.3f} s "
        f"({t_whole / sol.seconds:,.0f}x faster)"
    )
    options = PlanOptions()
    base = ranked.assign(chosen=solve(priority, cost, budget, time_limit_s=args.time_limit).chosen)
    base["key"] = base["kelurahan_code"] + "-" + base["unit_number"].astype(str) + "-" + base["rt_number"].astype(str)
    changed, warm = median_time(lambda: sensitivity(base, budget, options, label="key"), args.runs)
    _, rerank = median_time(lambda: [rank(table, options) for _ in range(14)], 1)
    moved = sum(len(v) for c in changed.values() for v in c.values())
    t_plan = time.perf_counter()
    keyed = table.assign(site=table["kelurahan_code"] + " " + table["rt_label"])
    whole_plan = plan(keyed, budget, options, label="site")
    t_plan = time.perf_counter() - t_plan
    print(
        f"whole plan (rank, solve, reasons, sensitivity) of the city: {t_plan:.2f} s, "
        f"{int(whole_plan.ranking['chosen'].sum())} RT chosen, {whole_plan.solution.status}"
    )
    print(
        f"sensitivity (7 weights x +/-20 %, budget 10 %): {warm:.2f} s for 14 exact re-solves "
        f"({warm / 14:.2f} s each); re-ranking the table 14 times alone takes {rerank:.2f} s; {moved} RT changes listed"
    )


if __name__ == "__main__":
    main()
