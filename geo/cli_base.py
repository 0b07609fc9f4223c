"""What every ``petakampung`` command shares: click classes whose help texts are message keys
(``help="cmd.import"``), put into the run's language when a command is parsed or its help shown;
the run's state (language and settings); the store, the actor and the progress bar.

The language is the run's (``--lang`` or ``PETAKAMPUNG_LANG``, read by :func:`geo.cli.main`
before parsing), kept in the root context's :class:`CliState`: nothing is built per language."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import Any

import click

from geo.i18n import h, normalize_lang, t
from geo.settings import Settings

__all__ = [
    "CliState",
    "Command",
    "Group",
    "Option",
    "ProgressBar",
    "cli_actor",
    "existing_store",
    "lang_of",
    "shown",
]


@dataclass
class CliState:
    """The run: its language, and the settings the root group makes from ``--store``."""

    lang: str
    settings: Settings | None = None


def lang_of(ctx: click.Context | None) -> str:
    """The language of the run ``ctx`` belongs to."""
    obj = ctx.find_root().obj if ctx is not None else None
    if isinstance(obj, CliState):
        return obj.lang
    return normalize_lang(os.environ.get("PETAKAMPUNG_LANG"))


class Formatter(click.HelpFormatter):
    """click's help layout with its own words (Usage, Options, [required]) in the run's language."""

    def __init__(self, lang: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.lang = lang

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


class Context(click.Context):
    def make_formatter(self) -> click.HelpFormatter:
        return Formatter(lang_of(self), width=self.terminal_width, max_width=self.max_content_width)


class Option(click.Option):
    """An option whose ``aliases`` (old spellings such as ``--tahun``) still work but are not shown."""

    def __init__(self, param_decls: list[str], *, aliases: tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init__([*param_decls, *aliases], **kwargs)
        self.aliases = aliases

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        shown_opts = self.opts
        self.opts = [o for o in self.opts if o not in self.aliases]
        try:
            return super().get_help_record(ctx)
        finally:
            self.opts = shown_opts


def localize(command: click.Command, lang: str) -> None:
    """Put ``command``'s help texts and argument names (message keys) into ``lang``."""
    keys = command.__dict__.setdefault("_pk_keys", {})
    if "help" not in keys:
        keys["help"] = command.help
    if keys["help"]:
        command.help = h(keys["help"], lang)
    for param in command.params:
        pkeys = param.__dict__.setdefault("_pk_keys", {})
        for attr in ("help", "metavar"):
            if attr not in pkeys:
                pkeys[attr] = getattr(param, attr, None)
            key = pkeys[attr]
            if isinstance(key, str) and (key.startswith(("cmd.", "opt.", "arg.", "prompt."))):
                setattr(param, attr, h(key, lang))


class _Localized:
    """What commands and groups share: localized on parse, and a help option in the run's language."""

    context_class = Context

    def make_context(self, info_name, args, parent=None, **extra):  # type: ignore[no-untyped-def]
        obj = extra.get("obj")
        localize(self, obj.lang if isinstance(obj, CliState) else lang_of(parent))  # type: ignore[arg-type]
        return super().make_context(info_name, args, parent=parent, **extra)  # type: ignore[misc]

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        opt = super().get_help_option(ctx)  # type: ignore[misc]
        if opt is not None:
            opt.help = h("opt.help", lang_of(ctx))
        return opt


class Command(_Localized, click.Command):
    pass


class Group(_Localized, click.Group):
    command_class = Command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        for name in self.list_commands(ctx):
            localize(self.commands[name], lang_of(ctx))  # their one-line help in the listing
        super().format_commands(ctx, formatter)


Group.group_class = Group


def shown(location: object) -> str:
    """A store location fit to print: a database URL without its password."""
    from geo.settings import redact_url

    return redact_url(location) if isinstance(location, str) and "://" in location else str(location)


def cli_actor() -> str:
    """Who the audit log says did it: ``cli:<login name>``."""
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def existing_store(settings: Settings):
    """The settings' store; StoreError when there is none yet (``petakampung demo`` makes one)."""
    from geo.errors import StoreError
    from geo.store import open_store

    store = open_store(settings.store, audit_rows=settings.audit_rows)
    if not store.exists():
        raise StoreError("store.missing", path=str(settings.store))
    return store


class ProgressBar:
    """A progress bar on stderr for long work (more than 2,000 rows), silent otherwise."""

    THRESHOLD = 2000

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.bar = None
        self.stage: str | None = None

    def __enter__(self) -> ProgressBar:
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
