"""Small-count suppression for published household aggregates (DOMAIN.md section 5).

Primary suppression hides every count below ``k`` and every count whose complement within its
RT (households *not* in the category) is below ``k``: "18 of 20 households are poor" tells each
of the 20 too much.  Secondary suppression then hides further cells in the same column until the
hidden cells cannot be recovered from the kelurahan total: at least two hidden cells, and the
hidden values and their complements each summing to at least ``k``.  A share is published only
when both its count and its denominator are.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

DEFAULT_K = 5


def suppress(
    table: pd.DataFrame, *, total: str, counts: Sequence[str], shares: dict[str, str], group: str, k: int = DEFAULT_K
) -> pd.DataFrame:
    """A copy of ``table`` with suppressed cells set to missing.

    ``total`` is the denominator column (KK per RT), ``counts`` the household counts,
    ``shares`` maps each share column to its count column, ``group`` the column whose groups
    publish totals (the kelurahan).
    """
    out = table.copy()
    cols = [total, *counts]
    hidden = pd.DataFrame(False, index=out.index, columns=cols)
    tot = out[total].astype(float).to_numpy()
    hidden[total] = tot < k
    for col in counts:
        val = out[col].astype(float).to_numpy()
        hidden[col] = (val < k) | ((tot - val) < k) | (tot < k)
    for _ in range(len(out) + 1):  # each round hides at least one more cell, or stops
        changed = False
        for _, idx in out.groupby(group).groups.items():
            for col in cols:
                changed |= _secondary(out, hidden, idx, col, total, k)
        row_hidden = hidden[total].to_numpy()
        for col in counts:
            newly = row_hidden & ~hidden[col].to_numpy() & (tot < k)
            if newly.any():
                hidden.loc[newly, col] = True
                changed = True
        if not changed:
            break
    for col in cols:
        out[col] = out[col].astype("Int64").mask(hidden[col])
    for share, count in shares.items():
        out[share] = out[share].astype(float).mask(hidden[count] | hidden[total])
    return out


def _secondary(table: pd.DataFrame, hidden: pd.DataFrame, idx: pd.Index, col: str, total: str, k: int) -> bool:
    val = table.loc[idx, col].astype(float)
    comp = (table.loc[idx, total].astype(float) - val) if col != total else pd.Series(np.inf, index=idx)
    changed = False
    while True:
        mask = hidden.loc[idx, col]
        n_hidden = int(mask.sum())
        if n_hidden == 0:
            return changed
        safe = n_hidden >= 2 and val[mask].sum() >= k and comp[mask].sum() >= k
        open_cells = val[~mask]
        if safe or open_cells.empty:
            return changed
        hidden.loc[open_cells.idxmin(), col] = True
        changed = True
