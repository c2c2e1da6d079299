"""Term indexes and dates of renewals, and recording a paid term on its subscription.

A subscription's ``term_index`` is the index of its latest paid term (0: the first
purchase). Paying a renewal takes the next index with one atomic UPDATE, so two
renewals of one subscription never share an index, on SQLite or PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import func, select, update

from channelfront.extensions import db
from channelfront.fulfillment.models import Subscription
from channelfront.renewals.models import SubscriptionTerm

ACTIVE = "active"


@dataclass(frozen=True)
class TermDates:
    starts_on: date
    ends_on: date


def add_months(start: date, months: int) -> date:
    """The same day ``months`` later, clamped to the month's last day (as fulfilment does)."""
    from channelfront.fulfillment.services import add_months as shift

    return shift(start, months)


def next_term_dates(subscription: Subscription, months: int, today: date) -> TermDates:
    """A renewal continues where the subscription ends; one that has lapsed starts today."""
    start = max(subscription.ends_on, today)
    return TermDates(start, add_months(start, months))


def today() -> date:
    return datetime.now(UTC).date()


def find_subscription(
    subscription_id: object, company_id: int | None = None
) -> Subscription | None:
    """A subscription of the active tenant (and of the company, when given) by id."""
    if not isinstance(subscription_id, int) or not 0 < subscription_id < 2**31:
        return None
    query = select(Subscription).where(Subscription.id == subscription_id)
    if company_id is not None:
        query = query.where(Subscription.company_id == company_id)
    return db.session.scalar(query)


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


def recorded_index(subscription_id: int) -> int:
    """The highest term index recorded for the subscription (0 when never renewed)."""
    value = db.session.scalar(
        select(func.max(SubscriptionTerm.term_index)).where(
            SubscriptionTerm.subscription_id == subscription_id
        )
    )
    return int(value or 0)


def record_term(subscription: Subscription, term: SubscriptionTerm) -> SubscriptionTerm:
    """Add a paid term and extend the subscription to its end (no commit).

    The term's dates are computed here, from the subscription as it stands now.
    """
    dates = next_term_dates(subscription, term.term_months, today())
    term.subscription_id = subscription.id
    term.starts_on, term.ends_on = dates.starts_on, dates.ends_on
    subscription.ends_on = dates.ends_on
    subscription.quantity = term.quantity
    subscription.term_months = term.term_months
    db.session.add(term)
    db.session.flush()
    return term
