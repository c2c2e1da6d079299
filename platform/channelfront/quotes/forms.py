"""The reseller's quote form: posted fields to a QuoteInput, and the values it starts from.

Lines are rows of fields named ``lines[N].sku``, ``lines[N].quantity``, ``lines[N].term``
and ``lines[N].resale_price``: the names the services give their errors, so a message
lands next to the row it is about. Blank rows are skipped; the services number the
lines they were given, and ``PostedQuote.error_field`` turns that back into the row.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from channelfront.customers.services import CustomerInput
from channelfront.i18n.formatting import Money
from channelfront.orders.errors import OrderInputError
from channelfront.orders.forms import CUSTOMER_FIELDS, sku_text
from channelfront.quotes import services
from channelfront.quotes.models import Quote

LINE_FIELD = re.compile(r"^lines\[(\d{1,3})\]\.(sku|quantity|term|resale_price)$", re.ASCII)
SERVICE_LINE = re.compile(r"^lines\[(\d{1,3})\](\..*)?$", re.ASCII)
MAX_ROWS = 200
MIN_ROWS = 3
SPARE_ROWS = 2
MORE_ROWS = 5
# Longer text is cut here, one character over what the services take, so they refuse it.
MAX_TEXT = services.MAX_TERMS_LENGTH + 1
PRICING_MODES = ("line", "markup", "discount")


@dataclass(frozen=True)
class StartLine:
    """A line a new quote starts with (from the cart, a template or an order)."""

    sku: str
    quantity: int
    term_months: int | None = None


@dataclass(frozen=True)
class PostedQuote:
    data: services.QuoteInput
    rows: list[int]  # the form row of each line handed to the services, in order

    def error_field(self, field: str) -> str:
        """A service's field name (``lines[0].sku``) as the form row that holds it."""
        match = SERVICE_LINE.match(field)
        if match is None or int(match.group(1)) >= len(self.rows):
            return field
        return f"lines[{self.rows[int(match.group(1))]}]{match.group(2) or ''}"


def line_rows(form: MultiDict[str, str]) -> dict[int, dict[str, str]]:
    """The posted line rows by row number (at most MAX_ROWS rows)."""
    rows: dict[int, dict[str, str]] = {}
    for key in form:
        match = LINE_FIELD.match(key)
        if match and int(match.group(1)) < MAX_ROWS:
            rows.setdefault(int(match.group(1)), {})[match.group(2)] = form.get(key, "")
    return rows


def row_count(values: MultiDict[str, str], more: bool = False) -> int:
    """How many line rows the form shows: the rows in use and SPARE_ROWS blank ones, or,
    when the person asked for more lines, MORE_ROWS more than the form had."""
    rows = line_rows(values)
    filled = [i for i, row in rows.items() if any(v.strip() for v in row.values())]
    count = max(MIN_ROWS, max(filled, default=-1) + 1 + SPARE_ROWS)
    if more:
        count = max(count, max(rows, default=-1) + 1) + MORE_ROWS
    return min(MAX_ROWS, count)


def _text(form: MultiDict[str, str], name: str) -> str:
    return form.get(name, "")[:MAX_TEXT]


def quote_input(form: MultiDict[str, str]) -> PostedQuote:
    """The posted form as a QuoteInput; the services check every value."""
    lines: list[services.QuoteLineInput] = []
    used: list[int] = []
    for index, row in sorted(line_rows(form).items()):
        if not any(value.strip() for value in row.values()):
            continue
        sku = sku_text(row.get("sku", ""))
        if not sku:
            raise OrderInputError(f"lines[{index}].sku", _("Enter a SKU, or clear the line."))
        lines.append(
            services.QuoteLineInput(
                sku,
                row.get("quantity", "").strip(),
                row.get("term", "").strip() or None,
                row.get("resale_price", "").strip() or None,
            )
        )
        used.append(index)
    choice = form.get("end_customer_choice", "existing")
    customer_id: object = None
    new_customer = None
    if choice == "new":
        new_customer = CustomerInput(
            **{name: _text(form, f"new_customer.{name}") for name in CUSTOMER_FIELDS}
        )
    else:
        customer_id = form.get("customer_id", "").strip() or None
    mode = form.get("pricing_mode", "line").strip()
    data = services.QuoteInput(
        lines=lines,
        customer_id=customer_id,
        new_customer=new_customer,
        valid_until=form.get("valid_until", "").strip()[:20],
        language=form.get("language", "").strip()[:8],
        note=_text(form, "note"),
        terms=_text(form, "terms"),
        license_to_customer=form.get("license_to_customer") == "1",
        pricing_mode=None if mode in ("", "line") else mode[:12],
        pricing_percent=form.get("pricing_percent", "").strip()[:20],
    )
    return PostedQuote(data, used)


def percent_text(bps: int | None) -> str:
    """Basis points as the percentage a person types ("12.5" for 1250)."""
    if bps is None:
        return ""
    return format(Decimal(bps).scaleb(-2).normalize(), "f")


def amount_text(minor: int, currency: str) -> str:
    """Minor units as the amount a person types ("12.50", or "1200" in JPY)."""
    return format(Money(minor, currency).amount, "f")


def _lines(values: MultiDict[str, str], lines: Iterable[StartLine]) -> None:
    for index, line in enumerate(lines):
        values[f"lines[{index}].sku"] = line.sku
        values[f"lines[{index}].quantity"] = str(line.quantity)
        values[f"lines[{index}].term"] = str(line.term_months or "")
        values[f"lines[{index}].resale_price"] = ""


def new_values(
    default_language: str, lines: Iterable[StartLine] = (), customer_id: int | None = None
) -> MultiDict[str, str]:
    """A new quote's form: valid for the default days, list prices, the given lines."""
    values: MultiDict[str, str] = MultiDict(
        {
            "valid_until": (
                services.today() + timedelta(days=services.DEFAULT_VALID_DAYS)
            ).isoformat(),
            "language": default_language,
            "pricing_mode": "line",
        }
    )
    if customer_id is not None:
        values["end_customer_choice"] = "existing"
        values["customer_id"] = str(customer_id)
    _lines(values, lines)
    return values


def quote_values(quote: Quote) -> MultiDict[str, str]:
    """The form of an existing quote, as it was last saved."""
    values = new_values(quote.language, customer_id=quote.customer_id)
    values["valid_until"] = quote.valid_until.isoformat()
    values["note"] = quote.note or ""
    values["terms"] = quote.terms or ""
    if quote.license_to_customer:
        values["license_to_customer"] = "1"
    if quote.pricing_mode:
        values["pricing_mode"] = quote.pricing_mode
        values["pricing_percent"] = percent_text(quote.pricing_bps)
    _lines(values, (StartLine(ln.sku, ln.quantity, ln.term_months) for ln in quote.lines))
    for index, line in enumerate(quote.lines):
        values[f"lines[{index}].resale_price"] = amount_text(line.resale_unit_minor, quote.currency)
    return values
