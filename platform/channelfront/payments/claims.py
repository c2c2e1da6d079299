"""One card charge at a time per order: a claim written before Stripe is called.

A double click, a retried request or two tabs may call "pay" together. Before any
charge, the order's ``payment_intent_id`` is swapped, compare-and-set, from what the
caller read to a claim marker; only one caller wins, the others charge nothing. The
marker carries its time: a claim left by a process that died is taken over after
``CLAIM_TIMEOUT`` seconds, and the idempotency key of the retried charge (the same
attempt and card) makes Stripe answer with the first charge instead of a second one.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from sqlalchemy import func, select, update

from channelfront.extensions import db
from channelfront.orders.models import Order, OrderEvent

PREFIX = "claim:"
CLAIM_TIMEOUT = 120


def is_fresh_claim(value: str | None, now: float | None = None) -> bool:
    if not value or not value.startswith(PREFIX):
        return False
    try:
        stamp = int(value.split(":")[1])
    except (IndexError, ValueError):
        return False
    return (now or time.time()) - stamp < CLAIM_TIMEOUT


def is_intent(value: str | None) -> bool:
    return bool(value) and value.startswith("pi_")


def claim(order: Order, *conditions: Any) -> tuple[str, str | None] | None:
    """Claim the order for one charge (commits). Returns (marker, previous) or None if busy."""
    previous = order.payment_intent_id
    if is_fresh_claim(previous):
        return None
    marker = f"{PREFIX}{int(time.time()):010d}:{secrets.token_hex(6)}"
    same = (
        Order.payment_intent_id.is_(None)
        if previous is None
        else Order.payment_intent_id == previous
    )
    result = db.session.execute(
        update(Order)
        .where(Order.id == order.id, same, *conditions)
        .values(payment_intent_id=marker)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        return None
    db.session.commit()
    return marker, previous


def release(order: Order, marker: str, value: str | None) -> None:
    """Give the claim up, leaving ``value`` (an intent id or what was there); commits."""
    db.session.execute(
        update(Order)
        .where(Order.id == order.id, Order.payment_intent_id == marker)
        .values(payment_intent_id=value)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def attempt_number(order: Order, failure_kind: str) -> int:
    """1 for the first charge, one more after each recorded failure of that kind."""
    failures = db.session.scalar(
        select(func.count(OrderEvent.id)).where(
            OrderEvent.order_id == order.id, OrderEvent.kind == failure_kind
        )
    )
    return int(failures or 0) + 1
