"""Messages in Bahasa Indonesia (default) and English, from the gettext catalogues.

Every user-facing sentence lives in ``geo/locale/{id,en}/LC_MESSAGES/petakampung.po`` under a symbolic
id (``report.title``); ``t(code, lang, **params)`` (also spelled ``_``) fills in its ``{name}``
placeholders.  The .po files are read with Babel once per process, so a fresh clone needs no build
step.  A missing English text falls back to Indonesian, a missing id to the id itself, so a forgotten
entry shows up in tests (``tests/test_catalogue.py``) rather than as a crash.

Adding a message: write it in both .po files (or run ``scripts/i18n_catalogue.py``; see the README).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po

__all__ = [
    "DEFAULT_LANG",
    "DOMAIN",
    "HELP",
    "LANGS",
    "LIST_SEPARATOR",
    "LOCALE_DIR",
    "MESSAGES",
    "LabelTable",
    "LangTable",
    "Words",
    "_",
    "catalogue",
    "h",
    "normalize_lang",
    "prefixed",
    "t",
]

LANGS = ("id", "en")
DEFAULT_LANG = "id"
DOMAIN = "petakampung"
LIST_SEPARATOR = " | "  # a list (table headings) kept as one message: split it with this
LOCALE_DIR = Path(__file__).parent / "locale"


@cache
def catalogue(lang: str) -> dict[str, str]:
    """Id -> translated text of one language (empty and fuzzy entries left out), read once per process."""
    with (LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as fh:
        po = read_po(fh, locale=lang, domain=DOMAIN)
    return {m.id: m.string for m in po if m.id and isinstance(m.string, str) and m.string and not m.fuzzy}


def normalize_lang(lang: str | None) -> str:
    """Return a supported language code; anything unknown becomes the default (Indonesian)."""
    if not lang:
        return DEFAULT_LANG
    code = lang.strip().lower()[:2]
    return code if code in LANGS else DEFAULT_LANG


def _template(code: str, lang: str) -> str | None:
    found = catalogue(lang if lang in LANGS else DEFAULT_LANG).get(code)
    return found if found is not None else catalogue(DEFAULT_LANG).get(code)


def t(code: str, lang: str = DEFAULT_LANG, /, **params: Any) -> str:
    """Translate ``code`` into ``lang`` and fill in ``params``."""
    template = _template(code, lang)
    if template is None:
        return code
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return template


_ = t  # the gettext spelling; `pybabel extract` looks for both (babel.cfg)


def h(key: str, lang: str) -> str:
    """Help text for the command line."""
    template = _template(key, lang)
    if template is None:
        raise KeyError(key)
    return template


def prefixed(prefix: str, lang: str) -> dict[str, str]:
    """Every message whose id starts with ``prefix``, keyed by the rest of the id (``ui.title`` -> ``title``).

    For pages that take a whole table of their words at once (``t.title`` in a template).  The texts are
    the raw templates: placeholders are filled in by the caller.  A fresh dict each call: callers may
    change their copy (fill in a placeholder) without changing anyone else's.
    """
    return dict(_prefixed(prefix, lang if lang in LANGS else DEFAULT_LANG))


@cache
def _prefixed(prefix: str, lang: str) -> dict[str, str]:
    merged = {k: v for k, v in catalogue(DEFAULT_LANG).items() if k.startswith(prefix)}
    merged.update({k: v for k, v in catalogue(lang).items() if k.startswith(prefix)})
    return {k[len(prefix) :]: v for k, v in merged.items()}


class _CatalogueView(Mapping[str, dict[str, str]]):
    """Read-only ``{id: {"id": text, "en": text}}`` over the catalogues, for code and tests that look up a
    message in both languages.  Messages are added in the .po files, never here."""

    def __getitem__(self, code: str) -> dict[str, str]:
        texts = {lang: catalogue(lang)[code] for lang in LANGS if code in catalogue(lang)}
        if not texts:
            raise KeyError(code)
        return texts

    def __iter__(self) -> Iterator[str]:
        return iter(sorted({code for lang in LANGS for code in catalogue(lang)}))

    def __len__(self) -> int:
        return len({code for lang in LANGS for code in catalogue(lang)})

    def update(self, *_args: object, **_kwargs: object) -> None:
        """A branch written before the catalogues may still add dict entries: say where they belong."""
        raise RuntimeError(
            "messages live in geo/locale/*/LC_MESSAGES/petakampung.po: run "
            "'python scripts/i18n_catalogue.py move --remove' to move this dict there"
        )


class LabelTable(Mapping[str, dict[str, str]]):
    """``{code: {"id": text, "en": text}}`` for a fixed list of stored codes (work status, facility
    category, ...), read from the catalogue ids ``prefix + code``: the shape the layers' label tables
    always had, so ``STATUS_LABELS[status][lang]`` keeps working, with the words in the .po files."""

    def __init__(self, prefix: str, codes: tuple[str, ...]) -> None:
        self.prefix = prefix
        self.codes = codes

    def __getitem__(self, code: str) -> dict[str, str]:
        if code not in self.codes:
            raise KeyError(code)
        return {lang: t(self.prefix + code, lang) for lang in LANGS}

    def __iter__(self) -> Iterator[str]:
        return iter(self.codes)

    def __len__(self) -> int:
        return len(self.codes)


class Words(Mapping[str, str]):
    """``{lang: text}`` of one message id: a layer's or a collection's ``title[lang]``."""

    def __init__(self, code: str) -> None:
        self.code = code

    def __getitem__(self, lang: str) -> str:
        if lang not in LANGS:
            raise KeyError(lang)
        return t(self.code, lang)

    def __iter__(self) -> Iterator[str]:
        return iter(LANGS)

    def __len__(self) -> int:
        return len(LANGS)

    def __repr__(self) -> str:
        return f"Words({self.code!r})"


class LangTable(Mapping[str, dict[str, str]]):
    """``{lang: {name: text}}`` over the catalogue ids ``prefix + name``: the shape of a page's or a
    chart's word table (``KURVA_LABELS[lang]["title"]``), with the words in the .po files."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def __getitem__(self, lang: str) -> dict[str, str]:
        if lang not in LANGS:
            raise KeyError(lang)
        return prefixed(self.prefix, lang)

    def __iter__(self) -> Iterator[str]:
        return iter(LANGS)

    def __len__(self) -> int:
        return len(LANGS)


MESSAGES: Mapping[str, dict[str, str]] = _CatalogueView()
HELP = MESSAGES  # command-line help shares the one catalogue
