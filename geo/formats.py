"""Numbers, percentages, rupiah and dates as a reader of each language writes them, through Babel (CLDR).

One place for every human-facing number: pages (as Jinja filters, see :func:`jinja_filters`), map
popups and legends, the PDF and the command-line reports.  Machine outputs (CSV, GeoJSON, the API)
keep plain numbers and ISO dates and do not come here.

======================  =====================  ======================
function                ``lang="id"``          ``lang="en"``
======================  =====================  ======================
``number(1234.5, 1)``   ``1.234,5``            ``1,234.5``
``percent(0.45)``       ``45,0 %``             ``45.0%``
``rupiah(1500000)``     ``Rp 1.500.000``       ``Rp 1,500,000``
``date(2026-12-01)``    ``1 Desember 2026``    ``1 December 2026``
``month(2026-12-01)``   ``Desember 2026``      ``December 2026``
======================  =====================  ======================

Choices, where CLDR leaves one open:

- Indonesian percentages keep a space before ``%`` ("45,0 %"), as the project's pages, the issue
  tracker and Indonesian government tables write them; CLDR's ``id`` pattern has none ("45,0%").
  English keeps CLDR's ``45.0%``.
- Rupiah are whole: no ",00" (no sen coin circulates).  Both languages write the symbol "Rp" with
  one space, only the grouping changes ("Rp 1,500,000" in English): the amounts are rupiah on an
  Indonesian programme's pages, messages say "Rp {cost}" in both languages, and a reader who switches
  language sees the same symbol.  (CLDR's ``en`` symbol would be "IDR", with no space.)
- English dates are day-month-year (CLDR ``en_GB`` "long"): "1 December 2026", never "December 1".
- Rounding is half-up (0.125 -> "0,13"), as the published KOTAKU tables round (DOMAIN.md section 2);
  Babel alone rounds half-to-even.
- A missing value (None, NaN, pandas NA) reads ``missing`` ("-" unless the caller says otherwise,
  e.g. "*" where a count was suppressed).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date as _date
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from babel.dates import format_date
from babel.numbers import format_decimal

__all__ = [
    "LOCALES",
    "Amount",
    "date",
    "is_missing",
    "jinja_filters",
    "localized",
    "month",
    "number",
    "percent",
    "rupiah",
]

# the CLDR locale of each page language (numbers and money; dates use DATE_LOCALES)
LOCALES: dict[str, str] = {"id": "id_ID", "en": "en"}
DATE_LOCALES: dict[str, str] = {"id": "id_ID", "en": "en_GB"}
_PERCENT_SUFFIX = {"id": " %", "en": "%"}


def _locale(lang: str, table: dict[str, str] = LOCALES) -> str:
    try:
        return table[lang]
    except KeyError:
        raise ValueError(f"lang must be one of {sorted(table)}; got {lang!r}") from None


def is_missing(value: object) -> bool:
    """None, NaN, pandas NA/NaT or an empty string."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return True
    try:
        return bool(value != value)  # NaN, NaT and pd.NA (whose comparison raises) are not equal to themselves
    except (TypeError, ValueError):
        return True


def _half_up(value: object, digits: int) -> Decimal:
    try:
        exact = Decimal(str(float(value)))  # type: ignore[arg-type]
    except (TypeError, ValueError, InvalidOperation) as err:
        raise ValueError(f"not a number: {value!r}") from err
    return exact.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def _pattern(digits: int) -> str:
    return "#,##0" + ("." + "0" * digits if digits > 0 else "")


def number(value: object, lang: str = "id", digits: int = 0, *, missing: str = "-") -> str:
    """``1.234,5`` (id) / ``1,234.5`` (en) with ``digits`` decimals, thousands grouped."""
    if is_missing(value):
        return missing
    if isinstance(value, float) and math.isinf(value):
        return "∞" if value > 0 else "-∞"
    rounded = _half_up(value, digits)
    if rounded == 0:
        rounded = abs(rounded)  # no "-0,0"
    return format_decimal(rounded, _pattern(digits), locale=_locale(lang))


def percent(value: object, lang: str = "id", digits: int = 1, *, missing: str = "-") -> str:
    """A share (0.45) as ``45,0 %`` (id) / ``45.0%`` (en).  Takes the fraction, as Babel does."""
    if is_missing(value):
        return missing
    return number(100 * float(value), lang, digits) + _PERCENT_SUFFIX[lang]  # type: ignore[arg-type]


def rupiah(value: object, lang: str = "id", *, missing: str = "-") -> str:
    """Whole rupiah: ``Rp 1.500.000`` (id) / ``Rp 1,500,000`` (en)."""
    if is_missing(value):
        return missing
    return format_decimal(_half_up(value, 0), "'Rp' #,##0", locale=_locale(lang))


def _as_date(value: object) -> _date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, _date):
        return value
    if hasattr(value, "to_pydatetime"):  # pandas Timestamp
        return value.to_pydatetime().date()  # type: ignore[union-attr]
    text = str(value).strip()
    if len(text) == 7:  # "2026-12": a month
        text += "-01"
    return _date.fromisoformat(text[:10])


def date(value: object, lang: str = "id", *, missing: str = "-") -> str:
    """``1 Desember 2026`` / ``1 December 2026`` from a date, datetime, Timestamp or ISO text."""
    if is_missing(value):
        return missing
    return format_date(_as_date(value), "long", locale=_locale(lang, DATE_LOCALES))


def month(value: object, lang: str = "id", *, short: bool = False, missing: str = "-") -> str:
    """``Desember 2026`` / ``December 2026`` from a date or ``"2026-12"``; ``short``: ``Des 2026`` / ``Dec 2026``."""
    if is_missing(value):
        return missing
    return format_date(_as_date(value), "LLL y" if short else "LLLL y", locale=_locale(lang, DATE_LOCALES))


@dataclass(frozen=True)
class Amount:
    """A number an error message shows, written once the message's language is known.

    ``RequestError("plan.budget", max=Amount(1e15))`` reads "1.000.000.000.000.000" in Bahasa
    Indonesia and "1,000,000,000,000,000" in English (:meth:`geo.errors.GeoError.message`)."""

    value: float
    kind: str = "number"  # "number", "rupiah" or "percent" (a fraction)
    digits: int = 0

    def text(self, lang: str) -> str:
        if self.kind == "rupiah":
            return rupiah(self.value, lang)
        if self.kind == "percent":
            return percent(self.value, lang, self.digits)
        return number(self.value, lang, self.digits)

    def __format__(self, spec: str) -> str:  # a message filled without a language: Bahasa Indonesia
        return self.text("id")


class _Written(str):
    """An :class:`Amount` already written: a message's format spec (``{x:.1%}``) leaves it as it is."""

    __slots__ = ()

    def __format__(self, spec: str) -> str:
        return str(self)


def localized(params: dict[str, Any], lang: str) -> dict[str, Any]:
    """``params`` with every :class:`Amount` written in ``lang``."""
    return {k: _Written(v.text(lang)) if isinstance(v, Amount) else v for k, v in params.items()}


def jinja_filters() -> dict[str, Callable[..., str]]:
    """``{{ x|number(1) }}``, ``{{ x|percent }}``, ``{{ x|rupiah }}``, ``{{ d|date }}``, ``{{ d|month }}``.

    The language is the template's ``lang`` variable (every page has it), so a template never
    passes it by hand.
    """
    from jinja2 import pass_context

    def wrap(fn: Callable[..., str]) -> Callable[..., str]:
        @pass_context
        def filter_(ctx: Any, value: object, *args: Any, **kwargs: Any) -> str:
            return fn(value, ctx.get("lang") or "id", *args, **kwargs)

        filter_.__name__ = fn.__name__
        return filter_

    return {fn.__name__: wrap(fn) for fn in (number, percent, rupiah, date, month)}
