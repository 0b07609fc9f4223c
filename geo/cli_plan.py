"""Planning and reporting commands: ``indicators``, ``score``, ``rank``, ``map`` and ``report``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from geo.cli_base import CliState, Command, Option, existing_store
from geo.i18n import t

if TYPE_CHECKING:
    from geo.selection import PlanOptions
    from geo.settings import Settings

__all__ = ["indicators_cmd", "map_cmd", "rank_cmd", "report_cmd", "score_cmd"]

OUTPUT = click.Path(dir_okay=False, path_type=Path)
EXISTING = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.command("indicators", cls=Command, help="cmd.indicators")
@click.option("--kelurahan", "code", default=None, help="opt.kelurahan")
@click.option("--format", "fmt", type=click.Choice(["table", "csv"]), default="table", help="opt.format")
@click.option("--public", is_flag=True, help="opt.public")
@click.option("--all", "all_kelurahan", is_flag=True, help="opt.all")
@click.option("--parallel", is_flag=True, help="opt.parallel")
@click.option("--workers", type=click.IntRange(1, 64), default=None, help="opt.dask_workers")
@click.option("--scheduler", envvar="PETAKAMPUNG_DASK_SCHEDULER", default=None, help="opt.scheduler")
@click.pass_obj
def indicators_cmd(run: CliState, code: str | None, fmt: str, public: bool, all_kelurahan: bool, **batch) -> None:
    from geo.queries import indicators
    from geo.report import indicator_csv, indicator_table

    settings, lang = run.settings, run.lang
    if all_kelurahan == bool(code) or (not all_kelurahan and (batch["parallel"] or batch["workers"])):
        raise click.UsageError(t("batch.options", lang))
    if all_kelurahan:
        from geo.batch_cli import indicators_all

        batch["workers"] = batch["workers"] or 2
        indicators_all(existing_store(settings), lang, **batch)
        return
    result = indicators(existing_store(settings), code, public=public, k=settings.suppression_k)
    if fmt == "csv":
        click.echo(indicator_csv(result.table), nl=False)
    else:
        click.echo(indicator_table(result.table, lang))
    if public:
        click.echo(t("suppressed.note", lang, k=settings.suppression_k), err=True)
    for rec in result.disagreements.itertuples():
        click.echo(
            f"KK {rec.kk_key[:8]}: " + t("place.point_label", lang, point_rt=rec.point_rt, label_rt=rec.label_rt),
            err=True,
        )


@click.command("score", cls=Command, help="cmd.score")
@click.option("--kelurahan", "code", required=True, help="opt.kelurahan")
@click.option("--rt", "rt_text", default=None, help="opt.rt")
@click.option("--detail", is_flag=True, help="opt.detail")
@click.option("--format", "fmt", type=click.Choice(["table", "csv"]), default="table", help="opt.format")
@click.option("-o", "--output", type=OUTPUT, default=None, help="opt.output_plan")
@click.pass_obj
def score_cmd(run: CliState, code: str, rt_text: str | None, detail: bool, fmt: str, output: Path | None) -> None:
    from geo.plan_report import score_output

    score_output(
        existing_store(run.settings), code, rt_text=rt_text, fmt=fmt, output=output, lang=run.lang, detail=detail
    )


@click.command("rank", cls=Command, help="cmd.rank")
@click.option("--kelurahan", "code", default=None, help="opt.kelurahan")
@click.option("--kota", default=None, help="opt.kota_rank")
@click.option("--budget", required=True, help="opt.budget")
@click.option("--weights", default=None, help="opt.weights")
@click.option("--ahp", type=EXISTING, default=None, help="opt.ahp")
@click.option("--hazard", type=EXISTING, default=None, help="opt.hazard")
@click.option("--threshold", type=float, default=0.5, help="opt.threshold")
@click.option("--all-land", is_flag=True, help="opt.all_land")
@click.option("--unit-costs", type=EXISTING, default=None, help="opt.unit_costs")
@click.option("--time-limit", type=float, default=20.0, help="opt.time_limit")
@click.option("--limit", type=click.IntRange(0, None), default=50, help="opt.limit_rows")
@click.option("-o", "--output", type=OUTPUT, default=None, help="opt.output_plan")
@click.pass_obj
def rank_cmd(
    run: CliState,
    code: str | None,
    kota: str | None,
    budget: str,
    weights: str | None,
    ahp: Path | None,
    hazard: Path | None,
    threshold: float,
    all_land: bool,
    unit_costs: Path | None,
    time_limit: float,
    limit: int,
    output: Path | None,
) -> None:
    from geo.errors import RequestError
    from geo.places import normalize_kelurahan_code
    from geo.plan_report import plan_options, rank_output
    from geo.selection import parse_budget
    from geo.settings import hazard_raster

    if (code is None) == (kota is None):
        raise RequestError("plan.one_place")
    settings, lang = run.settings, run.lang
    if kota is not None:
        options = plan_options(weights=weights, ahp=ahp, legal_only=not all_land, unit_costs=unit_costs, lang=lang)
        _rank_kota(settings, kota, parse_budget(budget), options, hazard, threshold, time_limit, limit, output, lang)
        return
    rank_output(
        existing_store(settings),
        code,
        budget=parse_budget(budget),
        weights=weights,
        ahp=ahp,
        hazard=hazard or hazard_raster(settings, normalize_kelurahan_code(code)),
        threshold=threshold,
        legal_only=not all_land,
        output=output,
        lang=lang,
        k=settings.suppression_k,
        unit_costs=unit_costs,
    )


def _rank_kota(
    settings: Settings,
    kota: str,
    budget: float,
    options: PlanOptions,
    hazard: Path | None,
    threshold: float,
    time_limit: float,
    limit: int,
    output: Path | None,
    lang: str,
) -> None:
    """``rank --kota``: every kelurahan's planning table (restricted data, as ``--kelurahan``),
    one budget.  ``hazard`` (one raster for the whole city) or each kelurahan's own raster."""
    from geo.errors import RequestError
    from geo.plan_report import rank_kota_output
    from geo.planning import planning_table
    from geo.settings import hazard_raster

    if not (0.1 <= time_limit <= 3600):
        raise RequestError("plan.time_limit", low=0.1, high=3600, value=time_limit)
    store = existing_store(settings)

    def build(code: str):
        return planning_table(
            store,
            code,
            public=False,
            k=settings.suppression_k,
            hazard=hazard or hazard_raster(settings, code),
            threshold=threshold,
            lang=lang,
        )

    rank_kota_output(
        store,
        kota,
        budget=budget,
        options=options,
        build=build,
        output=output,
        lang=lang,
        time_limit_s=time_limit,
        limit=limit,
    )


@click.command("map", cls=Command, help="cmd.map")
@click.option("--kelurahan", "code", default=None, help="opt.kelurahan")
@click.option("--kota", "kota", default=None, help="opt.map_kota")
@click.option("-o", "--output", type=OUTPUT, required=True, help="opt.output")
@click.pass_obj
def map_cmd(run: CliState, code: str | None, kota: str | None, output: Path) -> None:
    settings, lang = run.settings, run.lang
    if (code is None) == (kota is None):
        raise click.UsageError(t("map.one_of", lang))
    if kota is not None:
        from geo.kota_map import write_kota_map

        path, zoom = write_kota_map(existing_store(settings), kota, output, lang=lang, k=settings.suppression_k)
        click.echo(t("map.kota_done", lang, path=path, size=path.stat().st_size // 1000, zoom=zoom))
        return
    from geo.mapping import write_map

    write_map(existing_store(settings), code, output, lang=lang, k=settings.suppression_k)
    click.echo(t("map.done", lang, path=output))


@click.command("report", cls=Command, help="cmd.report")
@click.option("--kelurahan", "code", required=True, help="opt.kelurahan")
@click.option("--year", "year", cls=Option, aliases=("--tahun",), type=int, default=None, help="opt.year")
@click.option("--all-years", "all_years", cls=Option, aliases=("--semua-tahun",), is_flag=True, help="opt.all_years")
@click.option("-o", "--output", type=OUTPUT, required=True, help="opt.output")
@click.pass_obj
def report_cmd(run: CliState, code: str, year: int | None, all_years: bool, output: Path) -> None:
    from geo.pdf_report import kelurahan_report
    from geo.places import normalize_kelurahan_code

    settings = run.settings
    pdf = kelurahan_report(
        existing_store(settings),
        normalize_kelurahan_code(code),
        lang=run.lang,
        k=settings.suppression_k,
        year=year,
        all_years=all_years,
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(pdf)
    click.echo(t("report.done", run.lang, path=output))
