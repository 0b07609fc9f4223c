"""Choosing RTs to upgrade: weighted ranking, optional AHP weights, and the best set of RTs
that fits a budget in rupiah, with a plain-language "why" and a sensitivity note.

Pure functions over a planning table (one row per RT) built by :func:`geo.planning.planning_table`.
The optimiser never sees a GeoDataFrame.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp

from geo.errors import RequestError

MAX_BUDGET_IDR = 1e15  # Rp 1.000 triliun: about a third of the national budget; anything above is a typo
FACTORS = ("kumuh", "poverty", "flood", "population", "strategis", "kependudukan", "sosial")
DEFAULT_WEIGHTS = {
    "kumuh": 0.35,
    "poverty": 0.25,
    "flood": 0.15,
    "population": 0.10,
    "strategis": 0.05,
    "kependudukan": 0.05,
    "sosial": 0.05,
}
FACTOR_LABELS = {
    "kumuh": ("skor kumuh", "slum score"),
    "poverty": ("KK miskin", "poor households"),
    "flood": ("bahaya banjir", "flood hazard"),
    "population": ("jumlah penduduk", "population"),
    "strategis": ("nilai strategis lokasi", "strategic value"),
    "kependudukan": ("kepadatan penduduk", "density"),
    "sosial": ("kondisi sosial-ekonomi", "social and economic conditions"),
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
SLUM_MIN_TOTAL = 16  # the lowest kumuh band (ringan) of Permen PUPR 14/2018
RANDOM_INDEX = {1: 0.0, 2: 0.0, 3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41, 9: 1.45, 10: 1.49}


@dataclass(frozen=True)
class PlanOptions:
    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    unit_costs: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_UNIT_COSTS))
    legal_only: bool = True  # RTs without clear land status or outside the spatial plan are left out
    slum_only: bool = True  # RTs scored tidak kumuh (total < 16) are not upgrade sites


def normalised_weights(weights: dict[str, float]) -> dict[str, float]:
    unknown = set(weights) - set(FACTORS)
    if unknown:
        raise RequestError("plan.factor", names=", ".join(sorted(unknown)), allowed=", ".join(FACTORS))
    if any(w < 0 for w in weights.values()) or sum(weights.values()) <= 0:
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
    out = out.sort_values(["eligible", "priority", "rt_label"], ascending=[False, False, True])
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
    an exact 0/1 knapsack solved as a MILP (HiGHS).  Returns a boolean mask."""
    priority = np.asarray(priority, dtype=float)
    cost_idr = np.asarray(cost_idr, dtype=float)
    n = len(priority)
    if n == 0:
        return np.zeros(0, dtype=bool)
    usable = (cost_idr <= budget) & (priority > 0)
    chosen = np.zeros(n, dtype=bool)
    if not usable.any():
        return chosen
    idx = np.flatnonzero(usable)
    # a tiny preference for cheaper sets among equal priorities keeps the answer unique and stable
    c = -(priority[idx] - 1e-12 * cost_idr[idx] / max(budget, 1.0))
    res = milp(
        c,
        constraints=LinearConstraint(cost_idr[idx][None, :], -np.inf, budget),
        integrality=np.ones(len(idx)),
        bounds=Bounds(0, 1),
    )
    if res.x is None:
        return chosen
    chosen[idx] = np.rint(res.x).astype(bool)
    return chosen


@dataclass
class Plan:
    ranking: pd.DataFrame  # every RT: priority, rank, eligible, cost, chosen, why
    budget: float
    total_cost: float
    sensitivity: dict[str, dict[str, list[str]]]  # factor -> {"+20%": changed RTs, "-20%": ...}


def plan(table: pd.DataFrame, budget: float, options: PlanOptions | None = None, *, lang: str = "id") -> Plan:
    """Rank, choose under ``budget``, explain, and test each weight at +/-20 %."""
    if not math.isfinite(budget) or not 0 < budget <= MAX_BUDGET_IDR:  # inf or nan would pass "> 0"
        raise RequestError("plan.budget", max=f"{MAX_BUDGET_IDR:,.0f}".replace(",", "."))
    options = options or PlanOptions()
    ranked = rank(table, options)
    chosen = select(np.where(ranked["eligible"], ranked["priority"], 0.0), ranked["cost_idr"].to_numpy(), budget)
    ranked["chosen"] = chosen
    ranked["why"] = [why(row, lang) if ok else "" for ok, (_, row) in zip(chosen, ranked.iterrows(), strict=True)]
    base = set(ranked.loc[chosen, "rt_label"])
    sens: dict[str, dict[str, list[str]]] = {}
    for f in FACTORS:
        for label, factor in (("+20%", 1.2), ("-20%", 0.8)):
            weights = dict(options.weights)
            if weights.get(f, 0) == 0:
                continue
            weights[f] = weights[f] * factor
            alt = rank(
                table,
                PlanOptions(
                    weights=weights,
                    unit_costs=options.unit_costs,
                    legal_only=options.legal_only,
                    slum_only=options.slum_only,
                ),
            )
            pick = select(np.where(alt["eligible"], alt["priority"], 0.0), alt["cost_idr"].to_numpy(), budget)
            changed = sorted(base ^ set(alt.loc[pick, "rt_label"]))
            if changed:
                sens.setdefault(f, {})[label] = changed
    return Plan(ranking=ranked, budget=budget, total_cost=float(ranked.loc[chosen, "cost_idr"].sum()), sensitivity=sens)


def why(row: pd.Series, lang: str = "id") -> str:
    """The three factors that weigh most for this RT, in plain words."""
    parts = sorted(((row[f"c_{f}"], f) for f in FACTORS), reverse=True)[:3]
    texts = [_factor_text(f, row, lang) for weight, f in parts if weight > 0]
    return "; ".join(texts)


def _factor_text(f: str, row: pd.Series, lang: str) -> str:
    idx = 0 if lang == "id" else 1
    label = FACTOR_LABELS[f][idx]
    if f == "kumuh":
        level = row.get("kumuh_level_label", "")
        return f"{label} {int(row['kumuh_total'])}/80" + (f" ({level})" if level else "")
    if f == "poverty":
        if pd.isna(row.get("poor_share")):  # suppressed in public data: the median stood in for it
            return f"{label}: " + (
                "disembunyikan (< k KK), nilai tengah dipakai"
                if lang == "id"
                else "suppressed (< k households), the median was used"
            )
        return f"{100 * row['x_poverty']:.0f} % {label}"
    if f == "flood":
        return f"{label}: {100 * row['x_flood']:.0f} % " + ("luas" if lang == "id" else "of the area")
    if f == "population":
        return f"{label} {int(row['jumlah_penduduk'])}"
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
