"""Whole numbers from forms and query strings, read one way everywhere.

``str.isdigit()`` is true for "²", "①" and "٣": ``int()`` then fails on the first two
(a 500) and quietly reads the third as 3. A string of thousands of digits makes
``int()`` fail as well. So every form and query value that becomes an int goes through
``parse_whole``: ASCII digits only, at most ``MAX_DIGITS`` of them, within bounds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from flask_babel import gettext as _

MAX_DIGITS = 18
MAX_ID = 2**31 - 1
MAX_PAGE = 100_000


class ParamError(ValueError):
    """A request value is invalid; ``field`` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def parse_whole(raw: object, minimum: int = 0, maximum: int = MAX_ID) -> int | None:
    """The whole number ``raw`` spells in ASCII digits, if within bounds; None otherwise.

    An int (from a JSON body) is taken as it is; a bool, a float, a sign, a space
    inside, an empty string or any other digit than 0-9 is None.
    """
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, str):
        text = raw.strip()
        if not 0 < len(text) <= MAX_DIGITS or not text.isascii() or not text.isdigit():
            return None
        value = int(text)
    else:
        return None
    return value if minimum <= value <= maximum else None


def whole_number(
    raw: object,
    field: str,
    message: str,
    minimum: int = 0,
    maximum: int = MAX_ID,
    error: Callable[[str, str], Exception] = ParamError,
) -> int:
    """``parse_whole``, or ``error(field, message)`` naming the field that is wrong.

    ``error`` is the caller's own (field, message) exception, e.g. OrderInputError, so a
    view keeps answering the way it already does.
    """
    value = parse_whole(raw, minimum, maximum)
    if value is None:
        raise error(field, message)
    return value


def optional_whole(
    args: Mapping[str, str],
    field: str,
    message: str,
    minimum: int = 0,
    maximum: int = MAX_ID,
    error: Callable[[str, str], Exception] = ParamError,
) -> int | None:
    """A whole number that may be left out: None when the value is missing or blank."""
    raw = args.get(field)
    if raw is None or not raw.strip():
        return None
    return whole_number(raw, field, message, minimum, maximum, error)


def page_number(args: Mapping[str, str], maximum: int = MAX_PAGE) -> int:
    """``page`` of a listing, 1 when left out; ParamError for anything but 1 to ``maximum``."""
    return whole_number(
        args.get("page") or "1",
        "page",
        _("The page must be a whole number from 1 to %(max)d.", max=maximum),
        minimum=1,
        maximum=maximum,
    )
