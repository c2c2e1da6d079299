"""Reading a company's orders for the API: one order in full, or a filtered page.

Every query names the company and runs under the request's tenant scope, so another
company's or another storefront's order is simply not found. The statement count is
fixed: a page is a count and one select with its customers joined; a full order is
the order, its lines, events, actors, licenses, subscriptions and invoice.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from channelfront.accounts.models import User
from channelfront.api.order_search import search_condition
from channelfront.customers.models import Customer
from channelfront.extensions import db
from channelfront.fulfillment.models import License
from channelfront.invoices.models import Invoice
from channelfront.orders.models import Order
from channelfront.subscriptions.models import Subscription

PER_PAGE = 50


@dataclass(frozen=True)
class OrderDetail:
    order: Order
    buyer: User
    actors: dict[int, str]
    licenses: list[License]
    subscriptions: list[Subscription]
    invoice: Invoice | None


@dataclass(frozen=True)
class OrderPage:
    orders: list[Order]
    page: int
    pages: int
    total: int


def order_detail(company_id: int, number: str) -> OrderDetail | None:
    """The company's order with this number on the active tenant, with all it holds."""
    order = db.session.scalar(
        select(Order)
        .where(Order.company_id == company_id, Order.number == number)
        .options(joinedload(Order.customer), selectinload(Order.lines), selectinload(Order.events))
    )
    if order is None:
        return None
    user_ids = {order.buyer_id} | {e.actor_id for e in order.events if e.actor_id}
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(user_ids)))}
    return OrderDetail(
        order=order,
        buyer=users[order.buyer_id],
        actors={uid: user.name for uid, user in users.items()},
        licenses=list(
            db.session.scalars(
                select(License).where(License.order_id == order.id).order_by(License.id)
            )
        ),
        subscriptions=list(
            db.session.scalars(
                select(Subscription)
                .where(Subscription.order_id == order.id)
                .order_by(Subscription.id)
            )
        ),
        invoice=db.session.scalar(select(Invoice).where(Invoice.order_id == order.id)),
    )


def customer_exists(company_id: int, customer_id: int) -> bool:
    return (
        db.session.scalar(
            select(Customer.id).where(Customer.id == customer_id, Customer.company_id == company_id)
        )
        is not None
    )


def _day_end(day: date) -> datetime:
    return datetime.combine(day, time.max, UTC)


def order_page(company_id: int, filters: dict[str, Any], page: int) -> OrderPage:
    """The company's orders matching the filters, newest first, one page at a time.

    A page past the last answers the last page.
    """
    conditions = [Order.company_id == company_id]
    if "customer" in filters:
        conditions.append(Order.customer_id == filters["customer"])
    if "status" in filters:
        conditions.append(Order.status == filters["status"])
    if "from_" in filters and filters["from_"] > date.min:
        # After the previous day's last instant: SQLite compares stored text, where
        # "00:00:00" sorts before "00:00:00.000000".
        conditions.append(Order.created_at > _day_end(filters["from_"] - timedelta(days=1)))
    if "to" in filters:
        conditions.append(Order.created_at <= _day_end(filters["to"]))
    if "po" in filters:
        text = filters["po"].lower()
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conditions.append(func.lower(Order.po_number).like(pattern, escape="\\"))
    if (searched := search_condition(company_id, filters.get("q", ""))) is not None:
        conditions.append(searched)
    total = db.session.scalar(select(func.count(Order.id)).where(*conditions)) or 0
    pages = max(1, math.ceil(total / PER_PAGE))
    page = min(page, pages)
    orders = list(
        db.session.scalars(
            select(Order)
            .where(*conditions)
            .options(joinedload(Order.customer))
            .order_by(Order.created_at.desc(), Order.id.desc())
            .limit(PER_PAGE)
            .offset((page - 1) * PER_PAGE)
        )
    )
    return OrderPage(orders=orders, page=page, pages=pages, total=total)
