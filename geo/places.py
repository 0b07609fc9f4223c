"""Places and their keys: Kemendagri kelurahan codes and RT / RW / Lingkungan / Dusun units.

RT and RW have no national code (DOMAIN.md section 1), so an RT is keyed by
``(kelurahan_code, unit_type, unit_number, rt_number)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from geo.errors import PlaceError

UnitType = Literal["RW", "Lingkungan", "Dusun"]
UNIT_TYPES: tuple[UnitType, ...] = ("RW", "Lingkungan", "Dusun")
UNIT_ABBR: dict[str, str] = {"RW": "RW", "Lingkungan": "LK", "Dusun": "DS"}

# Province codes in force (Kemendagri, including the Papua provinces created in 2022).
PROVINCE_CODES = frozenset(
    {
        "11",
        "12",
        "13",
        "14",
        "15",
        "16",
        "17",
        "18",
        "19",
        "21",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "51",
        "52",
        "53",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "72",
        "73",
        "74",
        "75",
        "76",
        "81",
        "82",
        "91",
        "92",
        "93",
        "94",
        "95",
        "96",
    }
)

_CODE_RE = re.compile(r"^(\d{2})\.?(\d{2})\.?(\d{2})\.?(\d{4})$")


def normalize_kelurahan_code(value: object) -> str:
    """Return the dotted form ``PP.KK.CC.DDDD`` or raise :class:`PlaceError` saying why.

    Accepts the 10 digits with or without dots.  Checks the province against the list in force,
    KK as 01-69 (kabupaten) or 71-99 (kota), CC not 00, and DDDD starting with 1 (kelurahan),
    2 (desa) or 3 (the few "lainnya" units in Papua).
    """
    text = str(value).strip() if value is not None else ""
    m = _CODE_RE.match(text)
    if not m:
        raise PlaceError("code.format")
    pp, kk, cc, dddd = m.groups()
    if pp not in PROVINCE_CODES:
        raise PlaceError("code.province")
    if not (1 <= int(kk) <= 69 or 71 <= int(kk) <= 99):
        raise PlaceError("code.kabkota")
    if cc == "00":
        raise PlaceError("code.kecamatan")
    if dddd[0] not in "123" or dddd == "1000" or dddd == "2000":
        raise PlaceError("code.desa")
    return f"{pp}.{kk}.{cc}.{dddd}"


def is_kota(code: str) -> bool:
    """True when the code's KK part is a kota (71-99) rather than a kabupaten."""
    return int(code[3:5]) >= 71


@dataclass(frozen=True, order=True)
class RtLabel:
    """A parsed RT label.  ``unit_type`` is None when the label did not say (e.g. "003/002")."""

    rt_number: int
    unit_number: int
    unit_type: UnitType | None = None

    def canonical(self, unit_type: UnitType | None = None) -> str:
        return rt_label(self.rt_number, self.unit_number, unit_type or self.unit_type or "RW")


def rt_label(rt_number: int, unit_number: int, unit_type: str) -> str:
    """The label petakampung shows and exports, e.g. ``RT 003 / LK 001``."""
    return f"RT {rt_number:03d} / {UNIT_ABBR[unit_type]} {unit_number:03d}"


def unit_label(unit_number: int, unit_type: str) -> str:
    return f"{UNIT_ABBR[unit_type]} {unit_number:03d}"


_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50}
_UNIT_WORDS: dict[str, UnitType] = {
    "rw": "RW",
    "rk": "RW",
    "lk": "Lingkungan",
    "ling": "Lingkungan",
    "lingk": "Lingkungan",
    "lingkungan": "Lingkungan",
    "ds": "Dusun",
    "dsn": "Dusun",
    "dusun": "Dusun",
}
# A number is decimal digits or a roman numeral (Bandar Lampung writes "LK II").
_NUM = r"(\d{1,4}|[IVXL]{1,7})(?![A-Za-z0-9])"
_UNIT = r"(rw|rk|lingkungan|lingk|ling|lk|dusun|dsn|ds)"
_SEP = r"[\s.:/,\-_]*"
_RT_FIRST = re.compile(rf"^rt{_SEP}{_NUM}{_SEP}{_UNIT}{_SEP}{_NUM}$", re.IGNORECASE)
_UNIT_FIRST = re.compile(rf"^{_UNIT}{_SEP}{_NUM}{_SEP}rt{_SEP}{_NUM}$", re.IGNORECASE)
_RT_SLASH = re.compile(rf"^(?:rt{_SEP})?{_NUM}\s*/\s*(?:{_UNIT}{_SEP})?{_NUM}$", re.IGNORECASE)


def _number(token: str) -> int:
    if token.isdigit():
        return int(token)
    token = token.upper()
    total = 0
    for i, ch in enumerate(token):
        value = _ROMAN[ch]
        nxt = _ROMAN[token[i + 1]] if i + 1 < len(token) else 0
        total += -value if value < nxt else value
    if total <= 0:
        raise PlaceError("label.format")
    return total


def parse_rt_label(label: object) -> RtLabel:
    """Parse the RT labels people write into an :class:`RtLabel`.

    Handles "RT020-RW008", "RT 39 RW 07", "RT01-RW05", "RT503-DS03", "RT 3 Lingkungan 1",
    "RT 05/LK II", "rt.3 rw.2", "RW 02 RT 05", "RT 003/RW 002" and the bare "003/002" (RT first,
    the way Indonesian addresses write it).  Raises :class:`PlaceError` when it cannot.
    """
    text = re.sub(r"\s+", " ", str(label if label is not None else "")).strip()
    if not text:
        raise PlaceError("label.empty")
    for pattern, rt_first in ((_RT_FIRST, True), (_UNIT_FIRST, False)):
        m = pattern.match(text)
        if m:
            if rt_first:
                rt_tok, unit_word, unit_tok = m.groups()
            else:
                unit_word, unit_tok, rt_tok = m.groups()
            return _build(rt_tok, unit_tok, _UNIT_WORDS[unit_word.lower()])
    m = _RT_SLASH.match(text)
    if m:
        rt_tok, unit_word, unit_tok = m.groups()
        unit_type = _UNIT_WORDS[unit_word.lower()] if unit_word else None
        return _build(rt_tok, unit_tok, unit_type)
    raise PlaceError("label.format")


def _build(rt_tok: str, unit_tok: str, unit_type: UnitType | None) -> RtLabel:
    rt, unit = _number(rt_tok), _number(unit_tok)
    if rt == 0 or unit == 0:
        raise PlaceError("label.zero")
    return RtLabel(rt_number=rt, unit_number=unit, unit_type=unit_type)


def parse_unit_label(label: object) -> tuple[int, UnitType | None]:
    """Parse "RW 08", "Lingkungan II", "LK 1", "Dusun 3" or a bare number into (number, type)."""
    text = re.sub(r"\s+", " ", str(label if label is not None else "")).strip()
    m = re.match(rf"^(?:{_UNIT}{_SEP})?{_NUM}$", text, re.IGNORECASE)
    if not m:
        raise PlaceError("label.unit_format")
    word, tok = m.groups()
    number = _number(tok)
    if number == 0:
        raise PlaceError("label.zero")
    return number, (_UNIT_WORDS[word.lower()] if word else None)


_KOTA = re.compile(r"^(\d{2})\.?(\d{2})$")


def normalize_kota_code(value: object) -> str:
    """``PP.KK`` (``1871`` is accepted too), or :class:`PlaceError` saying what is wrong."""
    text = str(value).strip() if value is not None else ""
    m = _KOTA.match(text)
    if not m:
        raise PlaceError("kota.format", value=text[:40])
    pp, kk = m.groups()
    if pp not in PROVINCE_CODES:
        raise PlaceError("code.province")
    if not (1 <= int(kk) <= 69 or 71 <= int(kk) <= 99):
        raise PlaceError("code.kabkota")
    return f"{pp}.{kk}"
