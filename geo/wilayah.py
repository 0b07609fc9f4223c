"""The Kemendagri code table: every provinsi, kabupaten/kota, kecamatan and desa/kelurahan code
with its official name, shipped with petakampung (``geo/data/wilayah_kemendagri.csv.gz``, MIT,
built by ``scripts/build_wilayah_table.py``; see ``geo/data/wilayah_SOURCE.md``).

It fills the kecamatan, kota and provinsi names a file lacks, and turns a kelurahan given by
names into its code.  Names are compared the way people write them: case, accents, punctuation
and spaces do not count ("Pasir Kraton Kramat" is "Pasirkratonkramat"), nor do prefixes such as
"Kel.", "Desa", "Kec.", "Kota Administrasi" or "Kab."; old spellings (oe, dj, tj, nj, sj, ch)
are read as today's; and a near spelling ("Papango" for "Papanggo") is accepted when exactly one
name of the area comes that close.  A name that fits several places, or none, is reported with
the candidate codes, never guessed.
"""

from __future__ import annotations

import gzip
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Literal

import pandas as pd
from rapidfuzz import fuzz, process

TABLE_PATH = Path(__file__).parent / "data" / "wilayah_kemendagri.csv.gz"
TABLE_VERSION = "Kepmendagri 300.2.2-2138/2025"
Level = Literal["provinsi", "kota", "kecamatan", "kelurahan"]
LEVELS: tuple[Level, ...] = ("provinsi", "kota", "kecamatan", "kelurahan")
FUZZY_MIN = 85.0  # rapidfuzz ratio (0-100) a near spelling needs
FUZZY_MARGIN = 4.0  # ... and by how much it must beat the next name of the area
CANDIDATES_SHOWN = 5

_PREFIXES: dict[Level, tuple[str, ...]] = {
    "provinsi": ("provinsi", "propinsi", "prov"),
    "kota": ("kabupaten administrasi", "kota administrasi", "kota adm", "kab adm", "kabupaten", "kab", "kota"),
    "kecamatan": ("kecamatan", "kec"),
    "kelurahan": ("kelurahan", "kel", "desa", "ds"),
}
_OLD_SPELLING = (("oe", "u"), ("dj", "j"), ("tj", "c"), ("nj", "ny"), ("sj", "sy"), ("ch", "kh"))
_ABBREVIATIONS = {"dki": "daerah khusus ibukota", "diy": "daerah istimewa yogyakarta", "di": "daerah istimewa"}


def words(text: object) -> str:
    """Lower-case ASCII words: accents, punctuation and repeated spaces gone."""
    norm = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", norm).split())


def compact(text: str) -> str:
    """The form names are compared in: no spaces, old spellings read as today's."""
    out = text.replace(" ", "")
    for old, new in _OLD_SPELLING:
        out = out.replace(old, new)
    return out


def name_key(text: object, level: Level) -> tuple[str, str | None]:
    """(comparison key, kind hint) of a name as written; the hint is "kota" or "kabupaten" when
    a kota name said which it is."""
    w = words(text)
    w = " ".join(_ABBREVIATIONS.get(part, part) for part in w.split())
    hint = None
    for prefix in _PREFIXES[level]:
        if w.startswith(prefix + " "):
            if level == "kota":
                hint = "kota" if prefix.startswith("kota") else "kabupaten"
            break
    return compact(_strip_prefix(w, level)), hint


def _strip_prefix(w: str, level: Level) -> str:
    for prefix in _PREFIXES[level]:
        if w.startswith(prefix + " "):
            return w[len(prefix) + 1 :]
    return w


def level_of(code: str) -> Level:
    return LEVELS[code.count(".")]


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    level: Level

    def describe(self, table: CodeTable) -> str:
        """'33.75.01.1008 Pasirkratonkramat (Pekalongan Barat, Kota Pekalongan, Jawa Tengah)'."""
        parents = [table.name(p) for p in _parents(self.code)]
        return f"{self.code} {self.name}" + (f" ({', '.join(p for p in parents if p)})" if parents else "")


@dataclass
class Resolution:
    """What a kelurahan given by names resolved to: its code, or why not and the candidates."""

    status: Literal["ok", "ambiguous", "unknown"]
    code: str | None = None
    how: Literal["exact", "spelling", "near"] | None = None
    candidates: list[str] = field(default_factory=list)  # described places, best first
    unmatched: list[str] = field(default_factory=list)  # parent names that matched nothing
    ignored: list[str] = field(default_factory=list)  # parent names that matched, but not this kelurahan


def _parents(code: str) -> list[str]:
    parts = code.split(".")
    return [".".join(parts[:i]) for i in range(len(parts) - 1, 0, -1)]


class CodeTable:
    """The code table in memory, indexed for lookups by code and by name."""

    def __init__(self, frame: pd.DataFrame, version: str = TABLE_VERSION) -> None:
        self.version = version
        self.names: dict[str, str] = dict(zip(frame["kode"], frame["nama"], strict=True))
        self._index: tuple[dict, dict, dict] | None = None  # built on the first name lookup

    def _indexed(self) -> tuple[dict[str, str], dict[tuple[Level, str], list[str]], dict[str, list[str]]]:
        """Comparison keys, codes by (level, key), and children by parent code."""
        if self._index is None:
            keys: dict[str, str] = {}
            by_key: dict[tuple[Level, str], list[str]] = {}
            children: dict[str, list[str]] = {}
            for code, name in self.names.items():
                level = level_of(code)
                key = name_key(name, level)[0]
                keys[code] = key
                by_key.setdefault((level, key), []).append(code)
                children.setdefault(_parents(code)[0] if "." in code else "", []).append(code)
            self._index = (keys, by_key, children)
        return self._index

    @property
    def _keys(self) -> dict[str, str]:
        return self._indexed()[0]

    @property
    def _by_key(self) -> dict[tuple[Level, str], list[str]]:
        return self._indexed()[1]

    @property
    def _children(self) -> dict[str, list[str]]:
        return self._indexed()[2]

    @classmethod
    def from_file(cls, path: Path = TABLE_PATH) -> CodeTable:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            return cls(pd.read_csv(fh, dtype=str, keep_default_na=False))

    def __contains__(self, code: object) -> bool:
        return code in self.names

    def name(self, code: str) -> str | None:
        return self.names.get(code)

    def place(self, code: str) -> Place:
        return Place(code, self.names[code], level_of(code))

    def parent_names(self, code: str) -> dict[str, str | None]:
        """kecamatan, kota and provinsi names of a kelurahan code (None where the table lacks them)."""
        parts = code.split(".")
        return {
            "kecamatan": self.names.get(".".join(parts[:3])),
            "kota": self.names.get(".".join(parts[:2])),
            "provinsi": self.names.get(parts[0]),
        }

    def children(self, codes: Iterable[str], level: Level) -> list[str]:
        """Every code of ``level`` under any of ``codes`` ("" is the whole country)."""
        depth = LEVELS.index(level)
        current, out = list(codes), []
        while current:
            below = []
            for code in current:
                d = code.count(".") if code else -1
                if d == depth:
                    out.append(code)
                elif d < depth:
                    below.extend(self._children.get(code, []))
            current = below
        return out

    # -- matching names ----------------------------------------------------------------------
    def match(self, text: object, level: Level, scope: list[str]) -> tuple[list[str], str | None]:
        """Codes of ``scope`` (all of ``level``) whose name is ``text``: by key, else by a unique
        near spelling.  Returns (codes, how)."""
        key, hint = name_key(text, level)
        if not key:
            return [], None
        in_scope = set(scope)
        found = [c for c in self._by_key.get((level, key), []) if c in in_scope]
        found = _by_hint(found, hint)
        if found:
            how = "exact" if all(words(self.names[c]).replace(" ", "") == key for c in found) else "spelling"
            return found, how
        plain = _strip_prefix(words(text), level)
        if level == "kelurahan" and re.match(r"^(kampung|kp) ", plain):  # "Kampung Tengah" is "Tengah"
            found, how = self.match(re.sub(r"^(kampung|kp) ", "", plain), level, scope)
            if found:
                return found, how
        near = self.near(key, scope)
        if near and near[0][1] >= FUZZY_MIN and (len(near) == 1 or near[0][1] - near[1][1] >= FUZZY_MARGIN):
            return _by_hint([near[0][0]], hint) or [near[0][0]], "near"
        return [], None

    def near(self, key: str, scope: list[str], limit: int = CANDIDATES_SHOWN) -> list[tuple[str, float]]:
        """The names of ``scope`` closest to ``key``, best first, as (code, score 0-100)."""
        if not scope:
            return []
        choices = {c: self._keys[c] for c in scope}
        hits = process.extract(key, choices, scorer=fuzz.ratio, limit=limit)
        return [(code, float(score)) for _, score, code in hits]

    def resolve(
        self,
        kelurahan: object,
        *,
        kecamatan: object = None,
        kota: object = None,
        provinsi: object = None,
        within: str | None = None,
    ) -> Resolution:
        """The code of a kelurahan/desa given by its name and (optionally) its parents' names."""
        top = [within] if within else [""]
        scopes, unmatched = [top], []
        for level, text in (("provinsi", provinsi), ("kota", kota), ("kecamatan", kecamatan)):
            if _blank(text):
                continue
            found, _ = self.match(text, level, self.children(scopes[-1], level))
            if found:
                scopes.append(found)
            else:
                unmatched.append(f"{level} '{text}'")
        # narrowest first; a file's kecamatan (or kota) can be wrong, so a name found only one
        # level up (never more) is still found, and the parent the file named is reported
        for depth in range(len(scopes) - 1, max(len(scopes) - 3, -1), -1):
            found, how = self.match(kelurahan, "kelurahan", self.children(scopes[depth], "kelurahan"))
            if len(found) == 1:
                ignored = [self.name(c) or c for c in scopes[depth + 1]] if depth + 1 < len(scopes) else []
                return Resolution("ok", code=found[0], how=how, unmatched=unmatched, ignored=ignored)  # type: ignore[arg-type]
            if found:
                candidates = [self.place(c).describe(self) for c in found]
                return Resolution("ambiguous", candidates=candidates, unmatched=unmatched)
        options = self.children(scopes[-1], "kelurahan")
        key = name_key(kelurahan, "kelurahan")[0]
        near = [c for c, score in self.near(key, options) if score >= 60]
        return Resolution("unknown", candidates=[self.place(c).describe(self) for c in near], unmatched=unmatched)

    def search(self, text: str, *, limit: int = 10) -> list[tuple[Place, float]]:
        """Places at any level whose name is (or is close to) ``text``; a code finds itself."""
        text = text.strip()
        if text in self.names:
            return [(self.place(text), 100.0)]
        exact: list[tuple[Place, float]] = []
        for level in LEVELS:
            key, hint = name_key(text, level)
            exact += [(self.place(c), 100.0) for c in _by_hint(self._by_key.get((level, key), []), hint)]
        if exact:
            return exact[:limit] if len(exact) <= limit else exact
        key = compact(words(text))
        hits = process.extract(key, self._keys, scorer=fuzz.ratio, limit=limit, score_cutoff=60)
        return [(self.place(code), float(score)) for _, score, code in hits]


def _by_hint(codes: list[str], hint: str | None) -> list[str]:
    """Kota codes are KK 71-99, kabupaten 01-69: "Kota Pekalongan" is not "Kabupaten Pekalongan"."""
    if hint is None:
        return codes
    want_kota = hint == "kota"
    kept = [c for c in codes if len(c.split(".")) < 2 or (int(c.split(".")[1]) >= 71) == want_kota]
    return kept or codes


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value) or not str(value).strip()


@cache
def code_table() -> CodeTable:
    """The shipped code table, loaded once."""
    return CodeTable.from_file()
