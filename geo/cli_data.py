"""Data commands: ``import``, ``validate``, ``export``, ``wilayah cari``, ``layers``, ``kelurahan``
and ``demo``.  Help texts are message keys (:mod:`geo.cli_base`)."""

from __future__ import annotations

from pathlib import Path

import click

from geo.cli_base import CliState, Command, Group, Option, ProgressBar, cli_actor, existing_store, shown
from geo.errors import ValidationFailed
from geo.i18n import t
from geo.importer import ImportOptions
from geo.layers import LAYERS

__all__ = ["demo_cmd", "export_cmd", "import_cmd", "kelurahan_cmd", "layers_cmd", "validate_cmd", "wilayah_group"]

layer_arg = click.argument("layer", type=click.Choice(list(LAYERS)), metavar="arg.layer")
files_arg = click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="arg.files")


def import_options(func):
    """The options ``import`` and ``validate`` share (one place, one spelling)."""
    options = [
        click.option("--crs", default=None, help="opt.crs"),
        click.option("--encoding", default=None, help="opt.encoding"),
        click.option("--layer", "layers", multiple=True, help="opt.layer"),
        click.option("--within", default=None, help="opt.within"),
        click.option(
            "--tolerance-m", type=click.FloatRange(min=0), default=3.0, show_default=True, help="opt.tolerance_m"
        ),
        click.option(
            "--year",
            "year",
            cls=Option,
            aliases=("--tahun",),
            type=click.IntRange(2000, 2100),
            default=None,
            help="opt.import_year",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _options(opts: dict, skip_errors: bool = False) -> ImportOptions:
    return ImportOptions(
        crs=opts["crs"],
        encoding=opts["encoding"],
        layers=tuple(opts["layers"]),
        within=opts["within"],
        tolerance_m=opts["tolerance_m"],
        year=opts["year"],
        skip_errors=skip_errors,
    )


@click.command("import", cls=Command, help="cmd.import")
@layer_arg
@files_arg
@import_options
@click.option("--skip-errors", is_flag=True, help="opt.skip_errors")
@click.pass_obj
def import_cmd(run: CliState, layer: str, files: tuple[Path, ...], skip_errors: bool, **opts: object) -> None:
    from geo.importer import import_file
    from geo.store import open_store

    settings = run.settings
    store = open_store(settings.store, audit_rows=settings.audit_rows)
    with ProgressBar(run.lang) as bar:
        result = import_file(
            store,
            layer,
            list(files),
            hash_key=settings.household_key(),
            progress=bar.update,
            actor=cli_actor(),
            options=_options(opts, skip_errors),
        )
    if result.report.warnings:
        click.echo(result.report.render(run.lang, limit=50), err=True)
    total = result.total
    if not total.changed:
        click.echo(t("import.nochange", run.lang))
    click.echo(
        t(
            "import.done",
            run.lang,
            layer=layer,
            inserted=total.inserted,
            updated=total.updated,
            unchanged=total.unchanged,
        )
    )


@click.command("validate", cls=Command, help="cmd.validate")
@layer_arg
@files_arg
@import_options
@click.pass_obj
def validate_cmd(run: CliState, layer: str, files: tuple[Path, ...], **opts: object) -> None:
    from geo.importer import validate_file
    from geo.store import open_store

    settings = run.settings
    report, _ = validate_file(
        open_store(settings.store, audit_rows=settings.audit_rows),
        layer,
        list(files),
        hash_key=b"validate-only",
        options=_options(opts),
    )
    if not report.ok:
        raise ValidationFailed(report)
    click.echo(report.render(run.lang, limit=50))
    click.echo(t("validate.ok", run.lang))


@click.group("wilayah", cls=Group, help="cmd.wilayah")
def wilayah_group() -> None:
    pass


@wilayah_group.command("cari", help="cmd.wilayah_cari")
@click.argument("name", nargs=-1, required=True, metavar="arg.name")
@click.option("--limit", type=click.IntRange(1, 100), default=10, show_default=True, help="opt.limit")
@click.pass_obj
def wilayah_cari(run: CliState, name: tuple[str, ...], limit: int) -> None:
    from geo.errors import NotFoundError
    from geo.formats import percent
    from geo.wilayah import code_table

    table = code_table()
    text = " ".join(name)
    hits = table.search(text, limit=limit)
    if not hits:
        raise NotFoundError("wilayah.none", name=text)
    for place, score in hits[:limit]:
        level = t(f"level.{place.level}", run.lang)
        how = "" if score >= 100 else f"  ~{percent(score / 100, run.lang, 0)}"
        click.echo(f"{place.describe(table)}  [{level}]{how}")
    if len(hits) > limit:
        click.echo(t("wilayah.more", run.lang, n=len(hits) - limit))
    click.echo(t("wilayah.version", run.lang, version=table.version), err=True)


@click.command("export", cls=Command, help="cmd.export")
@layer_arg
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="opt.output")
@click.option("--public/--restricted", "public", default=True, help="opt.restricted")
@click.option("--kelurahan", "code", default=None, help="opt.kelurahan")
@click.pass_obj
def export_cmd(run: CliState, layer: str, output: Path, public: bool, code: str | None) -> None:
    from geo.export import export_layer
    from geo.places import normalize_kelurahan_code

    settings = run.settings
    store = existing_store(settings)
    code = normalize_kelurahan_code(code) if code else None
    n = export_layer(store, layer, output, public=public, k=settings.suppression_k, code=code)
    public_kind = "export.public_households" if layer == "households" else "export.public"
    kind = t("export.restricted", run.lang) if not public else t(public_kind, run.lang, k=settings.suppression_k)
    click.echo(t("export.done", run.lang, n=n, path=output, kind=kind))


@click.command("kelurahan", cls=Command, help="cmd.kelurahan")
@click.pass_obj
def kelurahan_cmd(run: CliState) -> None:
    from geo.queries import kelurahan_list

    frame = kelurahan_list(existing_store(run.settings))
    for rec in frame.itertuples():
        click.echo(
            f"{rec.kelurahan_code}  {rec.name:<24} {rec.kecamatan or '':<22} "
            f"{rec.kota or '':<22} RT: {rec.rt_count:>3}  works: {rec.works_count}"
        )


@click.command("layers", cls=Command, help="cmd.layers")
@click.pass_obj
def layers_cmd(run: CliState) -> None:
    for layer in LAYERS.values():
        tables = ", ".join(s.name for s in layer.tables)
        click.echo(f"{layer.name:<16} {layer.title[run.lang]:<28} [{tables}]")


@click.command("demo", cls=Command, help="cmd.demo")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None, help="opt.data_dir")
@click.pass_obj
def demo_cmd(run: CliState, data_dir: Path | None) -> None:
    from geo.demo import DEFAULT_DATA_DIR, load_demo
    from geo.store import open_store

    settings = run.settings
    with ProgressBar(run.lang) as bar:
        summary = load_demo(
            open_store(settings.store, audit_rows=settings.audit_rows),
            data_dir or DEFAULT_DATA_DIR,
            hash_key=settings.hash_key_bytes(),
            progress=bar.update,
        )
    click.echo(t("demo.done", run.lang, path=shown(settings.store), summary=summary))
