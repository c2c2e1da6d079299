"""Buyers' spending limits: per order and per calendar month (UTC), per tenant."""

from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import gettext as _
from sqlalchemy import func, select

from channelfront import row_locks
from channelfront.approvals.models import SpendingLimit
from channelfront.extensions import db
from channelfront.i18n.formatting import Money
from channelfront.orders.models import Order, OrderStatus
from channelfront.orders.pipeline import Hold

#: Orders that do not count against the month: they ended without being bought.
NOT_SPENT = (
    OrderStatus.CANCELLED.value,
    OrderStatus.REJECTED.value,
    OrderStatus.WITHDRAWN.value,
    OrderStatus.REFUNDED.value,
)


def limit_of(user_id: int) -> SpendingLimit | None:
    return db.session.scalar(select(SpendingLimit).where(SpendingLimit.user_id == user_id))


def month_start(now: datetime) -> datetime:
    return now.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def spent_this_month(user_id: int, now: datetime) -> int:
    """What the buyer ordered on the tenant since the month began (UTC), ended orders aside."""
    total = db.session.scalar(
        select(func.coalesce(func.sum(Order.total_minor), 0)).where(
            Order.buyer_id == user_id,
            Order.created_at >= month_start(now),
            Order.status.not_in(NOT_SPENT),
        )
    )
    return int(total or 0)


def holds_for(user_id: int, total_minor: int, currency: str, now: datetime) -> list[Hold]:
    """The spending-limit hold for an order of ``total_minor`` by this buyer, if any.

    The limit row is locked first, so parallel orders of one buyer count each other.
    """
    limit = limit_of(user_id)
    if limit is None or (limit.per_order_minor is None and limit.per_month_minor is None):
        return []
    row_locks.hold(SpendingLimit, limit.id)
    reasons = []
    if limit.per_order_minor is not None and total_minor > limit.per_order_minor:
        reasons.append(
            _(
                "The order total %(total)s is over the buyer's limit of %(limit)s per order.",
                total=Money(total_minor, currency),
                limit=Money(limit.per_order_minor, currency),
            )
        )
    if limit.per_month_minor is not None:
        month = spent_this_month(user_id, now) + total_minor
        if month > limit.per_month_minor:
            reasons.append(
                _(
                    "With this order the buyer spends %(month)s this month, over the "
                    "monthly limit of %(limit)s.",
                    month=Money(month, currency),
                    limit=Money(limit.per_month_minor, currency),
                )
            )
    if not reasons:
        return []
    name = _("Spending limit")
    return [Hold("spending_limit", reasons[0], {"rule_name": name, "reasons": reasons})]
