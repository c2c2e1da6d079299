"""The customer list as CSV, with stable columns named as the API names the fields.

Columns, in this order: id, company_name, contact_name, email, country, vat_id,
crm_account_id, archived (``true``/``false``), created_at and last_order_at (ISO 8601,
UTC; empty when none). UTF-8 with a BOM. A cell that a spreadsheet would read as a
formula (it starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) gets a
leading ``'``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select

from channelfront.customers.models import Customer
from channelfront.extensions import db
from channelfront.orders.export import safe_cell
from channelfront.tenancy.scoping import tenant_scope

COLUMNS = (
    "id",
    "company_name",
    "contact_name",
    "email",
    "country",
    "vat_id",
    "crm_account_id",
    "archived",
    "created_at",
    "last_order_at",
)
BATCH = 1000
CHUNK = 64 * 1024


def _moment(value: datetime | None) -> str:
    if value is None:
        return ""
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat(timespec="seconds")


def cells(customer: Customer, last_order_at: datetime | None) -> list[str]:
    """One customer's row, every text cell defused."""
    return [
        str(customer.id),
        safe_cell(customer.company_name),
        safe_cell(customer.contact_name),
        safe_cell(customer.email),
        safe_cell(customer.country),
        safe_cell(customer.vat_id),
        safe_cell(customer.crm_account_id),
        "true" if customer.archived_at is not None else "false",
        _moment(customer.created_at),
        _moment(last_order_at),
    ]


def csv_chunks(stmt: Select[Any], tenant_id: int) -> Iterator[str]:
    """Stream ``recent_first`` rows as CSV (UTF-8 with a BOM, so spreadsheets read accents;
    comma-separated, CRLF line ends), in batches from the database."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    # The body is produced after the view returned: name the tenant again.
    with tenant_scope(tenant_id):
        result = db.session.execute(stmt.execution_options(yield_per=BATCH))
        for customer, last_order_at, _last_quote_at in result:
            writer.writerow(cells(customer, last_order_at))
            if buffer.tell() >= CHUNK:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        result.close()
    yield buffer.getvalue()
