"""The ``petakampung`` command line, in Bahasa Indonesia (default) or English (``--lang en``).

The commands live at module level, one module per group: :mod:`geo.cli_data` (import, validate,
export, wilayah, layers, kelurahan, demo), :mod:`geo.cli_plan` (indicators, score, rank, map,
report), :mod:`geo.cli_users` (user), :mod:`geo.cli_ops` (db, backup, restore, audit) and
:mod:`geo.cli_serve` (serve).  Their help texts are message keys put into the run's language
(:mod:`geo.cli_base`); the language is read from ``--lang`` or ``PETAKAMPUNG_LANG`` before
parsing so that every help text, report and error comes out in it.  Option names are English;
older Indonesian spellings (``--tahun``, ``--semua-tahun``) still work, unlisted.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Sequence

import click

from geo import cli_data, cli_ops, cli_plan, cli_serve, cli_users
from geo.cli_base import CliState, Group
from geo.errors import GeoError, ValidationFailed
from geo.i18n import LANGS, h, normalize_lang, t
from geo.settings import Settings, store_location

__all__ = ["cli", "main"]


def _detect_lang(argv: Sequence[str]) -> str:
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return normalize_lang(argv[i + 1])
        if arg.startswith("--lang="):
            return normalize_lang(arg.split("=", 1)[1])
    return normalize_lang(os.environ.get("PETAKAMPUNG_LANG"))


@click.group(cls=Group, help="cli", context_settings={"max_content_width": 100})
# text, not click.Path: a path would fold the // of postgresql://USER@HOST:PORT/DB
@click.option("--store", default=None, help="opt.store")
@click.option("--lang", "lang_opt", type=click.Choice(LANGS), default=None, help="opt.lang")
@click.pass_context
def cli(ctx: click.Context, store: str | None, lang_opt: str | None) -> None:
    settings = Settings()
    if store is not None:
        settings = settings.model_copy(update={"store": store_location(store)})
    if not isinstance(ctx.obj, CliState):  # run without main(): the language of the environment
        ctx.obj = CliState(normalize_lang(lang_opt or os.environ.get("PETAKAMPUNG_LANG")))
    ctx.obj.settings = settings


for _command in (
    cli_data.import_cmd,
    cli_data.validate_cmd,
    cli_data.wilayah_group,
    cli_data.export_cmd,
    cli_plan.indicators_cmd,
    cli_plan.score_cmd,
    cli_plan.rank_cmd,
    cli_users.user_group,
    cli_data.kelurahan_cmd,
    cli_data.layers_cmd,
    cli_data.demo_cmd,
    cli_plan.map_cmd,
    cli_plan.report_cmd,
    cli_serve.serve_cmd,
    cli_ops.backup_cmd,
    cli_ops.restore_cmd,
    cli_ops.audit_group,
    cli_ops.db_group,
):
    cli.add_command(_command)


_CLICK_ID = [
    (r"Missing argument '(.+?)'\.", r"Argumen '\1' belum diisi."),
    (r"Missing option '(.+?)'\.", r"Opsi '\1' wajib diisi."),
    (r"No such option: (.+)", r"Opsi tidak dikenal: \1"),
    (r"No such option '(.+?)'\.", r"Opsi tidak dikenal: '\1'."),
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
    try:
        cli.main(args=args, prog_name="petakampung", standalone_mode=False, obj=CliState(lang))
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
