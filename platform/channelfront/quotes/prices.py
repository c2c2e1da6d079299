"""Resale prices: per line, as a markup on the buy price, or as a discount off list.

Percentages have at most two decimals and are kept in basis points; amounts are whole
minor units, rounded half-even. The margin of a line is its resale total less its buy
total.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from flask_babel import gettext as _

from channelfront.i18n.formatting import major_to_minor
from channelfront.orders.errors import OrderInputError

#: A markup of at most 1000 %; a discount of at most 100 %.
MAX_MARKUP_BPS = 100_000
MAX_DISCOUNT_BPS = 10_000
MAX_UNIT_MINOR = 10**13


def _decimal(raw: object) -> Decimal | None:
    text = str(raw if raw is not None else "").strip().replace(",", ".")
    if not text or len(text) > 20:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def parse_percent(raw: object, field: str, maximum_bps: int) -> int:
    """A percentage with at most two decimals, from 0 to ``maximum_bps``, in basis points."""
    value = _decimal(raw)
    message = _(
        "Enter a percentage from 0 to %(max)s with at most two decimals.",
        max=maximum_bps // 100,
    )
    if value is None:
        raise OrderInputError(field, message)
    bps = value * 100
    if bps != bps.to_integral_value() or not 0 <= bps <= maximum_bps:
        raise OrderInputError(field, message)
    return int(bps)


def parse_amount(raw: object, currency: str, field: str) -> int:
    """A unit price in major units ("12.50") as whole minor units; refuse what cannot be."""
    value = _decimal(raw)
    message = _("Enter a price of 0 or more in %(currency)s.", currency=currency)
    if value is None or value < 0:
        raise OrderInputError(field, message)
    try:
        minor = major_to_minor(value, currency)
    except ValueError as exc:
        raise OrderInputError(
            field, _("%(currency)s prices have fewer decimals.", currency=currency)
        ) from exc
    if minor > MAX_UNIT_MINOR:
        raise OrderInputError(field, message)
    return minor


def _scale(minor: int, factor_bps: int) -> int:
    value = Decimal(minor) * Decimal(factor_bps) / Decimal(10000)
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def with_markup(buy_minor: int, markup_bps: int) -> int:
    """The buy price plus a markup."""
    return _scale(buy_minor, 10000 + markup_bps)


def off_list(list_minor: int, discount_bps: int) -> int:
    """The list price less a discount."""
    return _scale(list_minor, 10000 - discount_bps)


def bps_below(reference_minor: int, price_minor: int) -> int:
    """How far ``price_minor`` is below ``reference_minor``, in basis points (0 if above)."""
    if reference_minor <= 0 or price_minor >= reference_minor:
        return 0
    share = Decimal(reference_minor - price_minor) * 10000 / Decimal(reference_minor)
    return int(share.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))
