"""Placing an order under the company account: one order per idempotency key."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from channelfront.accounts.models import User
from channelfront.customers import services as customers
from channelfront.customers.services import CustomerInput
from channelfront.extensions import db
from channelfront.orders import events, lifecycle, numbering, pipeline
from channelfront.orders.errors import OrderInputError
from channelfront.orders.lines import LineRequest, order_total, price_lines
from channelfront.orders.models import (
    CHECKOUT_METHODS,
    Order,
    OrderLine,
    OrderStatus,
    PaymentMethod,
)
from channelfront.outbox.services import commit_and_dispatch
from channelfront.pricing.services import PartnerTerms
from channelfront.tenancy.models import Tenant

IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_.:-]{8,80}$")
MAX_PO_LENGTH = 64
MAX_NOTE_LENGTH = 2000


@dataclass(frozen=True)
class CheckoutRequest:
    lines: list[LineRequest]
    idempotency_key: str
    payment_method: str
    customer_id: object = None
    new_customer: CustomerInput | None = None
    po_number: str = ""
    note: str = ""
    notify_end_customer: bool = False
    # The language the end customer is written to in (a quote's); None: the tenant's.
    customer_locale: str | None = None
    card_payment_method: str | None = None
    require_end_customer: bool = True
    # Pay what the company's credit notes cover first (the checkout page's checkbox).
    apply_credit_notes: bool = False
    # The fingerprint of the request (orders.idempotency), kept with the order.
    request_fingerprint: str | None = None
    # The reseller's quote this order carries out (the quotes step checks and prices it).
    quote_number: str | None = None
    # Set by the server only, never by a form: the end customer paid this Stripe
    # PaymentIntent for a quote, so the order is booked with ``end_customer_card``.
    end_customer_payment: str | None = None


def end_customer_required(tenant: Tenant, terms: PartnerTerms) -> bool:
    """Must this reseller's orders name an end customer? Its program says, else the tenant."""
    by_program = terms.enrollment.program.require_end_customer
    return tenant.require_end_customer if by_program is None else by_program


def find_by_key(company_id: int, key: str) -> Order | None:
    """The order an earlier submission with this idempotency key created, if any."""
    return db.session.scalar(
        select(Order).where(Order.company_id == company_id, Order.idempotency_key == key)
    )


def _check_text(request: CheckoutRequest) -> tuple[str | None, str | None]:
    po = (request.po_number or "").strip()
    if len(po) > MAX_PO_LENGTH or not po.isprintable():
        raise OrderInputError(
            "po_number", _("The PO number has at most %(max)d characters.", max=MAX_PO_LENGTH)
        )
    note = (request.note or "").strip()
    if not all(ch.isprintable() or ch in "\r\n\t" for ch in note):
        raise OrderInputError("note", _("The note contains characters that cannot be stored."))
    if len(note) > MAX_NOTE_LENGTH:
        raise OrderInputError(
            "note", _("The note has at most %(max)d characters.", max=MAX_NOTE_LENGTH)
        )
    return po or None, note or None


def _method_allowed(request: CheckoutRequest) -> bool:
    if request.end_customer_payment:
        return request.payment_method == PaymentMethod.END_CUSTOMER_CARD
    return request.payment_method in CHECKOUT_METHODS


def _customer(company_id: int, request: CheckoutRequest):  # type: ignore[no-untyped-def]
    if request.customer_id not in (None, ""):
        return customers.get_for_company(company_id, request.customer_id)
    if request.new_customer is not None:
        return customers.create(company_id, customers.validate(request.new_customer))
    if not request.require_end_customer:
        return None
    raise OrderInputError("end_customer", _("Choose an end customer or enter a new one."))


def place_order(
    tenant: Tenant, actor: User, terms: PartnerTerms, locale: str, request: CheckoutRequest
) -> tuple[Order, bool]:
    """Check everything, then write the order (no commit). Returns (order, created).

    The registered checkout steps (orders.pipeline) check, price and decide in turn;
    an order some step holds waits in ``awaiting_approval``. A repeated idempotency key
    returns the first order unchanged; the caller compares the request fingerprints
    (orders.idempotency.conflicts).
    """
    company_id = terms.enrollment.company_id
    key = (request.idempotency_key or "").strip()
    if not IDEMPOTENCY_KEY.match(key):
        raise OrderInputError("idempotency_key", _("The form is missing its submission key."))
    existing = find_by_key(company_id, key)
    if existing is not None:
        return existing, False
    if not _method_allowed(request):
        raise OrderInputError("payment", _("Choose card or on account."))
    lines = price_lines(terms, tenant.currency, locale, request.lines)
    po_number, note = _check_text(request)
    ctx = pipeline.CheckoutContext(
        tenant=tenant,
        actor=actor,
        terms=terms,
        locale=locale,
        request=request,
        lines=lines,
        customer=_customer(company_id, request),
        total_minor=order_total(lines, tenant.currency).minor,
    )
    pipeline.place(ctx)
    order = _order(ctx, key, po_number, note)
    db.session.add(order)
    events.record(order, OrderStatus.PLACED, actor_id=actor.id)
    db.session.flush()
    ctx.order = order
    pipeline.reserve(ctx)
    if ctx.holds:
        holds = [{"kind": hold.kind, "reason": hold.reason} for hold in ctx.holds]
        events.record(order, OrderStatus.AWAITING_APPROVAL, data={"holds": holds})
    else:
        lifecycle.go_ahead(order, actor.id)
    return order, True


def _order(ctx: pipeline.CheckoutContext, key: str, po_number: str | None, note: str | None):  # type: ignore[no-untyped-def]
    tenant, request = ctx.tenant, ctx.request
    card = request.card_payment_method if request.payment_method == PaymentMethod.CARD else None
    return Order(
        tenant_id=tenant.id,
        number=numbering.order_number(
            tenant.document_prefix, numbering.next_value(tenant.id, "order")
        ),
        company_id=ctx.company_id,
        buyer_id=ctx.actor.id,
        customer=ctx.customer,
        po_number=po_number,
        note=note,
        currency=tenant.currency,
        total_minor=ctx.total_minor,
        credit_minor=ctx.credit_minor,
        payment_method=request.payment_method,
        card_payment_method=card or None,
        payment_intent_id=request.end_customer_payment,
        idempotency_key=key,
        request_fingerprint=request.request_fingerprint,
        notify_end_customer=bool(request.notify_end_customer),
        customer_locale=request.customer_locale,
        lines=[
            OrderLine(
                tenant_id=tenant.id,
                product_id=line.product.id,
                sku=line.product.sku,
                name=line.name,
                kind=line.product.kind,
                term_months=line.term_months,
                quantity=line.quantity,
                list_price_minor=line.price.list_price.minor,
                unit_price_minor=line.price.buy_price.minor,
                total_minor=line.total.minor,
                price_source=line.price.source.kind,
                discount_bps=line.price.source.discount_bps,
                renews_subscription_id=line.renews_subscription_id,
            )
            for line in ctx.lines
        ],
    )


def submit(
    tenant: Tenant, actor: User, terms: PartnerTerms, locale: str, request: CheckoutRequest
) -> tuple[Order, bool]:
    """Place and commit; a concurrent submission with the same key yields its order."""
    try:
        order, created = place_order(tenant, actor, terms, locale, request)
        commit_and_dispatch()
    except IntegrityError:
        db.session.rollback()
        order = find_by_key(terms.enrollment.company_id, request.idempotency_key.strip())
        if order is None:
            raise
        return order, False
    return order, created
