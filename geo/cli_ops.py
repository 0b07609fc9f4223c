"""Operations commands: ``db upgrade|copy``, ``backup``, ``restore`` and ``audit prune``."""

from __future__ import annotations

from pathlib import Path

import click

from geo.backup_pg import DUMP_MEMBER
from geo.cli_base import CliState, Command, Group, cli_actor, existing_store, shown
from geo.formats import number
from geo.i18n import t
from geo.settings import redact_url, store_location

__all__ = ["audit_group", "backup_cmd", "db_group", "restore_cmd"]


@click.group("db", cls=Group, help="cmd.db")
def db_group() -> None:
    pass


@db_group.command("upgrade", help="cmd.db_upgrade")
@click.option("--store", default=None, help="opt.store")
@click.option("--public-role", default=None, help="opt.public_role")
@click.pass_obj
def db_upgrade(run: CliState, store: str | None, public_role: str | None) -> None:
    from urllib.parse import urlsplit

    from geo.store import open_store
    from geo.store_copy import upgrade_store

    settings = run.settings
    location = store_location(store) if store else settings.store
    if public_role is None and settings.store_public and isinstance(location, str):
        public_role = urlsplit(settings.store_public).username
    version = upgrade_store(open_store(location), public_role=public_role)
    click.echo(t("db.upgraded", run.lang, store=shown(location), version=version))
    if public_role:
        click.echo(t("db.granted", run.lang, role=public_role))


@db_group.command("copy", help="cmd.db_copy")
@click.argument("source", metavar="SRC")
@click.argument("target", metavar="DST")
@click.pass_obj
def db_copy(run: CliState, source: str, target: str) -> None:
    from geo.store import open_store
    from geo.store_copy import copy_store

    counts = copy_store(open_store(store_location(source)), open_store(store_location(target)))
    rows, tables = sum(counts.values()), len(counts)
    click.echo(t("db.copied", run.lang, rows=rows, tables=tables, source=shown(source), target=shown(target)))


@click.command("backup", cls=Command, help="cmd.backup")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="opt.backup_output"
)
@click.pass_obj
def backup_cmd(run: CliState, output: Path) -> None:
    from geo.backup import backup

    result = backup(run.settings, output)
    size = number(result.size / 1e6, run.lang, 1)
    click.echo(t("backup.done", run.lang, path=result.path, size=size, what=_what(run.lang, result.members)))


@click.command("restore", cls=Command, help="cmd.restore")
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="opt.force")
@click.pass_obj
def restore_cmd(run: CliState, archive: Path, force: bool) -> None:
    from geo.backup import restore

    settings = run.settings
    plan = restore(settings, archive, force=force)
    where = redact_url(settings.store) if settings.is_database else plan.store
    members = list(plan.files) if not settings.is_database else [DUMP_MEMBER, *plan.files]
    click.echo(t("restore.done", run.lang, path=where, what=_what(run.lang, members, plan.files)))


@click.group("audit", cls=Group, help="cmd.audit")
def audit_group() -> None:
    pass


@audit_group.command("prune", help="cmd.audit_prune")
@click.option("--before", "before", required=True, metavar="TTTT-BB-HH", help="opt.before")
@click.pass_obj
def audit_prune(run: CliState, before: str) -> None:
    from geo.audit import parse_day, prune_audit

    day = parse_day(before)
    n = prune_audit(existing_store(run.settings), day, actor=cli_actor())
    click.echo(t("audit.pruned", run.lang, n=n, date=day.isoformat()))


def _what(lang: str, members: list[str], where: dict[str, Path] | None = None) -> str:
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
