"""Refunding a card-paid order in full: a Stripe Refund and a "refunded" event."""

from __future__ import annotations

import logging

import stripe
from flask_babel import gettext as _

from channelfront.accounts.models import User
from channelfront.audit.service import record
from channelfront.audit.values import money
from channelfront.extensions import db
from channelfront.orders import lifecycle
from channelfront.orders.models import Order, OrderStatus, PaymentMethod
from channelfront.orders.signals import order_refund_credits, order_refunded
from channelfront.outbox.services import commit_and_dispatch
from channelfront.payments import claims, settle
from channelfront.payments.errors import PaymentInputError, PaymentUnavailable
from channelfront.payments.stripe_client import client
from channelfront.subscriptions import services as subscriptions

log = logging.getLogger(__name__)
MAX_REASON_LENGTH = 500


def refundable(order: Order) -> bool:
    """True for an order paid by card (the company's, or a quote's end customer's) and
    not refunded yet."""
    return (
        order.payment_method in (PaymentMethod.CARD, PaymentMethod.END_CUSTOMER_CARD)
        and order.status in settle.PAID_AND_AFTER
        and claims.is_intent(order.payment_intent_id)
    )


def refund_amount(order: Order) -> int:
    """What a full refund gives back: the order's card charge or, for a quote its end
    customer paid, the resale total charged to the customer (more than the order)."""
    if order.payment_method == PaymentMethod.END_CUSTOMER_CARD:
        for event in order.events:
            if event.kind == OrderStatus.PAID and (event.data or {}).get("amount_minor"):
                return int(event.data["amount_minor"])
    return order.due_minor


def record_refund(order: Order, actor_id: int | None, data: dict, note: str | None) -> None:
    """The order is refunded (no commit): its event, and its subscriptions end."""
    record(
        "order.refunded",
        order,
        label=order.number,
        before={"status": str(order.status)},
        after={
            "status": OrderStatus.REFUNDED.value,
            "amount": money(data.get("amount_minor", order.due_minor), order.currency),
        },
        tenant_id=order.tenant_id,
        company_id=order.company_id,
        actor=db.session.get(User, actor_id) if actor_id else None,
    )
    lifecycle.mark_refunded(order, actor_id, note, data)
    subscriptions.cancel_for_order(order.id)
    order_refund_credits.send(order)
    order_refunded.send(order)


def refund_order(order: Order, actor: User, reason: str = "") -> bool:
    """Refund a card-paid order in full (commits). False when it was refunded already.

    The order's row stays locked while Stripe refunds, so a second request (a double
    click) waits and then finds the order refunded: one refund.
    """
    if order.status == OrderStatus.REFUNDED:
        return False
    note = (reason or "").strip()
    if len(note) > MAX_REASON_LENGTH:
        raise PaymentInputError(
            "reason", _("The reason has at most %(max)d characters.", max=MAX_REASON_LENGTH)
        )
    if not refundable(order):
        raise PaymentInputError("order", _("Only an order paid by card can be refunded."))
    if not settle.lock(Order, order.id, Order.status.in_(settle.PAID_AND_AFTER)):
        db.session.rollback()
        return False
    db.session.refresh(order)
    try:
        refund = client().v1.refunds.create(
            params={
                "payment_intent": order.payment_intent_id,
                "metadata": {"tenant_id": str(order.tenant_id), "order_number": order.number},
            },
            options={"idempotency_key": f"channelfront-{order.tenant_id}-refund-{order.id}"},
        )
        data = {"refund": refund.id, "amount_minor": int(refund.amount)}
    except stripe.InvalidRequestError as exc:
        if getattr(exc, "code", None) != "charge_already_refunded":
            db.session.rollback()
            log.warning("Stripe refused to refund %s: %s", order.number, exc)
            raise PaymentInputError("order", _("Stripe refused the refund.")) from exc
        data = {"refund": None}
    except stripe.StripeError as exc:
        db.session.rollback()
        raise PaymentUnavailable(str(exc)) from exc
    record_refund(order, actor.id, data, note or None)
    commit_and_dispatch()
    return True
