"""Order facts into the incentive ledger, inside the transaction of the order change.

A sale counts when it is accepted for fulfilment (paid by card or accepted on account):
one purchase per order line. A full refund is one refund per line. A subscription the
end customer renews alone is a direct purchase without an ordering partner. Nothing is
committed here: the caller's commit (or rollback) carries the ledger with the order.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from channelfront.catalog.models import Category, Product
from channelfront.extensions import db
from channelfront.orders.models import Order, OrderLine
from channelfront.orders.signals import (
    order_accepted,
    order_refund_credits,
    order_refunded,
    subscription_renewed,
)
from channelfront.statements import credit_notes, posting
from channelfront.statements.models import IncentiveEvent
from channelfront.statements.partners import reseller_id
from channelfront.subscriptions.models import Subscription
from channelfront.tenancy.models import Tenant

SUBSCRIPTION = "subscription"


def connect() -> None:
    """Listen to the order signals (safe to call more than once)."""
    order_accepted.connect(on_order_accepted)
    order_refunded.connect(on_order_refunded)
    order_refund_credits.connect(credit_notes.restore)
    subscription_renewed.connect(on_subscription_renewed)


def subscription_key(order_line_id: int) -> str:
    """A subscription in the engine: the order line that started it."""
    return f"sub-{order_line_id}"


def purchase_key(order: Order, line: OrderLine) -> str:
    return f"{order.number}/{line.id}"


def _categories(product_ids: list[int]) -> dict[int, tuple[str, str]]:
    rows = db.session.execute(
        select(Product.id, Product.sku, Category.slug)
        .join(Category, Category.id == Product.category_id)
        .where(Product.id.in_(product_ids))
    )
    return {pid: (sku, slug) for pid, sku, slug in rows}


def _existing(tenant_id: int, keys: list[str]) -> set[str]:
    return set(
        db.session.scalars(
            select(IncentiveEvent.key).where(
                IncentiveEvent.tenant_id == tenant_id, IncentiveEvent.key.in_(keys)
            )
        )
    )


def _subscription_fields(line: OrderLine) -> dict[str, Any]:
    if line.renews_subscription_id is not None:
        started = db.session.scalar(
            select(Subscription.order_line_id).where(Subscription.id == line.renews_subscription_id)
        )
        if started is not None:
            return {
                "event_kind": "renewal",
                "term_index": line.renewal_term_index or 1,
                "subscription_id": subscription_key(started),
            }
    if line.kind == SUBSCRIPTION:
        return {"event_kind": "new", "term_index": 0, "subscription_id": subscription_key(line.id)}
    return {"event_kind": "none", "term_index": 0, "subscription_id": None}


def on_order_accepted(order: Order, **_extra: object) -> None:
    """One purchase per line of an order accepted for fulfilment (no commit)."""
    tenant = db.session.get(Tenant, order.tenant_id)
    assert tenant is not None
    now = datetime.now(UTC)
    keys = [purchase_key(order, line) for line in order.lines]
    seen = _existing(tenant.id, keys)
    products = _categories([line.product_id for line in order.lines])
    day = posting.fact_date(tenant.id, now)
    rows = []
    for line, key in zip(order.lines, keys, strict=True):
        if key in seen:
            continue  # accepted twice: posted already
        sku, category = products.get(line.product_id, (line.sku, None))
        rows.append(
            IncentiveEvent(
                tenant_id=tenant.id,
                key=key,
                type="purchase",
                event_date=day,
                recorded_at=now,
                channel="storefront",
                distributor_id=tenant.slug,
                ordering_partner_id=reseller_id(order.company_id),
                product_id=sku,
                category_path=[category] if category else [],
                quantity=line.quantity,
                net_minor=line.total_minor,
                currency=order.currency,
                order_id=order.id,
                **_subscription_fields(line),
            )
        )
    posting.post(tenant, rows, order.id)


def on_order_refunded(order: Order, **_extra: object) -> None:
    """Each line's purchase refunded in full (no commit); lines never posted are skipped."""
    tenant = db.session.get(Tenant, order.tenant_id)
    assert tenant is not None
    now = datetime.now(UTC)
    keys = [purchase_key(order, line) for line in order.lines]
    bought = {
        row.key: row
        for row in db.session.scalars(
            select(IncentiveEvent).where(
                IncentiveEvent.tenant_id == tenant.id,
                IncentiveEvent.key.in_(keys),
                IncentiveEvent.type == "purchase",
            )
        )
    }
    done = _existing(tenant.id, [f"{key}/refund" for key in bought])
    day = posting.fact_date(tenant.id, now)
    rows = [
        IncentiveEvent(
            tenant_id=tenant.id,
            key=f"{key}/refund",
            type="refund",
            event_date=day,
            recorded_at=now,
            channel=row.channel,
            distributor_id=row.distributor_id,
            ordering_partner_id=row.ordering_partner_id,
            subscription_id=row.subscription_id,
            event_kind=row.event_kind,
            term_index=row.term_index,
            product_id=row.product_id,
            category_path=list(row.category_path or []),
            quantity=row.quantity,
            net_minor=row.net_minor,
            currency=row.currency,
            refund_of=key,
            order_id=order.id,
        )
        for key, row in bought.items()
        if f"{key}/refund" not in done
    ]
    posting.post(tenant, rows, order.id)


def on_subscription_renewed(term: Any, **_extra: object) -> None:
    """A term the end customer paid alone: a direct renewal (no commit).

    Partner renewals arrive as order lines through ``order_accepted``.
    """
    if term.order_line_id is not None or term.company_id is not None:
        return
    subscription = db.session.get(Subscription, term.subscription_id)
    tenant = db.session.get(Tenant, term.tenant_id)
    if subscription is None or tenant is None:
        return
    key = f"{subscription_key(subscription.order_line_id)}/term-{term.term_index}"
    if _existing(tenant.id, [key]):
        return
    sku, category = _categories([subscription.product_id]).get(subscription.product_id, ("", ""))
    now = datetime.now(UTC)
    row = IncentiveEvent(
        tenant_id=tenant.id,
        key=key,
        type="purchase",
        event_date=posting.fact_date(tenant.id, now),
        recorded_at=now,
        channel="direct",
        distributor_id=tenant.slug,
        ordering_partner_id=None,
        subscription_id=subscription_key(subscription.order_line_id),
        event_kind="renewal",
        term_index=term.term_index,
        product_id=sku or None,
        category_path=[category] if category else [],
        quantity=term.quantity,
        net_minor=term.amount_minor,
        currency=term.currency,
        order_id=None,
    )
    posting.post(tenant, [row])
