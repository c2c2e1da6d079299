"""What a customer's page shows of the company's business with them: four queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from channelfront.customers.models import Customer
from channelfront.extensions import db
from channelfront.fulfillment.models import License
from channelfront.orders.models import Order, OrderLine
from channelfront.quotes.models import Quote
from channelfront.subscriptions.models import Subscription

LIMIT = 200  # rows of each kind on the page; the order history finds the rest


@dataclass(frozen=True)
class SubscriptionRow:
    id: int
    sku: str
    name: str
    quantity: int
    ends_on: date
    status: str
    order_number: str


@dataclass(frozen=True)
class LicenseRow:
    key: str
    sku: str
    name: str
    order_number: str
    issued_at: datetime
    revoked: bool
    assigned_to: str | None


@dataclass(frozen=True)
class CustomerHistory:
    orders: list[Order]
    subscriptions: list[SubscriptionRow]
    licenses: list[LicenseRow]
    quotes: list[Quote]


def customer_history(customer: Customer) -> CustomerHistory:
    """The customer's orders, subscriptions (with renewal dates), licenses and quotes of
    its company on this tenant, newest first."""
    return CustomerHistory(
        _orders(customer), _subscriptions(customer), _licenses(customer), _quotes(customer)
    )


def _orders(customer: Customer) -> list[Order]:
    stmt = (
        select(Order)
        .where(Order.customer_id == customer.id, Order.company_id == customer.company_id)
        .order_by(Order.created_at.desc(), Order.id.desc())
        .limit(LIMIT)
    )
    return list(db.session.scalars(stmt))


def _subscriptions(customer: Customer) -> list[SubscriptionRow]:
    stmt = (
        select(Subscription, OrderLine.sku, OrderLine.name, Order.number)
        .join(OrderLine, OrderLine.id == Subscription.order_line_id)
        .join(Order, Order.id == Subscription.order_id)
        .where(
            Subscription.customer_id == customer.id,
            Subscription.company_id == customer.company_id,
        )
        .order_by(Subscription.ends_on, Subscription.id)
        .limit(LIMIT)
    )
    return [
        SubscriptionRow(s.id, sku, name, s.quantity, s.ends_on, s.status, number)
        for s, sku, name, number in db.session.execute(stmt)
    ]


def _licenses(customer: Customer) -> list[LicenseRow]:
    stmt = (
        select(License, OrderLine.sku, OrderLine.name, Order.number)
        .join(OrderLine, OrderLine.id == License.order_line_id)
        .join(Order, Order.id == License.order_id)
        .where(Order.customer_id == customer.id, Order.company_id == customer.company_id)
        .order_by(License.issued_at.desc(), License.id.desc())
        .limit(LIMIT)
    )
    return [
        LicenseRow(
            lic.key, sku, name, number, lic.issued_at, lic.revoked_at is not None, lic.assigned_to
        )
        for lic, sku, name, number in db.session.execute(stmt)
    ]


def _quotes(customer: Customer) -> list[Quote]:
    stmt = (
        select(Quote)
        .where(Quote.customer_id == customer.id, Quote.company_id == customer.company_id)
        .order_by(Quote.created_at.desc(), Quote.id.desc())
        .limit(LIMIT)
    )
    return list(db.session.scalars(stmt))
