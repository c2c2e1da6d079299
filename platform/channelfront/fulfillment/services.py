"""Fulfilment: one license per license line, one subscription per subscription line, once.

Each line is committed on its own, so a worker killed half-way resumes where it
stopped; unique constraints on the order line make a second attempt a no-op.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from channelfront import row_locks
from channelfront.catalog.models import ProductKind
from channelfront.extensions import db
from channelfront.fulfillment.licenses import LicenseClaims, issue_key
from channelfront.fulfillment.models import License
from channelfront.fulfillment.signing import signing_keys
from channelfront.invoices.services import issue_invoice
from channelfront.orders import events, pipeline
from channelfront.orders.models import Order, OrderLine, OrderStatus
from channelfront.outbox.handlers import handles
from channelfront.outbox.services import commit_and_dispatch, enqueue
from channelfront.subscriptions import services as subscriptions

READY = (OrderStatus.PAID, OrderStatus.ACCEPTED)
LICENSED = (ProductKind.PERPETUAL, ProductKind.SUBSCRIPTION)


def _issue_line(order: Order, line: OrderLine, today: date) -> bool:
    """Issue one line's license (commits); False once the order was refunded meanwhile."""
    # A refund revokes the order's keys under the order's row lock: wait for it, so no
    # key is issued after the refund that its revocation missed.
    row_locks.hold(Order, order.id)
    status = db.session.scalar(select(Order.status).where(Order.id == order.id))
    if status == OrderStatus.REFUNDED:
        db.session.rollback()
        return False
    done = db.session.scalar(select(License.id).where(License.order_line_id == line.id))
    if done is not None:
        db.session.rollback()  # let go of the order's lock
        return True
    keys = signing_keys(current_app.config)
    db.session.add(
        License(
            tenant_id=order.tenant_id,
            order_id=order.id,
            order_line_id=line.id,
            key=issue_key(keys, LicenseClaims(line.id, line.quantity, line.sku)),
            issued_at=datetime.now(UTC),
        )
    )
    # A step may own the line: a renewal extends the subscription it renews.
    if line.kind == ProductKind.SUBSCRIPTION and not pipeline.fulfil_line(order, line):
        subscriptions.start(order, line, today)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # another worker issued this line first
    return True


def fulfil_order(order_id: int) -> None:
    """Issue what the order's lines entitle, record the events, invoice and notify."""
    order = db.session.get(Order, order_id)
    if order is None:
        return
    if order.status in READY:
        events.record(order, OrderStatus.FULFILLING)
        db.session.commit()
    elif order.status != OrderStatus.FULFILLING:
        return
    today = datetime.now(UTC).date()
    for line in list(order.lines):
        if line.kind in LICENSED and not _issue_line(order, line, today):
            return  # refunded while being fulfilled: no more keys, no invoice
    order = db.session.get(Order, order_id)
    if order.status != OrderStatus.FULFILLING:
        return  # a concurrent worker finished it
    events.record(order, OrderStatus.FULFILLED)
    issue_invoice(order, today)
    enqueue(order.tenant_id, "mail.order_fulfilled", {"order_id": order.id})
    try:
        commit_and_dispatch()
    except IntegrityError:
        db.session.rollback()  # a concurrent worker invoiced it first


@handles("order.fulfil")
def _on_fulfil(_tenant_id: int, payload: dict) -> None:
    fulfil_order(int(payload["order_id"]))
