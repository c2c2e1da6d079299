"""Quotes past their validity date expire; the buyer is reminded before a sent one does.

Run hourly by Celery beat (``quotes.expire_and_remind``) and by ``flask quotes expire``.
Dates are UTC days, as ``services.is_expired`` reads them: a quote is valid through its
``valid_until`` day and expires on the next run after it. Each quote is handled in its
own transaction by a compare-and-set, so a second run, a concurrent run or a revision
made meanwhile changes nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from celery import shared_task
from sqlalchemy import or_, select, update

from channelfront.extensions import db
from channelfront.outbox.services import commit_and_dispatch
from channelfront.quotes import expiry_mail, services
from channelfront.quotes.models import (
    OPEN_TO_CUSTOMER,
    PaymentState,
    Quote,
    QuotePayment,
    QuoteStatus,
)
from channelfront.tenancy.scoping import tenant_scope

#: These quotes expire once their validity date has passed.
EXPIRING = (*OPEN_TO_CUSTOMER, QuoteStatus.ACCEPTED.value)
#: Days before ``valid_until`` that the buyer is reminded of a sent quote, farthest first.
REMINDER_DAYS = (7, 1)
#: A reminder missed on its day (beat down) still goes out one day later, not after.
GRACE_DAYS = 1


@dataclass(frozen=True)
class Due:
    """One thing to do: expire the quote, or remind its buyer ``days`` before expiry."""

    quote_id: int
    tenant_id: int
    days: int | None = None

    @property
    def expires(self) -> bool:
        return self.days is None


def reminder_due(quote: Quote, today: date) -> int | None:
    """The reminder (7 or 1) the quote's buyer should get today, if any.

    A reminder is due on its day or, if the run missed it, the day after; a quote first
    seen later (sent 3 days before expiry, say) skips it and gets only the next one. A
    quote sent inside a reminder's period gets no reminder for it: its buyer has just
    chosen the date. Each reminder goes out once per revision (``reminded_days``).
    """
    if quote.status not in OPEN_TO_CUSTOMER:
        return None
    left = (quote.valid_until - today).days
    for days in REMINDER_DAYS:
        if not days - GRACE_DAYS <= left <= days:
            continue
        if quote.reminded_days is not None and quote.reminded_days <= days:
            return None
        sent_on = quote.sent_at.date() if quote.sent_at is not None else None
        if sent_on is not None and sent_on >= quote.valid_until - timedelta(days=days):
            return None
        return days
    return None


def due(today: date) -> list[Due]:
    """Every quote to expire or remind today, on every tenant, expiries first."""
    with tenant_scope(None):
        expiring = db.session.execute(
            select(Quote.id, Quote.tenant_id)
            .where(Quote.status.in_(EXPIRING), Quote.valid_until < today)
            .order_by(Quote.id)
        ).all()
        soon = db.session.scalars(
            select(Quote)
            .where(
                Quote.status.in_(OPEN_TO_CUSTOMER),
                Quote.valid_until >= today,
                Quote.valid_until <= today + timedelta(days=max(REMINDER_DAYS)),
                or_(Quote.reminded_days.is_(None), Quote.reminded_days > min(REMINDER_DAYS)),
            )
            .order_by(Quote.id)
        ).all()
        reminders = [(q.id, q.tenant_id, reminder_due(q, today)) for q in soon]
    return [Due(quote_id, tenant_id) for quote_id, tenant_id in expiring] + [
        Due(quote_id, tenant_id, days) for quote_id, tenant_id, days in reminders if days
    ]


def _charging(quote: Quote) -> bool:
    """The customer's card is being charged for this revision right now."""
    return (
        db.session.scalar(
            select(QuotePayment.id).where(
                QuotePayment.quote_id == quote.id,
                QuotePayment.revision == quote.revision,
                QuotePayment.state == PaymentState.CHARGING.value,
            )
        )
        is not None
    )


def _expire(quote: Quote, today: date) -> bool:
    if not quote.valid_until < today or _charging(quote):
        # A charge under way settles first: paid, the quote is paid; else it expires
        # on the next run. Expiring it now could strand a captured payment.
        return False
    return services.move(
        quote, EXPIRING, QuoteStatus.EXPIRED, data={"valid_until": quote.valid_until.isoformat()}
    )


def _remind(quote: Quote, days: int, today: date) -> bool:
    if reminder_due(quote, today) != days:
        return False
    marked = db.session.execute(
        update(Quote)
        .where(
            Quote.id == quote.id,
            Quote.revision == quote.revision,
            Quote.status.in_(OPEN_TO_CUSTOMER),
            or_(Quote.reminded_days.is_(None), Quote.reminded_days > days),
        )
        .values(reminded_days=days)
        .execution_options(synchronize_session=False)
    )
    if marked.rowcount != 1:
        return False
    quote.reminded_days = days
    services.record(quote, "reminded", data={"days": days})
    expiry_mail.remind_later(quote, days, (quote.valid_until - today).days)
    return True


def handle(item: Due, today: date) -> bool:
    """Expire or remind one quote and commit; False when nothing was left to do."""
    with tenant_scope(item.tenant_id):
        quote = db.session.get(Quote, item.quote_id)
        if quote is None:
            return False
        db.session.refresh(quote)
        done = _expire(quote, today) if item.expires else _remind(quote, item.days or 0, today)
        if done:
            commit_and_dispatch()
        else:
            db.session.rollback()
        return done


@dataclass(frozen=True)
class Outcome:
    expired: int = 0
    reminded: int = 0


def expire_and_remind(today: date | None = None) -> Outcome:
    """Expire every quote past its validity and send the reminders due, on every tenant."""
    today = today or services.today()
    expired = reminded = 0
    for item in due(today):
        if handle(item, today):
            expired += item.expires
            reminded += not item.expires
    return Outcome(expired, reminded)


@shared_task(name="quotes.expire_and_remind")
def expire_and_remind_task() -> dict[str, int]:
    outcome = expire_and_remind()
    return {"expired": outcome.expired, "reminded": outcome.reminded}
