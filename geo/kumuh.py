"""Slum (kumuh) scoring to Permen PUPR 14/2018, vectorised, every number traceable.

For each criterion: percentage = volume / denominator x 100, rounded **half-up** to 2 decimals in
exact integer arithmetic (Python's ``round`` is half-to-even and numpy's float rounding can miss
a tie), not capped at 100, 0 for a zero denominator; score 5 / 3 / 1 / 0 from the rounded
percentage against the rule's thresholds.  Aspect means, the sectoral mean, the total (0-80) and
the level follow DOMAIN.md section 2.  Everything carries the rule id.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.criteria import DEFAULT_RULE, PROFILE_FIELDS, Rule, load_rule

# volumes are given with at most 6 decimals (0.848808 ha); scaled to integers they divide exactly
_SCALE = 1_000_000


def pct_half_up(volume: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """volume / denominator x 100, half-up (away from zero) to 2 decimals; 0 where the
    denominator is 0 or missing."""
    v = np.rint(np.nan_to_num(np.asarray(volume, dtype=float)) * _SCALE).astype(np.int64)
    d = np.rint(np.nan_to_num(np.asarray(denominator, dtype=float)) * _SCALE).astype(np.int64)
    out = np.zeros(v.shape, dtype=float)
    ok = d > 0
    num = np.abs(v[ok]) * 10_000  # hundredths of a percent, times the denominator
    q = (2 * num + d[ok]) // (2 * d[ok])
    out[ok] = np.sign(v[ok]) * q / 100.0
    return out


def criterion_scores(pct: np.ndarray, rule: Rule) -> np.ndarray:
    score = np.zeros(pct.shape, dtype=np.int64)
    for threshold, value in sorted(rule.thresholds):  # lowest first, so higher ones overwrite
        score[pct >= threshold] = value
    return score


def level_codes(total: np.ndarray, rule: Rule) -> np.ndarray:
    codes = np.full(total.shape, rule.bands[-1].code, dtype=object)
    for band in sorted(rule.bands, key=lambda b: b.min):
        codes[total >= band.min] = band.code
    return codes


def level_label(code: str, lang: str = "id", rule_id: str = DEFAULT_RULE) -> str:
    for band in load_rule(rule_id).bands:
        if band.code == code:
            return band.label[lang]
    return code


@dataclass(frozen=True)
class ScoreOptions:
    """``clamp_negative_in_means``: negative percentages count as 0 in aspect means (as one
    published implementation does); scores are never affected."""

    rule_id: str = DEFAULT_RULE
    clamp_negative_in_means: bool = False


def score(frame: pd.DataFrame, options: ScoreOptions | None = None) -> pd.DataFrame:
    """Score every row of ``frame`` (profile fields and ``v_<criterion>`` volumes).

    Returns, in the same index order: ``p_*`` (percent, 2 decimals), ``s_*`` (0/1/3/5),
    ``mean_<aspect>`` (percent), ``sectoral_mean``, ``total``, ``level`` (TK/KR/KS/KB),
    ``negative_volumes`` (criterion ids with a negative volume: a data warning) and ``rule_id``.
    """
    options = options or ScoreOptions()
    rule = load_rule(options.rule_id)
    missing = [f for f in PROFILE_FIELDS if f not in frame] + [
        f"v_{c}" for c in rule.criterion_ids if f"v_{c}" not in frame
    ]
    if missing:
        raise KeyError(f"missing columns: {missing}")
    out: dict[str, np.ndarray] = {}
    negative = np.zeros((len(frame), len(rule.criteria)), dtype=bool)
    for i, crit in enumerate(rule.criteria):
        vol = frame[f"v_{crit.id}"].to_numpy(dtype=float)
        negative[:, i] = vol < 0
        pct = pct_half_up(vol, frame[crit.denominator].to_numpy(dtype=float))
        out[f"p_{crit.id}"] = pct
        out[f"s_{crit.id}"] = criterion_scores(pct, rule)
    aspect_means = []
    for aspect in sorted(rule.aspects):
        cols = [out[f"p_{c.id}"] for c in rule.criteria if c.aspect == aspect]
        stacked = np.vstack(cols)
        if options.clamp_negative_in_means:
            stacked = np.maximum(stacked, 0)
        out[f"mean_{aspect}"] = stacked.mean(axis=0)
        aspect_means.append(out[f"mean_{aspect}"])
    out["sectoral_mean"] = np.vstack(aspect_means).mean(axis=0)
    total = np.sum([out[f"s_{c}"] for c in rule.criterion_ids], axis=0)
    out["total"] = total
    result = pd.DataFrame(out, index=frame.index)
    result["level"] = level_codes(total, rule)
    ids = np.array(rule.criterion_ids)
    result["negative_volumes"] = [",".join(ids[row]) for row in negative]
    result["rule_id"] = rule.id
    return result


def breakdown(row: pd.Series, options: ScoreOptions | None = None) -> pd.DataFrame:
    """One RT criterion by criterion: volume, unit, denominator, percentage and score."""
    options = options or ScoreOptions()
    rule = load_rule(options.rule_id)
    scored = score(row.to_frame().T, options).iloc[0]
    return pd.DataFrame(
        [
            {
                "criterion": c.id,
                "aspect": rule.aspects[c.aspect],
                "name": c.name,
                "volume": float(row[f"v_{c.id}"]),
                "unit": c.unit,
                "denominator_field": c.denominator,
                "denominator": float(row[c.denominator]),
                "percentage": float(scored[f"p_{c.id}"]),
                "score": int(scored[f"s_{c.id}"]),
                "rule_id": rule.id,
            }
            for c in rule.criteria
        ]
    )


def kawasan_volumes(frame: pd.DataFrame, by: str | list[str], rule_id: str = DEFAULT_RULE) -> pd.DataFrame:
    """Profile fields and volumes summed per kawasan (a group of RTs), ready for :func:`score`."""
    rule = load_rule(rule_id)
    cols = [*PROFILE_FIELDS, *(f"v_{c}" for c in rule.criterion_ids)]
    return frame.groupby(by)[cols].sum().reset_index()


def handled_volumes(works: pd.DataFrame, key: list[str], rule_id: str = DEFAULT_RULE) -> pd.DataFrame:
    """Volume handled per place and criterion by *completed* works (``status == 'selesai'``)."""
    rule = load_rule(rule_id)
    done = works[(works["status"] == "selesai") & works["criterion_id"].isin(rule.criterion_ids)]
    done = done.dropna(subset=key)
    table = done.pivot_table(index=key, columns="criterion_id", values="volume", aggfunc="sum", fill_value=0.0)
    table.columns = [f"v_{c}" for c in table.columns]
    return table.reset_index()


def after_works(
    frame: pd.DataFrame, handled: pd.DataFrame, key: list[str], rule_id: str = DEFAULT_RULE
) -> pd.DataFrame:
    """Volumes after subtracting what completed works handled, floored at 0 where anything was
    handled (a negative baseline volume that no work touched stays as published)."""
    rule = load_rule(rule_id)
    merged = frame.merge(handled, on=key, how="left", suffixes=("", "_handled"))
    out = frame.copy()
    for c in rule.criterion_ids:
        col = f"v_{c}"
        if f"{col}_handled" not in merged:  # no completed work handled this criterion
            continue
        done = merged[f"{col}_handled"].fillna(0.0).to_numpy()
        base = out[col].to_numpy(dtype=float)
        out[col] = np.where(done > 0, np.maximum(base - done, 0.0), base)
    return out


def kontribusi(before: pd.Series, after: pd.Series) -> pd.Series:
    """(mean before - mean after) / mean before, capped at 1; 0 where there was nothing to handle."""
    before = before.astype(float)
    gain = (before - after.astype(float)) / before.where(before > 0)
    return gain.clip(upper=1.0).fillna(0.0)


def graduates(scored: pd.DataFrame, rule_id: str = DEFAULT_RULE) -> pd.Series:
    """A location graduates when it is *tidak kumuh* and each of the 5 basic services (road,
    drinking water, drainage, wastewater, solid waste) covers more than 80 %, coverage being
    100 minus the aspect's mean percentage."""
    rule = load_rule(rule_id)
    ok = scored["level"] == rule.bands[-1].code
    for aspect in rule.basic_services.values():
        coverage = 100.0 - scored[f"mean_{aspect}"].clip(lower=0, upper=100)
        ok &= coverage > rule.graduation_coverage_pct
    return ok
