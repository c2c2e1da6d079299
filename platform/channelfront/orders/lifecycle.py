"""An order's states after checkout: accepted, paid, declined, waiting, refunded, ended.

Every status change of an order goes through here (or ``events.record`` inside
orders), so features that move an order (payments, approvals) never edit its timeline
themselves.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import update

from channelfront.extensions import db
from channelfront.orders import events, pipeline
from channelfront.orders.errors import OrderInputError
from channelfront.orders.models import Order, OrderStatus, PaymentMethod
from channelfront.orders.signals import order_accepted
from channelfront.outbox.services import enqueue

#: The timeline entry of the last approval (not a status: the order goes on as placed).
APPROVED = "approved"

# Unpaid and not waiting for anyone: a card order can be charged, or cancelled.
PAYABLE = (OrderStatus.PLACED.value, OrderStatus.PAYMENT_FAILED.value)


def accept_for_fulfilment(
    order: Order, status: OrderStatus, actor_id: int | None, data: dict[str, Any] | None = None
) -> None:
    """Mark the order paid or accepted on account and queue its fulfilment (no commit)."""
    events.record(order, status, actor_id=actor_id, data=data)
    pipeline.settle(order)
    db.session.flush()
    order_accepted.send(order)
    enqueue(order.tenant_id, "order.fulfil", {"order_id": order.id})


def go_ahead(order: Order, actor_id: int | None) -> None:
    """An order nothing holds any more: accept it on account, or as paid when credit notes
    paid it all; a card order stays placed until ``pipeline.collect`` charges it (no commit)."""
    if order.payment_method == PaymentMethod.ON_ACCOUNT:
        accept_for_fulfilment(order, OrderStatus.ACCEPTED, actor_id)
    elif order.due_minor == 0:
        accept_for_fulfilment(order, OrderStatus.PAID, actor_id)


def mark_paid(order: Order, actor_id: int | None, data: dict[str, Any]) -> None:
    """A card payment went through (no commit): paid, with what paid it on the event."""
    accept_for_fulfilment(order, OrderStatus.PAID, actor_id, data)


def mark_payment_failed(
    order: Order, actor_id: int | None, reason: str, data: dict[str, Any]
) -> None:
    events.record(order, OrderStatus.PAYMENT_FAILED, actor_id=actor_id, note=reason, data=data)


def mark_refunded(order: Order, actor_id: int | None, note: str | None, data: dict) -> None:
    events.record(order, OrderStatus.REFUNDED, actor_id=actor_id, note=note, data=data)


def note(
    order: Order,
    kind: str,
    actor_id: int | None = None,
    text: str | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    """A timeline entry that does not change the status (a declined invoice payment)."""
    if kind in events.STATUS_EVENTS:
        raise ValueError(f"{kind} is a status; use the lifecycle function that sets it")
    events.record(order, kind, actor_id=actor_id, note=text, data=data)


def _move(order: Order, from_status: str, to_status: OrderStatus) -> bool:
    """Compare-and-set the status; False when another request moved the order first."""
    moved = db.session.execute(
        update(Order)
        .where(Order.id == order.id, Order.status == from_status)
        .values(status=to_status.value)
        .execution_options(synchronize_session=False)
    )
    return moved.rowcount == 1


def approved(order: Order, actor_id: int | None, data: dict[str, Any] | None = None) -> bool:
    """The last approval: the order goes ahead (no commit). False if it no longer waits.

    A card order returns to ``placed``; the caller commits, then ``pipeline.collect``.
    """
    if not _move(order, OrderStatus.AWAITING_APPROVAL.value, OrderStatus.PLACED):
        return False
    order.status = OrderStatus.PLACED.value  # what _move wrote, before anyone hears of it
    events.record(order, APPROVED, actor_id=actor_id, data=data)
    go_ahead(order, actor_id)
    return True


def _end_waiting(
    order: Order, status: OrderStatus, actor_id: int | None, text: str | None, data: dict | None
) -> bool:
    if not _move(order, OrderStatus.AWAITING_APPROVAL.value, status):
        return False
    events.record(order, status, actor_id=actor_id, note=text, data=data)
    pipeline.release(order)
    return True


def rejected(
    order: Order, actor_id: int | None, text: str | None, data: dict[str, Any] | None = None
) -> bool:
    """An approver (or an expired step) rejected the waiting order (no commit)."""
    return _end_waiting(order, OrderStatus.REJECTED, actor_id, text, data)


def withdraw(order: Order, actor_id: int) -> None:
    """The buyer takes back an order that waits for approval (no commit)."""
    if order.status != OrderStatus.AWAITING_APPROVAL or not _end_waiting(
        order, OrderStatus.WITHDRAWN, actor_id, None, None
    ):
        raise OrderInputError("order", _("Only an order that waits for approval can be withdrawn."))
