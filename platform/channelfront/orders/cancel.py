"""Cancelling an order nobody has paid for: a card order placed or declined."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import update

from channelfront.extensions import db
from channelfront.orders import events, pipeline
from channelfront.orders.errors import OrderInputError
from channelfront.orders.models import Order, OrderStatus

CANCELLABLE = (OrderStatus.PLACED.value, OrderStatus.PAYMENT_FAILED.value)


def cancellable(order: Order) -> bool:
    return order.status in CANCELLABLE and pipeline.may_cancel(order)


def cancel_unpaid(order: Order, actor_id: int) -> None:
    """Cancel an unpaid order (no commit); refused while paid, fulfilled or being charged."""
    if not cancellable(order):
        raise OrderInputError("order", _("Only an unpaid order can be cancelled."))
    # Compare-and-set: a charge or a webhook that got there first wins.
    moved = db.session.execute(
        update(Order)
        .where(Order.id == order.id, Order.status == order.status)
        .values(status=OrderStatus.CANCELLED.value)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        db.session.rollback()
        raise OrderInputError("order", _("Only an unpaid order can be cancelled."))
    events.record(order, OrderStatus.CANCELLED, actor_id=actor_id)
    pipeline.release(order)
