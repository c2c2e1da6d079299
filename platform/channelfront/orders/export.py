"""The order history as CSV, streamed row by row from a server-side cursor.

One row per order, in the order of the history page. Two variants: comma-separated, and
semicolon-separated with the locale's decimal comma for the spreadsheets of locales that
expect it (de, fr, es); the default follows the user's locale, ``?sep=`` chooses.

Memory stays flat whatever the number of orders: rows are fetched in batches
(``yield_per``) and written out in chunks. Every cell a spreadsheet could read as a
formula is prefixed with a quote.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import groupby
from typing import Any

from babel.numbers import get_decimal_symbol
from flask_babel import gettext as _
from sqlalchemy import Select

from channelfront.accounts.models import User
from channelfront.customers.models import Customer
from channelfront.extensions import db
from channelfront.i18n.formatting import Money
from channelfront.invoices.models import Invoice
from channelfront.orders.history import STATUS_LABELS, HistoryFilters, filtered_orders
from channelfront.orders.models import Order, OrderLine, PaymentMethod
from channelfront.tenancy.scoping import tenant_scope
from channelfront.web.params import ParamError

BATCH = 1000
CHUNK = 64 * 1024
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SEPARATORS = {"comma": ",", "semicolon": ";"}
SEMICOLON_LANGUAGES = frozenset({"de", "fr", "es"})


@dataclass(frozen=True)
class CsvFormat:
    delimiter: str = ","
    decimal: str = "."


def csv_format(sep: str | None, locale: str) -> CsvFormat:
    """The variant ``?sep=comma|semicolon`` asks for; by default the one the locale expects.

    The semicolon variant writes decimals with the locale's decimal sign (a comma in de,
    fr and es), as those spreadsheets read them. Raises ParamError naming ``sep``.
    """
    language = locale.replace("-", "_").split("_")[0].lower()
    if sep in (None, ""):
        sep = "semicolon" if language in SEMICOLON_LANGUAGES else "comma"
    if sep not in SEPARATORS:
        raise ParamError("sep", _("The separator (sep) must be comma or semicolon."))
    if sep == "comma":
        return CsvFormat()
    decimal = get_decimal_symbol(locale.replace("-", "_"))
    return CsvFormat(";", decimal if decimal != ";" else ",")


def safe_cell(value: object) -> str:
    """The cell's text, with a leading quote when a spreadsheet would run it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def export_query(company_id: int, filters: HistoryFilters) -> Select[Any]:
    """The columns of the export for exactly the filtered orders, one row per order line.

    Built (and its filters checked) before the response starts, so a bad filter is a 400.
    """
    return (
        filtered_orders(company_id, filters)
        .with_only_columns(
            Order.id,
            Order.number,
            Order.created_at,
            Order.status,
            Customer.company_name,
            Customer.contact_name,
            Customer.email,
            Customer.country,
            Order.po_number,
            Order.payment_method,
            User.name.label("buyer_name"),
            Order.total_minor,
            Order.currency,
            Invoice.number.label("invoice_number"),
            Invoice.status.label("invoice_status"),
            Invoice.due_on,
            OrderLine.sku,
            OrderLine.quantity,
            Order.crm_deal_id,
            Order.crm_account_id,
            Order.crm_opportunity_id,
        )
        .outerjoin(Customer, Customer.id == Order.customer_id)
        .outerjoin(Invoice, Invoice.order_id == Order.id)
        .join(User, User.id == Order.buyer_id)
        .join(OrderLine, OrderLine.order_id == Order.id)
        .order_by(OrderLine.id)
    )


def _header() -> list[str]:
    return [
        _("Order"),
        _("Date (UTC)"),
        _("Status"),
        _("End customer"),
        _("Contact"),
        _("E-mail"),
        _("Country"),
        _("PO number"),
        _("Payment"),
        _("Placed by"),
        _("Products"),
        _("Total"),
        _("Currency"),
        _("Invoice"),
        _("Invoice status"),
        _("Due date"),
        # Added last so the earlier columns keep their places.
        _("CRM deal id"),
        _("CRM account id"),
        _("CRM opportunity id"),
    ]


def _when(value: datetime) -> str:
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%d %H:%M")


def _labels() -> dict[str, str]:
    """Every translated cell value, looked up once per export rather than once per row."""
    labels = {f"status:{key}": str(label) for key, label in STATUS_LABELS.items()}
    labels.update(
        {
            f"payment:{PaymentMethod.ON_ACCOUNT.value}": _("On account"),
            f"payment:{PaymentMethod.CARD.value}": _("Card"),
            f"payment:{PaymentMethod.END_CUSTOMER_CARD.value}": _("End customer's card"),
            "invoice:paid": _("Paid"),
            "invoice:open": _("Open"),
        }
    )
    return labels


def _record(rows: list[Any], labels: dict[str, str], decimal: str) -> list[object]:
    first = rows[0]
    return [
        first.number,
        _when(first.created_at),
        labels.get(f"status:{first.status}", first.status),
        first.company_name,
        first.contact_name,
        first.email,
        first.country,
        first.po_number,
        labels.get(f"payment:{first.payment_method}", first.payment_method),
        first.buyer_name,
        "; ".join(f"{row.sku} x {row.quantity}" for row in rows),
        str(Money(first.total_minor, first.currency).amount).replace(".", decimal),
        first.currency,
        first.invoice_number,
        labels.get(f"invoice:{first.invoice_status}", ""),
        first.due_on.isoformat() if first.due_on else "",
        first.crm_deal_id,
        first.crm_account_id,
        first.crm_opportunity_id,
    ]


def csv_chunks(
    stmt: Select[Any], tenant_id: int, variant: CsvFormat | None = None
) -> Iterator[str]:
    """Stream the export as CSV text (UTF-8 with a BOM, so spreadsheets read accents)."""
    variant = variant or CsvFormat()
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=variant.delimiter)
    buffer.write("\ufeff")
    writer.writerow([safe_cell(cell) for cell in _header()])
    labels = _labels()
    # The response body is produced after the view returned: name the tenant again.
    with tenant_scope(tenant_id):
        result = db.session.execute(stmt.execution_options(yield_per=BATCH))
        for _order_id, rows in groupby(result, key=lambda row: row.id):
            writer.writerow(
                [safe_cell(cell) for cell in _record(list(rows), labels, variant.decimal)]
            )
            if buffer.tell() >= CHUNK:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        result.close()
    yield buffer.getvalue()
