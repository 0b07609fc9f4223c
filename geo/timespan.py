"""Time for OGC API Features: the ``datetime`` parameter and the time span of a work.

``datetime`` (OGC API Features Part 1, section 7.15.4) is an instant or an interval:
``2019-08-17`` (the whole day), ``2019-08-17T00:00:00Z``, ``2019-01-01/2019-12-31``, or
half-bounded ``../2019-12-31`` and ``2019-01-01/..`` (an empty side is open too).  What the OGC
test suite also sends, an ISO 8601 start or end with a duration (``2019-07-01/P2D``), is
accepted as well.  Anything else is a :class:`~geo.errors.RequestError` naming the value.

A **work's time** is one interval: from ``planned_start`` to ``planned_end``, a missing planned
date standing in for 1 January / 31 December of the fiscal ``year``, stretched to include
``progress_date`` (the date of its latest progress record) when that falls outside.  Dates are
whole days in UTC.  A feature with no date at all matches every ``datetime`` (Part 1,
/req/core/fc-time-response C).

Every interval here is half-open, ``[start, end)``; an instant ``t`` is ``[t, t + 1 us)``, so an
instant on the last day of a work, or a query ending on that day, meets it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pandas as pd

from geo.errors import RequestError

__all__ = ["Interval", "parse_datetime", "temporal_extent", "within", "work_spans"]

TICK = timedelta(microseconds=1)
DAY = timedelta(days=1)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# RFC 3339 section 5.6: the offset is required ('Z' or +hh:mm); 'T' may be written 't'
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})")
_DURATION = re.compile(r"P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?")
OPEN = ("", "..")


@dataclass(frozen=True)
class Interval:
    """``[start, end)`` in UTC; ``None`` is an open end."""

    start: datetime | None
    end: datetime | None


def parse_datetime(text: str) -> Interval:
    """The ``datetime`` parameter as an interval, or RequestError (400) naming the value."""
    value = text.strip()
    parts = value.split("/")
    try:
        if len(parts) == 1:
            return _instant(parts[0])
        if len(parts) != 2 or all(p in OPEN for p in parts):
            raise ValueError(value)
        first, second = parts
        if first.startswith("P"):
            end = _bound(second, end=True)
            return _ordered(Interval(_minus(end, first), end))
        start = _bound(first, end=False)
        if second.startswith("P"):
            return _ordered(Interval(start, _plus(start, second)))
        return _ordered(Interval(start, _bound(second, end=True)))
    except (ValueError, OverflowError):
        raise RequestError("req.datetime", value=text[:80]) from None


def _instant(text: str) -> Interval:
    if _DATE.fullmatch(text):
        day = _day(text)
        return Interval(day, day + DAY)
    moment = _moment(text)
    return Interval(moment, moment + TICK)


def _bound(text: str, *, end: bool) -> datetime | None:
    """One side of an interval: open, a day (an end takes the whole day) or a moment."""
    if text in OPEN:
        return None
    if _DATE.fullmatch(text):
        return _day(text) + (DAY if end else timedelta(0))
    return _moment(text) + (TICK if end else timedelta(0))


def _day(text: str) -> datetime:
    return datetime.combine(date.fromisoformat(text), datetime.min.time(), tzinfo=UTC)


def _moment(text: str) -> datetime:
    if not _DATE_TIME.fullmatch(text):
        raise ValueError(text)
    return datetime.fromisoformat(text.upper()).astimezone(UTC)


def _duration(text: str) -> tuple[pd.DateOffset, timedelta]:
    match = _DURATION.fullmatch(text)
    if not match:
        raise ValueError(text)
    years, months, weeks, days, _, hours, minutes, seconds = (int(g[:-1]) if g else 0 for g in match.groups())
    calendar = pd.DateOffset(years=years, months=months)
    return calendar, timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds)


def _plus(start: datetime | None, text: str) -> datetime:
    if start is None:
        raise ValueError(text)
    calendar, clock = _duration(text)
    return (pd.Timestamp(start) + calendar).to_pydatetime() + clock


def _minus(end: datetime | None, text: str) -> datetime:
    if end is None:
        raise ValueError(text)
    calendar, clock = _duration(text)
    return (pd.Timestamp(end) - calendar).to_pydatetime() - clock


def _ordered(interval: Interval) -> Interval:
    if interval.start is not None and interval.end is not None and interval.start >= interval.end:
        raise ValueError("start after end")
    return interval


def _days(values: pd.Series) -> pd.Series:
    """Text dates ('2019-08-17') as UTC midnights; anything else NaT."""
    return pd.to_datetime(values.astype("string"), format="%Y-%m-%d", errors="coerce", utc=True)


def work_spans(works: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Start and (exclusive) end of each work's time, as UTC timestamps; NaT where it has no date."""
    index = works.index
    year = pd.to_numeric(works["year"], errors="coerce") if "year" in works else pd.Series(pd.NA, index=index)
    year_text = year.astype("Int64").astype("string")
    start = _days(works.get("planned_start", pd.Series(None, index=index))).fillna(_days(year_text + "-01-01"))
    last = _days(works.get("planned_end", pd.Series(None, index=index))).fillna(_days(year_text + "-12-31"))
    start, last = start.fillna(last), last.fillna(start)
    progress = _days(works.get("progress_date", pd.Series(None, index=index)))
    start = start.where(~(progress < start), progress).fillna(progress)
    last = last.where(~(progress > last), progress).fillna(progress)
    return start, last + DAY


def within(works: pd.DataFrame, interval: Interval) -> pd.Series:
    """True for the works whose time meets ``interval`` (and for those with no date at all)."""
    start, end = work_spans(works)
    keep = pd.Series(True, index=works.index)
    if interval.end is not None:
        keep &= ~(start >= pd.Timestamp(interval.end))
    if interval.start is not None:
        keep &= ~(end <= pd.Timestamp(interval.start))
    return keep


def temporal_extent(starts: pd.Series, ends: pd.Series) -> list[str | None] | None:
    """``[first, last]`` as RFC 3339 date-times (the last inclusive), None when nothing has a date."""
    first, stop = starts.min(), ends.max()
    if pd.isna(first) or pd.isna(stop):
        return None
    return [first.strftime("%Y-%m-%dT%H:%M:%SZ"), (stop - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")]
