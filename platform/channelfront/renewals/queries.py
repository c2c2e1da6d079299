"""The subscriptions page: a reseller company's subscriptions, a page at a time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from channelfront.catalog.models import Product, ProductText
from channelfront.customers.models import Customer
from channelfront.extensions import db
from channelfront.renewals.models import SubscriptionTerm
from channelfront.subscriptions.models import ACTIVE, Subscription

PAGE_SIZE = 50


@dataclass(frozen=True)
class Row:
    subscription: Subscription
    customer: Customer
    sku: str
    product_name: str
    renewals: int
    state: str  # active, ended or cancelled


def state_of(subscription: Subscription, today: date) -> str:
    if subscription.status != ACTIVE:
        return "cancelled"
    return "ended" if subscription.ends_on < today else "active"


def count(company_id: int) -> int:
    return int(
        db.session.scalar(
            select(func.count(Subscription.id)).where(Subscription.company_id == company_id)
        )
        or 0
    )


def page_of(company_id: int, page: int, locale: str, today: date) -> list[Row]:
    """One page of the company's subscriptions, those ending first at the top."""
    renewals = (
        select(SubscriptionTerm.subscription_id, func.count(SubscriptionTerm.id).label("n"))
        .where(SubscriptionTerm.refunded_at.is_(None))
        .group_by(SubscriptionTerm.subscription_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Subscription, Customer, Product.sku, func.coalesce(renewals.c.n, 0))
        .join(Customer, Customer.id == Subscription.customer_id)
        .join(Product, Product.id == Subscription.product_id)
        .outerjoin(renewals, renewals.c.subscription_id == Subscription.id)
        .where(Subscription.company_id == company_id)
        .order_by(Subscription.ends_on, Subscription.id)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    names = _names({sub.product_id for sub, *_rest in rows}, locale)
    return [
        Row(sub, customer, sku, names.get(sub.product_id, sku), int(n), state_of(sub, today))
        for sub, customer, sku, n in rows
    ]


def _names(product_ids: set[int], locale: str) -> dict[int, str]:
    names: dict[int, str] = {}
    for product_id, row_locale, name in db.session.execute(
        select(ProductText.product_id, ProductText.locale, ProductText.name).where(
            ProductText.product_id.in_(product_ids), ProductText.locale.in_({locale, "en"})
        )
    ):
        if row_locale == locale or product_id not in names:
            names[product_id] = name
    return names
