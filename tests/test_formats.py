"""Numbers, percentages, rupiah and dates as each language writes them (geo.formats, Babel/CLDR)."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest
from jinja2 import Environment, StrictUndefined

from geo import formats


@pytest.mark.parametrize(
    ("value", "lang", "digits", "expected"),
    [
        (1234.5, "id", 1, "1.234,5"),
        (1234.5, "en", 1, "1,234.5"),
        (1_500_000, "id", 0, "1.500.000"),
        (1_500_000, "en", 0, "1,500,000"),
        (0.125, "id", 2, "0,13"),  # half-up, as the KOTAKU tables round (Babel alone gives 0,12)
        (2.5, "en", 0, "3"),
        (-0.04, "id", 1, "0,0"),  # never "-0,0"
        (-1234.56, "id", 1, "-1.234,6"),
    ],
)
def test_numbers_are_grouped_and_rounded_the_readers_way(value: float, lang: str, digits: int, expected: str) -> None:
    assert formats.number(value, lang, digits) == expected


def test_percent_rupiah_date_and_month_in_both_languages() -> None:
    assert formats.percent(0.45, "id") == "45,0 %"
    assert formats.percent(0.45, "en") == "45.0%"
    assert formats.percent(0.4567, "id", 0) == "46 %"
    assert formats.rupiah(1_500_000, "id") == "Rp 1.500.000"
    assert formats.rupiah(1_500_000, "en") == "Rp 1,500,000"
    assert formats.rupiah(1_499_999.5, "id") == "Rp 1.500.000"  # whole rupiah, no ",00"
    assert formats.date(date(2026, 12, 1), "id") == "1 Desember 2026"
    assert formats.date("2026-12-01", "en") == "1 December 2026"  # day first, not "December 1, 2026"
    assert formats.date(datetime(2019, 8, 17, 9, 30), "id") == "17 Agustus 2019"
    assert formats.date(pd.Timestamp("2019-08-17"), "en") == "17 August 2019"
    assert formats.month("2021-03", "id") == "Maret 2021"
    assert formats.month(date(2026, 12, 1), "en") == "December 2026"
    assert formats.month(date(2019, 8, 1), "id", short=True) == "Agu 2019"


@pytest.mark.parametrize("missing", [None, float("nan"), pd.NA, pd.NaT, ""])
def test_a_missing_value_reads_as_the_caller_says(missing: object) -> None:
    assert formats.number(missing, "id") == "-"
    assert formats.percent(missing, "id", missing="*") == "*"
    assert formats.rupiah(missing, "en") == "-"
    assert formats.date(missing, "id") == "-"


def test_an_unknown_language_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="lang must be one of"):
        formats.number(1, "fr")


def test_templates_format_with_the_pages_language() -> None:
    env = Environment(undefined=StrictUndefined, autoescape=True)
    env.filters.update(formats.jinja_filters())
    page = env.from_string("{{ a|number(1) }} · {{ s|percent }} · {{ b|rupiah }} · {{ d|date }} · {{ d|month }}")
    values = {"a": 1234.5, "s": 0.45, "b": 1_500_000, "d": date(2026, 12, 1)}
    assert page.render(lang="id", **values) == "1.234,5 · 45,0 % · Rp 1.500.000 · 1 Desember 2026 · Desember 2026"
    assert page.render(lang="en", **values) == "1,234.5 · 45.0% · Rp 1,500,000 · 1 December 2026 · December 2026"


def test_an_error_writes_its_numbers_in_the_readers_language() -> None:
    from geo.errors import RequestError
    from geo.selection import parse_budget

    with pytest.raises(RequestError) as caught:
        parse_budget("1e300")
    assert "Rp 1.000.000.000.000.000" in caught.value.message("id")
    assert "Rp 1,000,000,000,000,000" in caught.value.message("en")
