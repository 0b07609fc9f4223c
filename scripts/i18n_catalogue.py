"""Move hand-made translation dicts into the gettext catalogues, and keep the catalogues in step.

The messages of petakampung live in ``geo/locale/{id,en}/LC_MESSAGES/petakampung.po`` (symbolic ids
such as ``report.title``, ``{name}`` placeholders).  Before issue 12 they lived in Python dicts of several
shapes; branches started before the move may still add entries to those dicts.  This script finds such
dict literals by reading the source (it never imports it), writes their entries into both catalogues
and, with ``--remove``, deletes the statements it moved, so it can be re-run after every merge::

    python scripts/i18n_catalogue.py move --remove    # dict entries -> .po (and out of the code)
    pybabel extract -F babel.cfg -o geo/locale/petakampung.pot .
    python scripts/i18n_catalogue.py sync             # new extracted ids -> .po (empty: translate them)

``sync`` keeps every catalogue id in the .pot (many ids are built at run time, e.g. ``f"status.{code}"``,
so ``pybabel update`` would wrongly mark them obsolete) and adds ids the extraction found to both .po
files with an empty translation, which ``tests/test_catalogue.py`` then reports until someone writes it.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent  # --root changes it (tests run the script on a copy)
DOMAIN = "petakampung"
LANGS = ("id", "en")
LIST_SEPARATOR = " | "  # a list value (table column headings) is kept as one message, split at run time
_PLACEHOLDER = re.compile(r"\{(\w+)[^{}]*\}")


@dataclass(frozen=True)
class Source:
    """One hand-made shape: which file, which name, the id prefix its keys get, and how it is laid out.

    ``shape`` is ``by_key`` ({key: {"id": .., "en": ..}}), ``by_lang`` ({"id": {key: ..}, "en": {..}}),
    ``pair`` ({key: (id, en)}) or ``table``: a ``by_key`` dict of stored codes that stays a name in the code
    (``X = {...}`` becomes ``X = LabelTable("prefix.", (codes...))``, see :class:`geo.i18n.LabelTable`),
    or ``lang_table``: a ``by_lang`` dict that stays a name (``X = LangTable("prefix.")``).
    """

    path: str
    name: str
    prefix: str
    shape: str


SOURCES = (
    Source("geo/i18n.py", "MESSAGES", "", "by_key"),
    Source("geo/i18n.py", "HELP", "", "by_key"),
    Source("geo/i18n_ops.py", "OPS_MESSAGES", "", "by_key"),
    Source("geo/i18n_ops.py", "OPS_HELP", "", "by_key"),
    Source("geo/i18n_batch.py", "BATCH_MESSAGES", "", "by_key"),
    Source("geo/i18n_batch.py", "BATCH_HELP", "", "by_key"),
    Source("geo/i18n_plan.py", "PLAN_MESSAGES", "", "by_key"),
    Source("geo/i18n_community.py", "COMMUNITY_MESSAGES", "", "by_key"),
    Source("web/i18n.py", "UI", "ui.", "by_lang"),
    Source("web/community_text.py", "COMMUNITY_UI", "community_ui.", "by_lang"),
    Source("web/kampung_text.py", "TEXT", "kampung_ui.", "by_lang"),
    Source("web/public_text.py", "NOTES", "note.", "by_lang"),
    Source("web/public_text.py", "PAGE_ERRORS", "page_error.", "by_key"),
    Source("geo/public_text.py", "CODE_LABELS", "code_label.", "by_key"),
    Source("geo/mapping.py", "LABELS", "map.", "by_key"),
    Source("geo/pdf_report.py", "TEXT", "pdf.", "by_lang"),
    Source("geo/kota_map.py", "TEXT", "kota_map.", "by_lang"),
    Source("geo/plan_map.py", "_TEXT", "plan_map.", "pair"),
    Source("geo/plan_reasons.py", "FACTOR_LABELS", "factor.", "pair"),
    Source("web/routers/pages.py", "_SHARE_LABELS", "share.", "pair"),
    Source("web/routers/kota.py", "KOTA_TEXT", "kota_ui.", "by_lang"),
    Source("web/charts.py", "KURVA_LABELS", "kurva.", "lang_table"),
    Source("geo/charts.py", "KURVA_LABELS", "kurva.", "lang_table"),
    Source("geo/layers/groups.py", "GROUP_TYPE_LABELS", "group_type.", "table"),
    Source("geo/layers/groups.py", "ROLE_LABELS", "group_role.", "table"),
    Source("geo/layers/groups.py", "SPEAKER_LABELS", "group_speaker.", "table"),
    Source("geo/layers/facilities.py", "CATEGORY_LABELS", "facility_category.", "table"),
    Source("geo/layers/facilities.py", "PROGRAMME_LABELS", "facility_programme.", "table"),
    Source("geo/layers/funds.py", "KIND_LABELS", "fund_kind.", "table"),
    Source("geo/layers/products.py", "CATEGORY_LABELS", "product_category.", "table"),
    Source("geo/layers/products.py", "STATUS_LABELS", "product_status.", "table"),
    Source("geo/layers/community_rows.py", "PROGRAMME_AREA_LABELS", "programme_area.", "table"),
    Source("geo/layers/community_rows.py", "PILLAR_LABELS", "pillar.", "table"),
    Source("geo/layers/proposals.py", "STATUS_LABELS", "proposal_status.", "table"),
    Source("geo/layers/gardens.py", "SITE_LABELS", "garden_site.", "table"),
    Source("geo/layers/infrastructure.py", "STATUS_LABELS", "work_status.", "table"),
    Source("geo/report.py", "TABLE_COLUMNS", "report_column.", "table"),
)


def _target_of(stmt: ast.stmt) -> tuple[ast.expr, ast.expr] | None:
    """(what is assigned or updated, the dict literal) of ``X = {..}``, ``X: T = {..}``, ``X[..].update({..})``."""
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.value, ast.Dict):
        return stmt.targets[0], stmt.value
    if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.value, ast.Dict):
        return stmt.target, stmt.value
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
        call = stmt.value
        if (
            isinstance(call.func, ast.Attribute)
            and call.func.attr == "update"
            and len(call.args) == 1
            and isinstance(call.args[0], ast.Dict)
        ):
            return call.func.value, call.args[0]
    return None


def _text(value: object) -> str:
    return LIST_SEPARATOR.join(value) if isinstance(value, list | tuple) else str(value)


def entries_of(source: Source) -> tuple[dict[str, dict[str, str]], list[tuple[int, int, str]]]:
    """Every entry the file's literals give ``source.name``, and the line spans of those statements with
    what replaces them (nothing, or a ``LabelTable`` for a ``table``)."""
    path = ROOT / source.path
    if not path.exists():
        return {}, []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: dict[str, dict[str, str]] = {}
    spans: list[tuple[int, int, str]] = []
    for stmt in tree.body:
        hit = _target_of(stmt)
        if hit is None:
            continue
        target, literal = hit
        lang = None
        if isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant):
            lang, target = target.slice.value, target.value
        if not (isinstance(target, ast.Name) and target.id == source.name):
            continue
        value = ast.literal_eval(literal)
        for key, text in _flatten(value, source.shape, lang):
            found.setdefault(source.prefix + key, {}).update(text)
        replacement = ""
        if source.shape == "table" and lang is None and not isinstance(stmt, ast.Expr):
            codes = ", ".join(f'"{key}"' for key in value) + ("," if len(value) == 1 else "")
            replacement = f'{source.name} = LabelTable("{source.prefix}", ({codes}))\n'
        if source.shape == "lang_table" and lang is None and not isinstance(stmt, ast.Expr):
            replacement = f'{source.name} = LangTable("{source.prefix}")\n'
        spans.append((stmt.lineno, stmt.end_lineno or stmt.lineno, replacement))
    return found, spans


def _flatten(value: dict, shape: str, lang: str | None) -> list[tuple[str, dict[str, str]]]:
    if lang is not None:  # UI["id"].update({...})
        return [(key, {lang: _text(text)}) for key, text in value.items()]
    if shape in ("by_key", "table"):
        return [(key, {code: _text(entry[code]) for code in LANGS if code in entry}) for key, entry in value.items()]
    if shape in ("by_lang", "lang_table"):
        return [(key, {code: _text(text)}) for code in LANGS for key, text in value.get(code, {}).items()]
    return [(key, {"id": _text(entry[0]), "en": _text(entry[1])}) for key, entry in value.items()]


def po_path(lang: str) -> Path:
    return ROOT / "geo" / "locale" / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def pot_path() -> Path:
    return ROOT / "geo" / "locale" / f"{DOMAIN}.pot"


def load(path: Path, locale: str | None) -> Catalog:
    if not path.exists():
        return Catalog(locale=locale, domain=DOMAIN, project="petakampung", charset="utf-8")
    with path.open("rb") as fh:
        return read_po(fh, locale=locale, domain=DOMAIN)


def _flags(text: str) -> tuple[str, ...]:
    return ("python-brace-format",) if _PLACEHOLDER.search(text) else ()


def save(catalogue: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    catalogue.header_comment = (
        "# Messages of petakampung. Ids are symbolic (report.title); {name} fills a value in.\n"
        "# Edit here; scripts/i18n_catalogue.py and pybabel extract keep the files in step (see README)."
    )
    with path.open("wb") as fh:
        write_po(fh, catalogue, width=0, sort_output=True, omit_header=False)


def move(*, remove: bool) -> int:
    """Copy every dict entry into both catalogues (the dict wins over an older catalogue text)."""
    catalogues = {lang: load(po_path(lang), lang) for lang in LANGS}
    pot = load(pot_path(), None)
    moved: dict[str, dict[str, str]] = {}
    to_remove: dict[str, list[tuple[int, int, str]]] = {}
    for source in SOURCES:
        found, spans = entries_of(source)
        for key, texts in found.items():
            earlier = moved.get(key)
            if earlier is not None and any(earlier.get(c) not in (None, texts.get(c, earlier[c])) for c in LANGS):
                sys.exit(f"{source.path}: {source.name} gives '{key}' a different text than an earlier source")
            moved.setdefault(key, {}).update(texts)
        if remove and spans:
            to_remove.setdefault(source.path, []).extend(spans)
    for key, texts in moved.items():
        for lang, catalogue in catalogues.items():
            text = texts.get(lang) or (catalogue.get(key).string if catalogue.get(key) else "")
            catalogue.delete(key)
            catalogue.add(key, text, flags=_flags(text))
        pot.delete(key)
        pot.add(key, "", flags=_flags(texts.get("id", "")))
    for lang, catalogue in catalogues.items():
        save(catalogue, po_path(lang))
    save(pot, pot_path())
    for path, spans in to_remove.items():
        _remove_lines(ROOT / path, spans)
    print(f"{len(moved)} messages moved into {', '.join(str(po_path(c).relative_to(ROOT)) for c in LANGS)}")
    for path, spans in to_remove.items():
        print(f"  removed {len(spans)} statement(s) from {path}: finish the module by hand")
    return 0


def _remove_lines(path: Path, spans: list[tuple[int, int, str]]) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    for start, end, replacement in sorted(spans, reverse=True):
        lines[start - 1 : end] = [replacement] if replacement else []
    path.write_text("".join(lines), encoding="utf-8")


def sync() -> int:
    """Ids in the .pot (freshly extracted) or in a .po end up in all three files; nothing is dropped."""
    catalogues = {lang: load(po_path(lang), lang) for lang in LANGS}
    pot = load(pot_path(), None)
    ids = {m.id for m in pot if m.id} | {m.id for c in catalogues.values() for m in c if m.id}
    added = 0
    for key in sorted(ids):
        for catalogue in catalogues.values():
            if catalogue.get(key) is None:
                catalogue.add(key, "")
                added += 1
        if pot.get(key) is None:
            pot.add(key, "")
    for lang, catalogue in catalogues.items():
        save(catalogue, po_path(lang))
    save(pot, pot_path())
    print(f"{len(ids)} ids; {added} empty translations added (tests/test_catalogue.py lists them)")
    return 0


def main(argv: list[str] | None = None) -> int:
    global ROOT  # one setting for the whole run
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the project folder (default: this checkout)")
    commands = parser.add_subparsers(dest="command", required=True)
    moving = commands.add_parser("move", help="dict entries in the code -> catalogues")
    moving.add_argument("--remove", action="store_true", help="delete the moved statements from the code")
    commands.add_parser("sync", help="make the .pot and both .po files hold the same ids")
    args = parser.parse_args(argv)
    ROOT = args.root.resolve()
    return move(remove=args.remove) if args.command == "move" else sync()


if __name__ == "__main__":
    raise SystemExit(main())
