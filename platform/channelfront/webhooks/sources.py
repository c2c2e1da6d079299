"""Where webhook events come from: receivers of the features' signals that publish them.

Each receiver runs inside the transaction of the change it announces, so the event
commits or rolls back with it. Nobody listening costs one query and builds nothing.
A payload that cannot be built is logged and skipped: a webhook never breaks a
checkout, a fulfilment or a statement close. ``deal.approved``/``deal.declined`` are
published by ``deals`` itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import nullcontext
from typing import Any

from sqlalchemy import select

from channelfront.extensions import db
from channelfront.fulfillment.models import License
from channelfront.invoices.models import Invoice
from channelfront.invoices.signals import invoice_issued, invoice_paid
from channelfront.orders.lifecycle import APPROVED
from channelfront.orders.models import Order, OrderEvent, OrderLine, OrderStatus
from channelfront.orders.signals import (
    order_event_recorded,
    renewal_notice_sent,
    subscription_renewed,
)
from channelfront.quotes.models import OPEN_TO_CUSTOMER, Quote, QuoteStatus
from channelfront.quotes.signals import quote_moved
from channelfront.renewals.models import SubscriptionTerm
from channelfront.statements.models import Statement
from channelfront.statements.partners import company_id_of
from channelfront.statements.signals import statement_closed
from channelfront.subscriptions.models import Subscription
from channelfront.webhooks import payloads
from channelfront.webhooks.publish import publish, subscribers

log = logging.getLogger(__name__)

#: Order timeline entries that are webhook events. An order an approver rejects or its
#: buyer withdraws ends unfulfilled like a cancelled one: receivers hear ``order.cancelled``
#: (its ``status`` says which).
ORDER_EVENTS = {
    OrderStatus.PLACED.value: "order.placed",
    OrderStatus.AWAITING_APPROVAL.value: "order.awaiting_approval",
    APPROVED: "order.approved",
    OrderStatus.FULFILLED.value: "order.fulfilled",
    OrderStatus.CANCELLED.value: "order.cancelled",
    OrderStatus.REJECTED.value: "order.cancelled",
    OrderStatus.WITHDRAWN.value: "order.cancelled",
    OrderStatus.REFUNDED.value: "order.refunded",
}


def emit(
    event_type: str,
    tenant_id: int,
    company_id: int | None,
    build: Callable[[], dict[str, Any]],
    *,
    flush: bool = True,
) -> None:
    """Publish ``build()`` when an endpoint hears ``event_type`` for this company.

    ``flush`` first writes the caller's pending rows (ids, timestamps) so the payload is
    complete; an error of the caller's own rows is theirs and propagates. Without it
    (a caller that expects its insert to fail at commit) nothing is flushed here.
    """
    with db.session.no_autoflush:
        if not subscribers(tenant_id, company_id, event_type):
            return
    if flush:
        db.session.flush()
    try:
        with nullcontext() if flush else db.session.no_autoflush:
            publish(event_type, company_id=company_id, tenant_id=tenant_id, data=build())
    except Exception:
        log.exception("webhook event %s (tenant %s) not recorded", event_type, tenant_id)


def on_order_event(order: Order, event: OrderEvent, **_extra: object) -> None:
    """A status of the order's timeline; a finished fulfilment also announces its keys
    and the renewals it paid."""
    event_type = ORDER_EVENTS.get(str(event.kind))
    if event_type is None:
        return
    emit(event_type, order.tenant_id, order.company_id, lambda: payloads.order_data(order))
    if event.kind == OrderStatus.FULFILLED:
        _licenses_issued(order)
        _renewed_by_order(order)


def _licenses_issued(order: Order) -> None:
    """One ``license.issued`` per key of the order, once its fulfilment is complete."""
    if not subscribers(order.tenant_id, order.company_id, "license.issued"):
        return
    lines = {line.id: line for line in order.lines}
    for lic in db.session.scalars(
        select(License).where(License.order_id == order.id).order_by(License.id)
    ):
        line: OrderLine = lines[lic.order_line_id]
        emit(
            "license.issued",
            order.tenant_id,
            order.company_id,
            lambda lic=lic, line=line: payloads.license_data(lic, order, line),
        )


def _renewed_by_order(order: Order) -> None:
    """The subscriptions a reseller's renewal lines extended."""
    for term in db.session.scalars(
        select(SubscriptionTerm)
        .where(SubscriptionTerm.order_id == order.id)
        .order_by(SubscriptionTerm.id)
    ):
        on_subscription_renewed(term)


def on_invoice_issued(invoice: Invoice, order: Order, **_extra: object) -> None:
    """An invoice; one issued already paid (card, credit notes) is also ``invoice.paid``.

    Not flushed: fulfilment expects a second worker's invoice to fail at its commit.
    """
    build = lambda: payloads.invoice_data(invoice, order)  # noqa: E731
    emit("invoice.issued", invoice.tenant_id, invoice.company_id, build, flush=False)
    if invoice.status == "paid":
        emit("invoice.paid", invoice.tenant_id, invoice.company_id, build, flush=False)


def on_invoice_paid(invoice: Invoice, order: Order, **_extra: object) -> None:
    emit(
        "invoice.paid",
        invoice.tenant_id,
        invoice.company_id,
        lambda: payloads.invoice_data(invoice, order),
        flush=False,
    )


def on_quote_moved(quote: Quote, from_status: str, **_extra: object) -> None:
    """Sent (each revision, once), accepted by the end customer, paid by the end customer.

    An order cancelled back to ``accepted`` is not a new acceptance.
    """
    status = quote.status
    if status == QuoteStatus.SENT:
        event_type = "quote.sent"
    elif status == QuoteStatus.ACCEPTED and from_status in OPEN_TO_CUSTOMER:
        event_type = "quote.accepted"
    elif status == QuoteStatus.PAID:
        event_type = "quote.paid"
    else:
        return
    emit(event_type, quote.tenant_id, quote.company_id, lambda: payloads.quote_data(quote))


def on_renewal_notice(subscription: Subscription, **_extra: object) -> None:
    emit(
        "subscription.renewal_due",
        subscription.tenant_id,
        subscription.company_id,
        lambda: payloads.subscription_data(subscription),
    )


def on_subscription_renewed(term: SubscriptionTerm, **_extra: object) -> None:
    """A paid renewal term, by the reseller's order or by the end customer alone; the
    subscription's reseller hears it either way."""
    subscription = db.session.get(Subscription, term.subscription_id)
    if subscription is None:
        return
    emit(
        "subscription.renewed",
        term.tenant_id,
        subscription.company_id,
        lambda: payloads.renewal_data(term),
    )


def on_statement_closed(statement: Statement, **_extra: object) -> None:
    """One per statement; a beneficiary that is no reseller company is heard by the
    tenant's endpoints only."""
    emit(
        "statement.closed",
        statement.tenant_id,
        company_id_of(statement.beneficiary),
        lambda: payloads.statement_data(statement),
    )


def connect() -> None:
    """Listen to the features' signals (app factory; safe to call more than once).

    Only ``subscription_renewed`` of the end customer's own renewals is heard here;
    a reseller's renewal arrives with its order's fulfilment (its term's ``order_id``).
    """
    order_event_recorded.connect(on_order_event)
    invoice_issued.connect(on_invoice_issued)
    invoice_paid.connect(on_invoice_paid)
    quote_moved.connect(on_quote_moved)
    renewal_notice_sent.connect(on_renewal_notice)
    subscription_renewed.connect(_on_self_service_renewal)
    statement_closed.connect(on_statement_closed)


def _on_self_service_renewal(term: SubscriptionTerm, **_extra: object) -> None:
    if term.order_id is None:
        on_subscription_renewed(term)
