"""Budgeted site selection: optimal against brute force, within budget, stable, explained."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from geo.errors import RequestError
from geo.selection import DEFAULT_WEIGHTS, PlanOptions, ahp_weights, plan, rank, select


def brute_force(priority: np.ndarray, cost: np.ndarray, budget: float) -> float:
    best = 0.0
    for mask in itertools.product([0, 1], repeat=len(priority)):
        m = np.array(mask, dtype=bool)
        if cost[m].sum() <= budget:
            best = max(best, priority[m].sum())
    return best


@pytest.mark.parametrize("seed", range(30))
def test_selection_is_optimal_and_within_budget(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 11))
    priority = rng.uniform(0, 1, n).round(3)
    cost = rng.integers(50, 900, n).astype(float) * 1_000_000
    budget = float(rng.uniform(0.2, 0.8) * cost.sum())
    chosen = select(priority, cost, budget)
    assert cost[chosen].sum() <= budget
    assert priority[chosen].sum() == pytest.approx(brute_force(priority, cost, budget), abs=1e-9)
    assert (select(priority, cost, budget) == chosen).all()  # the same inputs give the same answer


def test_nothing_fits_and_nothing_to_choose() -> None:
    assert not select(np.array([0.5, 0.7]), np.array([10.0, 20.0]), 5.0).any()
    assert select(np.array([]), np.array([]), 5.0).size == 0


def table() -> pd.DataFrame:
    rows = []
    for i, (score, poor, flood, pop, legal) in enumerate(
        [
            (45, 0.6, 0.5, 400, "jelas"),
            (40, 0.2, 0.1, 300, "jelas"),
            (30, 0.5, 0.0, 500, "tidak_jelas"),
            (10, 0.9, 0.9, 350, "jelas"),
            (25, 0.3, 0.2, 200, "jelas"),
        ]
    ):
        rows.append(
            {
                "rt_label": f"RT {i + 1:03d} / RW 001",
                "unit_number": 1,
                "rt_number": i + 1,
                "kumuh_total": score,
                "kumuh_level_label": "",
                "poor_share": poor,
                "flood_share": flood,
                "jumlah_penduduk": pop,
                "nilai_strategis": 5 if i == 1 else 1,
                "kependudukan": 3,
                "kondisi_sosial": 1,
                "legalitas_lahan": legal,
                "sesuai_rtrw": "ya",
                "v_2a": 100.0 * (i + 1),
                "v_4b": 50.0,
                "v_3a": 10.0,
            }
        )
    return pd.DataFrame(rows)


def test_filters_rank_and_costs() -> None:
    ranked = rank(table(), PlanOptions())
    eligible = ranked[ranked["eligible"]]
    assert "RT 003 / RW 001" not in set(eligible["rt_label"])  # land status unclear
    assert "RT 004 / RW 001" not in set(eligible["rt_label"])  # tidak kumuh (10/80)
    assert list(eligible["rank"]) == [1, 2, 3]
    assert eligible.iloc[0]["rt_label"] == "RT 001 / RW 001"
    first = ranked.set_index("rt_label").loc["RT 001 / RW 001"]
    assert first["cost_idr"] == 100 * 1_100_000 + 50 * 950_000 + 10 * 2_000_000
    everyone = rank(table(), PlanOptions(legal_only=False, slum_only=False))
    assert everyone["eligible"].all()


def test_plan_explains_and_reports_sensitivity() -> None:
    result = plan(table(), 300_000_000)
    chosen = result.ranking[result.ranking["chosen"]]
    assert result.total_cost <= 300_000_000
    assert (chosen["why"].str.len() > 0).all()
    assert "skor kumuh 45/80" in chosen.set_index("rt_label").loc["RT 001 / RW 001", "why"]
    heavy_flood = plan(table(), 300_000_000, PlanOptions(weights={"flood": 1.0}))
    assert heavy_flood.ranking.iloc[0]["rt_label"] == "RT 001 / RW 001"
    assert isinstance(result.sensitivity, dict)
    for changes in result.sensitivity.values():
        assert set(changes) <= {"+20%", "-20%"}


def test_bad_weights_and_budget_are_refused() -> None:
    with pytest.raises(RequestError):
        plan(table(), 0)
    with pytest.raises(RequestError):
        rank(table(), PlanOptions(weights={"cuaca": 1.0}))
    with pytest.raises(RequestError):
        rank(table(), PlanOptions(weights={"kumuh": -1.0, "poverty": 2.0}))
    assert set(DEFAULT_WEIGHTS) == {"kumuh", "poverty", "flood", "population", "strategis", "kependudukan", "sosial"}


def test_ahp_weights_and_consistency() -> None:
    consistent = np.array([[1, 2, 4], [1 / 2, 1, 2], [1 / 4, 1 / 2, 1]])
    w, cr = ahp_weights(consistent)
    assert w == pytest.approx([4 / 7, 2 / 7, 1 / 7])
    assert cr == pytest.approx(0.0, abs=1e-9)
    inconsistent = np.array([[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]])
    assert ahp_weights(inconsistent)[1] > 0.1
    with pytest.raises(RequestError):
        ahp_weights([[1, 2], [2, 1]])
