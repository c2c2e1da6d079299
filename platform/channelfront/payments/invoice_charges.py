"""Paying an open invoice with a company's saved card, once; a decline is raised."""

from __future__ import annotations

import logging

import stripe
from flask_babel import gettext as _

from channelfront.accounts.models import User
from channelfront.extensions import db
from channelfront.invoices.models import Invoice
from channelfront.orders import lifecycle
from channelfront.orders.models import Order
from channelfront.outbox.services import commit_and_dispatch
from channelfront.payments import claims, customers, intents, settle
from channelfront.payments.cards import decline_reason, find_card
from channelfront.payments.errors import CardDeclined, PaymentUnavailable

log = logging.getLogger(__name__)
INVOICE_FAILED = "invoice_payment_failed"


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
    earlier = intents.earlier(order, metadata, invoice.total_minor, invoice.currency)
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
        intent = intents.create(
            customer_id, card, invoice.total_minor, invoice.currency, metadata, key
        )
    except stripe.CardError as exc:
        _invoice_failed(
            order, marker, intents.intent_id_of(exc) or previous, decline_reason(exc), actor
        )
    except intents.UNREACHABLE as exc:
        log.warning("card payment of invoice %s not made: %s", invoice.number, exc)
        claims.release(order, marker, previous)
        raise PaymentUnavailable(str(exc)) from exc
    except stripe.StripeError as exc:
        log.warning("Stripe refused the payment of invoice %s: %s", invoice.number, exc)
        reason = _("Stripe refused this payment. Please use another card.")
        _invoice_failed(order, marker, previous, reason, actor)
    if intent.status == "succeeded":
        if not settle.invoice_paid(invoice, order, intent.id, actor.id):
            _settled_meanwhile(invoice, order, intent.id, marker, previous)
        commit_and_dispatch()
    elif intent.status in ("processing", "requires_capture"):
        claims.release(order, marker, intent.id)
    else:
        intents.cancel_quietly(intent.id)
        _invoice_failed(order, marker, intent.id, intents.unfinished_reason(intent.status), actor)


def _settled_meanwhile(
    invoice: Invoice, order: Order, intent_id: str, marker: str, previous: str | None
) -> None:
    """Finance marked the invoice paid while the card was charged: give the money back."""
    db.session.rollback()
    if db.session.get(Order, order.id).payment_intent_id == intent_id:
        return  # Stripe's webhook recorded this very payment first
    log.warning("invoice %s was settled during its card payment: refunding", invoice.number)
    intents.refund_quietly(intent_id)
    claims.release(order, marker, previous)


def _invoice_failed(
    order: Order, marker: str, intent_id: str | None, reason: str, actor: User
) -> None:
    claims.release(order, marker, intent_id)
    lifecycle.note(order, INVOICE_FAILED, actor.id, reason)
    db.session.commit()
    raise CardDeclined(reason)
