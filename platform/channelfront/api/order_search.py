"""The free-text ``q`` of ``GET /orders``: the history page's own search (``orders.history``)
over the end customer's names and e-mail, the order number and the PO number, so the API
and the page find the same orders.
"""

from __future__ import annotations

from typing import Any

from marshmallow import fields, validate
from sqlalchemy import ColumnElement

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


def search_condition(company_id: int, text: str) -> ColumnElement[bool] | None:
    """Orders whose end customer, number or PO contains ``text``; None for blank text."""
    text = text.strip()
    if not text:
        return None
    matching: Any = (
        filtered_orders(company_id, HistoryFilters(query=text))
        .with_only_columns(Order.id)
        .order_by(None)
    )
    return Order.id.in_(matching)
