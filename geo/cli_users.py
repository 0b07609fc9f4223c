"""Account commands: ``user add|list|disable|passwd|token``."""

from __future__ import annotations

import sys

import click

from geo.cli_base import CliState, Group, cli_actor, existing_store, lang_of
from geo.i18n import h, t

__all__ = ["user_group"]

password_stdin_opt = click.option("--password-stdin", is_flag=True, help="opt.password_stdin")


def read_password(password_stdin: bool) -> str:
    """One line of stdin, or asked twice on the terminal."""
    if password_stdin:
        return sys.stdin.readline().rstrip("\n")
    lang = lang_of(click.get_current_context(silent=True))
    first = click.prompt(h("prompt.password", lang), hide_input=True)
    if click.prompt(h("prompt.repeat", lang), hide_input=True) != first:
        from geo.errors import RequestError

        raise RequestError("user.mismatch")
    return first


@click.group("user", cls=Group, help="cmd.user")
def user_group() -> None:
    pass


@user_group.command("add", help="cmd.user_add")
@click.argument("username")
@click.option("--role", type=click.Choice(["lkm", "planner", "admin"]), required=True, help="opt.role")
@click.option("--kelurahan", "code", default=None, help="opt.kelurahan")
@click.option("--kota", default=None, help="opt.kota")
@password_stdin_opt
@click.pass_obj
def user_add(run: CliState, username: str, role: str, code: str | None, kota: str | None, password_stdin: bool) -> None:
    from geo.accounts import add_user

    store = existing_store(run.settings)
    password = read_password(password_stdin)
    add_user(store, username, password, role, kelurahan_code=code, kota_code=kota, actor=cli_actor())
    click.echo(t("user.added", run.lang, username=username, role=role))


@user_group.command("list", help="cmd.user_list")
@click.pass_obj
def user_list(run: CliState) -> None:
    from geo.accounts import list_users

    for u in list_users(existing_store(run.settings)):
        area = u.kelurahan_code or u.kota_code or "-"
        click.echo(f"{u.username:<20} {u.role:<8} {area:<14} {'aktif' if u.active else 'nonaktif'}")


@user_group.command("disable", help="cmd.user_disable")
@click.argument("username")
@click.pass_obj
def user_disable(run: CliState, username: str) -> None:
    from geo.accounts import disable_user

    disable_user(existing_store(run.settings), username, actor=cli_actor())
    click.echo(t("user.changed", run.lang, username=username))


@user_group.command("passwd", help="cmd.user_passwd")
@click.argument("username")
@password_stdin_opt
@click.pass_obj
def user_passwd(run: CliState, username: str, password_stdin: bool) -> None:
    from geo.accounts import set_password

    set_password(existing_store(run.settings), username, read_password(password_stdin), actor=cli_actor())
    click.echo(t("user.changed", run.lang, username=username))


@user_group.command("token", help="cmd.user_token")
@click.argument("username")
@click.option("--revoke", is_flag=True, help="opt.revoke")
@click.pass_obj
def user_token(run: CliState, username: str, revoke: bool) -> None:
    from geo.tokens import new_token, revoke_token

    store = existing_store(run.settings)
    if revoke:
        revoke_token(store, username, actor=cli_actor())
        click.echo(t("token.revoked", run.lang, username=username))
        return
    token = new_token(store, username, actor=cli_actor())
    click.echo(t("token.created", run.lang, username=username), err=True)  # the token alone on stdout, for scripts
    click.echo(token)
