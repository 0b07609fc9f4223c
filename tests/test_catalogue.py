"""The gettext catalogues (geo/locale): every message in Indonesian and English, the same placeholders
in both, every id the code or a template asks for present, and the move script re-runnable after a
merge brings back a hand-made dict."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from jinja2 import Environment, StrictUndefined

from geo.i18n import DOMAIN, LANGS, LOCALE_DIR, MESSAGES, catalogue, t
from web.i18n import register, ui

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "i18n_catalogue.py"
PLACEHOLDER = re.compile(r"\{(\w*)[^{}]*\}")


def _po(lang: str):
    with (LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as fh:
        return read_po(fh, locale=lang)


def _extracted_ids() -> dict[str, str]:
    """Message ids `pybabel extract -F babel.cfg -k t -k h` finds (the README's command), with where."""
    from babel.messages.frontend import parse_mapping_cfg

    with (ROOT / "babel.cfg").open() as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    keywords = {"t": None, "_": None, "h": None}
    found = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        ROOT, method_map, options_map, keywords=keywords
    ):
        msgid = message if isinstance(message, str) else message[0]
        found.setdefault(msgid, f"{filename}:{lineno}")
    return found


def test_every_catalogue_message_has_indonesian_and_english() -> None:
    ids = {m.id for lang in LANGS for m in _po(lang) if m.id}
    assert len(ids) > 800  # the catalogue is the real one, not an empty file
    missing = []
    for lang in LANGS:
        po = _po(lang)
        for msgid in sorted(ids):
            message = po.get(msgid)
            if message is None or not (message.string or "").strip() or message.fuzzy:
                missing.append(f"{lang}: {msgid}")
    assert missing == []


def test_placeholders_are_the_same_in_both_languages() -> None:
    """'{n} kesalahan' against 'errors' would print the count in one language only (or crash a format)."""
    po_id, po_en = _po("id"), _po("en")
    differ = []
    for message in po_id:
        if not message.id or po_en.get(message.id) is None:
            continue
        names_id = set(PLACEHOLDER.findall(message.string))
        names_en = set(PLACEHOLDER.findall(po_en.get(message.id).string))
        if names_id != names_en:
            differ.append(f"{message.id}: id {sorted(names_id)} en {sorted(names_en)}")
    assert differ == []


def test_every_id_the_code_and_templates_ask_for_is_translated() -> None:
    extracted = _extracted_ids()
    assert "report.title" in extracted  # the extraction really read the Python files
    assert extracted["ui.ground_short"].startswith("web/templates/")  # and the templates' _("...")
    untranslated = [
        f"{msgid} ({where})"
        for msgid, where in sorted(extracted.items())
        if not all(catalogue(lang).get(msgid, "").strip() for lang in LANGS)
    ]
    assert untranslated == []


def test_template_words_exist_in_both_languages() -> None:
    """Templates read the page words as ``t.name`` (``ui.name`` in the catalogue)."""
    used = set()
    for path in (ROOT / "web" / "templates").glob("*.html"):
        used |= set(re.findall(r"\bt\.([a-z_0-9]+)\b", path.read_text(encoding="utf-8")))
    assert "title" in used
    missing = sorted(f"{lang}: ui.{name}" for lang in LANGS for name in used if name not in ui(lang))
    assert missing == []


def test_the_pot_template_lists_every_catalogue_id() -> None:
    with (LOCALE_DIR / f"{DOMAIN}.pot").open("rb") as fh:
        pot_ids = {m.id for m in read_po(fh) if m.id}
    catalogue_ids = {m.id for lang in LANGS for m in _po(lang) if m.id}
    assert catalogue_ids - pot_ids == set()
    assert pot_ids - catalogue_ids == set()


def test_no_hand_made_message_dict_is_left_in_the_code() -> None:
    """A branch merged after the move may bring a MESSAGES.update({...}) or a UI dict back: the move
    script finds it (and `move --remove` puts it where it belongs)."""
    sys.path.insert(0, str(SCRIPT.parent))
    try:
        import i18n_catalogue
    finally:
        sys.path.remove(str(SCRIPT.parent))
    left = {s.path: i18n_catalogue.entries_of(s)[0] for s in i18n_catalogue.SOURCES}
    assert {path: sorted(found) for path, found in left.items() if found} == {}


def test_t_translates_fills_in_and_falls_back() -> None:
    assert t("report.rows", "id", rows=3) == "3 baris dibaca."
    assert t("report.rows", "en", rows=3) == "3 rows read."
    assert t("report.rows", "fr", rows=3) == "3 baris dibaca."  # unknown language: Indonesian
    assert t("no.such.message", "en") == "no.such.message"  # a forgotten id shows itself, never crashes
    assert MESSAGES["report.rows"] == {"id": "{rows} baris dibaca.", "en": "{rows} rows read."}


def test_a_template_underscore_uses_the_page_language() -> None:
    env = Environment(undefined=StrictUndefined, autoescape=True)
    register(env)
    page = env.from_string('<p>{{ _("report.rows", rows=n) }}</p><p>{{ _("map.legend") }}</p>')
    assert page.render(lang="en", n=12) == "<p>12 rows read.</p><p>Legend</p>"
    assert page.render(lang="id", n=12) == "<p>12 baris dibaca.</p><p>Legenda</p>"


def test_a_merged_dict_is_moved_into_both_catalogues(tmp_path: Path) -> None:
    """Re-runnable: a dict entry another branch added is written into id and en and taken out of the code."""
    (tmp_path / "geo").mkdir()
    shutil.copytree(LOCALE_DIR, tmp_path / "geo" / "locale")
    module = tmp_path / "geo" / "i18n.py"
    module.write_text(
        '"""messages"""\n\nX = 1\nMESSAGES.update(\n    {\n        "merge.new": {"id": "{n} baru", "en": "{n} new"},\n'
        '        "report.rows": {"id": "{rows} baris terbaca.", "en": "{rows} rows read."},\n    }\n)\nY = 2\n',
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--root", str(tmp_path), "move", "--remove"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert module.read_text(encoding="utf-8") == '"""messages"""\n\nX = 1\nY = 2\n'
    for lang, new, rows in (("id", "{n} baru", "{rows} baris terbaca."), ("en", "{n} new", "{rows} rows read.")):
        with (tmp_path / "geo" / "locale" / lang / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as fh:
            po = read_po(fh)
        assert po.get("merge.new").string == new
        assert po.get("report.rows").string == rows  # the dict's newer text wins
        assert len([m for m in po if m.id]) == len([m for m in _po(lang) if m.id]) + 1
    again = subprocess.run(
        [sys.executable, str(SCRIPT), "--root", str(tmp_path), "move"], capture_output=True, text=True, check=False
    )
    assert "0 messages moved" in again.stdout


@pytest.mark.parametrize("lang", LANGS)
def test_work_types_and_map_words_come_from_the_catalogue(lang: str) -> None:
    from geo.layers.infrastructure import WORK_TYPES
    from geo.map_classes import work_legend_rows

    assert WORK_TYPES["sumur_bor"].label(lang) == {"id": "Sumur bor", "en": "Bore well"}[lang]
    deviation = dict(work_legend_rows("deviation", lang))
    assert deviation["#d7191c"] == t("map.deviation_late", lang) != "map.deviation_late"
