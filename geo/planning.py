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


def latest_baseline(store: Store, code: str, *, rts_only: bool = False) -> pd.DataFrame:
    """The latest baseline row of every location (RTs first, then whole units and named areas)."""
    base = store.read("kumuh_baseline", kelurahan_code=code)
    if rts_only:
        base = base[base["location_type"].fillna("rt") == "rt"]
    if base.empty:
        raise NotFoundError("plan.no_baseline", code=code)
    base = base.assign(location=base["location"].fillna("").astype(object))
    base = base.sort_values("year").groupby("location", as_index=False, dropna=False).tail(1)
    base = base.assign(location_type=base["location_type"].fillna("rt"))
    rts = base[base["location_type"] == "rt"].astype(dict.fromkeys(KEY, int))
    others = base[base["location_type"] != "rt"]
    return pd.concat([rts, others], ignore_index=True) if len(others) else rts.reset_index(drop=True)


def scored_rts(
    store: Store, code: str, *, lang: str = "id", options: ScoreOptions | None = None, rts_only: bool = False
) -> pd.DataFrame:
    """Per location: scores before and after the completed works done since the baseline year.

    Works are placed by RT, so a whole-unit or named-area location is scored as published.  An
    RT needs no polygon: its label comes from the RT table when there is one, else from the
    baseline."""
    code = normalize_kelurahan_code(code)
    options = options or ScoreOptions()
    base = latest_baseline(store, code, rts_only=rts_only)
    works = store.read("works", kelurahan_code=code)
    works = works[works["year"].astype(float) > base["year"].min()]
    works = works.assign(unit_number=works["unit_number"].astype(float), rt_number=works["rt_number"].astype(float))
    handled = handled_volumes(works, KEY, options.rule_id)
    for col in KEY:
        handled[col] = handled[col].astype(int)
    is_rt = (base["location_type"] == "rt").to_numpy()
    now = pd.concat([after_works(base[is_rt], handled, KEY, options.rule_id), base[~is_rt]], ignore_index=True)
    before, after = score(base, options), score(now, options)
    rt = store.read("rt", kelurahan_code=code)[["unit_number", "rt_number", "rt_label"]]
    rt = rt.assign(unit_number=rt["unit_number"].astype(float), rt_number=rt["rt_number"].astype(float))
    keyed = now.assign(unit_number=now["unit_number"].astype(float), rt_number=now["rt_number"].astype(float))
    out = now.assign(rt_label=keyed.merge(rt, on=KEY, how="left")["rt_label"].to_numpy())
    out["rt_label"] = out["rt_label"].where(out["rt_label"].notna() & is_rt, out["location"])
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
    table = scored_rts(store, code, lang=lang, rts_only=True)  # works and ranking are by RT
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
    return table.merge(_already_served(store, code), on=KEY, how="left").fillna({"already_served": 0.0})


def _already_served(store: Store, code: str) -> pd.DataFrame:
    """Per RT, 1.0 where a programme already acts (the planner's optional "served" factor)."""
    from geo.community import load_community, served_factor, served_rts

    rt = store.read("rt", kelurahan_code=code)
    served = served_rts(
        rt,
        load_community(store, code),
        store.read("works", kelurahan_code=code, geometry=False),
        store.read("gardens", kelurahan_code=code),
        store.read("facilities", kelurahan_code=code),
    )
    return served_factor(served).astype({"unit_number": int, "rt_number": int})


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
