"""What ``petakampung score`` and ``petakampung rank`` print and write."""

from __future__ import annotations

from pathlib import Path

import click
import geopandas as gpd
import numpy as np
import pandas as pd

from geo.errors import RequestError, SourceError
from geo.export import formula_safe
from geo.formats import Amount, localized, number, percent, rupiah
from geo.i18n import t
from geo.knapsack import Solution
from geo.kumuh import breakdown, level_label
from geo.layers.base import parse_rt
from geo.places import PlaceError, normalize_kelurahan_code
from geo.plan_reasons import sensitivity_sentences
from geo.planning import kelurahan_summary, planning_table, scored_rts
from geo.selection import FACTORS, Plan, PlanOptions, ahp_weights, plan
from geo.store import Store

SCORE_COLUMNS = [
    "rt_label",
    "kumuh_total_before",
    "kumuh_level_before",
    "kumuh_total",
    "kumuh_level",
    "sectoral_mean_before",
    "sectoral_mean",
    "kontribusi",
    "graduates",
]
RANK_COLUMNS = [
    "rank",
    "rt_label",
    "priority",
    "kumuh_total",
    "poor_share",
    "flood_share",
    "cost_idr",
    "eligible",
    "chosen",
    "reason_code",
    "why",
]


def _write(frame: pd.DataFrame, store: Store, code: str, output: Path) -> None:
    suffix = output.suffix.lower()
    if suffix == ".csv":
        formula_safe(frame).to_csv(output, index=False)
    elif suffix == ".gpkg":
        rt = store.read("rt", kelurahan_code=code)[["unit_number", "rt_number", "geometry"]]
        rt = rt.assign(unit_number=rt["unit_number"].astype(int), rt_number=rt["rt_number"].astype(int))
        out = gpd.GeoDataFrame(rt.merge(frame, on=["unit_number", "rt_number"]), geometry="geometry", crs=4326)
        output.unlink(missing_ok=True)
        out.to_file(output, driver="GPKG", layer="plan")
    else:
        raise SourceError("export.format", suffix=suffix or output.name)


def human_table(frame: pd.DataFrame, lang: str) -> str:
    """A table for the terminal: decimals written the reader's way ("45,23" / "45.23"; a priority
    with 3 digits, as the planner pages show it).  CSV output keeps machine numbers."""
    shown = frame.copy()
    for col in shown.columns:
        if pd.api.types.is_float_dtype(shown[col]):
            digits = 3 if col == "priority" else 2
            shown[col] = [number(v, lang, digits) for v in shown[col]]
    return shown.to_string(index=False)


def score_output(
    store: Store, code: str, *, rt_text: str | None, fmt: str, output: Path | None, lang: str, detail: bool = False
) -> None:
    code = normalize_kelurahan_code(code)
    table = scored_rts(store, code, lang=lang)
    if detail and not rt_text:
        long = detail_table(table)
        if output is not None:
            _write_plain(long, output)
        click.echo(long.to_csv(index=False) if fmt == "csv" else human_table(long, lang), nl=fmt != "csv")
        return
    if rt_text:
        label = parse_rt(rt_text, None)
        row = table[(table["unit_number"] == label.unit_number) & (table["rt_number"] == label.rt_number)]
        if row.empty:
            raise PlaceError("rt.unknown", rt=label.rt_number, unit=label.unit_number, code=code)
        rec = row.iloc[0]
        click.echo(
            f"{rec['rt_label']}: {int(rec['kumuh_total'])}/80, {level_label(rec['kumuh_level'], lang)} "
            f"[{rec['rule_id']}]"
        )
        detail = breakdown(rec)
        click.echo(formula_safe(detail).to_csv(index=False) if fmt == "csv" else human_table(detail, lang))
        return
    shown = table[SCORE_COLUMNS]
    if output is not None:
        _write(table, store, code, output)
    text = formula_safe(shown).to_csv(index=False) if fmt == "csv" else human_table(shown, lang)
    click.echo(text, nl=fmt != "csv")
    summary = kelurahan_summary(store, code, lang=lang)
    summary["kontribusi"] = Amount(summary["kontribusi"], "percent", 1)  # "12,3 %" / "12.3%"
    click.echo(t("score.summary", lang, **localized(summary, lang)), err=True)


DETAIL_COLUMNS = [
    "location",
    "location_type",
    "criterion",
    "aspect",
    "name",
    "volume",
    "unit",
    "denominator_field",
    "denominator",
    "percentage",
    "score",
    "kumuh_total",
    "kumuh_level",
    "rule_id",
]


def detail_table(table: pd.DataFrame) -> pd.DataFrame:
    """Every location's 16-criterion breakdown (the baseline, before works) in one long table:
    one row per location and criterion, in the locations' order."""
    from geo.criteria import load_rule
    from geo.kumuh import score

    rule = load_rule()
    scored = score(table)
    parts = []
    for crit in rule.criteria:
        parts.append(
            pd.DataFrame(
                {
                    "order": range(len(table)),
                    "location": table["rt_label"].to_numpy(),
                    "location_type": table["location_type"].to_numpy(),
                    "criterion": crit.id,
                    "aspect": rule.aspects[crit.aspect],
                    "name": crit.name,
                    "volume": table[f"v_{crit.id}"].astype(float).to_numpy(),
                    "unit": crit.unit,
                    "denominator_field": crit.denominator,
                    "denominator": table[crit.denominator].astype(float).to_numpy(),
                    "percentage": scored[f"p_{crit.id}"].to_numpy(),
                    "score": scored[f"s_{crit.id}"].to_numpy(),
                    "kumuh_total": scored["total"].to_numpy(),
                    "kumuh_level": scored["level"].to_numpy(),
                    "rule_id": rule.id,
                }
            )
        )
    long = pd.concat(parts, ignore_index=True)
    order = {c.id: i for i, c in enumerate(rule.criteria)}
    long = long.sort_values(["order", "criterion"], key=lambda s: s.map(order) if s.name == "criterion" else s)
    return long[DETAIL_COLUMNS].reset_index(drop=True)


def _write_plain(frame: pd.DataFrame, output: Path) -> None:
    if output.suffix.lower() != ".csv":
        raise SourceError("export.format", suffix=output.suffix or output.name)
    frame.to_csv(output, index=False)


def parse_weights(text: str | None) -> dict[str, float] | None:
    if not text:
        return None
    out = {}
    for part in text.split(","):
        name, _, value = part.partition("=")
        try:
            out[name.strip()] = float(value)
        except ValueError:
            raise RequestError("plan.weights") from None
    return out


def read_unit_costs(path: Path | None) -> dict[str, float]:
    """Unit costs from a CSV of ``criterion,rupiah`` rows; the defaults for criteria it does not name."""
    from geo.selection import DEFAULT_UNIT_COSTS

    costs = dict(DEFAULT_UNIT_COSTS)
    if path is None:
        return costs
    frame = pd.read_csv(path, dtype=str)
    for crit, value in zip(frame.iloc[:, 0], frame.iloc[:, 1], strict=True):
        crit = str(crit).strip().removeprefix("v_")
        if crit not in costs:
            raise RequestError("plan.factor", names=crit, allowed=", ".join(costs))
        try:
            costs[crit] = float(str(value).strip())
        except ValueError:
            raise RequestError("plan.weights") from None
    return costs


def plan_options(
    *, weights: str | None, ahp: Path | None, legal_only: bool, unit_costs: Path | None, lang: str
) -> PlanOptions:
    """The options ``rank`` was given: weights (or an AHP matrix), land filter, unit costs."""
    chosen_weights = parse_weights(weights)
    if ahp is not None:
        matrix = pd.read_csv(ahp, index_col=0)
        w, cr = ahp_weights(matrix.to_numpy(dtype=float))
        chosen_weights = dict(zip([str(c) for c in matrix.columns], w.round(4).tolist(), strict=True))
        warn = "" if cr < 0.1 else t("plan.ahp_cr_high", lang)
        click.echo(t("plan.ahp_cr", lang, weights=chosen_weights, cr=cr, warn=warn), err=True)
    options = PlanOptions(legal_only=legal_only, unit_costs=read_unit_costs(unit_costs))
    if chosen_weights is not None:
        weights_used = {f: chosen_weights.get(f, 0.0) for f in set(chosen_weights) | set(FACTORS)}
        options = PlanOptions(weights=weights_used, legal_only=legal_only, unit_costs=options.unit_costs)
    return options


def rank_output(
    store: Store,
    code: str,
    *,
    budget: float,
    weights: str | None,
    ahp: Path | None,
    hazard: Path | None,
    threshold: float,
    legal_only: bool,
    output: Path | None,
    lang: str,
    k: int,
    unit_costs: Path | None = None,
) -> None:
    code = normalize_kelurahan_code(code)
    options = plan_options(weights=weights, ahp=ahp, legal_only=legal_only, unit_costs=unit_costs, lang=lang)
    table = planning_table(store, code, public=False, k=k, hazard=hazard, threshold=threshold, lang=lang)
    result = plan(table, budget, options, lang=lang)
    ranking = result.ranking
    if output is not None:
        _write(ranking, store, code, output)
    _echo_ranking(ranking, lang)
    click.echo(
        t(
            "plan.chosen",
            lang,
            n=int(ranking["chosen"].sum()),
            cost=number(result.total_cost, lang),
            budget=number(budget, lang),
        )
    )
    _sensitivity_lines(result, lang)


def _echo_ranking(ranking: pd.DataFrame, lang: str, *, label: str = "rt_label") -> None:
    """The ranking as a table (rank "-" for an RT a filter excluded), then every RT's reason on its
    own line, worded as on the planner pages."""
    table = ranking[[c for c in RANK_COLUMNS if c != "why"]].copy()
    if label != "rt_label":
        table.insert(1, "kelurahan_name", ranking["kelurahan_name"])
    table["rank"] = [str(r) if r else "-" for r in table["rank"]]
    table["cost_idr"] = [rupiah(c, lang) for c in table["cost_idr"]]
    click.echo(human_table(table, lang))
    click.echo("")
    for name, why in zip(ranking[label], ranking["why"], strict=True):
        click.echo(f"{name}: {why}")
    if not ranking["rank"].all():
        click.echo(t("reason.rank_dash", lang))
    click.echo("")


def _sensitivity_lines(result: Plan, lang: str) -> None:
    """The sensitivity in words, as the planner pages say it (:mod:`geo.plan_reasons`)."""
    for line in sensitivity_sentences(result.changes, lang):
        click.echo(line)


def solver_text(solution: Solution, lang: str, *, time_limit_s: float) -> str:
    """How sure the choice is, in words: proven optimal, or the gap at the time limit."""
    seconds = number(solution.seconds, lang, 3) if solution.seconds >= 0.001 else "< " + number(0.001, lang, 3)
    if solution.status == "optimal":
        return t("plan.solved_optimal", lang, candidates=solution.candidates, core=solution.core, seconds=seconds)
    return t(
        "plan.solved_gap",
        lang,
        limit=f"{time_limit_s:g}",
        gap=percent(solution.gap, lang, 4),
        objective=number(solution.objective, lang, 4),
        bound=number(solution.bound, lang, 4),
        seconds=seconds,
    )


def rank_kota_output(
    store: Store,
    kota: str,
    *,
    budget: float,
    options: PlanOptions,
    build,
    output: Path | None,
    lang: str,
    time_limit_s: float,
    limit: int,
) -> None:
    """``petakampung rank --kota``: one budget across every kelurahan of the city."""
    from geo.city_plan import load_city_table, normalize_kota_code, plan_city

    kota = normalize_kota_code(kota)
    table, missing = load_city_table(store, kota, build=build)
    city = plan_city(table, budget, options, kota=kota, lang=lang, time_limit_s=time_limit_s, missing=missing)
    ranking = city.plan.ranking
    if output is not None:
        _write_city(ranking, store, output)
    shown = ranking[ranking["chosen"] | (np.cumsum(~ranking["chosen"].to_numpy()) <= limit)]
    _echo_ranking(shown, lang, label="site_label")
    if len(shown) < len(ranking):
        click.echo(t("plan.more_rt", lang, n=len(ranking) - len(shown)))
    chosen = city.chosen
    click.echo(
        t(
            "kota.chosen",
            lang,
            n=len(chosen),
            k=chosen["kelurahan_code"].nunique(),
            cost=rupiah(city.plan.total_cost, lang),
            budget=rupiah(budget, lang),
        )
    )
    click.echo(solver_text(city.plan.solution, lang, time_limit_s=time_limit_s))
    if city.message:
        click.echo(city.message)
    if missing:
        click.echo(t("kota.missing", lang, names=", ".join(f"{m['name']} ({m['kelurahan_code']})" for m in missing)))
    _sensitivity_lines(city.plan, lang)
    if city.plan.sensitivity_unproven:
        click.echo(t("plan.unproven", lang, runs=", ".join(city.plan.sensitivity_unproven)))


def _write_city(frame: pd.DataFrame, store: Store, output: Path) -> None:
    suffix = output.suffix.lower()
    if suffix == ".csv":
        frame.to_csv(output, index=False)
        return
    if suffix != ".gpkg":
        raise SourceError("export.format", suffix=suffix or output.name)
    key = ["kelurahan_code", "unit_number", "rt_number"]
    rt = store.read("rt", kelurahan=sorted(frame["kelurahan_code"].unique()), columns=[*key, "geometry"])
    rt = rt.assign(unit_number=rt["unit_number"].astype(int), rt_number=rt["rt_number"].astype(int))
    out = gpd.GeoDataFrame(rt.merge(frame, on=key), geometry="geometry", crs=4326)
    output.unlink(missing_ok=True)
    out.to_file(output, driver="GPKG", layer="plan")
