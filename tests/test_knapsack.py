"""The exact knapsack: optimal against brute force on every path (meet-in-the-middle, branching,
HiGHS), never over budget, and honest about a gap when the time limit comes first."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import geo.knapsack as knapsack
from geo.errors import RequestError
from geo.knapsack import greedy, solve
from geo.selection import parse_budget


def brute_force(priority: np.ndarray, cost: np.ndarray, budget: float) -> float:
    best = 0.0
    for mask in itertools.product([0, 1], repeat=len(priority)):
        m = np.array(mask, dtype=bool)
        if cost[m].sum() <= budget:
            best = max(best, priority[m].sum())
    return best


def instance(seed: int, n: int) -> tuple[np.ndarray, np.ndarray, float]:
    """Priorities as rank() makes them (6 decimals) and costs in whole rupiah, many near-ties."""
    rng = np.random.default_rng(seed)
    priority = rng.uniform(0.1, 0.8, n).round(6)
    cost = np.round(rng.lognormal(np.log(4e8), 0.8, n), -3)
    budget = float(round(rng.uniform(0.15, 0.7) * cost.sum(), -6))
    return priority, cost, budget


@pytest.mark.parametrize("path", ["meet-in-the-middle", "branching", "highs"])
@pytest.mark.parametrize("seed", range(8))
def test_every_path_is_optimal_and_within_budget(seed: int, path: str, monkeypatch) -> None:
    if path == "branching":  # tiny leaves: the Lagrangian branching does the work
        monkeypatch.setattr(knapsack, "SMALL_CORE", 2)
    if path == "highs":  # every core goes to HiGHS
        monkeypatch.setattr(knapsack, "BRANCH_CORE", -1)
    priority, cost, budget = instance(seed, 13)
    result = solve(priority, cost, budget)
    assert cost[result.chosen].sum() <= budget
    assert result.status == "optimal"
    assert result.gap == 0.0
    assert result.objective == pytest.approx(brute_force(priority, cost, budget), abs=1e-9)
    assert result.objective == pytest.approx(priority[result.chosen].sum())


def test_a_city_sized_instance_is_never_over_budget_and_beats_greedy() -> None:
    priority, cost, budget = instance(42, 10_000)
    result = solve(priority, cost, budget)
    assert cost[result.chosen].sum() <= budget
    assert result.status == "optimal"
    assert result.objective >= priority[greedy(priority, cost, budget)].sum()
    assert result.candidates == 10_000
    assert 0 < result.core < 10_000  # the bound fixed most items


def test_time_limit_states_the_gap_honestly(monkeypatch) -> None:
    """Forced to stop at once, the answer is feasible, and its bound is no lower than the optimum."""
    monkeypatch.setattr(knapsack, "SMALL_CORE", 0)
    priority, cost, budget = instance(3, 14)
    result = solve(priority, cost, budget, time_limit_s=0.0)
    best = brute_force(priority, cost, budget)
    assert cost[result.chosen].sum() <= budget
    assert result.bound >= best - 1e-9
    assert result.objective <= best + 1e-9
    if result.status == "gap":
        assert result.gap == pytest.approx((result.bound - result.objective) / result.bound)
    else:
        assert result.objective == pytest.approx(best, abs=1e-9)


def test_free_items_everything_fits_and_nothing_fits() -> None:
    both = solve(np.array([0.5, 0.2, 0.0]), np.array([0.0, 10.0, 5.0]), 100.0)
    assert list(both.chosen) == [True, True, False]  # free and affordable taken; zero priority never
    none = solve(np.array([0.5, 0.7]), np.array([10.0, 20.0]), 5.0)
    assert not none.chosen.any()
    assert none.status == "optimal"
    assert solve(np.array([]), np.array([]), 5.0).chosen.size == 0


def test_incumbent_is_used_only_when_it_fits() -> None:
    priority, cost, budget = instance(5, 12)
    over = np.ones(12, dtype=bool)  # everything: over budget, must be ignored
    result = solve(priority, cost, budget, incumbent=over)
    assert cost[result.chosen].sum() <= budget
    assert result.objective == pytest.approx(brute_force(priority, cost, budget), abs=1e-9)


@pytest.mark.parametrize(
    ("text", "value"),
    [("1500000000", 1.5e9), ("1.500.000.000", 1.5e9), ("Rp 1.500.000.000", 1.5e9), ("1.5e9", 1.5e9), ("750", 750)],
)
def test_budgets_as_people_write_them(text: str, value: float) -> None:
    assert parse_budget(text) == value


@pytest.mark.parametrize("text", ["nan", "inf", "-inf", "-5", "0", "1e16", "1e400", "abc", "", "1,5 miliar"])
def test_bad_budgets_are_refused_by_name(text: str) -> None:
    with pytest.raises(RequestError) as caught:
        parse_budget(text)
    assert "anggaran" in caught.value.message("id")
    assert "budget" in caught.value.message("en")
