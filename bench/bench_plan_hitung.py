#!/usr/bin/env python3
"""Benchmark: how long "Hitung" (Calculate) makes a planner wait (issue 12).

    python bench/bench_plan_hitung.py [--rts 10000] [--kelurahan 100] [--runs 3]

Before issue 12 every "Hitung" on the planner pages computed the plan *and* its weight
sensitivity (14 exact re-solves, each weight at +/-20 %) before answering.  Now "Hitung" computes
the plan with every RT's reason (:func:`geo.plan_reasons.explain`) and no sensitivity; the
sensitivity runs only when asked ("Uji kepekaan"), on the plan already made
(:func:`geo.selection.add_sensitivity`: no new ranking, the base choice as each run's start).

For a kelurahan (the rows of one kelurahan of the synthetic city) and for the whole city, at a
budget of 10 % of the eligible cost, prints the medians of ``--runs`` runs, all in this process:

- before: ``plan(..., with_sensitivity=True)`` (what "Hitung" did);
- after: ``plan(..., with_sensitivity=False)`` (what "Hitung" does), and the ratio before/after;
- on request: ``add_sensitivity`` on the kept plan, against computing the whole plan with its
  sensitivity again (what a second request would cost without reusing the plan).
Timings are never asserted in tests; this file is for people.
"""

from __future__ import annotations

import argparse
import statistics
import time

from bench_plan import synthetic_city

from geo.selection import DEFAULT_UNIT_COSTS, PlanOptions, add_sensitivity, plan, rank


def median_time(fn, runs: int):
    times, out = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return out, statistics.median(times)


def measure(name: str, table, runs: int) -> None:
    options = PlanOptions(unit_costs=dict(DEFAULT_UNIT_COSTS))
    ranked = rank(table, options)
    budget = float(round(0.10 * ranked.loc[ranked["eligible"], "cost_idr"].sum(), -3))
    label = "site"
    table = table.assign(site=table["kelurahan_code"] + " " + table["rt_label"])
    with_sens, before = median_time(lambda: plan(table, budget, options, label=label), runs)
    base, after = median_time(lambda: plan(table, budget, options, label=label, with_sensitivity=False), runs)
    more, reuse = median_time(lambda: add_sensitivity(base, options, label=label), runs)
    assert (base.ranking["chosen"] == with_sens.ranking["chosen"]).all()  # the same plan, sooner
    assert more.changes == with_sens.changes  # the same sensitivity, from the kept plan
    reasons = base.ranking["reason_code"].value_counts().to_dict()
    print(f"{name}: {len(table):,} RT, budget Rp {budget:,.0f}, {int(base.ranking['chosen'].sum())} chosen")
    print(f"  reasons: {reasons}")
    print(f"  Hitung before (plan + 14 sensitivity solves): {before * 1000:9.1f} ms")
    print(f"  Hitung after  (plan + reasons, no sensitivity): {after * 1000:9.1f} ms", end="")
    print(f"   before/after {before / after:5.1f}x")
    print(
        f"  sensitivity on request, reusing the plan: {reuse * 1000:9.1f} ms; the whole plan with it again: "
        f"{before * 1000:.1f} ms ({before / reuse:.2f}x)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rts", type=int, default=10_000)
    parser.add_argument("--kelurahan", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    city = synthetic_city(args.rts, args.kelurahan)
    one = city[city["kelurahan_code"] == city["kelurahan_code"].iloc[0]].reset_index(drop=True)
    measure("one kelurahan", one, max(args.runs, 5))
    measure("whole city", city, args.runs)


if __name__ == "__main__":
    main()
