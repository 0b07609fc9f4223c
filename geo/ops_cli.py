"""The operations commands: ``backup``, ``restore`` and ``audit prune`` (added to the CLI group)."""

from __future__ import annotations

from pathlib import Path

import click

from geo.backup_pg import DUMP_MEMBER
from geo.formats import number
from geo.i18n import h, t
from geo.settings import Settings, redact_url


def add_ops_commands(cli: click.Group, lang: str, group_cls: type[click.Group]) -> None:
    @cli.command("backup", help=h("cmd.backup", lang))
    @click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, path_type=Path),
        required=True,
        help=h("opt.backup_output", lang),
    )
    @click.pass_obj
    def backup_cmd(obj: dict, output: Path) -> None:
        from geo.backup import backup

        result = backup(obj["settings"], output)
        size = number(result.size / 1e6, lang, 1)
        click.echo(t("backup.done", lang, path=result.path, size=size, what=_what(result.members)))

    @cli.command("restore", help=h("cmd.restore", lang))
    @click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
    @click.option("--force", is_flag=True, help=h("opt.force", lang))
    @click.pass_obj
    def restore_cmd(obj: dict, archive: Path, force: bool) -> None:
        from geo.backup import restore

        plan = restore(obj["settings"], archive, force=force)
        settings: Settings = obj["settings"]
        where = redact_url(settings.store) if settings.is_database else plan.store
        members = list(plan.files) if not settings.is_database else [DUMP_MEMBER, *plan.files]
        click.echo(t("restore.done", lang, path=where, what=_what(members, plan.files)))

    @cli.group("audit", cls=group_cls, help=h("cmd.audit", lang))
    def audit_group() -> None:
        pass

    @audit_group.command("prune", help=h("cmd.audit_prune", lang))
    @click.option("--before", "before", required=True, metavar="TTTT-BB-HH", help=h("opt.before", lang))
    @click.pass_obj
    def audit_prune(obj: dict, before: str) -> None:
        from geo.audit import parse_day, prune_audit
        from geo.cli import _cli_actor, _existing_store

        day = parse_day(before)
        settings: Settings = obj["settings"]
        n = prune_audit(_existing_store(settings), day, actor=_cli_actor())
        click.echo(t("audit.pruned", lang, n=n, date=day.isoformat()))

    def _what(members: list[str], where: dict[str, Path] | None = None) -> str:
        from geo.backup import KEY_MEMBER, SECRET_MEMBER, STORE_MEMBER

        names = {
            STORE_MEMBER: "backup.what_store",
            DUMP_MEMBER: "backup.what_store",
            KEY_MEMBER: "backup.what_key",
            SECRET_MEMBER: "backup.what_secret",
        }
        out = []
        for member in members:
            name = (where or {}).get(member, Path(member)).name
            out.append(t(names[member], lang, name=name))
        return ", ".join(out)
