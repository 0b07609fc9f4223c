"""Small-count suppression holds on any table, not just the demo."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo.privacy import suppress


def random_table(rng: np.random.Generator, n_kel: int = 3) -> pd.DataFrame:
    rows = []
    for kel in range(n_kel):
        for _ in range(int(rng.integers(2, 12))):
            total = int(rng.choice([rng.integers(0, 8), rng.integers(8, 150)]))
            poor = int(rng.integers(0, total + 1))
            rows.append(
                {"kel": f"k{kel}", "kk_total": total, "kk_poor": poor, "poor_share": poor / total if total else np.nan}
            )
    return pd.DataFrame(rows)


@pytest.mark.parametrize("seed", range(40))
def test_no_small_count_survives_and_hidden_cells_cannot_be_recovered(seed: int) -> None:
    k = 5
    table = random_table(np.random.default_rng(seed))
    out = suppress(table, total="kk_total", counts=["kk_poor"], shares={"poor_share": "kk_poor"}, group="kel", k=k)
    for col in ("kk_total", "kk_poor"):
        published = out[col].dropna().astype(int)
        assert (published >= k).all()
    complement = (out["kk_total"] - out["kk_poor"]).dropna()
    assert (complement >= k).all()  # "18 of 20 are poor" would tell the other 2 too much
    for _, group in out.groupby("kel"):
        idx = group.index
        for col in ("kk_total", "kk_poor"):
            hidden = group[col].isna()
            if hidden.any() and (~hidden).any():
                # the kelurahan total minus the published cells must not pin down one RT or a small sum
                assert hidden.sum() >= 2
                assert table.loc[idx[hidden.to_numpy()], col].sum() >= k
    assert out.loc[out["kk_poor"].isna() | out["kk_total"].isna(), "poor_share"].isna().all()


def test_large_counts_are_left_alone() -> None:
    table = pd.DataFrame({"kel": ["a", "a"], "kk_total": [100, 120], "kk_poor": [30, 40], "poor_share": [0.3, 1 / 3]})
    out = suppress(table, total="kk_total", counts=["kk_poor"], shares={"poor_share": "kk_poor"}, group="kel")
    assert list(out["kk_poor"]) == [30, 40]
    assert out["poor_share"].notna().all()


def test_k_is_configurable() -> None:
    table = pd.DataFrame(
        {"kel": ["a"] * 3, "kk_total": [8, 30, 40], "kk_poor": [4, 10, 12], "poor_share": [0.5, 1 / 3, 0.3]}
    )
    strict = suppress(table, total="kk_total", counts=["kk_poor"], shares={"poor_share": "kk_poor"}, group="kel", k=10)
    assert strict["kk_total"].isna().iloc[0]
    lax = suppress(table, total="kk_total", counts=["kk_poor"], shares={"poor_share": "kk_poor"}, group="kel", k=3)
    assert lax["kk_total"].notna().all()
