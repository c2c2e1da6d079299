"""What each Stripe event changes; the webhook view checks the signature first.

Events are applied once: the event's id is stored with the change it makes, in one
transaction, so a replay (or Stripe's own retry) finds it and changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from channelfront.extensions import db
from channelfront.invoices.models import Invoice
from channelfront.orders.models import Order, OrderStatus
from channelfront.outbox.services import commit_and_dispatch
from channelfront.payments import claims, refunds, settle
from channelfront.payments.models import WebhookEvent
from channelfront.payments.stripe_client import client
from channelfront.tenancy.models import Tenant
from channelfront.tenancy.scoping import tenant_scope
from channelfront.web.params import parse_whole

log = logging.getLogger(__name__)
Handler = Callable[[Any, dict[str, str]], str]


def _metadata(obj: Any) -> dict[str, str]:
    meta = getattr(obj, "metadata", None)
    return {str(k): str(v) for k, v in (meta.to_dict() if meta else {}).items()}


def _order(meta: dict[str, str]) -> Order | None:
    order_id = parse_whole(meta.get("order_id"), minimum=1)
    if order_id is None:
        return None
    return db.session.scalar(
        select(Order).where(Order.id == order_id, Order.number == meta.get("order_number"))
    )


def _amount_matches(obj: Any, minor: int, currency: str) -> bool:
    return int(obj.amount) == minor and str(obj.currency).lower() == currency.lower()


def intent_succeeded(intent: Any, meta: dict[str, str]) -> str:
    order = _order(meta)
    if order is None:
        return "ignored"
    if meta.get("purpose") == "invoice":
        invoice = db.session.scalar(
            select(Invoice).where(
                Invoice.order_id == order.id, Invoice.number == meta.get("invoice_number")
            )
        )
        if invoice is None or not _amount_matches(intent, invoice.total_minor, invoice.currency):
            return "ignored"
        return "processed" if settle.invoice_paid(invoice, order, intent.id, None) else "settled"
    if not _amount_matches(intent, order.due_minor, order.currency):
        log.warning("payment %s does not match order %s: ignored", intent.id, order.number)
        return "ignored"
    return "processed" if settle.order_paid(order, intent.id, None) else "settled"


def intent_failed(intent: Any, meta: dict[str, str]) -> str:
    order = _order(meta)
    if order is None or meta.get("purpose") != "order":
        return "ignored"
    # The page that charged records its own decline; only a failure nobody saw is new.
    if order.status != OrderStatus.PLACED or claims.is_fresh_claim(order.payment_intent_id):
        return "settled"
    error = getattr(intent, "last_payment_error", None)
    reason = str(getattr(error, "message", None) or "The card payment failed.")
    changed = settle.order_failed(order, reason, intent.id, None)
    return "processed" if changed else "settled"


def charge_refunded(charge: Any, _meta: dict[str, str]) -> str:
    """A full refund made in Stripe's dashboard shows on the order too."""
    if not charge.payment_intent or int(charge.amount_refunded) < int(charge.amount):
        return "ignored"
    intent = client().v1.payment_intents.retrieve(str(charge.payment_intent))
    meta = _metadata(intent)
    order = _order(meta) if meta.get("purpose") == "order" else None
    if order is None or order.status == OrderStatus.REFUNDED:
        return "ignored" if order is None else "settled"
    if order.status not in settle.PAID_AND_AFTER:
        return "ignored"
    refunds.record_refund(order, None, {"source": "stripe"}, None)
    return "processed"


HANDLERS: dict[str, Handler] = {
    "payment_intent.succeeded": intent_succeeded,
    "payment_intent.payment_failed": intent_failed,
    "charge.refunded": charge_refunded,
}


def _tenant_of(obj: Any, meta: dict[str, str]) -> int | None:
    if getattr(obj, "object", None) == "charge":
        intent = str(getattr(obj, "payment_intent", "") or "")
        if not intent:
            return None
        meta = _metadata(client().v1.payment_intents.retrieve(intent))
    tenant_id = parse_whole(meta.get("tenant_id"), minimum=1)
    if tenant_id is None or db.session.get(Tenant, tenant_id) is None:
        return None
    return tenant_id


def apply(event: Any) -> str:
    """Apply one verified event, once. Returns processed, settled, ignored or duplicate."""
    event_id, event_type = getattr(event, "id", None), getattr(event, "type", None)
    if not isinstance(event_id, str) or not isinstance(event_type, str):
        return "ignored"
    seen = select(WebhookEvent.id).where(WebhookEvent.stripe_event_id == event_id[:80])
    if db.session.scalar(seen) is not None:
        log.info("Stripe event %s replayed: ignored", event_id)
        return "duplicate"
    obj = event.data.object
    handler = HANDLERS.get(event_type)
    meta = _metadata(obj)
    tenant_id = _tenant_of(obj, meta) if handler else None
    outcome = "ignored"
    with tenant_scope(tenant_id):
        if handler is not None and tenant_id is not None:
            outcome = handler(obj, meta)
        db.session.add(WebhookEvent(stripe_event_id=event_id[:80], type=event_type[:80]))
        try:
            commit_and_dispatch()
        except IntegrityError:
            db.session.rollback()
            log.info("Stripe event %s delivered twice at once: ignored", event_id)
            return "duplicate"
    return outcome
