"""Rumah DataKu (Kampung KB): family-planning and stunting figures per RT, aggregated and suppressed.

The figures a Pokja Kampung KB puts on the wall of its Rumah DataKu (DOMAIN.md section 4), from
the optional BKKBN columns of the households layer (:mod:`geo.layers.households`):

* ``kk_data``: KK with family data recorded (any of the KB columns filled);
* ``kk_pus``: pasangan usia subur (PUS) among them;
* ``kk_kb``: PUS using a contraceptive method (peserta KB aktif), ``kb_share`` = kk_kb / kk_pus;
* ``kk_mkjp``: KB participants on a long-acting method (IUD, implan, MOW, MOP),
  ``mkjp_share`` = kk_mkjp / kk_kb;
* ``kk_stunting_risk``: families at risk of stunting, share of kk_data;
* ``kk_poktan``: families in at least one poktan (BKB, BKR, BKL, UPPKS, PIK-R), share of kk_data.

Health data are *specific* personal data: nothing here leaves as a household row.  Suppression
(:func:`geo.privacy.suppress`) runs in three nested steps, one per denominator: counts over
``kk_data``, then ``kk_kb`` over ``kk_pus``, then ``kk_mkjp`` over ``kk_kb``; a count whose
denominator is hidden at an earlier step is hidden too, so no share is published over a hidden
or small denominator.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.indicators import KEY, place_households
from geo.layers.base import metric_crs
from geo.layers.households import MKJP
from geo.privacy import DEFAULT_K, suppress

KB_COLUMNS = ("pus", "kb_method", "stunting_risk", "poktan")
COUNTS = ["kk_data", "kk_pus", "kk_kb", "kk_mkjp", "kk_stunting_risk", "kk_poktan"]
SHARES = {
    "pus_share": ("kk_pus", "kk_data"),
    "kb_share": ("kk_kb", "kk_pus"),
    "mkjp_share": ("kk_mkjp", "kk_kb"),
    "stunting_share": ("kk_stunting_risk", "kk_data"),
    "poktan_share": ("kk_poktan", "kk_data"),
}
PUBLIC_COLUMNS = ["kelurahan_code", "unit_number", "rt_number", "rt_label", *COUNTS, *SHARES]


def family_counts(rt: gpd.GeoDataFrame, households: gpd.GeoDataFrame) -> pd.DataFrame:
    """One row per RT of ``rt`` with the unsuppressed counts and shares (restricted: never publish).

    Households are placed as every indicator places them (:func:`geo.indicators.place_households`:
    the GPS point where it lies inside an RT, else the label).
    """
    table = pd.DataFrame(rt[[*KEY, "rt_label"]]).reset_index(drop=True)
    for col in KB_COLUMNS:
        if col not in households:
            households = households.assign(**{col: None})
    if len(households) and len(rt):
        metric = metric_crs(rt)
        placed, _ = place_households(rt.to_crs(metric), households.to_crs(metric))
        flags = _flags(placed)
        table = table.merge(flags.groupby(KEY, as_index=False).sum(), on=KEY, how="left")
    for col in COUNTS:
        table[col] = (table[col] if col in table else pd.Series(0, index=table.index)).fillna(0).astype("Int64")
    for share, (count, denominator) in SHARES.items():
        table[share] = (table[count].astype(float) / table[denominator].astype(float).replace(0, np.nan)).round(4)
    return table[PUBLIC_COLUMNS].sort_values(KEY).reset_index(drop=True)


def _flags(hh: pd.DataFrame) -> pd.DataFrame:
    method = hh["kb_method"]
    pus = pd.to_numeric(hh["pus"], errors="coerce") == 1
    kb = pus & method.notna() & (method != "tidak_ber_kb")
    poktan = hh["poktan"].fillna("").astype(str) != ""
    recorded = hh[list(KB_COLUMNS)].notna().any(axis=1)
    flags = pd.DataFrame({c: hh[c].astype("Int64") if c != "kelurahan_code" else hh[c] for c in KEY})
    flags["kk_data"] = recorded.astype(int)
    flags["kk_pus"] = (recorded & pus).astype(int)
    flags["kk_kb"] = (recorded & kb).astype(int)
    flags["kk_mkjp"] = (recorded & kb & method.isin(MKJP)).astype(int)
    flags["kk_stunting_risk"] = (recorded & (pd.to_numeric(hh["stunting_risk"], errors="coerce") == 1)).astype(int)
    flags["kk_poktan"] = (recorded & poktan).astype(int)
    return flags


def public_family_table(counts: pd.DataFrame, *, k: int = DEFAULT_K) -> pd.DataFrame:
    """The table of :func:`family_counts` with small counts hidden (missing), as the public sees it."""
    out = counts.copy()
    steps = (
        ("kk_data", ["kk_pus", "kk_stunting_risk", "kk_poktan"]),
        ("kk_pus", ["kk_kb"]),
        ("kk_kb", ["kk_mkjp"]),
    )
    hidden = pd.DataFrame(False, index=out.index, columns=COUNTS)
    for total, counts_of in steps:
        step = suppress(counts, total=total, counts=counts_of, shares={}, group="kelurahan_code", k=k)
        for col in [total, *counts_of]:
            hidden[col] |= step[col].isna().to_numpy()
        for col in counts_of:
            hidden[col] |= hidden[total]  # nothing over a hidden denominator
    for col in COUNTS:
        out[col] = counts[col].astype("Int64").mask(hidden[col])
    for share, (count, denominator) in SHARES.items():
        out[share] = counts[share].astype(float).mask(hidden[count] | hidden[denominator])
    return out


def kelurahan_totals(public: pd.DataFrame) -> dict[str, float | int | None]:
    """Totals of the kelurahan: a count only when none of its RT cells is hidden (the rule of every
    published total), a share only when both of its totals are published."""
    totals: dict[str, float | int | None] = {}
    for col in COUNTS:
        totals[col] = None if public[col].isna().any() else int(public[col].sum())
    for share, (count, denominator) in SHARES.items():
        num, den = totals[count], totals[denominator]
        totals[share] = (num / den) if num is not None and den else None
    return totals


def has_family_data(counts: pd.DataFrame) -> bool:
    return bool(counts["kk_data"].fillna(0).sum() > 0)
