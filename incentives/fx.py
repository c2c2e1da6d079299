"""Exchange rates: the latest quote on or before a date, as given (no inverse)."""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from incentives.errors import InputError

ONE = Decimal(1)


class FxTable:
    """Quotes of 1 base = rate quote, by date."""

    def __init__(self, quotes: Iterable[tuple[str, str, date, Decimal]] = ()) -> None:
        self._pairs: dict[tuple[str, str], list[tuple[date, Decimal]]] = {}
        for base, quote, day, rate in quotes:
            self._pairs.setdefault((base, quote), []).append((day, rate))
        for series in self._pairs.values():
            series.sort(key=lambda item: item[0])
        self._days = {pair: [day for day, _ in series] for pair, series in self._pairs.items()}

    def rate(self, base: str, quote: str, on: date, event: str | None = None) -> Decimal:
        """The rate to convert `base` amounts into `quote` on `on`."""
        if base == quote:
            return ONE
        series = self._pairs.get((base, quote), [])
        index = bisect.bisect_right(self._days.get((base, quote), []), on)
        if index == 0:
            raise InputError(
                "currency", f"fx_rates has no {base} to {quote} rate on or before {on}", event
            )
        return series[index - 1][1]
