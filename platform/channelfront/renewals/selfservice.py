"""The end customer pays the next term by card: charged once, recorded once.

Before Stripe is called, a RenewalPayment row for (subscription, term) is claimed in
its own commit: the unique pair lets one request charge at a time, and a replayed
form for a term already paid charges nothing. A claim left by a process that died is
taken over after CLAIM_TIMEOUT seconds, with the same Stripe idempotency key unless
the card was declined; and a retry first asks Stripe whether the last attempt went
through. The term, the longer subscription, ``subscription_renewed`` and the mail to
the reseller are written in one transaction once the charge has succeeded.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import stripe
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from channelfront.extensions import db
from channelfront.orders.errors import OrderInputError
from channelfront.orders.signals import subscription_renewed
from channelfront.outbox.services import commit_and_dispatch, enqueue
from channelfront.payments import intents
from channelfront.payments.card_source import CardSource, payment_method
from channelfront.payments.cards import decline_reason
from channelfront.payments.errors import CardDeclined, PaymentUnavailable
from channelfront.payments.stripe_client import client, payment_method_types
from channelfront.renewals import terms
from channelfront.renewals.models import Channel, PaymentState, RenewalPayment, SubscriptionTerm
from channelfront.renewals.offers import Offer
from channelfront.subscriptions import services as subscriptions
from channelfront.subscriptions.models import Subscription
from channelfront.web import params

log = logging.getLogger(__name__)
CLAIM_TIMEOUT = timedelta(seconds=120)
MAIL_TOPIC = "mail.subscription_renewed"


class AlreadyRenewed(Exception):
    """The term the form pays for is paid already (a replay, or the reseller renewed it)."""

    def __init__(self, term_index: int) -> None:
        super().__init__(term_index)
        self.term_index = term_index


class PaymentBusy(Exception):
    """Another request is paying this term right now."""


class PaymentPending(Exception):
    """Stripe has not finished the payment yet; the page asks to come back later."""


class RenewedMeanwhile(Exception):
    """The card was charged but the term had been taken meanwhile: the charge is refunded."""


def whole_number(raw: object, field: str) -> int:
    return params.whole_number(
        raw,
        field,
        _("This page is out of date. Check the renewal and pay again."),
        maximum=10**15,
        error=OrderInputError,
    )


def _now() -> datetime:
    return datetime.now(UTC)


def _fresh(stamp: datetime) -> bool:
    aware = stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)  # SQLite drops the zone
    return _now() - aware < CLAIM_TIMEOUT


def _find_payment(subscription_id: int, term_index: int) -> RenewalPayment | None:
    return db.session.scalar(
        select(RenewalPayment).where(
            RenewalPayment.subscription_id == subscription_id,
            RenewalPayment.term_index == term_index,
        )
    )


def _claim(offer: Offer) -> RenewalPayment:
    """Claim the term for one charge (commits); AlreadyRenewed or PaymentBusy otherwise."""
    subscription = offer.subscription
    payment = _find_payment(subscription.id, offer.term_index)
    if payment is None:
        try:
            with db.session.begin_nested():
                payment = RenewalPayment(
                    tenant_id=subscription.tenant_id,
                    subscription_id=subscription.id,
                    term_index=offer.term_index,
                    state=PaymentState.CHARGING.value,
                    attempt=1,
                    amount_minor=offer.total.minor,
                    currency=offer.total.currency,
                    updated_at=_now(),
                )
                db.session.add(payment)
            db.session.commit()
            return payment
        except IntegrityError:
            payment = _find_payment(subscription.id, offer.term_index)
            if payment is None:
                raise
    if payment.state == PaymentState.PAID:
        raise AlreadyRenewed(payment.term_index)
    if payment.state == PaymentState.CHARGING and _fresh(payment.updated_at):
        raise PaymentBusy
    # A declined card (or a refunded charge) makes a new attempt: a new idempotency key.
    retry = payment.state in (PaymentState.DECLINED, PaymentState.REFUNDED)
    result = db.session.execute(
        update(RenewalPayment)
        .where(
            RenewalPayment.id == payment.id,
            RenewalPayment.state == payment.state,
            RenewalPayment.updated_at == payment.updated_at,
        )
        .values(
            state=PaymentState.CHARGING.value,
            attempt=payment.attempt + 1 if retry else payment.attempt,
            amount_minor=offer.total.minor,
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


def _settle(payment: RenewalPayment, state: PaymentState, **values: Any) -> None:
    """Leave the claim in ``state`` (commits)."""
    for name, value in values.items():
        setattr(payment, name, value)
    payment.state = state.value
    payment.updated_at = _now()
    db.session.commit()


def _metadata(payment: RenewalPayment) -> dict[str, str]:
    return {
        "tenant_id": str(payment.tenant_id),
        "subscription_id": str(payment.subscription_id),
        "term_index": str(payment.term_index),
        "purpose": "renewal",
    }


def _earlier_success(payment: RenewalPayment) -> str | None:
    """The id of a charge of this claim that went through after all (a lost response)."""
    if not (payment.payment_intent_id or "").startswith("pi_"):
        return None
    intent = intents.retrieve(str(payment.payment_intent_id))
    if intent is None or intent.status != "succeeded":
        return None
    meta = intent.metadata.to_dict() if intent.metadata else {}
    same = all(meta.get(k) == v for k, v in _metadata(payment).items())
    return intent.id if same and int(intent.amount) == payment.amount_minor else None


def _charge(payment: RenewalPayment, source: CardSource) -> Any:
    key = (
        f"channelfront-{payment.tenant_id}-renewal-{payment.subscription_id}"
        f"-{payment.term_index}-{payment.attempt}"
    )
    return client().v1.payment_intents.create(
        params={
            "amount": payment.amount_minor,
            "currency": payment.currency.lower(),
            "payment_method": payment_method(source),
            "payment_method_types": payment_method_types(),
            "confirm": True,
            "metadata": _metadata(payment),
        },
        options={"idempotency_key": key},
    )


def pay(
    offer: Offer, shown_term: object, shown_total: object, source: CardSource
) -> SubscriptionTerm:
    """Charge the offer's total to the card and record the term (commits).

    ``shown_term`` and ``shown_total`` are what the page showed: a form for a term that
    is paid already raises AlreadyRenewed without charging; another total is refused.
    A decline raises CardDeclined and records nothing but the declined attempt.
    """
    subscription = offer.subscription
    term_index = whole_number(shown_term, "term")
    if term_index <= subscription.term_index:
        raise AlreadyRenewed(term_index)
    if term_index != offer.term_index:
        raise OrderInputError(
            "term", _("This page is out of date. Check the renewal and pay again.")
        )
    if whole_number(shown_total, "amount") != offer.total.minor:
        raise OrderInputError(
            "amount", _("The price has changed. Check the renewal and pay again.")
        )
    payment = _claim(offer)
    earlier = _earlier_success(payment)
    if earlier is not None:
        return _record(subscription, payment, earlier)
    try:
        intent = _charge(payment, source)
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
        log.warning("renewal of subscription %s not charged: %s", subscription.id, exc)
        _settle(payment, PaymentState.RELEASED)
        raise PaymentUnavailable(str(exc)) from exc
    except stripe.StripeError as exc:
        log.warning("Stripe refused the renewal of subscription %s: %s", subscription.id, exc)
        reason = _("Stripe refused this payment. Please use another card.")
        _settle(payment, PaymentState.DECLINED, error=reason[:300])
        raise CardDeclined(reason) from exc
    if intent.status == "succeeded":
        _settle(payment, PaymentState.CHARGING, payment_intent_id=intent.id)
        return _record(subscription, payment, intent.id)
    if intent.status in ("processing", "requires_capture"):
        _settle(payment, PaymentState.RELEASED, payment_intent_id=intent.id)
        raise PaymentPending
    intents.cancel_quietly(intent.id)
    reason = intents.unfinished_reason(intent.status)
    _settle(payment, PaymentState.DECLINED, error=reason[:300], payment_intent_id=intent.id)
    raise CardDeclined(reason)


def _record(
    subscription: Subscription, payment: RenewalPayment, intent_id: str
) -> SubscriptionTerm:
    """The charge went through: record the term once, tell listeners and the reseller."""
    if not subscriptions.claim_index(subscription.id, payment.term_index):
        db.session.rollback()
        intents.refund_quietly(intent_id)
        _settle(payment, PaymentState.REFUNDED, payment_intent_id=intent_id)
        raise RenewedMeanwhile
    db.session.refresh(subscription)
    term = terms.record_term(
        subscription,
        SubscriptionTerm(
            tenant_id=subscription.tenant_id,
            term_index=payment.term_index,
            channel=Channel.SELF_SERVICE.value,
            company_id=None,
            payment_intent_id=intent_id,
            amount_minor=payment.amount_minor,
            currency=payment.currency,
            quantity=subscription.quantity,
            term_months=subscription.term_months,
            paid_at=_now(),
        ),
    )
    payment.state = PaymentState.PAID.value
    payment.payment_intent_id = intent_id
    payment.updated_at = _now()
    subscription_renewed.send(term)
    enqueue(subscription.tenant_id, MAIL_TOPIC, {"term_id": term.id})
    commit_and_dispatch()
    return term
