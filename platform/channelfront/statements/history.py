"""Statement periods as people read them, and the bar chart of the last periods.

Period keys are the contract's (`2025-03`, `2025-Q1`, `2025-H1`, `2025`). Months,
quarters and years come from CLDR through Babel; halves have no CLDR pattern, so they
are catalog strings. The chart is plain geometry for an inline SVG: no script.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from babel.dates import format_skeleton
from flask_babel import get_locale
from flask_babel import gettext as _

from channelfront.i18n.formatting import Money
from incentives.periods import MONTHS, Period, period_of

KEY = re.compile(
    r"^(?P<year>\d{4})(?:-(?:(?P<month>0[1-9]|1[0-2])|Q(?P<q>[1-4])|H(?P<h>[12])))?$", re.ASCII
)


def kind_of(key: str) -> str | None:
    """The statement period kind a key is written in, or None for no valid key."""
    match = KEY.match(key or "")
    if match is None:
        return None
    if match["month"]:
        return "monthly"
    if match["q"]:
        return "quarterly"
    if match["h"]:
        return "semiannual"
    return "annual"


def period_for(key: str, kind: str) -> Period | None:
    """The period a key names, if it is written in `kind`; None otherwise."""
    match = KEY.match(key or "")
    if match is None or kind_of(key) != kind or kind not in MONTHS:
        return None
    year = int(match["year"])
    if year < 2000 or year > 2999:
        return None
    month = int(match["month"] or 1)
    if match["q"]:
        month = (int(match["q"]) - 1) * 3 + 1
    elif match["h"]:
        month = (int(match["h"]) - 1) * 6 + 1
    return period_of(date(year, month, 1), kind)


def period_label(key: str, short: bool = False) -> str:
    """`2025-Q1` as the reader's language writes it (`1. Quartal 2025`; short `Q1 2025`)."""
    match = KEY.match(key or "")
    if match is None:
        return key
    locale = str(get_locale() or "en")
    year = int(match["year"])
    if match["month"]:
        day = date(year, int(match["month"]), 1)
        return str(format_skeleton("yMMM" if short else "yMMMM", day, locale=locale))
    if match["q"]:
        day = date(year, (int(match["q"]) - 1) * 3 + 1, 1)
        return str(format_skeleton("yQQQ" if short else "yQQQQ", day, locale=locale))
    if match["h"]:
        first = match["h"] == "1"
        if short:
            return str(_("H1 %(year)s", year=year) if first else _("H2 %(year)s", year=year))
        if first:
            return str(_("First half of %(year)s", year=year))
        return str(_("Second half of %(year)s", year=year))
    return str(format_skeleton("y", date(year, 1, 1), locale=locale))


# -- the chart ----------------------------------------------------------------------------

WIDTH = 640
HEIGHT = 240
LEFT = 72  # room for the amount axis: its title and its two marks
TOP = 22  # room for the value over the highest bar
BOTTOM = 52  # room for the period labels and the axis title under the bars
SLOT = (WIDTH - LEFT) / 8


@dataclass(frozen=True)
class Bar:
    key: str
    label: str
    value: Money
    x: float
    y: float
    width: float
    height: float
    negative: bool
    label_x: float
    value_y: float  # where the bar's amount is written: over its top, or over the zero line


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    width: int
    height: int
    zero_y: float
    label_y: float
    left: int
    top_y: float  # the highest bar's top, marked on the amount axis with `high`
    high: Money | None
    axis_title_y: float


def bar_chart(points: list[tuple[str, Money]]) -> Chart:
    """Bars for up to eight (period key, total) points, oldest first, on a shared zero line,
    each with its amount written on it, and axes marked so the chart reads without hovering.

    Negative totals (clawbacks larger than earnings) hang below the zero line.
    """
    points = points[-8:]
    values = [point[1].minor for point in points]
    high = max([0, *values])
    low = min([0, *values])
    span = (high - low) or 1
    plot = HEIGHT - TOP - BOTTOM
    zero_y = TOP + plot * high / span
    bars = []
    for index, (key, money) in enumerate(points):
        size = plot * abs(money.minor) / span
        x = LEFT + index * SLOT + SLOT * 0.15
        top = zero_y - size if money.minor >= 0 else zero_y
        bars.append(
            Bar(
                key=key,
                label=period_label(key, short=True),
                value=money,
                x=round(x, 1),
                y=round(top, 1),
                width=round(SLOT * 0.7, 1),
                height=round(max(size, 1.0), 1),
                negative=money.minor < 0,
                label_x=round(LEFT + index * SLOT + SLOT / 2, 1),
                value_y=round(top - 5 if money.minor >= 0 else zero_y - 5, 1),
            )
        )
    highest = max(points, key=lambda point: point[1].minor)[1] if points else None
    return Chart(
        bars,
        WIDTH,
        HEIGHT,
        round(zero_y, 1),
        HEIGHT - BOTTOM + 18,
        LEFT,
        float(TOP),
        highest if highest is not None and highest.minor > 0 else None,
        HEIGHT - 6,
    )
