"""Currency exponents, exact input amounts and the one rounding of an entry."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

from incentives.errors import InputError

# ISO 4217 minor units that differ from 2.
_EXPONENTS = {
    **dict.fromkeys(
        [
            "BIF",
            "CLP",
            "DJF",
            "GNF",
            "ISK",
            "JPY",
            "KMF",
            "KRW",
            "PYG",
            "RWF",
            "UGX",
            "UYI",
            "VND",
            "VUV",
            "XAF",
            "XOF",
            "XPF",
        ],
        0,
    ),
    **dict.fromkeys(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"], 3),
    **dict.fromkeys(["CLF", "UYW"], 4),
}
_CURRENCY = re.compile(r"[A-Z]{3}")
ROUNDINGS = {"half_even": ROUND_HALF_EVEN, "half_up": ROUND_HALF_UP}
ZERO = Decimal(0)


def exponent(currency: str) -> int:
    """The number of decimals of the currency's minor unit."""
    return _EXPONENTS.get(currency, 2)


def check_currency(value: object, field: str, event: str | None = None) -> str:
    """A three-letter upper-case currency code, or an InputError."""
    if not isinstance(value, str) or not _CURRENCY.fullmatch(value):
        raise InputError(field, f"{value!r} is not a three-letter currency code", event)
    return value


def decimal(value: object, field: str, event: str | None = None) -> Decimal:
    """A finite Decimal from a string (or an integer); floats are refused as inexact."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise InputError(field, f"{value!r} must be a number written as a string", event)
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise InputError(field, f"{value!r} is not a number", event) from None
    if not number.is_finite():
        raise InputError(field, f"{value!r} is not a finite number", event)
    return number


def amount(value: object, currency: str, field: str, event: str | None = None) -> Decimal:
    """An amount exact in the currency's minor units (more decimals is an error)."""
    number = decimal(value, field, event)
    places = exponent(currency)
    if number != number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN):
        raise InputError(
            field, f"{value!r} has more decimals than {currency} allows ({places})", event
        )
    return number


def round_minor(value: Decimal, currency: str, rounding: str = "half_even") -> Decimal:
    """Round once to the currency's minor unit."""
    with localcontext() as ctx:
        ctx.prec = 60
        return value.quantize(Decimal(1).scaleb(-exponent(currency)), rounding=ROUNDINGS[rounding])


def text(value: Decimal, currency: str) -> str:
    """An amount as a string with exactly the currency's minor units."""
    return str(value.quantize(Decimal(1).scaleb(-exponent(currency))))
