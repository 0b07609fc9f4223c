"""The planning table: one row per RT with its slum score (before and after completed works),
poverty, flood hazard and the non-physical considerations, ready for :mod:`geo.selection`."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from geo.errors import NotFoundError
from geo.kumuh import ScoreOptions, after_works, graduates, handled_volumes, kontribusi, level_label, score
from geo.places import normalize_kelurahan_code
from geo.queries import indicators
from geo.raster import zonal_stats
from geo.store import Store

KEY = ["unit_number", "rt_number"]


def latest_baseline(store: Store, code: str) -> pd.DataFrame:
    base = store.read("kumuh_baseline", kelurahan_code=code)
    if base.empty:
        raise NotFoundError("plan.no_baseline", code=code)
    base = base.sort_values("year").groupby(KEY, as_index=False).tail(1)
    for col in KEY:
        base[col] = base[col].astype(int)
    return base.reset_index(drop=True)


def scored_rts(store: Store, code: str, *, lang: str = "id", options: ScoreOptions | None = None) -> pd.DataFrame:
    """Per RT: scores before and after the completed works done since the baseline year."""
    code = normalize_kelurahan_code(code)
    options = options or ScoreOptions()
    base = latest_baseline(store, code)
    works = store.read("works", kelurahan_code=code)
    works = works[works["year"].astype(float) > base["year"].min()]
    works = works.assign(unit_number=works["unit_number"].astype(float), rt_number=works["rt_number"].astype(float))
    handled = handled_volumes(works, KEY, options.rule_id)
    for col in KEY:
        handled[col] = handled[col].astype(int)
    now = after_works(base, handled, KEY, options.rule_id)
    before, after = score(base, options), score(now, options)
    rt = store.read("rt", kelurahan_code=code)[["unit_number", "rt_number", "rt_label"]]
    rt = rt.assign(unit_number=rt["unit_number"].astype(int), rt_number=rt["rt_number"].astype(int))
    out = now.merge(rt, on=KEY, how="left")
    out["kumuh_total_before"] = before["total"].to_numpy()
    out["kumuh_level_before"] = before["level"].to_numpy()
    out["kumuh_total"] = after["total"].to_numpy()
    out["kumuh_level"] = after["level"].to_numpy()
    out["kumuh_level_label"] = [level_label(c, lang, options.rule_id) for c in after["level"]]
    out["sectoral_mean_before"] = before["sectoral_mean"].round(2).to_numpy()
    out["sectoral_mean"] = after["sectoral_mean"].round(2).to_numpy()
    out["kontribusi"] = kontribusi(before["sectoral_mean"], after["sectoral_mean"]).round(4).to_numpy()
    out["graduates"] = graduates(after, options.rule_id).to_numpy()
    out["negative_volumes"] = before["negative_volumes"].to_numpy()
    return out


def planning_table(
    store: Store,
    code: str,
    *,
    public: bool,
    k: int = 5,
    hazard: str | Path | None = None,
    threshold: float = 0.5,
    lang: str = "id",
    public_table: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Everything a ranking needs, per RT.  With ``public`` the poverty share is the suppressed one.

    ``public_table`` is the kelurahan's public (suppressed) indicator table when the caller
    already has it (the site's :class:`geo.public.PublicData`), so households are not read twice.
    """
    code = normalize_kelurahan_code(code)
    table = scored_rts(store, code, lang=lang)
    if public_table is not None and public:
        ind = public_table[[*KEY, "poor_share", "kk_total"]]
    else:
        ind = indicators(store, code, public=public, k=k).table[[*KEY, "poor_share", "kk_total"]]
    ind = ind.assign(unit_number=ind["unit_number"].astype(int), rt_number=ind["rt_number"].astype(int))
    table = table.merge(ind, on=KEY, how="left")
    table["flood_share"] = 0.0
    table["flood_mean"] = 0.0
    if hazard is not None:
        rt = store.read("rt", kelurahan_code=code)
        rt = rt.assign(unit_number=rt["unit_number"].astype(int), rt_number=rt["rt_number"].astype(int))
        stats = zonal_stats(rt, hazard, threshold=threshold)
        flood = pd.DataFrame(
            {
                "unit_number": rt["unit_number"],
                "rt_number": rt["rt_number"],
                "flood_share": stats["share_above"].fillna(0).round(4).to_numpy(),
                "flood_mean": stats["mean"].fillna(0).round(3).to_numpy(),
            }
        )
        table = table.drop(columns=["flood_share", "flood_mean"]).merge(flood, on=KEY, how="left")
    table["kelurahan_code"] = code
    return table


def kelurahan_summary(store: Store, code: str, *, lang: str = "id") -> dict:
    """The whole kelurahan as one kawasan: score before and after works, kontribusi, graduation."""
    from geo.kumuh import kawasan_volumes

    code = normalize_kelurahan_code(code)
    table = scored_rts(store, code, lang=lang)
    base = latest_baseline(store, code).assign(kelurahan_code=code)
    now = table.assign(kelurahan_code=code)
    before = score(kawasan_volumes(base, "kelurahan_code")).iloc[0]
    after_row = score(kawasan_volumes(now, "kelurahan_code"))
    after = after_row.iloc[0]
    return {
        "kelurahan_code": code,
        "rule_id": after["rule_id"],
        "total_before": int(before["total"]),
        "level_before": level_label(before["level"], lang),
        "total": int(after["total"]),
        "level": level_label(after["level"], lang),
        "kontribusi": float(kontribusi(pd.Series([before["sectoral_mean"]]), pd.Series([after["sectoral_mean"]]))[0]),
        "graduates": bool(graduates(after_row).iloc[0]),
        "rts_kumuh_before": int((table["kumuh_total_before"] >= 16).sum()),
        "rts_kumuh": int((table["kumuh_total"] >= 16).sum()),
    }
