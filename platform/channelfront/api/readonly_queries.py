"""Reading subscriptions and invoices for the API, within a ``ReadScope``.

Every query names the company (or, for distributor staff, none) and runs under the
request's tenant scope, so another company's or another storefront's row is not found.
A page is two queries: the count and the rows with what they show joined.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload, selectinload

from channelfront.accounts.models import Company
from channelfront.api.readonly_scope import ReadScope
from channelfront.catalog.models import Product
from channelfront.customers.models import Customer
from channelfront.extensions import db
from channelfront.invoices.models import Invoice
from channelfront.invoices.views import _listing as invoice_listing
from channelfront.orders.models import Order
from channelfront.renewals.queries import _names as product_names
from channelfront.renewals.queries import state_of
from channelfront.subscriptions.models import ACTIVE, CANCELLED, Subscription

PER_PAGE = 50
T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    page: int
    pages: int
    total: int


@dataclass(frozen=True)
class SubscriptionRow:
    subscription: Subscription
    sku: str
    product_name: str
    customer: Customer
    order_number: str
    company: str
    state: str  # active, ended or cancelled


@dataclass(frozen=True)
class InvoiceRow:
    invoice: Invoice
    order: Order
    company: str


def today() -> date:
    return datetime.now(UTC).date()


def _paged(stmt: Select[Any], page: int) -> tuple[list[Any], int, int, int]:
    """The page's rows, the page actually shown (at most the last), pages and total."""
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    total = int(total or 0)
    pages = max(1, -(-total // PER_PAGE))
    page = min(page, pages)
    rows = list(db.session.execute(stmt.limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all())
    return rows, page, pages, total


# -- subscriptions ---------------------------------------------------------------------------


def _subscriptions(scope: ReadScope, company_id: int | None) -> Select[Any]:
    stmt = (
        select(Subscription, Product.sku, Customer, Order.number, Company.name)
        .join(Product, Product.id == Subscription.product_id)
        .join(Customer, Customer.id == Subscription.customer_id)
        .join(Order, Order.id == Subscription.order_id)
        .join(Company, Company.id == Subscription.company_id)
    )
    company = scope.company_id if scope.company_id is not None else company_id
    if company is not None:
        stmt = stmt.where(Subscription.company_id == company)
    return stmt


def _subscription_filters(stmt: Select[Any], filters: dict[str, Any]) -> Select[Any]:
    day = today()
    status = filters.get("status")
    if status == "cancelled":
        stmt = stmt.where(Subscription.status == CANCELLED)
    elif status == "ended":
        stmt = stmt.where(Subscription.status == ACTIVE, Subscription.ends_on < day)
    elif status == "active":
        stmt = stmt.where(Subscription.status == ACTIVE, Subscription.ends_on >= day)
    if "renewal_due_within" in filters:
        until = day + timedelta(days=filters["renewal_due_within"])
        stmt = stmt.where(
            Subscription.status == ACTIVE,
            Subscription.ends_on >= day,
            Subscription.ends_on <= until,
        )
    return stmt


def _subscription_rows(rows: list[Any], locale: str) -> list[SubscriptionRow]:
    names = product_names({row[0].product_id for row in rows}, locale)
    day = today()
    return [
        SubscriptionRow(
            sub, sku, names.get(sub.product_id, sku), customer, number, company, state_of(sub, day)
        )
        for sub, sku, customer, number, company in rows
    ]


def subscription_page(
    scope: ReadScope, filters: dict[str, Any], locale: str
) -> Page[SubscriptionRow]:
    """Subscriptions in scope matching the filters, those renewing first at the top."""
    stmt = _subscription_filters(_subscriptions(scope, filters.get("company")), filters)
    stmt = stmt.order_by(Subscription.ends_on, Subscription.id)
    rows, page, pages, total = _paged(stmt, filters["page"])
    return Page(_subscription_rows(rows, locale), page, pages, total)


def subscription(scope: ReadScope, subscription_id: int, locale: str) -> SubscriptionRow | None:
    """One subscription in scope by id, or None."""
    row = db.session.execute(
        _subscriptions(scope, None).where(Subscription.id == subscription_id)
    ).first()
    return _subscription_rows([row], locale)[0] if row is not None else None


# -- invoices --------------------------------------------------------------------------------


def invoice_page(scope: ReadScope, filters: dict[str, Any]) -> Page[InvoiceRow]:
    """Invoices in scope, newest first, as the invoices page lists them."""
    company = scope.company_id if scope.company_id is not None else filters.get("company")
    stmt = (
        invoice_listing(company, filters.get("status"))
        .add_columns(Order)
        .options(joinedload(Order.customer))
    )
    rows, page, pages, total = _paged(stmt, filters["page"])
    return Page(
        [InvoiceRow(invoice, order, company) for invoice, _n, company, order in rows],
        page,
        pages,
        total,
    )


def invoice(scope: ReadScope, number: str) -> InvoiceRow | None:
    """One invoice in scope by number, with its order's lines and end customer; or None."""
    stmt = (
        select(Invoice, Order, Company.name)
        .join(Order, Order.id == Invoice.order_id)
        .join(Company, Company.id == Invoice.company_id)
        .where(Invoice.number == number)
        .options(selectinload(Order.lines), joinedload(Order.customer))
    )
    if scope.company_id is not None:
        stmt = stmt.where(Invoice.company_id == scope.company_id)
    row = db.session.execute(stmt).first()
    return InvoiceRow(*row) if row is not None else None
