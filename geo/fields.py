"""Input fields: accepted column names, and turning what people type into typed values.

Spreadsheets from kelurahan offices write numbers as "Rp 1.500.000.000" or "12,5" and dates as
"17/08/2019"; these parsers accept them and report everything else with the row and field.
"""

from __future__ import annotations

import contextlib
import math
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

import pandas as pd

from geo.validation import ValidationReport

Kind = Literal["text", "int", "float", "date", "choice"]


@dataclass(frozen=True)
class FieldSpec:
    """One input field.  ``aliases`` are other column names accepted for it (case-insensitive)."""

    name: str
    kind: Kind = "text"
    required: bool = False
    aliases: tuple[str, ...] = ()
    lo: float | None = None
    hi: float | None = None
    choices: Mapping[str, str] = field(default_factory=dict)  # normalised spelling -> canonical

    def accepted_names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


def slug(text: object) -> str:
    """Lower-case ASCII with runs of anything else as one underscore: 'Rabat Beton' -> 'rabat_beton'."""
    norm = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", norm.lower()).strip("_")


def find_column(columns: list[str], spec: FieldSpec, frame: pd.DataFrame | None = None) -> str | None:
    """The column of ``columns`` that holds ``spec``, matching names and aliases by slug.

    The field's own name wins over its aliases, and with ``frame`` a column that is entirely
    empty (KML's ``Name`` when the name sits in ExtendedData) gives way to one with values.
    A name with a numbered copy suffix (``KEL_NAME_1``, ``KEL_NAME2``: what a GIS join leaves
    behind) counts as that name when nothing matches exactly; the first such copy wins.
    """
    by_slug: dict[str, list[str]] = {}
    copies: dict[str, list[str]] = {}
    for col in columns:
        key = slug(col)
        by_slug.setdefault(key, []).append(col)
        base = _COPY_SUFFIX.sub("", key)
        if base != key:
            copies.setdefault(base, []).append(col)
    found = [c for n in spec.accepted_names() for c in by_slug.get(slug(n), [])]
    if not found:
        found = [c for n in spec.accepted_names() for c in copies.get(slug(n), [])]
    if frame is not None:
        filled = [c for c in found if not all(is_blank(v) for v in frame[c])]
        found = filled or found
    return found[0] if found else None


_COPY_SUFFIX = re.compile(r"_?\d$")


def is_blank(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


_ID_GROUPED = re.compile(r"^-?\d{1,3}(\.\d{3})+(,\d+)?$")
_EN_GROUPED = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")


def parse_number(value: Any, *, grouping_dot: bool = False) -> float:
    """Parse a number as people write it; raise ValueError when it is not one.

    With ``grouping_dot`` a single dot followed by three digits is a thousands separator
    ("1.500" is 1500), which is how Indonesian spreadsheets write money and counts.
    """
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(value)
        return float(value)
    text = str(value).strip().replace("\u00a0", "").replace(" ", "")
    text = re.sub(r"^(rp\.?|idr)", "", text, flags=re.IGNORECASE)
    text = text.rstrip("%")
    if _ID_GROUPED.match(text) and (grouping_dot or text.count(".") > 1 or "," in text):
        text = text.replace(".", "").replace(",", ".")
    elif _EN_GROUPED.match(text):
        text = text.replace(",", "")
    elif "," in text and "." not in text:
        text = text.replace(",", ".")
    number = float(text)  # raises ValueError on anything else
    if not math.isfinite(number):
        raise ValueError(value)
    return number


def parse_date(value: Any) -> str:
    """An ISO date string from '2019-08-17', '17/08/2019', '17-08-2019' or a datetime."""
    if isinstance(value, datetime | pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%Y/%m/%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    raise ValueError(value)


def coerce(
    frame: pd.DataFrame,
    specs: tuple[FieldSpec, ...],
    report: ValidationReport,
    rows: list[int],
    on_field: Callable[[int], None] | None = None,
) -> pd.DataFrame:
    """Typed values for every spec'd field, problems into ``report``; bad cells become None.

    The result has one column per spec (absent optional columns are all None) and keeps the
    index of ``frame``; ``result.attrs["columns"]`` maps each field found to its source column.
    """
    columns = [str(c) for c in frame.columns]
    out: dict[str, list[Any]] = {}
    found: dict[str, str] = {}
    for spec in specs:
        col = find_column(columns, spec, frame)
        if col is None:
            if spec.required:
                report.add("col.missing", field=spec.name, aliases=", ".join(spec.accepted_names()))
            out[spec.name] = [None] * len(frame)
            continue
        found[spec.name] = col
        raw_values = frame[col].tolist()
        if spec.kind == "text" and not spec.required:
            out[spec.name] = [_text(v) for v in raw_values]
        else:
            out[spec.name] = _coerce_column(raw_values, spec, report, rows)
        if on_field is not None:
            on_field(len(out))
    result = pd.DataFrame(out, index=frame.index, dtype=object)
    result.attrs["columns"] = found
    return result


def _text(raw: Any) -> str | None:
    """An optional text cell: stripped, None when blank (the common case, kept quick for big files)."""
    if isinstance(raw, str):
        text = raw.strip()
        return text or None
    return None if is_blank(raw) else str(raw).strip()


def _coerce_column(raws: list[Any], spec: FieldSpec, report: ValidationReport, rows: list[int]) -> list[Any]:
    """:func:`_coerce_one` for a whole column, each distinct value parsed once: a million
    households repeat the same few hundred spellings of floor, wall and water source."""
    seen: dict[Any, tuple[Any, list]] = {}
    values = []
    for row, raw in zip(rows, raws, strict=True):
        try:
            hit = seen.get(raw)
        except TypeError:  # an unhashable cell (a list from a GIS file): parse it on its own
            hit = None
        if hit is None:
            sink = _ProblemSink()
            hit = (_coerce_one(raw, spec, sink, 0), sink.problems)  # type: ignore[arg-type]
            with contextlib.suppress(TypeError):
                seen[raw] = hit
        for code, params in hit[1]:
            report.add(code, **{**params, "row": row})
        values.append(hit[0])
    return values


class _ProblemSink:
    """What :func:`_coerce_one` reports about one distinct value, replayed for each row holding it."""

    __slots__ = ("problems",)

    def __init__(self) -> None:
        self.problems: list[tuple[str, dict[str, Any]]] = []

    def add(self, code: str, /, **params: Any) -> None:
        self.problems.append((code, params))


def _coerce_one(raw: Any, spec: FieldSpec, report: ValidationReport, row: int) -> Any:
    if is_blank(raw):
        if spec.required:
            report.add("val.required", row=row, field=spec.name)
        return None
    try:
        value = _parse(raw, spec)
    except ValueError:
        code = {"int": "val.int", "float": "val.number", "date": "val.date"}.get(spec.kind, "val.choice")
        choices = ", ".join(sorted(set(spec.choices.values())))
        report.add(code, row=row, field=spec.name, value=raw, choices=choices)
        return None
    if spec.kind in ("int", "float"):
        if spec.lo is not None and spec.hi is not None and not spec.lo <= value <= spec.hi:
            report.add("val.range", row=row, field=spec.name, value=raw, lo=_fmt(spec.lo), hi=_fmt(spec.hi))
            return None
        if spec.lo is not None and value < spec.lo:
            report.add("val.min", row=row, field=spec.name, value=raw, lo=_fmt(spec.lo))
            return None
    return value


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _parse(raw: Any, spec: FieldSpec) -> Any:
    if spec.kind == "text":
        return str(raw).strip()
    if spec.kind == "int":
        number = parse_number(raw, grouping_dot=True)
        if not number.is_integer():
            raise ValueError(raw)
        return int(number)
    if spec.kind == "float":
        return parse_number(raw)
    if spec.kind == "date":
        return parse_date(raw)
    key = slug(raw)
    if key in spec.choices:
        return spec.choices[key]
    raise ValueError(raw)


def choices(*canonical: str, **aliases: tuple[str, ...]) -> dict[str, str]:
    """A choice table: each canonical value, its slug, and extra spellings per canonical value."""
    table = {slug(c): c for c in canonical}
    for value, spellings in aliases.items():
        for s in spellings:
            table[slug(s)] = value
    return table
