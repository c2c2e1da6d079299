"""Parsing what a console user types: amounts, percentages and host lists.

Parsers raise ``ValueError`` with a translated message; services collect those
per field into one :class:`InvalidInput`, so a form shows every problem at once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal

from babel.numbers import get_currency_precision
from flask_babel import gettext as _
from flask_babel import ngettext

# Digits with an optional decimal point; no exponent, no thousands separator, no NaN.
NUMBER = re.compile(r"^(-?)(\d+)(?:\.(\d*))?$", re.ASCII)
MAX_MAJOR_DIGITS = 12
HOST_SEPARATORS = re.compile(r"[\s,]+")


class InvalidInput(ValueError):
    """Bad input for a console action; ``errors`` maps form field names to messages."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{name}: {message}" for name, message in errors.items()))
        self.errors = dict(errors)


def _decimal(text: str) -> tuple[Decimal, int]:
    """The number typed and how many decimals it was written with."""
    value = (text or "").strip()
    if not value:
        raise ValueError(_("Enter a number."))
    match = NUMBER.match(value)
    if not match:
        raise ValueError(
            _(
                "“%(value)s” is not a number: use digits and a decimal point, e.g. 1250.50.",
                value=value[:40],
            )
        )
    sign, whole, decimals = match.groups()
    if sign and Decimal(value) != 0:
        raise ValueError(_("The number cannot be negative."))
    if len(whole.lstrip("0")) > MAX_MAJOR_DIGITS:
        raise ValueError(_("The number is too large."))
    return abs(Decimal(value)), len(decimals or "")


def amount_to_minor(text: str, currency: str) -> int:
    """'1250.50' in USD -> 125050; refuse more decimals than the currency has."""
    amount, places = _decimal(text)
    allowed = get_currency_precision(currency)
    if places > allowed and allowed == 0:
        raise ValueError(_("%(currency)s amounts take no decimals.", currency=currency))
    if places > allowed:
        raise ValueError(
            ngettext(
                "%(currency)s amounts take at most %(num)d decimal.",
                "%(currency)s amounts take at most %(num)d decimals.",
                allowed,
                currency=currency,
            )
        )
    return int(amount.scaleb(allowed))


def minor_to_text(minor: int, currency: str) -> str:
    """125050 in USD -> '1250.50': the plain form a user can edit and submit again."""
    places = get_currency_precision(currency)
    return f"{Decimal(minor).scaleb(-places).quantize(Decimal(1).scaleb(-places)):f}"


def percent_to_bps(text: str) -> int:
    """'12.5' -> 1250 basis points; 0 to 100 with at most two decimals."""
    percent, places = _decimal(text)
    if places > 2:
        raise ValueError(_("Use at most two decimals."))
    if percent > 100:
        raise ValueError(_("A discount is between 0 and 100 percent."))
    return int(percent * 100)


def bps_to_percent(bps: int) -> str:
    """1250 -> '12.5'."""
    return f"{Decimal(bps).scaleb(-2).normalize():f}"


def split_hosts(text: str) -> list[str]:
    """Host names typed one per line (or separated by commas or spaces)."""
    return [part for part in HOST_SEPARATORS.split(text or "") if part]
