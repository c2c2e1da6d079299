"""Recording a payment's outcome on an order or invoice, once, whoever reports it first.

The page that charged the card and Stripe's webhook can report the same payment at
the same moment. Each outcome is written under a conditional UPDATE that takes the
row's write lock and matches only while the row is still unsettled, so the second
reporter finds nothing to do: one "paid" event, one fulfilment.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from channelfront.extensions import db
from channelfront.invoices.models import Invoice
from channelfront.invoices.services import mark_paid
from channelfront.orders import lifecycle
from channelfront.orders.models import Order, OrderStatus

PAYABLE = lifecycle.PAYABLE
PAID_AND_AFTER = (
    OrderStatus.PAID.value,
    OrderStatus.FULFILLING.value,
    OrderStatus.FULFILLED.value,
    OrderStatus.INVOICED.value,
)


def lock(model: type, row_id: int, *conditions: Any) -> bool:
    """Take the row's write lock if it still matches; False when it no longer does."""
    result = db.session.execute(
        update(model)
        .where(model.id == row_id, *conditions)
        .values(status=model.status)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def order_paid(
    order: Order, intent_id: str, actor_id: int | None, card: dict[str, str] | None = None
) -> bool:
    """Mark a card order paid and queue its fulfilment (no commit); False if already settled."""
    if not lock(Order, order.id, Order.status.in_(PAYABLE)):
        return False
    db.session.refresh(order)
    order.payment_intent_id = intent_id
    order.payment_error = None
    data = {"payment_intent": intent_id, **({"card": _card_label(card)} if card else {})}
    lifecycle.mark_paid(order, actor_id, data)
    return True


def order_failed(
    order: Order,
    reason: str,
    intent_id: str | None,
    actor_id: int | None,
    *conditions: Any,
) -> bool:
    """Record a refused payment (no commit): status payment_failed, the reason kept."""
    if not lock(Order, order.id, Order.status.in_(PAYABLE), *conditions):
        return False
    db.session.refresh(order)
    order.payment_intent_id = intent_id
    order.payment_error = reason[:300]
    data = {"payment_intent": intent_id} if intent_id else {}
    lifecycle.mark_payment_failed(order, actor_id, reason, data)
    return True


def invoice_paid(invoice: Invoice, order: Order, intent_id: str, actor_id: int | None) -> bool:
    """Mark an open invoice paid by card (no commit); False if it was settled already."""
    if not lock(Invoice, invoice.id, Invoice.status == "open"):
        return False
    db.session.refresh(invoice)
    db.session.refresh(order)
    order.payment_intent_id = intent_id
    mark_paid(invoice, order, actor_id, "card", {"payment_intent": intent_id})
    return True


def _card_label(card: dict[str, str]) -> str:
    return f"{card.get('brand', 'card')} •••• {card.get('last4', '')}".strip()
