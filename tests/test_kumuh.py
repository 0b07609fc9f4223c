"""Slum scoring: published baseline rows, hand-computed RTs, every criterion and band edge."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo.criteria import PROFILE_FIELDS, available_rules, load_rule
from geo.kumuh import (
    ScoreOptions,
    after_works,
    breakdown,
    graduates,
    handled_volumes,
    kawasan_volumes,
    kontribusi,
    pct_half_up,
    score,
)
from tests.conftest import real_data

RULE = load_rule()
CRIT = RULE.criterion_ids


def rt(**volumes: float) -> pd.DataFrame:
    """One RT with round denominators: 100 buildings, 10 ha, 100 KK, 1,000 m of road and drain."""
    row = {
        "luas_verifikasi_ha": 10.0,
        "jumlah_bangunan": 100,
        "jumlah_penduduk": 400,
        "jumlah_kk": 100,
        "panjang_jalan_ideal_m": 1000.0,
        "panjang_drainase_ideal_m": 1000.0,
    }
    row.update({f"v_{c}": 0.0 for c in CRIT})
    row.update({f"v_{k}": v for k, v in volumes.items()})
    return pd.DataFrame([row])


@pytest.mark.parametrize("crit", CRIT)
@pytest.mark.parametrize(
    ("share", "expected"),
    [(0.2499, 0), (0.25, 1), (0.5099, 1), (0.51, 3), (0.7599, 3), (0.76, 5), (1.0, 5), (1.7544, 5)],
)
def test_every_criterion_at_every_band_edge(crit: str, share: float, expected: int) -> None:
    denom = {
        "jumlah_bangunan": 100,
        "luas_verifikasi_ha": 10.0,
        "jumlah_kk": 100,
        "panjang_jalan_ideal_m": 1000.0,
        "panjang_drainase_ideal_m": 1000.0,
    }[next(c.denominator for c in RULE.criteria if c.id == crit)]
    result = score(rt(**{crit: share * denom})).iloc[0]
    assert result[f"p_{crit}"] == pytest.approx(share * 100)
    assert result[f"s_{crit}"] == expected
    assert result["total"] == expected


def test_published_edges_75_91_and_76_29() -> None:
    """Not rounded to whole numbers first: 75.91 % scores 3, 76.29 % scores 5."""
    assert score(rt(**{"3a": 75.91})).iloc[0]["s_3a"] == 3
    assert score(rt(**{"3a": 76.29})).iloc[0]["s_3a"] == 5


def test_half_up_not_half_even() -> None:
    # 3.125 % is a tie: the published tables print 3.13, Python's round() gives 3.12
    assert round(3.125, 2) == 3.12
    assert pct_half_up(np.array([3.125]), np.array([100.0]))[0] == 3.13
    assert pct_half_up(np.array([1.0]), np.array([3.0]))[0] == 33.33
    assert pct_half_up(np.array([2.0]), np.array([3.0]))[0] == 66.67
    assert pct_half_up(np.array([-2.70]), np.array([8.0]))[0] == -33.75


def test_zero_denominator_negative_volume_and_no_cap() -> None:
    frame = rt(**{"4b": 120.0, "4a": -2.7, "1b": 17.544})
    frame["panjang_drainase_ideal_m"] = 0.0
    result = score(frame).iloc[0]
    assert result["p_4b"] == 0
    assert result["s_4b"] == 0
    assert result["p_4a"] == -27.0
    assert result["s_4a"] == 0
    assert result["p_1b"] == 175.44
    assert result["s_1b"] == 5
    assert result["negative_volumes"] == "4a"


@pytest.mark.parametrize(
    ("total", "level"),
    [
        (0, "TK"),
        (14, "TK"),
        (15, "TK"),
        (16, "KR"),
        (17, "KR"),
        (37, "KR"),
        (38, "KS"),
        (59, "KS"),
        (60, "KB"),
        (80, "KB"),
    ],
)
def test_levels(total: int, level: str) -> None:
    """Totals built from criterion scores land in the right band (14 tidak kumuh, 17 ringan)."""
    fives, rest = divmod(total, 5)
    vols = dict.fromkeys(CRIT[:fives], 100.0)
    extra = {1: [(0.25, 1)], 2: [(0.25, 1)] * 2, 3: [(0.51, 3)], 4: [(0.51, 3), (0.25, 1)]}.get(rest, [])
    for crit, (share, _) in zip(CRIT[fives:], extra, strict=False):
        vols[crit] = share * 100
    frame = rt(**{c: v / 100 * _denom(c) for c, v in vols.items()})
    result = score(frame).iloc[0]
    assert result["total"] == total
    assert result["level"] == level


def _denom(crit: str) -> float:
    field = next(c.denominator for c in RULE.criteria if c.id == crit)
    return {
        "jumlah_bangunan": 100,
        "luas_verifikasi_ha": 10.0,
        "jumlah_kk": 100,
        "panjang_jalan_ideal_m": 1000.0,
        "panjang_drainase_ideal_m": 1000.0,
    }[field]


def test_hand_computed_rt() -> None:
    """A worked example: 2a 600/1000 m = 60 % -> 3; 3a 80/100 KK -> 5; 6a 30/100 -> 1; 4b 0 -> 0."""
    result = score(rt(**{"2a": 600.0, "3a": 80.0, "6a": 30.0})).iloc[0]
    assert (result["s_2a"], result["s_3a"], result["s_6a"]) == (3, 5, 1)
    assert result["total"] == 9
    assert result["mean_2"] == 30.0  # (60 + 0) / 2
    assert result["mean_3"] == 40.0
    assert result["sectoral_mean"] == pytest.approx((30 + 40 + 15) / 7)
    table = breakdown(rt(**{"2a": 600.0}).iloc[0])
    assert list(table.columns[:6]) == ["criterion", "aspect", "name", "volume", "unit", "denominator_field"]
    assert table.set_index("criterion").loc["2a", "percentage"] == 60.0
    assert set(table["rule_id"]) == {"permen-pupr-14-2018"}


def test_clamp_option_only_changes_means() -> None:
    frame = rt(**{"4a": -5.0, "4b": 500.0})
    plain, clamped = score(frame).iloc[0], score(frame, ScoreOptions(clamp_negative_in_means=True)).iloc[0]
    assert plain["mean_4"] == pytest.approx((-50 + 50 + 0) / 3)
    assert clamped["mean_4"] == pytest.approx(50 / 3)
    assert plain["total"] == clamped["total"]


def test_kawasan_sums_rts_then_scores() -> None:
    frame = pd.concat([rt(**{"3a": 80.0}), rt(**{"3a": 0.0})], ignore_index=True).assign(kawasan=["A", "A"])
    result = score(kawasan_volumes(frame, "kawasan")).iloc[0]
    assert result["p_3a"] == 40.0
    assert result["s_3a"] == 1


def test_after_works_kontribusi_and_graduation() -> None:
    base = rt(**{"2b": 800.0, "4b": 900.0, "3a": 10.0}).assign(unit_number=1, rt_number=3)
    works = pd.DataFrame(
        {
            "unit_number": [1, 1, 1],
            "rt_number": [3, 3, 3],
            "criterion_id": ["2b", "4b", "4b"],
            "volume": [800.0, 500.0, 600.0],
            "status": ["selesai", "selesai", "berjalan"],
        }
    )
    handled = handled_volumes(works, ["unit_number", "rt_number"])
    after = after_works(base, handled, ["unit_number", "rt_number"])
    assert after.iloc[0]["v_2b"] == 0.0
    assert after.iloc[0]["v_4b"] == 400.0
    before_s, after_s = score(base), score(after)
    assert before_s.iloc[0]["total"] == 10
    assert after_s.iloc[0]["total"] == 1  # 4b: 400 of 1,000 m still missing = 40 % -> 1
    k = kontribusi(before_s["sectoral_mean"], after_s["sectoral_mean"]).iloc[0]
    assert k == pytest.approx(
        (before_s.iloc[0]["sectoral_mean"] - after_s.iloc[0]["sectoral_mean"]) / before_s.iloc[0]["sectoral_mean"]
    )
    assert not graduates(before_s).iloc[0]
    assert graduates(after_s).iloc[0]  # tidak kumuh, and every basic service above 80 %


def test_rule_table_is_data() -> None:
    assert "permen-pupr-14-2018" in available_rules()
    assert len(RULE.criteria) == 16
    assert RULE.max_total == 80
    assert set(PROFILE_FIELDS) >= {c.denominator for c in RULE.criteria}


@pytest.mark.realdata
def test_reproduces_382_published_pekalongan_rows() -> None:
    df = pd.read_csv(real_data("kotaku-baseline-pekalongan", "kumuh_rt_pekalongan_2019.csv"))
    result = score(df)
    for c in CRIT:
        assert (result[f"s_{c}"].to_numpy() == df[f"s_{c}"].to_numpy()).all(), c
        assert np.allclose(result[f"p_{c}"], df[f"p_{c}"] * 100, atol=0.005)
    assert (result["total"] == df["total_score"]).all()
    assert (result["level"] == df["level"]).all()
    assert {14, 17} <= set(df["total_score"])
    assert set(result.loc[df["total_score"] == 14, "level"]) == {"TK"}
    assert set(result.loc[df["total_score"] == 17, "level"]) == {"KR"}
    edge = df[(df["p_4c"] * 100).round(2) == 75.90]
    assert len(edge)
    assert (score(edge)["s_4c"] == 3).all()
    # published aspect means clamp negatives to 0: they match for all but the few rows the app recomputed
    clamped = score(df, ScoreOptions(clamp_negative_in_means=True))
    for aspect in range(1, 8):
        agree = (clamped[f"mean_{aspect}"] / 100 - df[f"avg_{aspect}_pub_fraction"]).abs() < 1e-4
        assert agree.mean() > 0.97
