"""The ``petakampung`` command line, in Bahasa Indonesia (default) or English (``--lang en``).

The language is chosen before the commands are built (from ``--lang`` or ``PETAKAMPUNG_LANG``)
so that every help text, report and error comes out in it.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from geo.errors import GeoError, ValidationFailed
from geo.formats import percent
from geo.i18n import LANGS, h, normalize_lang, t
from geo.importer import ImportOptions
from geo.settings import Settings, store_location

if TYPE_CHECKING:
    from geo.selection import PlanOptions


def _detect_lang(argv: Sequence[str]) -> str:
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return normalize_lang(argv[i + 1])
        if arg.startswith("--lang="):
            return normalize_lang(arg.split("=", 1)[1])
    return normalize_lang(os.environ.get("PETAKAMPUNG_LANG"))


class _Formatter(click.HelpFormatter):
    lang = "id"

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, prefix=h("heading.usage", self.lang))

    def write_dl(self, rows, col_max: int = 30, col_spacing: int = 2) -> None:
        if self.lang == "id":  # click's own words inside option help
            words = {"[required]": "[wajib]", "[default: ": "[bawaan: "}
            rows = [(a, _replace_all(b, words)) for a, b in rows]
        super().write_dl(rows, col_max, col_spacing)

    def write_heading(self, heading: str) -> None:
        names = {"Options": "heading.options", "Commands": "heading.commands"}
        super().write_heading(h(names[heading], self.lang) if heading in names else heading)


def _replace_all(text: str, words: dict[str, str]) -> str:
    for old, new in words.items():
        text = text.replace(old, new)
    return text


def _context_class(lang: str) -> type[click.Context]:
    formatter = type("Formatter", (_Formatter,), {"lang": lang})
    return type("Context", (click.Context,), {"formatter_class": formatter})


class _Command(click.Command):
    lang = "id"

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        opt = super().get_help_option(ctx)
        if opt is not None:
            opt.help = h("opt.help", self.lang)
        return opt


class _Group(click.Group):
    lang = "id"

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        opt = super().get_help_option(ctx)
        if opt is not None:
            opt.help = h("opt.help", self.lang)
        return opt


def build_cli(lang: str) -> click.Group:
    """The command group with help texts in ``lang``."""
    command_cls = type("Command", (_Command,), {"lang": lang})
    group_cls = type("Group", (_Group,), {"lang": lang, "command_class": command_cls})
    group_cls.context_class = _context_class(lang)
    command_cls.context_class = _context_class(lang)

    @click.group(cls=group_cls, help=h("cli", lang), context_settings={"max_content_width": 100})
    # text, not click.Path: a path would fold the // of postgresql://USER@HOST:PORT/DB
    @click.option("--store", default=None, help=h("opt.store", lang))
    @click.option("--lang", "lang_opt", type=click.Choice(LANGS), default=None, help=h("opt.lang", lang))
    @click.pass_context
    def cli(ctx: click.Context, store: str | None, lang_opt: str | None) -> None:
        settings = Settings()
        if store is not None:
            settings = settings.model_copy(update={"store": store_location(store)})
        ctx.obj = {"settings": settings, "lang": lang}

    from geo.layers import LAYERS

    layer_choice = click.Choice(list(LAYERS))
    layer_arg = click.argument("layer", type=layer_choice, metavar=h("arg.layer", lang))
    files_arg = click.argument(
        "files", nargs=-1, required=True, type=click.Path(path_type=Path), metavar=h("arg.files", lang)
    )
    crs_opt = click.option("--crs", default=None, help=h("opt.crs", lang))
    enc_opt = click.option("--encoding", default=None, help=h("opt.encoding", lang))
    layer_opt = click.option("--layer", "layers", multiple=True, help=h("opt.layer", lang))
    within_opt = click.option("--within", default=None, help=h("opt.within", lang))
    tol_opt = click.option(
        "--tolerance-m", type=click.FloatRange(min=0), default=3.0, show_default=True, help=h("opt.tolerance_m", lang)
    )

    year_opt = click.option(
        "--tahun", "year", type=click.IntRange(2000, 2100), default=None, help=h("opt.import_year", lang)
    )

    skip_opt = click.option("--skip-errors", is_flag=True, help=h("opt.skip_errors", lang))

    def import_options(
        crs: str | None,
        encoding: str | None,
        layers: tuple[str, ...],
        within: str | None,
        tolerance_m: float,
        year: int | None,
        skip_errors: bool = False,
    ) -> ImportOptions:
        return ImportOptions(
            crs=crs,
            encoding=encoding,
            layers=tuple(layers),
            within=within,
            tolerance_m=tolerance_m,
            year=year,
            skip_errors=skip_errors,
        )

    @cli.command("import", help=h("cmd.import", lang))
    @layer_arg
    @files_arg
    @crs_opt
    @enc_opt
    @layer_opt
    @within_opt
    @tol_opt
    @year_opt
    @skip_opt
    @click.pass_obj
    def import_cmd(obj: dict, layer: str, files: tuple[Path, ...], **opts: object) -> None:
        from geo.importer import import_file
        from geo.store import open_store

        settings: Settings = obj["settings"]
        store = open_store(settings.store, audit_rows=settings.audit_rows)
        with _ProgressBar(lang) as bar:
            result = import_file(
                store,
                layer,
                list(files),
                hash_key=settings.household_key(),
                progress=bar.update,
                actor=_cli_actor(),
                options=import_options(**opts),
            )
        if result.report.warnings:
            click.echo(result.report.render(lang, limit=50), err=True)
        total = result.total
        if not total.changed:
            click.echo(t("import.nochange", lang))
        click.echo(
            t(
                "import.done",
                lang,
                layer=layer,
                inserted=total.inserted,
                updated=total.updated,
                unchanged=total.unchanged,
            )
        )

    @cli.command("validate", help=h("cmd.validate", lang))
    @layer_arg
    @files_arg
    @crs_opt
    @enc_opt
    @layer_opt
    @within_opt
    @tol_opt
    @year_opt
    @click.pass_obj
    def validate_cmd(obj: dict, layer: str, files: tuple[Path, ...], **opts: object) -> None:
        from geo.importer import validate_file
        from geo.store import open_store

        settings: Settings = obj["settings"]
        report, _ = validate_file(
            open_store(settings.store, audit_rows=settings.audit_rows),
            layer,
            list(files),
            hash_key=b"validate-only",
            options=import_options(**opts),
        )
        if not report.ok:
            raise ValidationFailed(report)
        click.echo(report.render(lang, limit=50))
        click.echo(t("validate.ok", lang))

    @cli.group("wilayah", cls=group_cls, help=h("cmd.wilayah", lang))
    def wilayah_group() -> None:
        pass

    @wilayah_group.command("cari", help=h("cmd.wilayah_cari", lang))
    @click.argument("name", nargs=-1, required=True, metavar=h("arg.name", lang))
    @click.option("--limit", type=click.IntRange(1, 100), default=10, show_default=True, help=h("opt.limit", lang))
    def wilayah_cari(name: tuple[str, ...], limit: int) -> None:
        from geo.wilayah import code_table

        table = code_table()
        text = " ".join(name)
        hits = table.search(text, limit=limit)
        if not hits:
            from geo.errors import NotFoundError

            raise NotFoundError("wilayah.none", name=text)
        for place, score in hits[:limit]:
            level = t(f"level.{place.level}", lang)
            how = "" if score >= 100 else f"  ~{percent(score / 100, lang, 0)}"
            click.echo(f"{place.describe(table)}  [{level}]{how}")
        if len(hits) > limit:
            click.echo(t("wilayah.more", lang, n=len(hits) - limit))
        click.echo(t("wilayah.version", lang, version=table.version), err=True)

    @cli.command("export", help=h("cmd.export", lang))
    @layer_arg
    @click.option(
        "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help=h("opt.output", lang)
    )
    @click.option("--public/--restricted", "public", default=True, help=h("opt.restricted", lang))
    @click.option("--kelurahan", "code", default=None, help=h("opt.kelurahan", lang))
    @click.pass_obj
    def export_cmd(obj: dict, layer: str, output: Path, public: bool, code: str | None) -> None:
        from geo.export import export_layer
        from geo.places import normalize_kelurahan_code

        settings: Settings = obj["settings"]
        store = _existing_store(settings)
        code = normalize_kelurahan_code(code) if code else None
        restricted = not public
        n = export_layer(store, layer, output, public=public, k=settings.suppression_k, code=code)
        public_kind = "export.public_households" if layer == "households" else "export.public"
        kind = t("export.restricted", lang) if restricted else t(public_kind, lang, k=settings.suppression_k)
        click.echo(t("export.done", lang, n=n, path=output, kind=kind))

    @cli.command("indicators", help=h("cmd.indicators", lang))
    @click.option("--kelurahan", "code", default=None, help=h("opt.kelurahan", lang))
    @click.option("--format", "fmt", type=click.Choice(["table", "csv"]), default="table", help=h("opt.format", lang))
    @click.option("--public", is_flag=True, help=h("opt.public", lang))
    @click.option("--all", "all_kelurahan", is_flag=True, help=h("opt.all", lang))
    @click.option("--parallel", is_flag=True, help=h("opt.parallel", lang))
    @click.option("--workers", type=click.IntRange(1, 64), default=None, help=h("opt.dask_workers", lang))
    @click.option("--scheduler", envvar="PETAKAMPUNG_DASK_SCHEDULER", default=None, help=h("opt.scheduler", lang))
    @click.pass_obj
    def indicators_cmd(obj: dict, code: str | None, fmt: str, public: bool, all_kelurahan: bool, **batch) -> None:
        from geo.queries import indicators
        from geo.report import indicator_csv, indicator_table

        settings: Settings = obj["settings"]
        if all_kelurahan == bool(code) or (not all_kelurahan and (batch["parallel"] or batch["workers"])):
            raise click.UsageError(t("batch.options", lang))
        if all_kelurahan:
            from geo.batch_cli import indicators_all

            batch["workers"] = batch["workers"] or 2
            indicators_all(_existing_store(settings), lang, **batch)
            return
        result = indicators(_existing_store(settings), code, public=public, k=settings.suppression_k)
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

    @cli.command("score", help=h("cmd.score", lang))
    @click.option("--kelurahan", "code", required=True, help=h("opt.kelurahan", lang))
    @click.option("--rt", "rt_text", default=None, help=h("opt.rt", lang))
    @click.option("--detail", is_flag=True, help=h("opt.detail", lang))
    @click.option("--format", "fmt", type=click.Choice(["table", "csv"]), default="table", help=h("opt.format", lang))
    @click.option(
        "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None, help=h("opt.output_plan", lang)
    )
    @click.pass_obj
    def score_cmd(obj: dict, code: str, rt_text: str | None, detail: bool, fmt: str, output: Path | None) -> None:
        from geo.plan_report import score_output

        score_output(
            _existing_store(obj["settings"]), code, rt_text=rt_text, fmt=fmt, output=output, lang=lang, detail=detail
        )

    @cli.command("rank", help=h("cmd.rank", lang))
    @click.option("--kelurahan", "code", default=None, help=h("opt.kelurahan", lang))
    @click.option("--kota", default=None, help=h("opt.kota_rank", lang))
    @click.option("--budget", required=True, help=h("opt.budget", lang))
    @click.option("--weights", default=None, help=h("opt.weights", lang))
    @click.option(
        "--ahp", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None, help=h("opt.ahp", lang)
    )
    @click.option(
        "--hazard",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        default=None,
        help=h("opt.hazard", lang),
    )
    @click.option("--threshold", type=float, default=0.5, help=h("opt.threshold", lang))
    @click.option("--all-land", is_flag=True, help=h("opt.all_land", lang))
    @click.option(
        "--unit-costs",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        default=None,
        help=h("opt.unit_costs", lang),
    )
    @click.option("--time-limit", type=float, default=20.0, help=h("opt.time_limit", lang))
    @click.option("--limit", type=click.IntRange(0, None), default=50, help=h("opt.limit_rows", lang))
    @click.option(
        "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None, help=h("opt.output_plan", lang)
    )
    @click.pass_obj
    def rank_cmd(
        obj: dict,
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
        from geo.plan_report import rank_output
        from geo.selection import parse_budget
        from geo.settings import hazard_raster

        if (code is None) == (kota is None):
            raise RequestError("plan.one_place")
        settings: Settings = obj["settings"]
        if kota is not None:
            from geo.plan_report import plan_options

            options = plan_options(weights=weights, ahp=ahp, legal_only=not all_land, unit_costs=unit_costs, lang=lang)
            budget_idr = parse_budget(budget)
            _rank_kota(settings, kota, budget_idr, options, hazard, threshold, time_limit, limit, output, lang)
            return
        hazard = hazard or hazard_raster(settings, normalize_kelurahan_code(code))
        rank_output(
            _existing_store(settings),
            code,
            budget=parse_budget(budget),
            weights=weights,
            ahp=ahp,
            hazard=hazard,
            threshold=threshold,
            legal_only=not all_land,
            output=output,
            lang=lang,
            k=settings.suppression_k,
            unit_costs=unit_costs,
        )

    @cli.group("user", cls=group_cls, help=h("cmd.user", lang))
    def user_group() -> None:
        pass

    def read_password(password_stdin: bool) -> str:
        if password_stdin:
            return sys.stdin.readline().rstrip("\n")
        first = click.prompt(h("prompt.password", lang), hide_input=True)
        if click.prompt(h("prompt.repeat", lang), hide_input=True) != first:
            from geo.errors import RequestError

            raise RequestError("user.mismatch")
        return first

    @user_group.command("add", help=h("cmd.user_add", lang))
    @click.argument("username")
    @click.option("--role", type=click.Choice(["lkm", "planner", "admin"]), required=True, help=h("opt.role", lang))
    @click.option("--kelurahan", "code", default=None, help=h("opt.kelurahan", lang))
    @click.option("--kota", default=None, help=h("opt.kota", lang))
    @click.option("--password-stdin", is_flag=True, help=h("opt.password_stdin", lang))
    @click.pass_obj
    def user_add(obj: dict, username: str, role: str, code: str | None, kota: str | None, password_stdin: bool) -> None:
        from geo.accounts import add_user

        store = _existing_store(obj["settings"])
        add_user(
            store,
            username,
            read_password(password_stdin),
            role,
            kelurahan_code=code,
            kota_code=kota,
            actor=_cli_actor(),
        )
        click.echo(t("user.added", lang, username=username, role=role))

    @user_group.command("list", help=h("cmd.user_list", lang))
    @click.pass_obj
    def user_list(obj: dict) -> None:
        from geo.accounts import list_users

        for u in list_users(_existing_store(obj["settings"])):
            area = u.kelurahan_code or u.kota_code or "-"
            click.echo(f"{u.username:<20} {u.role:<8} {area:<14} {'aktif' if u.active else 'nonaktif'}")

    @user_group.command("disable", help=h("cmd.user_disable", lang))
    @click.argument("username")
    @click.pass_obj
    def user_disable(obj: dict, username: str) -> None:
        from geo.accounts import disable_user

        disable_user(_existing_store(obj["settings"]), username, actor=_cli_actor())
        click.echo(t("user.changed", lang, username=username))

    @user_group.command("passwd", help=h("cmd.user_passwd", lang))
    @click.argument("username")
    @click.option("--password-stdin", is_flag=True, help=h("opt.password_stdin", lang))
    @click.pass_obj
    def user_passwd(obj: dict, username: str, password_stdin: bool) -> None:
        from geo.accounts import set_password

        set_password(_existing_store(obj["settings"]), username, read_password(password_stdin), actor=_cli_actor())
        click.echo(t("user.changed", lang, username=username))

    @user_group.command("token", help=h("cmd.user_token", lang))
    @click.argument("username")
    @click.option("--revoke", is_flag=True, help=h("opt.revoke", lang))
    @click.pass_obj
    def user_token(obj: dict, username: str, revoke: bool) -> None:
        from geo.tokens import new_token, revoke_token

        store = _existing_store(obj["settings"])
        if revoke:
            revoke_token(store, username, actor=_cli_actor())
            click.echo(t("token.revoked", lang, username=username))
            return
        token = new_token(store, username, actor=_cli_actor())
        click.echo(t("token.created", lang, username=username), err=True)  # the token alone on stdout, for scripts
        click.echo(token)

    @cli.command("kelurahan", help=h("cmd.kelurahan", lang))
    @click.pass_obj
    def kelurahan_cmd(obj: dict) -> None:
        from geo.queries import kelurahan_list

        frame = kelurahan_list(_existing_store(obj["settings"]))
        for rec in frame.itertuples():
            click.echo(
                f"{rec.kelurahan_code}  {rec.name:<24} {rec.kecamatan or '':<22} "
                f"{rec.kota or '':<22} RT: {rec.rt_count:>3}  works: {rec.works_count}"
            )

    @cli.command("layers", help=h("cmd.layers", lang))
    def layers_cmd() -> None:
        for layer in LAYERS.values():
            tables = ", ".join(s.name for s in layer.tables)
            click.echo(f"{layer.name:<16} {layer.title[lang]:<28} [{tables}]")

    @cli.command("demo", help=h("cmd.demo", lang))
    @click.option(
        "--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None, help=h("opt.data_dir", lang)
    )
    @click.pass_obj
    def demo_cmd(obj: dict, data_dir: Path | None) -> None:
        from geo.demo import DEFAULT_DATA_DIR, load_demo
        from geo.store import open_store

        settings: Settings = obj["settings"]
        with _ProgressBar(lang) as bar:
            summary = load_demo(
                open_store(settings.store, audit_rows=settings.audit_rows),
                data_dir or DEFAULT_DATA_DIR,
                hash_key=settings.hash_key_bytes(),
                progress=bar.update,
            )
        click.echo(t("demo.done", lang, path=_shown(settings.store), summary=summary))

    @cli.command("map", help=h("cmd.map", lang))
    @click.option("--kelurahan", "code", default=None, help=h("opt.kelurahan", lang))
    @click.option("--kota", "kota", default=None, help=h("opt.map_kota", lang))
    @click.option(
        "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help=h("opt.output", lang)
    )
    @click.pass_obj
    def map_cmd(obj: dict, code: str | None, kota: str | None, output: Path) -> None:
        settings: Settings = obj["settings"]
        if (code is None) == (kota is None):
            raise click.UsageError(t("map.one_of", lang))
        if kota is not None:
            from geo.kota_map import write_kota_map

            path, zoom = write_kota_map(_existing_store(settings), kota, output, lang=lang, k=settings.suppression_k)
            click.echo(t("map.kota_done", lang, path=path, size=path.stat().st_size // 1000, zoom=zoom))
            return
        from geo.mapping import write_map

        write_map(_existing_store(settings), code, output, lang=lang, k=settings.suppression_k)
        click.echo(t("map.done", lang, path=output))

    @cli.command("report", help=h("cmd.report", lang))
    @click.option("--kelurahan", "code", required=True, help=h("opt.kelurahan", lang))
    @click.option("--tahun", "year", type=int, default=None, help=h("opt.year", lang))
    @click.option("--semua-tahun", "all_years", is_flag=True, help=h("opt.all_years", lang))
    @click.option(
        "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help=h("opt.output", lang)
    )
    @click.pass_obj
    def report_cmd(obj: dict, code: str, year: int | None, all_years: bool, output: Path) -> None:
        from geo.pdf_report import kelurahan_report
        from geo.places import normalize_kelurahan_code

        settings: Settings = obj["settings"]
        pdf = kelurahan_report(
            _existing_store(settings),
            normalize_kelurahan_code(code),
            lang=lang,
            k=settings.suppression_k,
            year=year,
            all_years=all_years,
        )
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(pdf)
        click.echo(t("report.done", lang, path=output))

    @cli.command("serve", help=h("cmd.serve", lang))
    @click.option("--host", default=None, help=h("opt.host", lang))
    @click.option("--port", type=int, default=None, help=h("opt.port", lang))
    @click.option("--workers", type=click.IntRange(1, 64), default=None, help=h("opt.workers", lang))
    @click.option("--proxy-headers/--no-proxy-headers", default=None, help=h("opt.proxy_headers", lang))
    @click.option("--forwarded-allow-ips", default=None, help=h("opt.forwarded_allow_ips", lang))
    @click.option("--root-path", default=None, help=h("opt.root_path", lang))
    @click.pass_obj
    def serve_cmd(obj: dict, **options: object) -> None:
        from geo.serve import ServeOptions, serve

        serve(obj["settings"], lang, ServeOptions(**options))  # type: ignore[arg-type]

    from geo.ops_cli import add_ops_commands

    add_ops_commands(cli, lang, group_cls)

    _db_commands(cli, group_cls, lang)
    return cli


def _db_commands(cli: click.Group, group_cls: type[click.Group], lang: str) -> None:
    """``petakampung db upgrade`` and ``petakampung db copy SRC DST``."""

    @cli.group("db", cls=group_cls, help=h("cmd.db", lang))
    def db_group() -> None:
        pass

    @db_group.command("upgrade", help=h("cmd.db_upgrade", lang))
    @click.option("--store", default=None, help=h("opt.store", lang))
    @click.option("--public-role", default=None, help=h("opt.public_role", lang))
    @click.pass_obj
    def db_upgrade(obj: dict, store: str | None, public_role: str | None) -> None:
        from urllib.parse import urlsplit

        from geo.store import open_store
        from geo.store_copy import upgrade_store

        settings: Settings = obj["settings"]
        location = store_location(store) if store else settings.store
        if public_role is None and settings.store_public and isinstance(location, str):
            public_role = urlsplit(settings.store_public).username
        version = upgrade_store(open_store(location), public_role=public_role)
        click.echo(t("db.upgraded", lang, store=_shown(location), version=version))
        if public_role:
            click.echo(t("db.granted", lang, role=public_role))

    @db_group.command("copy", help=h("cmd.db_copy", lang))
    @click.argument("source", metavar="SRC")
    @click.argument("target", metavar="DST")
    def db_copy(source: str, target: str) -> None:
        from geo.store import open_store
        from geo.store_copy import copy_store

        counts = copy_store(open_store(store_location(source)), open_store(store_location(target)))
        rows, tables = sum(counts.values()), len(counts)
        click.echo(t("db.copied", lang, rows=rows, tables=tables, source=_shown(source), target=_shown(target)))


def _shown(location: str | Path) -> str:
    """A store location fit to print: a database URL without its password."""
    from geo.settings import redact_url

    return redact_url(location) if isinstance(location, str) and "://" in location else str(location)


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
    store = _existing_store(settings)

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


def _cli_actor() -> str:
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _existing_store(settings: Settings):
    from geo.errors import StoreError
    from geo.store import open_store

    store = open_store(settings.store, audit_rows=settings.audit_rows)
    if not store.exists():
        raise StoreError("store.missing", path=str(settings.store))
    return store


class _ProgressBar:
    """A progress bar on stderr for long work (more than 2,000 rows), silent otherwise."""

    THRESHOLD = 2000

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.bar = None
        self.stage: str | None = None

    def __enter__(self) -> _ProgressBar:
        return self

    def update(self, stage: str, done: int, total: int) -> None:
        if total < self.THRESHOLD or not sys.stderr.isatty():
            return
        if stage != self.stage:
            self._close()
            self.stage = stage
            self.bar = click.progressbar(length=total, label=t(stage, self.lang), file=sys.stderr)
            self.bar.__enter__()
        assert self.bar is not None
        self.bar.update(done - self.bar.pos)

    def _close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None

    def __exit__(self, *exc: object) -> None:
        self._close()


_CLICK_ID = [
    (r"Missing argument '(.+?)'\.", r"Argumen '\1' belum diisi."),
    (r"Missing option '(.+?)'\.", r"Opsi '\1' wajib diisi."),
    (r"No such option: (.+)", r"Opsi tidak dikenal: \1"),
    (r"No such command '(.+?)'\.", r"Perintah tidak dikenal: '\1'."),
    (r"'(.+?)' is not one of (.+)\.", r"'\1' bukan salah satu dari \2."),
    (r"Invalid value for (.+?):", r"Nilai tidak sah untuk \1:"),
    (r"Got unexpected extra arguments? \((.+)\)", r"Argumen berlebih: \1"),
    (r"Try '(.+?)' for help\.", r"Coba '\1' untuk bantuan."),
]


def _click_message(text: str, lang: str) -> str:
    if lang != "id":
        return text
    for pattern, repl in _CLICK_ID:
        text = re.sub(pattern, repl, text)
    return text


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``petakampung`` command.  Returns the exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    lang = _detect_lang(args)
    cli = build_cli(lang)
    try:
        cli.main(args=args, prog_name="petakampung", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.Abort:
        return 130
    except click.UsageError as exc:
        ctx = exc.ctx
        if ctx is not None:
            click.echo(ctx.get_usage(), err=True)
        click.echo(f"{h('heading.error', lang)}: {_click_message(exc.format_message(), lang)}", err=True)
        return 2
    except ValidationFailed as exc:
        click.echo(exc.report.render(lang, limit=200), err=True)
        click.echo(t("import.failed", lang), err=True)
        return 1
    except GeoError as exc:
        click.echo(f"{h('heading.error', lang)}: {exc.message(lang)}", err=True)
        return 1
    except Exception as exc:
        if os.environ.get("PETAKAMPUNG_DEBUG"):
            raise
        click.echo(t("err.internal", lang, detail=type(exc).__name__), err=True)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
