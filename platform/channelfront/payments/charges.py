"""Charging a company's saved card for an order or an open invoice: once, whatever happens.

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
from channelfront.invoices.models import Invoice
from channelfront.orders import events
from channelfront.orders.models import Order, PaymentMethod
from channelfront.outbox.services import commit_and_dispatch
from channelfront.payments import claims, customers, settle
from channelfront.payments.cards import decline_reason, find_card
from channelfront.payments.errors import CardDeclined, PaymentInputError, PaymentUnavailable
from channelfront.payments.stripe_client import client, payment_method_types

log = logging.getLogger(__name__)
UNREACHABLE = (
    stripe.APIConnectionError,
    stripe.AuthenticationError,
    stripe.PermissionError,
    stripe.RateLimitError,
    stripe.APIError,
)
INVOICE_FAILED = "invoice_payment_failed"


def _intent_id(exc: stripe.StripeError) -> str | None:
    intent = getattr(getattr(exc, "error", None), "payment_intent", None)
    if intent is None:
        return None
    return intent if isinstance(intent, str) else getattr(intent, "id", None)


def _charge(
    customer_id: str, card: dict[str, str], amount: int, currency: str, metadata: dict, key: str
) -> Any:
    return client().v1.payment_intents.create(
        params={
            "amount": amount,
            "currency": currency.lower(),
            "customer": customer_id,
            "payment_method": card["id"],
            "payment_method_types": payment_method_types(),
            "confirm": True,
            "metadata": metadata,
        },
        options={"idempotency_key": key},
    )


def _retrieve(intent_id: str) -> Any | None:
    try:
        return client().v1.payment_intents.retrieve(intent_id)
    except stripe.InvalidRequestError:
        return None
    except stripe.StripeError as exc:
        raise PaymentUnavailable(str(exc)) from exc


def _cancel_quietly(intent_id: str) -> None:
    try:
        client().v1.payment_intents.cancel(intent_id)
    except stripe.StripeError as exc:
        log.warning("could not cancel payment intent %s: %s", intent_id, exc)


def order_metadata(order: Order) -> dict[str, str]:
    return {
        "tenant_id": str(order.tenant_id),
        "order_id": str(order.id),
        "order_number": order.number,
        "purpose": "order",
    }


def _earlier(order: Order, metadata: dict[str, str], amount: int, currency: str) -> Any | None:
    """The last charge of this payment when it went through (or still runs) after all.

    Asked before a retry: a success the page never heard of (a lost response, a webhook
    not yet arrived) must settle the order rather than charge the card a second time.
    """
    if not claims.is_intent(order.payment_intent_id):
        return None
    intent = _retrieve(str(order.payment_intent_id))
    if intent is None or intent.status not in ("succeeded", "processing"):
        return None
    meta = intent.metadata.to_dict() if intent.metadata else {}
    same = (
        all(meta.get(k) == v for k, v in metadata.items())
        and int(intent.amount) == amount
        and str(intent.currency).lower() == currency.lower()
    )
    return intent if same else None


def _unfinished_reason(status: str) -> str:
    if status == "requires_action":
        return _(
            "The card issuer asks for authentication, which checkout cannot do yet. "
            "Please use another card."
        )
    return _("The card payment did not complete. Please try again or use another card.")


def pay_order(order: Order, payment_method_id: str, actor: User) -> None:
    """Charge the order's total to a saved card of the company (commits).

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
    earlier = _earlier(order, metadata, order.total_minor, order.currency)
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
        intent = _charge(customer_id, card, order.total_minor, order.currency, metadata, key)
    except stripe.CardError as exc:
        failed = _intent_id(exc)
        settle.order_failed(
            order, decline_reason(exc), failed, actor.id, Order.payment_intent_id == marker
        )
        db.session.commit()
        return
    except UNREACHABLE as exc:
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
        _cancel_quietly(intent.id)
        reason = _unfinished_reason(intent.status)
        settle.order_failed(order, reason, intent.id, actor.id, Order.payment_intent_id == marker)
        db.session.commit()


def invoice_metadata(invoice: Invoice, order: Order) -> dict[str, str]:
    return {
        "tenant_id": str(invoice.tenant_id),
        "order_id": str(order.id),
        "order_number": order.number,
        "invoice_id": str(invoice.id),
        "invoice_number": invoice.number,
        "purpose": "invoice",
    }


def pay_invoice(invoice: Invoice, order: Order, payment_method_id: str, actor: User) -> None:
    """Charge an open invoice to a saved card of the company and mark it paid (commits).

    A decline raises CardDeclined with the reason (also on the order's timeline); the
    invoice stays open. An invoice already paid is not charged again.
    """
    if invoice.order_id != order.id:
        raise ValueError("the invoice belongs to another order")
    if invoice.status != "open":
        return
    card = find_card(invoice.company_id, payment_method_id)
    metadata = invoice_metadata(invoice, order)
    earlier = _earlier(order, metadata, invoice.total_minor, invoice.currency)
    if earlier is not None:
        if earlier.status == "succeeded" and settle.invoice_paid(
            invoice, order, earlier.id, actor.id
        ):
            commit_and_dispatch()
        return
    held = claims.claim(order)
    if held is None:
        return
    marker, previous = held
    customer_id = customers.ensure_customer(invoice.company_id)
    attempt = claims.attempt_number(order, INVOICE_FAILED)
    key = f"channelfront-{invoice.tenant_id}-invoice-{invoice.id}-{attempt}-{card['id']}"
    try:
        intent = _charge(customer_id, card, invoice.total_minor, invoice.currency, metadata, key)
    except stripe.CardError as exc:
        _invoice_failed(order, marker, _intent_id(exc) or previous, decline_reason(exc), actor)
    except UNREACHABLE as exc:
        log.warning("card payment of invoice %s not made: %s", invoice.number, exc)
        claims.release(order, marker, previous)
        raise PaymentUnavailable(str(exc)) from exc
    except stripe.StripeError as exc:
        log.warning("Stripe refused the payment of invoice %s: %s", invoice.number, exc)
        reason = _("Stripe refused this payment. Please use another card.")
        _invoice_failed(order, marker, previous, reason, actor)
    if intent.status == "succeeded":
        settle.invoice_paid(invoice, order, intent.id, actor.id)
        commit_and_dispatch()
    elif intent.status in ("processing", "requires_capture"):
        claims.release(order, marker, intent.id)
    else:
        _cancel_quietly(intent.id)
        _invoice_failed(order, marker, intent.id, _unfinished_reason(intent.status), actor)


def _invoice_failed(
    order: Order, marker: str, intent_id: str | None, reason: str, actor: User
) -> None:
    claims.release(order, marker, intent_id)
    events.record(order, INVOICE_FAILED, actor_id=actor.id, note=reason)
    db.session.commit()
    raise CardDeclined(reason)
