"""Statement periods: calendar months, quarters, halves or years, bounds inclusive."""

from __future__ import annotations

from datetime import date, timedelta
from typing import NamedTuple

MONTHS = {"monthly": 1, "quarterly": 3, "semiannual": 6, "annual": 12}


class Period(NamedTuple):
    """One statement period; ordered by its start (a tuple, so cheap to hash and compare)."""

    start: date
    end: date
    key: str


def _key(kind: str, year: int, index: int) -> str:
    if kind == "monthly":
        return f"{year}-{index + 1:02d}"
    if kind == "quarterly":
        return f"{year}-Q{index + 1}"
    if kind == "semiannual":
        return f"{year}-H{index + 1}"
    return f"{year}"


def _build(kind: str, year: int, index: int) -> Period:
    months = MONTHS[kind]
    start = date(year, index * months + 1, 1)
    after = (
        date(year + 1, 1, 1)
        if index * months + months == 12
        else date(year, index * months + months + 1, 1)
    )
    return Period(start, after - timedelta(days=1), _key(kind, year, index))


def period_of(day: date, kind: str) -> Period:
    """The period of `kind` that holds `day`."""
    return _build(kind, day.year, (day.month - 1) // MONTHS[kind])


def following(period: Period, kind: str) -> Period:
    """The period right after `period`."""
    return period_of(period.end + timedelta(days=1), kind)


def prior_year(period: Period, kind: str) -> Period:
    """The same period one year earlier."""
    return period_of(period.start.replace(year=period.start.year - 1), kind)


def close_day(period: Period, grace_days: int) -> date:
    """The last day the statement is open: it closes at the end of this day."""
    return period.end + timedelta(days=grace_days)


def is_closed(period: Period, grace_days: int, on: date) -> bool:
    """True when the statement of `period` is closed on day `on`."""
    return on > close_day(period, grace_days)


def posting_period(origin: Period, kind: str, grace_days: int, recorded: date) -> Period:
    """The statement a fact of `origin` recorded on `recorded` goes to.

    Its own period while that is open, else the earliest period still open then.
    """
    period = origin
    while is_closed(period, grace_days, recorded):
        period = following(period, kind)
    return period
