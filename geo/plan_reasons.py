"""Why each RT was or was not chosen, and the weight sensitivity in words: the one place that
words a plan, so the planner pages, the CSV, ``petakampung rank`` and the city plan say the same.

Pure functions over a ranking (:func:`geo.selection.rank` with its ``chosen`` column).

The reasons for an RT left out, first that applies:

``excluded_land`` / ``excluded_not_kumuh``
    a filter excludes it (land status or RTRW; slum score below 16): it is not ranked ("-").
``zero_priority``
    no weighted factor raises it.
``over_budget``
    it costs more than the whole budget.
``displaced``
    it outranks a chosen RT: the exact choice proved that every set holding it within the budget
    has less total priority, so a cheaper combination of RTs ranked below it is taken instead.
``no_room``
    it ranks below every chosen RT and costs more than what is left of the budget.
``time_limit``
    it would fit what is left, but the search stopped at its time limit (only with a stated gap).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.formats import rupiah
from geo.i18n import prefixed, t

__all__ = [
    "REASON_CODES",
    "WeightChange",
    "explain",
    "factor_label",
    "join_words",
    "page_texts",
    "sensitivity_sentences",
]

REASON_CODES = (
    "chosen",
    "excluded_land",
    "excluded_not_kumuh",
    "zero_priority",
    "over_budget",
    "displaced",
    "no_room",
    "time_limit",
)
NAMED_DISPLACERS = 3  # a "displaced" reason names at most this many of the RTs taken instead
SLUM_MIN_TOTAL = 16  # the lowest kumuh band (ringan) of Permen PUPR 14/2018


def factor_label(factor: str, lang: str) -> str:
    """A weight's name in the user's language (``flood`` -> "bahaya banjir" / "flood hazard")."""
    key = f"factor.{factor}"
    text = t(key, lang)
    return factor if text == key else text


def explain(
    ranked: pd.DataFrame,
    budget: float,
    *,
    lang: str = "id",
    label: str = "rt_label",
    proven: bool = True,
) -> pd.DataFrame:
    """``reason_code`` and ``why`` (in words) for every RT of a ranking with ``chosen``.

    A chosen RT keeps its ``why`` (the factors that weigh most for it, as :func:`geo.selection.why`
    wrote it) behind "Terpilih:"; every other RT gets the reason it was left out.  ``proven`` is
    False when the choice is the best found at a time limit, not a proven optimum.  Vectorised
    but for the wording: a city of 10,000 RTs is explained in well under a second."""
    chosen = ranked["chosen"].to_numpy(dtype=bool)
    eligible = ranked["eligible"].to_numpy(dtype=bool)
    priority = ranked["priority"].to_numpy(dtype=float)
    cost = ranked["cost_idr"].to_numpy(dtype=float)
    left = budget - float(cost[chosen].sum())
    lowest_chosen = priority[chosen].min() if chosen.any() else np.inf
    codes = np.select(
        [
            chosen,
            ~eligible,
            priority <= 0,
            cost > budget,
            priority > lowest_chosen,
            (cost > left) | proven,
        ],
        ["chosen", "excluded", "zero_priority", "over_budget", "displaced", "no_room"],
        default="time_limit",
    ).astype(object)
    whys = ranked["why"].to_numpy(dtype=object) if "why" in ranked else np.full(len(ranked), "", dtype=object)
    texts = np.empty(len(ranked), dtype=object)
    for i in np.flatnonzero(chosen):
        key = "reason.chosen_free" if cost[i] == 0 else "reason.chosen"
        texts[i] = t(key, lang, why=whys[i] or "-")
    excluded = np.flatnonzero(codes == "excluded")
    if len(excluded):
        rows = ranked.iloc[excluded]
        pairs = [
            _excluded(legal, rtrw, score, lang)
            for legal, rtrw, score in zip(
                _column(rows, "legalitas_lahan"),
                _column(rows, "sesuai_rtrw"),
                _column(rows, "kumuh_total"),
                strict=True,
            )
        ]
        codes[excluded] = [c for c, _ in pairs]
        texts[excluded] = [w for _, w in pairs]
    by_code = {
        "zero_priority": lambda i: t("reason.zero_priority", lang),
        "over_budget": lambda i: t("reason.over_budget", lang, cost=rupiah(cost[i], lang), budget=rupiah(budget, lang)),
        "no_room": lambda i: t("reason.no_room", lang, cost=rupiah(cost[i], lang), left=rupiah(left, lang)),
        "time_limit": lambda i: t("reason.time_limit", lang, left=rupiah(left, lang)),
    }
    for code, word in by_code.items():
        for i in np.flatnonzero(codes == code):
            texts[i] = word(i)
    displaced = np.flatnonzero(codes == "displaced")
    if len(displaced):
        picked = np.flatnonzero(chosen)
        picked = picked[np.lexsort((picked, -priority[picked]))]  # highest priority first, as ranked
        labels = ranked[label].to_numpy(dtype=object)
        falling = -priority[picked]
        for i in displaced:
            start = int(np.searchsorted(falling, -priority[i], side="right"))  # first chosen ranked below it
            names = _names(labels[picked[start:]], lang)
            texts[i] = t("reason.displaced", lang, cost=rupiah(cost[i], lang), rts=names)
    return ranked.assign(reason_code=codes.astype(str), why=texts)


def _column(rows: pd.DataFrame, name: str) -> list:
    return list(rows[name]) if name in rows else [None] * len(rows)


def _excluded(legal: object, rtrw: object, score: object, lang: str) -> tuple[str, str]:
    """Why a filter left the RT out: its land status, the spatial plan, its slum score."""
    parts, code = [], ""
    legal = "jelas" if legal is None or pd.isna(legal) else str(legal)
    rtrw = "ya" if rtrw is None or pd.isna(rtrw) else str(rtrw)
    if legal != "jelas":
        key = "reason.land_unclear" if legal == "tidak_jelas" else "reason.land_other"
        parts.append(t(key, lang, value=legal.replace("_", " ")))
        code = "excluded_land"
    if rtrw != "ya":
        parts.append(t("reason.land_rtrw", lang))
        code = "excluded_land"
    if score is not None and not pd.isna(score) and float(score) < SLUM_MIN_TOTAL:
        parts.append(t("reason.not_kumuh", lang, score=int(score), min=SLUM_MIN_TOTAL))
        code = code or "excluded_not_kumuh"
    if not parts:  # excluded by a rule this module does not know: say so plainly
        parts.append(t("reason.other_filter", lang))
        code = "excluded_land"
    return code, t("reason.excluded", lang, why="; ".join(parts))


def _names(labels: np.ndarray, lang: str) -> str:
    names = [str(n) for n in labels[:NAMED_DISPLACERS]]
    more = len(labels) - len(names)
    if more > 0:
        names.append(t("reason.more_rts", lang, n=more))
    return join_words(names, lang)


def join_words(items: list[str], lang: str) -> str:
    """ "a, b dan c" / "a, b and c"."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {t('sens.and', lang)} " + items[-1]


@dataclass(frozen=True)
class WeightChange:
    """What one weight moved by ``change_pct`` (+20 or -20) does to the choice."""

    factor: str
    change_pct: int
    enter: tuple[str, ...]  # RTs chosen with the moved weight that are not chosen now
    leave: tuple[str, ...]  # RTs chosen now that are not with the moved weight

    @property
    def key(self) -> str:
        return f"{self.change_pct:+d}%"

    def sentence(self, lang: str) -> str:
        """ "Bila bobot bahaya banjir naik 20 %, RT 004 / RW 011 masuk dan RT 002 / RW 003 keluar."."""
        direction = t("sens.up", lang) if self.change_pct > 0 else t("sens.down", lang)
        enter, leave = join_words(list(self.enter), lang), join_words(list(self.leave), lang)
        verbs = {  # English says "RT 004 enters" but "RT 004 and RT 005 enter"
            f"{side}_verb": t(f"sens.{side}_verb.{'many' if len(rts) > 1 else 'one'}", lang)
            for side, rts in (("enter", self.enter), ("leave", self.leave))
        }
        key = "sens.enter_leave" if self.enter and self.leave else "sens.enter" if self.enter else "sens.leave"
        factor = factor_label(self.factor, lang)
        return t(key, lang, factor=factor, direction=direction, enter=enter, leave=leave, **verbs)


def sensitivity_sentences(changes: list[WeightChange] | None, lang: str) -> list[str]:
    """The sensitivity in words: one sentence per weight change that changes the choice, or one
    sentence saying nothing changes; empty when the test was not run (``None``)."""
    if changes is None:
        return []
    if not changes:
        return [t("sens.stable", lang)]
    return [c.sentence(lang) for c in changes]


def page_texts(lang: str) -> dict[str, str]:
    """The planner pages' own words (``planner.*`` in the catalogue, the rank "-" note),
    by short key, for the templates and their scripts."""
    texts = dict(prefixed("planner.", lang))
    texts.update({k.split(".", 1)[1]: t(k, lang) for k in ("reason.rank_dash", "sens.not_run")})
    return texts
