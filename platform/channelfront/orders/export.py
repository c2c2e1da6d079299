"""The order history as CSV, streamed row by row from a server-side cursor.

One row per order, in the order of the history page. Memory stays flat whatever the
number of orders: rows are fetched in batches (``yield_per``) and written out in
chunks. Every cell a spreadsheet could read as a formula is prefixed with a quote.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import groupby
from typing import Any

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

BATCH = 1000
CHUNK = 64 * 1024
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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
            User.name,
            Order.total_minor,
            Order.currency,
            Invoice.number,
            Invoice.status,
            Invoice.due_on,
            OrderLine.sku,
            OrderLine.quantity,
        )
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
    ]


def _when(value: datetime) -> str:
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%d %H:%M")


def _record(rows: list[Any]) -> list[object]:
    first = rows[0]
    payment = _("On account") if first[9] == PaymentMethod.ON_ACCOUNT else _("Card")
    products = "; ".join(f"{row[16]} x {row[17]}" for row in rows)
    invoice_status = ""
    if first[14] == "paid":
        invoice_status = _("Paid")
    elif first[14] == "open":
        invoice_status = _("Open")
    return [
        first[1],
        _when(first[2]),
        str(STATUS_LABELS.get(first[3], first[3])),
        first[4],
        first[5],
        first[6],
        first[7],
        first[8],
        payment,
        first[10],
        products,
        Money(first[11], first[12]).amount,
        first[12],
        first[13],
        invoice_status,
        first[15].isoformat() if first[15] else "",
    ]


def csv_chunks(stmt: Select[Any], tenant_id: int) -> Iterator[str]:
    """Stream the export as CSV text (UTF-8 with a BOM, so spreadsheets read accents)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow([safe_cell(cell) for cell in _header()])
    # The response body is produced after the view returned: name the tenant again.
    with tenant_scope(tenant_id):
        result = db.session.execute(stmt.execution_options(yield_per=BATCH))
        for _order_id, rows in groupby(result, key=lambda row: row[0]):
            writer.writerow([safe_cell(cell) for cell in _record(list(rows))])
            if buffer.tell() >= CHUNK:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        result.close()
    yield buffer.getvalue()
