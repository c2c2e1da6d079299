"""URL converters: an ``<int:...>`` in any route is a row id, never past the column's range.

Werkzeug's ``int`` takes any length of digits; an id past 2**31 - 1 then reaches the
database, where PostgreSQL refuses it ("integer out of range", a 500) and SQLite finds
nothing. The converter's pattern itself stops at ``MAX_ID``, so such a URL matches no
route: a 404 on every route and method (a bound checked after matching would make a
route split by method answer 405 instead).
"""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter

from channelfront.web.params import MAX_ID


def at_most(limit: int) -> str:
    """A pattern for the whole numbers 0..limit, written without leading zeros."""
    digits = str(limit)
    shorter = f"[1-9]\\d{{0,{len(digits) - 2}}}" if len(digits) > 1 else ""
    same_length = []
    for i, digit in enumerate(digits):
        rest = len(digits) - i - 1
        low = "1" if i == 0 else "0"
        if int(digit) > int(low):
            top = str(int(digit) - 1)
            same_length.append(f"{digits[:i]}[{low}-{top}]\\d{{{rest}}}")
    same_length.append(digits)
    return "(?:" + "|".join(["0", *filter(None, [shorter]), *same_length]) + ")"


class IdConverter(IntegerConverter):
    """``int`` for ids: 0..MAX_ID by its pattern (0 matches; no row has it)."""

    regex = at_most(MAX_ID)


def init_app(app: Flask) -> None:
    """Before any route is added: rules compile their converters when they are added."""
    app.url_map.converters["int"] = IdConverter
