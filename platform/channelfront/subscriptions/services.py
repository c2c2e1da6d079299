"""Every write to a subscription: started by fulfilment, extended and ended by renewals,
cancelled by a refund. None of these commits; the caller owns the transaction.

Term indexes are taken with one atomic UPDATE each, so two renewals of one
subscription never share an index, on SQLite or PostgreSQL.
"""

from __future__ import annotations

from datetime import date
from typing import Protocol

from sqlalchemy import update

from channelfront.extensions import db
from channelfront.subscriptions.dates import DEFAULT_TERM_MONTHS, TermDates, add_months, next_term
from channelfront.subscriptions.models import ACTIVE, CANCELLED, Subscription


class OrderRef(Protocol):
    """What starting a subscription reads of an order (orders sit above this package)."""

    @property
    def id(self) -> int: ...
    @property
    def tenant_id(self) -> int: ...
    @property
    def company_id(self) -> int: ...
    @property
    def customer_id(self) -> int | None: ...


class LineRef(Protocol):
    """What starting a subscription reads of an order line."""

    @property
    def id(self) -> int: ...
    @property
    def product_id(self) -> int: ...
    @property
    def quantity(self) -> int: ...
    @property
    def term_months(self) -> int | None: ...


def start(order: OrderRef, line: LineRef, today: date) -> Subscription:
    """Add the subscription a new subscription line entitles, starting today (no commit).

    The order line is unique on the table: a second start of one line fails on commit.
    """
    months = line.term_months or DEFAULT_TERM_MONTHS
    subscription = Subscription(
        tenant_id=order.tenant_id,
        order_id=order.id,
        order_line_id=line.id,
        product_id=line.product_id,
        company_id=order.company_id,
        customer_id=order.customer_id,
        quantity=line.quantity,
        term_months=months,
        starts_on=today,
        ends_on=add_months(today, months),
    )
    db.session.add(subscription)
    return subscription


def extend(subscription: Subscription, months: int, quantity: int, today: date) -> TermDates:
    """Extend the subscription by a term of ``months`` for ``quantity`` seats (no commit).

    Returns the new term's dates: from the current end, or from today once lapsed.
    """
    dates = next_term(subscription.ends_on, months, today)
    subscription.ends_on = dates.ends_on
    subscription.quantity = quantity
    subscription.term_months = months
    return dates


def end_at(subscription_id: int, ends_on: date, *, if_ends_on: date) -> bool:
    """Move the end back to ``ends_on`` while it is still ``if_ends_on`` (no commit).

    Compare-and-set: a term refunded after a later one extended the subscription
    leaves it alone. True when the end moved.
    """
    result = db.session.execute(
        update(Subscription)
        .where(Subscription.id == subscription_id, Subscription.ends_on == if_ends_on)
        .values(ends_on=ends_on)
        .execution_options(synchronize_session="fetch")
    )
    return result.rowcount == 1


def cancel_for_order(order_id: int) -> None:
    """Cancel the subscriptions an order started (no commit): its refund ends them."""
    db.session.execute(
        update(Subscription)
        .where(Subscription.order_id == order_id)
        .values(status=CANCELLED)
        .execution_options(synchronize_session=False)
    )


def claim_next_index(subscription_id: int) -> int:
    """Take the subscription's next term index (no commit); holds its row lock until commit."""
    value = db.session.scalar(
        update(Subscription)
        .where(Subscription.id == subscription_id)
        .values(term_index=Subscription.term_index + 1)
        .returning(Subscription.term_index)
        .execution_options(synchronize_session=False)
    )
    if value is None:
        raise LookupError(f"subscription {subscription_id} not found")
    return int(value)


def claim_index(subscription_id: int, index: int) -> bool:
    """Take exactly ``index`` if it is the next one and the subscription is active (no commit).

    False when another renewal took it first or the subscription was cancelled.
    """
    result = db.session.execute(
        update(Subscription)
        .where(
            Subscription.id == subscription_id,
            Subscription.term_index == index - 1,
            Subscription.status == ACTIVE,
        )
        .values(term_index=index)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1
