"""The free-text ``q`` of ``GET /orders``: the history page's customer search, plus the
order number and the PO number.

The customer part is the history page's own query (``orders.history``), so the API and
the page find the same customers by name and e-mail.
"""

from __future__ import annotations

from typing import Any

from marshmallow import fields, validate
from sqlalchemy import ColumnElement, func, or_

from channelfront.api.order_schemas import OrderQuerySchema
from channelfront.api.schemas import PRINTABLE
from channelfront.orders.history import MAX_TEXT, HistoryFilters, filtered_orders
from channelfront.orders.models import Order


class OrderListQuerySchema(OrderQuerySchema):
    q = fields.String(
        validate=[validate.Length(max=MAX_TEXT), PRINTABLE],
        metadata={
            "description": "Part of the end customer's company name, contact name or e-mail, "
            "of the order number or of the PO number (any case)."
        },
    )


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_condition(company_id: int, text: str) -> ColumnElement[bool] | None:
    """Orders whose end customer, number or PO contains ``text``; None for blank text."""
    text = text.strip()
    if not text:
        return None
    by_customer: Any = (
        filtered_orders(company_id, HistoryFilters(query=text))
        .with_only_columns(Order.id)
        .order_by(None)
    )
    pattern = _like(text)
    return or_(
        Order.id.in_(by_customer),
        func.lower(Order.number).like(pattern, escape="\\"),
        func.lower(Order.po_number).like(pattern, escape="\\"),
    )
