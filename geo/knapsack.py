"""The exact 0/1 knapsack behind site selection: the largest total priority within a budget.

Pure numpy, with HiGHS (scipy's ``milp``) for the rare hard core; never sees a frame.

How a city of 10,000 RTs solves in well under a second, exactly:

1. The LP relaxation (Dantzig: best priority per rupiah first, the critical item split) gives an
   upper bound ``UB`` and a critical ratio; every item's *reduced cost* ``r = p - ratio * c`` says
   how much the bound drops if that item is taken against the LP's advice (or left out).
2. A good feasible choice ``LB``: the best of the ratio-greedy choice, the LP choice with the
   items nearest the cut-off re-chosen exactly, and a caller's ``incumbent`` (the base plan when
   weights move in a sensitivity run).
3. No choice better than ``LB`` can go against the LP on an item with ``|r| > UB - LB``: those
   are fixed.  The few left open (the *core*) are branched on, largest ``|r|`` first (each
   branch that goes against the LP spends ``|r|`` of the slack, so it closes fast), down to
   cores of :data:`SMALL_CORE` items solved by meet-in-the-middle.
4. A core too large for that, or time running out, goes to HiGHS with the time left; its
   dual bound is the stated bound and the gap is ``(bound - objective) / bound``.

Costs are whole rupiah (exact in float64 below 2^53), so "within budget" is checked exactly.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

__all__ = ["DEFAULT_TIME_LIMIT_S", "Solution", "greedy", "solve"]

DEFAULT_TIME_LIMIT_S = 20.0  # then the answer is the best found, with its gap stated
SMALL_CORE = 30  # solved exactly by meet-in-the-middle: 2 x 2^15 subsets
BRANCH_CORE = 400  # larger cores go to HiGHS straight away


@dataclass(frozen=True)
class Solution:
    """A budgeted choice and how sure it is: ``status`` is "optimal" (proven) or "gap" (the
    time limit came first; ``gap`` is the relative distance between ``objective`` and ``bound``)."""

    chosen: np.ndarray  # boolean mask over the items
    status: str
    objective: float  # total priority of the chosen items
    bound: float  # no choice within the budget reaches more than this
    gap: float  # (bound - objective) / bound; 0 when proven optimal
    seconds: float  # wall-clock solve time
    candidates: int  # items that could be chosen at all (priority > 0, cost within the budget)
    core: int  # items left open once the bound had fixed the rest


def solve(
    priority: np.ndarray,
    cost_idr: np.ndarray,
    budget: float,
    *,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
    incumbent: np.ndarray | None = None,
) -> Solution:
    """The items with the largest total ``priority`` whose total ``cost_idr`` fits ``budget``."""
    start = time.perf_counter()
    priority = np.asarray(priority, dtype=float)
    cost_idr = np.asarray(cost_idr, dtype=float)
    chosen = np.zeros(len(priority), dtype=bool)
    usable = np.isfinite(priority) & np.isfinite(cost_idr) & (priority > 0) & (cost_idr <= budget)
    chosen[usable & (cost_idr <= 0)] = True  # costs nothing: always worth it
    idx = np.flatnonzero(usable & (cost_idr > 0))
    # a tiny preference for cheaper sets among equal priorities keeps the answer unique and stable
    p = priority[idx] - 1e-12 * cost_idr[idx] / max(budget, 1.0)
    c = cost_idr[idx]
    free = float(priority[chosen].sum())
    status, bound, core = "optimal", 0.0, 0
    if c.sum() <= budget:
        chosen[idx] = True
    elif len(idx):
        pick, status, bound, core = _Search(p, c, budget, start + time_limit_s).run(
            None if incumbent is None else np.asarray(incumbent, dtype=bool)[idx]
        )
        chosen[idx] = pick
    objective = float(priority[chosen].sum())
    upper = objective if status == "optimal" else max(free + bound, objective)
    gap = (upper - objective) / upper if upper > 0 else 0.0
    return Solution(chosen, status, objective, upper, gap, time.perf_counter() - start, int(usable.sum()), core)


def greedy(priority: np.ndarray, cost_idr: np.ndarray, budget: float) -> np.ndarray:
    """Best priority per rupiah first, skipping what no longer fits (feasible, not optimal)."""
    priority, cost_idr = np.asarray(priority, dtype=float), np.asarray(cost_idr, dtype=float)
    usable = np.flatnonzero((priority > 0) & (cost_idr <= budget))
    order = usable[np.lexsort((usable, -(priority[usable] / np.maximum(cost_idr[usable], 1e-9))))]
    return _fill(cost_idr, order, budget)


def _fill(c: np.ndarray, order: np.ndarray, budget: float) -> np.ndarray:
    take = np.zeros(len(c), dtype=bool)
    room = budget
    for j in order:
        if c[j] <= room:
            take[j] = True
            room -= c[j]
    return take


class _Search:
    """One knapsack whose items do not all fit: bound, fixing, branching, HiGHS if need be."""

    def __init__(self, p: np.ndarray, c: np.ndarray, budget: float, deadline: float) -> None:
        self.p, self.c, self.budget, self.deadline = p, c, budget, deadline
        order = np.lexsort((np.arange(len(p)), -(p / c)))
        cum = np.cumsum(c[order])
        b = int(np.searchsorted(cum, budget, side="right"))  # the critical item: the first that does not fit
        ratio = p[order[b]] / c[order[b]]
        self.upper = float(p[order[:b]].sum() + (budget - (cum[b - 1] if b else 0.0)) * ratio)
        self.reduced = p - ratio * c
        self.lp = self.reduced > 0  # the LP's advice (the critical item counts as out)
        self.order = order
        self.best = np.zeros(len(p), dtype=bool)
        self.best_value = 0.0

    def offer(self, x: np.ndarray | None) -> None:
        if x is not None and self.c[x].sum() <= self.budget and self.p[x].sum() > self.best_value:
            self.best, self.best_value = x.copy(), float(self.p[x].sum())

    def slack(self) -> float:
        return self.upper - self.best_value + 1e-9 * max(1.0, abs(self.upper))

    def run(self, incumbent: np.ndarray | None) -> tuple[np.ndarray, str, float, int]:
        """(choice, status, upper bound, core size)."""
        self.offer(_fill(self.c, self.order, self.budget))
        self.offer(incumbent)
        near = np.argsort(np.abs(self.reduced), kind="stable")[:SMALL_CORE]
        self.offer(self._leaf(near, self.lp))
        core = np.flatnonzero(np.abs(self.reduced) <= self.slack())
        if len(core) > BRANCH_CORE:
            return self._highs(core)
        timed_out = self._branch(core, self.lp.copy(), 0.0)
        if timed_out:
            return self._highs(np.flatnonzero(np.abs(self.reduced) <= self.slack()))
        return self.best, "optimal", self.best_value, len(core)

    def _branch(self, open_idx: np.ndarray, x: np.ndarray, spent: float) -> bool:
        """Best choice that agrees with ``x`` outside ``open_idx``, where going against the LP has
        already cost ``spent`` of the bound.  True when the time limit cut the search short."""
        room = self.slack() - spent
        if room < 0:
            return False
        open_idx = open_idx[np.abs(self.reduced[open_idx]) <= room]
        if len(open_idx) <= SMALL_CORE:
            self.offer(self._leaf(open_idx, x))
            return False
        if time.perf_counter() > self.deadline:
            return True
        i = open_idx[np.argmax(np.abs(self.reduced[open_idx]))]
        rest = open_idx[open_idx != i]
        against = x.copy()
        against[i] = not self.lp[i]
        return self._branch(rest, x, spent) or self._branch(rest, against, spent + abs(self.reduced[i]))

    def _leaf(self, open_idx: np.ndarray, x: np.ndarray) -> np.ndarray | None:
        """``x`` with the items ``open_idx`` chosen exactly (meet in the middle)."""
        out = x.copy()
        out[open_idx] = False
        room = self.budget - self.c[out].sum()
        if room < 0:
            return None
        pick = best_subset(self.p[open_idx], self.c[open_idx], room)
        out[open_idx] = pick
        return out

    def _highs(self, open_idx: np.ndarray) -> tuple[np.ndarray, str, float, int]:
        fixed_in = self.lp & (np.abs(self.reduced) > self.slack())
        room = self.budget - self.c[fixed_in].sum()
        open_idx = open_idx[self.c[open_idx] <= room]
        left = max(self.deadline - time.perf_counter(), 0.5)
        pick, status, core_bound = _milp(self.p[open_idx], self.c[open_idx], room, left)
        x = fixed_in.copy()
        x[open_idx] = pick
        self.offer(x)
        bound = float(self.p[fixed_in].sum() + core_bound)
        return self.best, status, min(bound, self.upper) if status != "optimal" else self.best_value, len(open_idx)


def best_subset(p: np.ndarray, c: np.ndarray, budget: float) -> np.ndarray:
    """Exact 0/1 knapsack of a few items: every subset of each half, matched by cost."""
    half = len(p) // 2
    pa, ca = _subsets(p[:half], c[:half])
    pb, cb = _subsets(p[half:], c[half:])
    by_cost = np.argsort(cb, kind="stable")
    cb_sorted, pb_sorted = cb[by_cost], pb[by_cost]
    running = np.maximum.accumulate(pb_sorted)
    is_new = np.concatenate([[True], pb_sorted[1:] > running[:-1]])
    best_b = by_cost[np.maximum.accumulate(np.where(is_new, np.arange(len(pb_sorted)), 0))]
    j = np.searchsorted(cb_sorted, budget - ca, side="right") - 1
    total = np.where(j >= 0, pa + running[np.maximum(j, 0)], -np.inf)
    a = int(np.argmax(total))
    if not np.isfinite(total[a]):
        return np.zeros(len(p), dtype=bool)
    mask_a, mask_b = a, int(best_b[j[a]])
    bits = [(mask_a >> i) & 1 for i in range(half)] + [(mask_b >> i) & 1 for i in range(len(p) - half)]
    return np.array(bits, dtype=bool)


def _subsets(p: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Total priority and cost of every subset; subset k holds item i when bit i of k is set."""
    total_p, total_c = np.zeros(1), np.zeros(1)
    for pi, ci in zip(p, c, strict=True):
        total_p = np.concatenate([total_p, total_p + pi])
        total_c = np.concatenate([total_c, total_c + ci])
    return total_p, total_c


def _milp(p: np.ndarray, c: np.ndarray, budget: float, time_limit_s: float) -> tuple[np.ndarray, str, float]:
    """HiGHS on a core, tightened until its choice fits ``budget`` in exact rupiah."""
    from scipy.optimize import Bounds, LinearConstraint, milp  # here: 0.35 s CPU off every server start

    if len(p) == 0:
        return np.zeros(0, dtype=bool), "optimal", 0.0
    rhs = 1.0
    for _ in range(4):
        res = milp(
            -p,
            constraints=LinearConstraint((c / budget)[None, :], -np.inf, rhs),  # scaled: tolerances in budgets
            integrality=np.ones(len(p)),
            bounds=Bounds(0, 1),
            options={"time_limit": float(time_limit_s), "mip_rel_gap": 0.0},
        )
        if res.x is None:
            break
        x = np.rint(res.x).astype(bool)
        over = c[x].sum() - budget
        if over <= 0:
            bound = -float(res.mip_dual_bound) if res.mip_dual_bound is not None else float(p.sum())
            return x, "optimal" if res.status == 0 else "gap", max(bound, float(p[x].sum()))
        rhs -= over / budget + 1e-9
    return np.zeros(len(p), dtype=bool), "gap", float(p.sum())
