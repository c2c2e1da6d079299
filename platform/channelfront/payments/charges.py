"""Charging a company's saved card for an order: once, whatever happens.

Our own guards make a charge happen once (localstripe ignores idempotency keys, and a
double click must not become two charges on real Stripe either): an order already
paid is never charged again, a claim lets one caller charge at a time, and a retry
first asks Stripe whether the last payment went through after all.
"""

from __future__ import annotations

import logging
from typing import Any

import stripe
from flask_babel import gettext as _

from channelfront.accounts.models import User
from channelfront.extensions import db
from channelfront.orders.models import Order, PaymentMethod
from channelfront.outbox.services import commit_and_dispatch
from channelfront.payments import claims, customers, intents, settle
from channelfront.payments.cards import decline_reason, find_card
from channelfront.payments.errors import PaymentInputError, PaymentUnavailable

log = logging.getLogger(__name__)


def order_metadata(order: Order) -> dict[str, str]:
    return {
        "tenant_id": str(order.tenant_id),
        "order_id": str(order.id),
        "order_number": order.number,
        "purpose": "order",
    }


def pay_order(order: Order, payment_method_id: str, actor: User) -> None:
    """Charge what the order's total less its credit notes leaves to a saved card (commits).

    Success: the order is paid and queued for fulfilment. A decline: status
    ``payment_failed`` with the reason in ``order.payment_error``. An order already
    paid (or being paid by another request) is not charged again.
    """
    if order.payment_method != PaymentMethod.CARD:
        raise PaymentInputError("payment", _("This order is paid on account."))
    if order.status not in settle.PAYABLE:
        return
    card = find_card(order.company_id, payment_method_id)
    metadata = order_metadata(order)
    earlier = intents.earlier(order, metadata, order.due_minor, order.currency)
    if earlier is not None:
        if earlier.status == "succeeded" and settle.order_paid(order, earlier.id, actor.id):
            commit_and_dispatch()
        return
    held = claims.claim(order, Order.status.in_(settle.PAYABLE))
    if held is None:
        return
    marker, previous = held
    customer_id = customers.ensure_customer(order.company_id)
    attempt = claims.attempt_number(order, "payment_failed")
    key = f"channelfront-{order.tenant_id}-order-{order.id}-{attempt}-{card['id']}"
    try:
        intent = intents.create(customer_id, card, order.due_minor, order.currency, metadata, key)
    except stripe.CardError as exc:
        failed = intents.intent_id_of(exc)
        settle.order_failed(
            order, decline_reason(exc), failed, actor.id, Order.payment_intent_id == marker
        )
        db.session.commit()
        return
    except intents.UNREACHABLE as exc:
        log.warning("card payment of %s not made: %s", order.number, exc)
        claims.release(order, marker, previous)
        raise PaymentUnavailable(str(exc)) from exc
    except stripe.StripeError as exc:
        log.warning("Stripe refused the payment of %s: %s", order.number, exc)
        reason = _("Stripe refused this payment. Please use another card.")
        settle.order_failed(order, reason, None, actor.id, Order.payment_intent_id == marker)
        db.session.commit()
        return
    _conclude_order(order, intent, marker, card, actor)


def _conclude_order(order: Order, intent: Any, marker: str, card: dict, actor: User) -> None:
    if intent.status == "succeeded":
        settle.order_paid(order, intent.id, actor.id, card)
        commit_and_dispatch()
    elif intent.status in ("processing", "requires_capture"):
        claims.release(order, marker, intent.id)
    else:
        intents.cancel_quietly(intent.id)
        reason = intents.unfinished_reason(intent.status)
        settle.order_failed(order, reason, intent.id, actor.id, Order.payment_intent_id == marker)
        db.session.commit()
