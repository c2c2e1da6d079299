"""Month arithmetic of subscriptions and where their next term falls."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

DEFAULT_TERM_MONTHS = 12


@dataclass(frozen=True)
class TermDates:
    starts_on: date
    ends_on: date


def add_months(start: date, months: int) -> date:
    """The same day ``months`` later, clamped to the month's last day."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def next_term(ends_on: date, months: int, today: date) -> TermDates:
    """A renewal continues where the subscription ends; one that has lapsed starts today."""
    start = max(ends_on, today)
    return TermDates(start, add_months(start, months))
