"""The reseller's deal form: posted fields to a DealInput.

Line rows are named ``lines[N].sku`` and ``lines[N].quantity``, the names the services
give their errors; blank rows are skipped and ``PostedDeal.error_field`` turns a service
line number back into the form row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from channelfront.customers.services import CustomerInput
from channelfront.deals.services import DealInput, DealLineInput
from channelfront.orders.errors import OrderInputError
from channelfront.orders.forms import CUSTOMER_FIELDS, sku_text

LINE_FIELD = re.compile(r"^lines\[(\d{1,3})\]\.(sku|quantity)$", re.ASCII)
SERVICE_LINE = re.compile(r"^lines\[(\d{1,3})\](\..*)?$", re.ASCII)
MAX_ROWS = 100
MIN_ROWS = 3
# One character over what the services take, so they refuse it with a message.
MAX_TEXT = 2001
TEXT_FIELDS = (
    "expected_value",
    "expected_close",
    "competitor",
    "note",
    "external_id",
    "crm_account_id",
    "crm_opportunity_id",
)


@dataclass(frozen=True)
class PostedDeal:
    data: DealInput
    rows: list[int]

    def error_field(self, field: str) -> str:
        match = SERVICE_LINE.match(field)
        if match is None or int(match.group(1)) >= len(self.rows):
            return field
        return f"lines[{self.rows[int(match.group(1))]}]{match.group(2) or ''}"


def line_rows(form: MultiDict[str, str]) -> dict[int, dict[str, str]]:
    rows: dict[int, dict[str, str]] = {}
    for key in form:
        match = LINE_FIELD.match(key)
        if match and int(match.group(1)) < MAX_ROWS:
            rows.setdefault(int(match.group(1)), {})[match.group(2)] = form.get(key, "")
    return rows


def row_count(values: MultiDict[str, str]) -> int:
    """The rows in use and two blank ones, at least MIN_ROWS."""
    filled = [i for i, row in line_rows(values).items() if any(v.strip() for v in row.values())]
    return min(MAX_ROWS, max(MIN_ROWS, max(filled, default=-1) + 3))


def deal_input(form: MultiDict[str, str]) -> PostedDeal:
    """The posted form as a DealInput; the services check every value."""
    lines: list[DealLineInput] = []
    used: list[int] = []
    for index, row in sorted(line_rows(form).items()):
        if not any(value.strip() for value in row.values()):
            continue
        sku = sku_text(row.get("sku", ""))
        if not sku:
            raise OrderInputError(f"lines[{index}].sku", _("Enter a SKU, or clear the line."))
        lines.append(DealLineInput(sku, row.get("quantity", "").strip()[:20]))
        used.append(index)
    customer_id: object = None
    new_customer = None
    if form.get("end_customer_choice", "existing") == "new":
        new_customer = CustomerInput(
            **{n: form.get(f"new_customer.{n}", "")[:MAX_TEXT] for n in CUSTOMER_FIELDS}
        )
    else:
        customer_id = form.get("customer_id", "").strip()[:20] or None
    texts = {name: form.get(name, "")[:MAX_TEXT] for name in TEXT_FIELDS}
    return PostedDeal(
        DealInput(lines=lines, customer_id=customer_id, new_customer=new_customer, **texts),
        used,
    )
