"""Renewal terms: looking up the subscription a renewal is for, and recording a paid term.

A subscription's ``term_index`` is the index of its latest paid term (0: the first
purchase); ``subscriptions.services`` takes the next index and extends the
subscription. This module keeps the ``SubscriptionTerm`` rows that record them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, select

from channelfront.extensions import db
from channelfront.renewals.models import SubscriptionTerm
from channelfront.subscriptions import services as subscriptions
from channelfront.subscriptions.models import Subscription


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

    The term's dates are computed by the extension, from the subscription as it stands now.
    """
    dates = subscriptions.extend(subscription, term.term_months, term.quantity, today())
    term.subscription_id = subscription.id
    term.starts_on, term.ends_on = dates.starts_on, dates.ends_on
    db.session.add(term)
    db.session.flush()
    return term
