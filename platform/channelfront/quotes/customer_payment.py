"""The end customer pays a quote by card: charged once, booked once.

Modelled on ``renewals.selfservice``. Nothing is charged unless the quote is open,
valid, at the revision and total the page showed, and still bookable at the reseller's
buy prices today. A QuotePayment row for (quote, revision) is then claimed in its own
commit: one request charges at a time, and a paid revision charges nothing more. A
claim left by a process that died is taken over after CLAIM_TIMEOUT, first asking
Stripe whether its charge went through. Once the charge succeeded, the order, the
margin credit note, the paid quote and the payment are written in one transaction;
if the quote cannot be booked after all, the charge is refunded.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import stripe
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from channelfront import row_locks
from channelfront.extensions import db
from channelfront.orders.errors import OrderInputError
from channelfront.orders.models import Order
from channelfront.outbox.services import PENDING_KEY, commit_and_dispatch
from channelfront.payments import intents
from channelfront.payments.card_source import CardSource, payment_method
from channelfront.payments.cards import decline_reason
from channelfront.payments.errors import CardDeclined, PaymentUnavailable
from channelfront.payments.stripe_client import client, payment_method_types
from channelfront.quotes import booking, customer, services
from channelfront.quotes.models import OPEN_TO_CUSTOMER, PaymentState, Quote, QuotePayment
from channelfront.web import params

log = logging.getLogger(__name__)
CLAIM_TIMEOUT = timedelta(seconds=120)


class AlreadyPaid(Exception):
    """The revision the form pays for is paid already (a replay, a second tab)."""


class PaymentBusy(Exception):
    """Another request is paying this quote right now."""


class PaymentPending(Exception):
    """Stripe has not finished the payment yet; the page asks to come back later."""


class QuoteChanged(Exception):
    """The quote cannot be paid as shown (revised, expired, closed, repriced); nothing
    was charged. ``message`` is for the customer."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BookingFailed(QuoteChanged):
    """The card was charged but the order could not be booked: the charge is refunded."""


def whole_number(raw: object, field: str) -> int:
    return params.whole_number(
        raw,
        field,
        _("This page is out of date. Reload it and check the quote."),
        maximum=10**15,
        error=OrderInputError,
    )


def _now() -> datetime:
    return datetime.now(UTC)


def _fresh(stamp: datetime) -> bool:
    aware = stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)  # SQLite drops the zone
    return _now() - aware < CLAIM_TIMEOUT


def find_payment(quote_id: int, revision: int) -> QuotePayment | None:
    return db.session.scalar(
        select(QuotePayment).where(
            QuotePayment.quote_id == quote_id, QuotePayment.revision == revision
        )
    )


def _check_payable(quote: Quote, revision: int, amount: int) -> None:
    """Refuse, before anything is claimed or charged, a quote not payable as shown."""
    if revision != quote.revision:
        raise QuoteChanged(
            _("This quote was updated after you opened it. Ask the reseller for the new link.")
        )
    if quote.status not in OPEN_TO_CUSTOMER:
        raise QuoteChanged(_("This quote can no longer be paid."))
    if services.is_expired(quote):
        raise QuoteChanged(_("This quote has expired. Ask the reseller for a new quote."))
    if amount != quote.resale_total_minor:
        raise QuoteChanged(_("The total of this quote has changed. Reload the page and check it."))
    try:
        booking.buy_total(quote)
    except booking.NotBookable as exc:
        log.info("quote %s not payable: %s", quote.id, exc)
        raise QuoteChanged(
            _(
                "This quote can no longer be paid online because its prices have changed. "
                "Please ask the reseller for a new quote. Nothing was charged."
            )
        ) from exc


def _claim(quote: Quote) -> QuotePayment:
    """Claim the revision for one charge (commits); AlreadyPaid or PaymentBusy otherwise."""
    payment = find_payment(quote.id, quote.revision)
    if payment is None:
        try:
            with db.session.begin_nested():
                payment = QuotePayment(
                    tenant_id=quote.tenant_id,
                    quote_id=quote.id,
                    revision=quote.revision,
                    state=PaymentState.CHARGING.value,
                    attempt=1,
                    amount_minor=quote.resale_total_minor,
                    currency=quote.currency,
                    updated_at=_now(),
                )
                db.session.add(payment)
            db.session.commit()
            return payment
        except IntegrityError:
            payment = find_payment(quote.id, quote.revision)
            if payment is None:
                raise
    if payment.state == PaymentState.PAID:
        raise AlreadyPaid
    if payment.state == PaymentState.CHARGING and _fresh(payment.updated_at):
        raise PaymentBusy
    # A declined card (or a refunded charge) makes a new attempt: a new idempotency key.
    retry = payment.state in (PaymentState.DECLINED, PaymentState.REFUNDED)
    result = db.session.execute(
        update(QuotePayment)
        .where(
            QuotePayment.id == payment.id,
            QuotePayment.state == payment.state,
            QuotePayment.updated_at == payment.updated_at,
        )
        .values(
            state=PaymentState.CHARGING.value,
            attempt=payment.attempt + 1 if retry else payment.attempt,
            amount_minor=quote.resale_total_minor,
            error=None,
            updated_at=_now(),
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        raise PaymentBusy
    db.session.commit()
    db.session.refresh(payment)
    return payment


def _settle(payment: QuotePayment, state: PaymentState, **values: Any) -> None:
    """Leave the claim in ``state`` (commits)."""
    for name, value in values.items():
        setattr(payment, name, value)
    payment.state = state.value
    payment.updated_at = _now()
    db.session.commit()


def _metadata(payment: QuotePayment, quote: Quote) -> dict[str, str]:
    return {
        "tenant_id": str(payment.tenant_id),
        "quote_id": str(payment.quote_id),
        "quote_number": quote.number,
        "revision": str(payment.revision),
        "purpose": "quote",
    }


def _earlier_success(payment: QuotePayment, quote: Quote) -> str | None:
    """The id of a charge of this claim that went through after all (a lost response)."""
    if not (payment.payment_intent_id or "").startswith("pi_"):
        return None
    intent = intents.retrieve(str(payment.payment_intent_id))
    if intent is None or intent.status != "succeeded":
        return None
    meta = intent.metadata.to_dict() if intent.metadata else {}
    same = all(meta.get(k) == v for k, v in _metadata(payment, quote).items())
    return intent.id if same and int(intent.amount) == payment.amount_minor else None


def _charge(payment: QuotePayment, quote: Quote, source: CardSource) -> Any:
    key = (
        f"channelfront-{payment.tenant_id}-quote-{payment.quote_id}"
        f"-{payment.revision}-{payment.attempt}"
    )
    return client().v1.payment_intents.create(
        params={
            "amount": payment.amount_minor,
            "currency": payment.currency.lower(),
            "payment_method": payment_method(source),
            "payment_method_types": payment_method_types(),
            "confirm": True,
            "metadata": _metadata(payment, quote),
        },
        options={"idempotency_key": key},
    )


def pay(quote: Quote, shown_revision: object, shown_total: object, source: CardSource) -> Order:
    """Charge the quote's resale total to the card and book its order (commits).

    ``shown_revision`` and ``shown_total`` are what the page showed. A paid revision
    raises AlreadyPaid without calling Stripe; a quote not payable as shown raises
    QuoteChanged with nothing charged; a decline raises CardDeclined and records only
    the declined attempt; a charge that cannot be booked is refunded (BookingFailed).
    """
    revision = whole_number(shown_revision, "revision")
    amount = whole_number(shown_total, "amount")
    done = find_payment(quote.id, revision)
    if done is not None and done.state == PaymentState.PAID:
        raise AlreadyPaid
    _check_payable(quote, revision, amount)
    payment = _claim(quote)
    earlier = _earlier_success(payment, quote)
    if earlier is not None:
        return _book(quote, payment, earlier)
    try:
        intent = _charge(payment, quote, source)
    except stripe.CardError as exc:
        reason = decline_reason(exc)
        _settle(
            payment,
            PaymentState.DECLINED,
            error=reason[:300],
            payment_intent_id=intents.intent_id_of(exc),
        )
        raise CardDeclined(reason) from exc
    except intents.UNREACHABLE as exc:
        log.warning("quote %s not charged: %s", payment.quote_id, exc)
        _settle(payment, PaymentState.RELEASED)
        raise PaymentUnavailable(str(exc)) from exc
    except stripe.StripeError as exc:
        log.warning("Stripe refused the payment of quote %s: %s", payment.quote_id, exc)
        reason = _("Stripe refused this payment. Please use another card.")
        _settle(payment, PaymentState.DECLINED, error=reason[:300])
        raise CardDeclined(reason) from exc
    if intent.status == "succeeded":
        _settle(payment, PaymentState.CHARGING, payment_intent_id=intent.id)
        return _book(quote, payment, intent.id)
    if intent.status in ("processing", "requires_capture"):
        _settle(payment, PaymentState.RELEASED, payment_intent_id=intent.id)
        raise PaymentPending
    intents.cancel_quietly(intent.id)
    reason = intents.unfinished_reason(intent.status)
    _settle(payment, PaymentState.DECLINED, error=reason[:300], payment_intent_id=intent.id)
    raise CardDeclined(reason)


def _book(quote: Quote, payment: QuotePayment, intent_id: str) -> Order:
    """The charge went through: book the order, credit the margin, mark the quote and
    the payment paid and tell the buyer, in one transaction; refund if it cannot be."""
    # Under the quote's lock, so a revision or withdrawal made meanwhile is seen here.
    row_locks.hold(Quote, quote.id)
    db.session.refresh(quote)
    try:
        if quote.revision != payment.revision or quote.status not in OPEN_TO_CUSTOMER:
            raise booking.NotBookable(_("This quote was changed while you were paying."))
        order = booking.book(quote, intent_id, payment.amount_minor)
    except booking.NotBookable as exc:
        _refund(quote, payment, intent_id, str(exc))
        raise BookingFailed(
            _(
                "This quote was changed while you were paying, so it could not be ordered. "
                "Your card payment has been refunded."
            )
        ) from exc
    payment.state = PaymentState.PAID.value
    payment.payment_intent_id = intent_id
    payment.updated_at = _now()
    customer.tell_buyer(quote, "paid")
    commit_and_dispatch()
    return order


def _refund(quote: Quote, payment: QuotePayment, intent_id: str, reason: str) -> None:
    """Undo everything the booking wrote, refund the charge and say so on the timeline."""
    db.session.rollback()
    db.session.info.pop(PENDING_KEY, None)  # messages of the rolled-back booking
    log.warning("quote %s paid but not bookable, refunding %s: %s", quote.id, intent_id, reason)
    intents.refund_quietly(intent_id)
    services.record(
        quote,
        "payment_refunded",
        data={"payment_intent": intent_id, "reason": reason[:300]},
    )
    _settle(payment, PaymentState.REFUNDED, payment_intent_id=intent_id, error=reason[:300])
