"""Choosing RTs to upgrade: weighted ranking, optional AHP weights, and the best set of RTs
that fits a budget in rupiah, with a plain-language "why" and a sensitivity note.

Pure functions over a planning table (one row per RT) built by :func:`geo.planning.planning_table`.
The optimiser never sees a GeoDataFrame.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from geo.errors import RequestError
from geo.formats import Amount, number, percent
from geo.i18n import t
from geo.knapsack import DEFAULT_TIME_LIMIT_S, Solution, solve
from geo.plan_reasons import (
    SLUM_MIN_TOTAL,
    WeightChange,
    explain,
    factor_label,
    sensitivity_sentences,
)

MAX_BUDGET_IDR = 1e15  # Rp 1.000 triliun: about a third of the national budget; anything above is a typo
FACTORS = ("kumuh", "poverty", "flood", "population", "strategis", "kependudukan", "sosial", "served")
# factors left out of the default weights (weight 0 unless a planner asks for them): "served" favours
# RTs where no other programme acts yet (KOTAKU works, Kampung KB / Tangguh, KWT, RW products)
OPTIONAL_FACTORS = ("served",)
DEFAULT_WEIGHTS = {
    "kumuh": 0.35,
    "poverty": 0.25,
    "flood": 0.15,
    "population": 0.10,
    "strategis": 0.05,
    "kependudukan": 0.05,
    "sosial": 0.05,
}
# Indicative unit costs (Rp per unit of each criterion's volume): configure them per city. Building
# criteria (1a-1c) and flooding area (4a) are left at 0: BPM infrastructure money does not rebuild houses.
DEFAULT_UNIT_COSTS = {
    "1a": 0,
    "1b": 0,
    "1c": 0,
    "2a": 1_100_000,
    "2b": 900_000,
    "3a": 2_000_000,
    "3b": 1_000_000,
    "4a": 0,
    "4b": 950_000,
    "4c": 600_000,
    "5a": 3_500_000,
    "5b": 1_500_000,
    "6a": 600_000,
    "6b": 300_000,
    "7a": 1_200_000,
    "7b": 400_000,
}
MAX_WEIGHT = 100.0  # weights are relative: 100 against 1 already says "only this"
_MAX_TEXT = Amount(MAX_BUDGET_IDR)  # "1.000.000.000.000.000" / "1,000,000,000,000,000" in the message
RANDOM_INDEX = {1: 0.0, 2: 0.0, 3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41, 9: 1.45, 10: 1.49}


@dataclass(frozen=True)
class PlanOptions:
    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    unit_costs: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_UNIT_COSTS))
    legal_only: bool = True  # RTs without clear land status or outside the spatial plan are left out
    slum_only: bool = True  # RTs scored tidak kumuh (total < 16) are not upgrade sites
    suppression_k: int | None = None  # the public data's k, to say "fewer than k households" in words


def normalised_weights(weights: dict[str, float]) -> dict[str, float]:
    unknown = set(weights) - set(FACTORS)
    if unknown:
        raise RequestError("plan.factor", names=", ".join(sorted(unknown)), allowed=", ".join(FACTORS))
    values = [float(w) for w in weights.values()]
    if not all(math.isfinite(w) and 0 <= w <= MAX_WEIGHT for w in values) or sum(values) <= 0:
        raise RequestError("plan.weights")
    total = sum(weights.values())
    return {f: weights.get(f, 0.0) / total for f in FACTORS}


def factor_values(table: pd.DataFrame) -> pd.DataFrame:
    """Every factor on a 0-1 scale: fixed scales where the unit has one, min-max otherwise."""
    pop = table["jumlah_penduduk"].astype(float)
    span = pop.max() - pop.min()
    return pd.DataFrame(
        {
            "kumuh": table["kumuh_total"].astype(float) / 80.0,
            "poverty": table["poor_share"].astype(float).fillna(table["poor_share"].astype(float).median()).fillna(0),
            "flood": table["flood_share"].astype(float).fillna(0.0).clip(0, 1),
            "population": (pop - pop.min()) / span if span > 0 else pop * 0.0,
            "strategis": (table["nilai_strategis"].astype(float).fillna(1) - 1) / 4,
            "kependudukan": (table["kependudukan"].astype(float).fillna(1) - 1) / 4,
            "sosial": (table["kondisi_sosial"].astype(float).fillna(1) - 1) / 4,
            "served": 1.0 - table["already_served"].astype(float).fillna(0.0)
            if "already_served" in table
            else pop * 0.0,
        },
        index=table.index,
    )


def rank(table: pd.DataFrame, options: PlanOptions) -> pd.DataFrame:
    """Priority (0-1) and rank of every eligible RT, with each factor's contribution."""
    weights = normalised_weights(options.weights)
    values = factor_values(table)
    contrib = values.mul(pd.Series(weights))
    out = table.copy()
    for f in FACTORS:
        out[f"x_{f}"] = values[f].round(4)
        out[f"c_{f}"] = contrib[f].round(4)
    out["priority"] = contrib.sum(axis=1).round(6)
    legal = (table["legalitas_lahan"].fillna("jelas") == "jelas") & (table["sesuai_rtrw"].fillna("ya") == "ya")
    slum = table["kumuh_total"].astype(float) >= SLUM_MIN_TOTAL
    out["eligible"] = (legal | (not options.legal_only)) & (slum | (not options.slum_only))
    out["cost_idr"] = cost(table, options.unit_costs)
    ties = [c for c in ("kelurahan_code", "rt_label") if c in out.columns]  # a city ranks many kelurahan
    out = out.sort_values(["eligible", "priority", *ties], ascending=[False, False, *[True] * len(ties)])
    out["rank"] = np.where(out["eligible"], np.arange(1, len(out) + 1), 0)
    return out


def cost(table: pd.DataFrame, unit_costs: dict[str, float]) -> pd.Series:
    """Estimated cost of handling every criterion volume of the RT (negative volumes count 0)."""
    total = pd.Series(0.0, index=table.index)
    for crit, price in unit_costs.items():
        if f"v_{crit}" in table:
            total += table[f"v_{crit}"].astype(float).clip(lower=0).fillna(0) * float(price)
    return total.round(0)


def select(priority: np.ndarray, cost_idr: np.ndarray, budget: float) -> np.ndarray:
    """The set of items with the largest total priority whose total cost fits ``budget``:
    an exact 0/1 knapsack (:func:`geo.knapsack.solve`).  Returns a boolean mask."""
    return solve(priority, cost_idr, budget).chosen


@dataclass
class Plan:
    ranking: pd.DataFrame  # every RT: priority, rank, eligible, cost, chosen, reason_code, why
    budget: float
    total_cost: float
    sensitivity: dict[str, dict[str, list[str]]] | None  # factor -> {"+20%": changed RTs, ...}; None: not run
    solution: Solution | None = None
    sensitivity_unproven: list[str] = field(default_factory=list)  # "+20% kumuh" runs stopped by the time limit
    changes: list[WeightChange] | None = None  # the same sensitivity, RTs entering and leaving; None: not run


def plan(
    table: pd.DataFrame,
    budget: float,
    options: PlanOptions | None = None,
    *,
    lang: str = "id",
    label: str = "rt_label",
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
    with_sensitivity: bool = True,
) -> Plan:
    """Rank, choose under ``budget``, explain every RT, and (``with_sensitivity``) test each
    weight at +/-20 % (:func:`add_sensitivity`, which can also run later on the same plan).

    ``label`` names the column that identifies an RT in the reasons and the sensitivity (a city
    uses one that carries the kelurahan name, since RT labels repeat across kelurahan).
    """
    check_budget(budget)
    options = options or PlanOptions()
    ranked = rank(table, options)
    solution = solve(
        np.where(ranked["eligible"], ranked["priority"], 0.0),
        ranked["cost_idr"].to_numpy(),
        budget,
        time_limit_s=time_limit_s,
    )
    chosen = solution.chosen
    ranked["chosen"] = chosen
    ranked["why"] = ""
    ranked.loc[chosen, "why"] = [why(row, lang, k=options.suppression_k) for _, row in ranked.loc[chosen].iterrows()]
    ranked = explain(ranked, budget, lang=lang, label=label, proven=solution.status == "optimal")
    result = Plan(
        ranking=ranked,
        budget=budget,
        total_cost=float(ranked.loc[chosen, "cost_idr"].sum()),
        sensitivity=None,
        solution=solution,
    )
    if with_sensitivity:
        result = add_sensitivity(result, options, label=label, time_limit_s=time_limit_s)
    return result


def add_sensitivity(
    result: Plan, options: PlanOptions, *, label: str = "rt_label", time_limit_s: float = DEFAULT_TIME_LIMIT_S
) -> Plan:
    """``result`` with its weight sensitivity, reusing its ranking and choice (no new ranking,
    the base choice as every run's starting solution).  The 14 runs share twice the time limit:
    a hard city never makes a request wait 15 limits."""
    unproven: list[str] = []
    changes = sensitivity_changes(
        result.ranking, result.budget, options, label=label, time_limit_s=time_limit_s / 7, unproven=unproven
    )
    legacy: dict[str, dict[str, list[str]]] = {}
    for c in changes:
        legacy.setdefault(c.factor, {})[c.key] = sorted({*c.enter, *c.leave})
    return replace(result, sensitivity=legacy, sensitivity_unproven=unproven, changes=changes)


def plan_summary(result: Plan, options: PlanOptions, lang: str) -> dict[str, Any]:
    """What a page or API shows beside the ranking, worded once here: the sensitivity in words
    (and as entering/leaving RTs), the weights as the effective shares they became, the factor
    names in ``lang`` and what a rank of "-" means."""
    return {
        "sensitivity_run": result.changes is not None,
        "sensitivity_text": sensitivity_sentences(result.changes, lang),
        "sensitivity_changes": [
            {
                "factor": c.factor,
                "factor_label": factor_label(c.factor, lang),
                "change_pct": c.change_pct,
                "enter": list(c.enter),
                "leave": list(c.leave),
            }
            for c in result.changes or []
        ],
        "weights_effective": {f: round(w, 4) for f, w in normalised_weights(options.weights).items()},
        "factor_labels": {f: factor_label(f, lang) for f in FACTORS},
        "rank_note": t("reason.rank_dash", lang),
    }


def check_budget(budget: float) -> None:
    """A budget is a finite number of rupiah above 0 and at most :data:`MAX_BUDGET_IDR`."""
    if not math.isfinite(budget) or budget > MAX_BUDGET_IDR:
        raise RequestError("plan.budget_range", value=str(budget)[:40], max=_MAX_TEXT)
    if budget <= 0:
        raise RequestError("plan.budget", max=_MAX_TEXT)


def parse_budget(text: str | float) -> float:
    """A budget as people write it: ``1500000000``, ``1.500.000.000``, ``Rp 1.5e9``; checked."""
    raw = str(text).strip()
    clean = re.sub(r"^rp\.?\s*", "", raw, flags=re.IGNORECASE).replace(" ", "")
    if re.fullmatch(r"\d{1,3}(\.\d{3})+", clean):  # Indonesian thousands separators
        clean = clean.replace(".", "")
    try:
        budget = float(clean)
    except ValueError:
        budget = math.nan
    if not math.isfinite(budget) or budget > MAX_BUDGET_IDR:  # say it back as it was written
        raise RequestError("plan.budget_range", value=raw[:40], max=_MAX_TEXT)
    check_budget(budget)
    return budget


def sensitivity(
    ranked: pd.DataFrame,
    budget: float,
    options: PlanOptions,
    *,
    label: str = "rt_label",
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
    unproven: list[str] | None = None,
) -> dict[str, dict[str, list[str]]]:
    """Which RTs change (enter or leave) when one weight moves by +/-20 %: factor -> change ->
    RT labels (the older shape of :func:`sensitivity_changes`)."""
    out: dict[str, dict[str, list[str]]] = {}
    for c in sensitivity_changes(ranked, budget, options, label=label, time_limit_s=time_limit_s, unproven=unproven):
        out.setdefault(c.factor, {})[c.key] = sorted({*c.enter, *c.leave})
    return out


def sensitivity_changes(
    ranked: pd.DataFrame,
    budget: float,
    options: PlanOptions,
    *,
    label: str = "rt_label",
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
    unproven: list[str] | None = None,
) -> list[WeightChange]:
    """The RTs that enter and leave the choice when one weight moves by +/-20 % (the others as
    they are); only the changes that change something.  ``ranked`` is a :func:`rank` result with
    its ``chosen`` column.

    Only the priorities change with the weights (factor values, eligibility and costs do not),
    so each run recomputes them from the factor values once computed, and starts from the base
    choice as a feasible solution.  Runs that hit ``time_limit_s`` are named in ``unproven``."""
    values = factor_values(ranked)
    eligible = ranked["eligible"].to_numpy(dtype=bool)
    cost_idr = ranked["cost_idr"].to_numpy(dtype=float)
    base = ranked["chosen"].to_numpy(dtype=bool)
    labels = ranked[label].to_numpy()
    order = {name: i for i, name in enumerate(labels)}  # name RTs in rank order
    changes: list[WeightChange] = []
    # moved from the normalised weights: a weight at MAX_WEIGHT moved by +20 % stays a valid weight
    base_weights = normalised_weights(options.weights)
    for f in FACTORS:
        for change, factor in ((20, 1.2), (-20, 0.8)):
            if base_weights[f] == 0:
                continue
            weights = normalised_weights({**base_weights, f: base_weights[f] * factor})
            priority = values.mul(pd.Series(weights)).sum(axis=1).round(6).to_numpy()  # as rank() computes it
            run = solve(np.where(eligible, priority, 0.0), cost_idr, budget, time_limit_s=time_limit_s, incumbent=base)
            if run.status != "optimal" and unproven is not None:
                unproven.append(f"{f} {change:+d}%")
            enter = sorted(set(labels[run.chosen & ~base]), key=order.get)
            leave = sorted(set(labels[base & ~run.chosen]), key=order.get)
            if enter or leave:
                changes.append(WeightChange(f, change, tuple(enter), tuple(leave)))
    return changes


def why(row: pd.Series, lang: str = "id", *, k: int | None = None) -> str:
    """The three factors that weigh most for this RT, in plain words."""
    parts = sorted(((row[f"c_{f}"], f) for f in FACTORS), reverse=True)[:3]
    texts = [_factor_text(f, row, lang, k) for weight, f in parts if weight > 0]
    return "; ".join(texts)


def _factor_text(f: str, row: pd.Series, lang: str, k: int | None = None) -> str:
    label = factor_label(f, lang)
    if f == "kumuh":
        level = row.get("kumuh_level_label", "")
        return f"{label} {int(row['kumuh_total'])}/80" + (f" ({level})" if level else "")
    if f == "poverty":
        if pd.isna(row.get("poor_share")):  # suppressed in public data: the median stood in for it
            if k is None:
                return t("reason.poverty_hidden_nok", lang, label=label)
            return t("reason.poverty_hidden", lang, label=label, k=k)
        return f"{percent(row['x_poverty'], lang, 0)} {label}"
    if f == "flood":
        return f"{label}: {percent(row['x_flood'], lang, 0)} " + t("reason.flood_area", lang)
    if f == "population":
        return f"{label} {number(row['jumlah_penduduk'], lang)}"
    return label


def ahp_weights(matrix: np.ndarray | list[list[float]]) -> tuple[np.ndarray, float]:
    """Saaty's AHP: weights from a reciprocal pairwise matrix (principal eigenvector) and the
    consistency ratio (CR < 0.1 is usually accepted)."""
    a = np.asarray(matrix, dtype=float)
    n = a.shape[0]
    if a.shape != (n, n) or (a <= 0).any() or not np.allclose(a * a.T, 1.0, atol=1e-6):
        raise RequestError("plan.ahp")
    values, vectors = np.linalg.eig(a)
    i = int(np.argmax(values.real))
    w = np.abs(vectors[:, i].real)
    w = w / w.sum()
    if n <= 2:
        return w, 0.0
    ci = (values[i].real - n) / (n - 1)
    # lambda_max >= n for a positive reciprocal matrix: a tiny negative CI is rounding noise (-0.0)
    return w, max(0.0, float(ci / RANDOM_INDEX.get(n, 1.49)))
