"""Money, numbers and dates formatted by Babel for the request's locale."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from babel.numbers import get_currency_precision
from flask import Flask
from flask_babel import format_currency, format_decimal


@dataclass(frozen=True)
class Money:
    """An amount in a currency's minor units (cents, or whole yen)."""

    minor: int
    currency: str

    @property
    def amount(self) -> Decimal:
        """The amount in major units, exact."""
        return Decimal(self.minor).scaleb(-get_currency_precision(self.currency))

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


def major_to_minor(amount: Decimal, currency: str) -> int:
    """Convert an exact major-unit amount to minor units; refuse extra decimals."""
    scaled = amount.scaleb(get_currency_precision(currency))
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{amount} has more decimals than {currency} allows")
    return int(scaled)


def money(value: Money | None) -> str:
    """Jinja filter: ``{{ price|money }}`` in the current locale."""
    if value is None:
        return ""
    return format_currency(value.amount, value.currency)


def number(value: int | Decimal | None) -> str:
    """Jinja filter: ``{{ quantity|number }}`` with the locale's digit grouping."""
    if value is None:
        return ""
    return format_decimal(value)


def init_app(app: Flask) -> None:
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["number"] = number
