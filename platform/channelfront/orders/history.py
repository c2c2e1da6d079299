"""A company's order history: filters, search and pages with a fixed number of queries.

Filters come from query strings (the page, the CSV export and the API share them):
``status``, ``from`` and ``to`` (dates, UTC, both inclusive), ``customer`` (an end
customer id of the company), ``product`` (a SKU), ``po`` (part of the PO number) and
``q`` (part of the end customer's company name, contact name or e-mail, of the order
number or of the PO number).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import contains_eager

from channelfront.catalog.models import Product
from channelfront.catalog.params import ParamError
from channelfront.customers.models import Customer
from channelfront.extensions import db
from channelfront.i18n.formatting import Money
from channelfront.invoices.models import Invoice
from channelfront.orders.models import Order, OrderLine, OrderStatus
from channelfront.web.params import optional_whole, page_number

MAX_TEXT = 100
MAX_PO = 64
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)

STATUS_LABELS = {
    OrderStatus.PLACED.value: _l("Placed"),
    OrderStatus.AWAITING_APPROVAL.value: _l("Awaiting approval"),
    OrderStatus.PAYMENT_FAILED.value: _l("Payment failed"),
    OrderStatus.PAID.value: _l("Paid"),
    OrderStatus.ACCEPTED.value: _l("Accepted on account"),
    OrderStatus.FULFILLING.value: _l("Fulfilling"),
    OrderStatus.FULFILLED.value: _l("Fulfilled"),
    OrderStatus.INVOICED.value: _l("Invoiced"),
    OrderStatus.REJECTED.value: _l("Rejected"),
    OrderStatus.WITHDRAWN.value: _l("Withdrawn"),
    OrderStatus.CANCELLED.value: _l("Cancelled"),
    OrderStatus.REFUNDED.value: _l("Refunded"),
}


@dataclass(frozen=True)
class HistoryFilters:
    status: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    customer_id: int | None = None
    sku: str | None = None
    po: str = ""
    query: str = ""
    page: int = 1

    def as_args(self) -> dict[str, str]:
        """The filters as query-string parameters (without the page), for links."""
        args = {
            "status": self.status or "",
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
            "customer": str(self.customer_id) if self.customer_id else "",
            "product": self.sku or "",
            "po": self.po,
            "q": self.query,
        }
        return {key: value for key, value in args.items() if value}


@dataclass(frozen=True)
class HistoryRow:
    order: Order
    invoice: Invoice | None = None

    @property
    def total(self) -> Money:
        return Money(self.order.total_minor, self.order.currency)

    @property
    def invoice_state(self) -> str | None:
        """``paid``, ``open`` or ``overdue`` (open and past its due date, UTC)."""
        if self.invoice is None:
            return None
        if self.invoice.status == "open" and self.invoice.due_on < datetime.now(UTC).date():
            return "overdue"
        return self.invoice.status


@dataclass(frozen=True)
class HistoryPage:
    rows: list[HistoryRow]
    page: int
    pages: int
    total: int
    filters: HistoryFilters = field(default_factory=HistoryFilters)


def _text(args: Mapping[str, str], name: str, max_length: int, too_long: str, bad: str) -> str:
    value = (args.get(name) or "").strip()
    if len(value) > max_length:
        raise ParamError(name, too_long)
    if not value.isprintable():
        raise ParamError(name, bad)
    return value


def _date(args: Mapping[str, str], name: str, message: str) -> date | None:
    value = (args.get(name) or "").strip()
    if not value:
        return None
    try:
        if not _DATE.match(value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise ParamError(name, message) from None


def parse_filters(args: Mapping[str, str]) -> HistoryFilters:
    """Read the filters from query parameters; raise ParamError naming a bad one."""
    status = (args.get("status") or "").strip() or None
    if status is not None and status not in STATUS_LABELS:
        raise ParamError("status", _("There is no such order status."))
    date_from = _date(args, "from", _("The start date must be a date written as YYYY-MM-DD."))
    date_to = _date(args, "to", _("The end date must be a date written as YYYY-MM-DD."))
    if date_from and date_to and date_from > date_to:
        raise ParamError("to", _("The end date is before the start date."))
    customer = optional_whole(
        args, "customer", _("There is no such customer in your customer list."), minimum=1
    )
    no_sku = _("There is no product with this SKU.")
    sku = _text(args, "product", 40, no_sku, no_sku) or None
    po = _text(
        args,
        "po",
        MAX_PO,
        _("The PO number has at most %(max)d characters.", max=MAX_PO),
        _("The PO number contains characters that cannot be searched."),
    )
    query = _text(
        args,
        "q",
        MAX_TEXT,
        _("The search text is too long (at most %(max)d characters).", max=MAX_TEXT),
        _("The search text contains characters that cannot be searched."),
    )
    page = page_number(args)
    return HistoryFilters(
        status=status,
        date_from=date_from,
        date_to=date_to,
        customer_id=customer,
        sku=sku,
        po=po,
        query=query,
        page=page,
    )


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _product_id(sku: str) -> int:
    product_id = db.session.scalar(select(Product.id).where(func.upper(Product.sku) == sku.upper()))
    if product_id is None:
        raise ParamError("product", _("There is no product with this SKU."))
    return product_id


def _check_customer(company_id: int, customer_id: int) -> None:
    found = db.session.scalar(
        select(Customer.id).where(Customer.id == customer_id, Customer.company_id == company_id)
    )
    if found is None:
        raise ParamError("customer", _("There is no such customer in your customer list."))


def filtered_orders(company_id: int, filters: HistoryFilters) -> Select[tuple[Order]]:
    """The company's orders on the active tenant matching the filters, newest first.

    Only the order table is in the FROM clause, so counting stays on the order index;
    filters on lines and end customers are plain IN lists (planners without statistics,
    like SQLite's, would otherwise probe a product's lines once per order). An unknown
    customer id or SKU raises ParamError, so a typo never looks like "no orders".
    """
    stmt = select(Order).where(Order.company_id == company_id)
    if filters.status:
        stmt = stmt.where(Order.status == filters.status)
    if filters.date_from:
        # "> end of the day before", not ">= midnight": SQLite compares timestamps as text,
        # and a stored "00:00:00" sorts before the bound "00:00:00.000000".
        day_before = datetime.combine(filters.date_from - timedelta(days=1), time.max, UTC)
        stmt = stmt.where(Order.created_at > day_before)
    if filters.date_to:
        stmt = stmt.where(Order.created_at <= datetime.combine(filters.date_to, time.max, UTC))
    if filters.customer_id is not None:
        _check_customer(company_id, filters.customer_id)
        stmt = stmt.where(Order.customer_id == filters.customer_id)
    if filters.sku:
        product_id = _product_id(filters.sku)
        with_product = select(OrderLine.order_id).where(OrderLine.product_id == product_id)
        stmt = stmt.where(Order.id.in_(with_product))
    if filters.po:
        stmt = stmt.where(func.lower(Order.po_number).like(_like(filters.po), escape="\\"))
    if filters.query:
        pattern = _like(filters.query)
        matching = select(Customer.id).where(
            Customer.company_id == company_id,
            or_(
                func.lower(Customer.company_name).like(pattern, escape="\\"),
                func.lower(Customer.contact_name).like(pattern, escape="\\"),
                func.lower(Customer.email).like(pattern, escape="\\"),
            ),
        )
        stmt = stmt.where(
            or_(
                Order.customer_id.in_(matching),
                func.lower(Order.number).like(pattern, escape="\\"),
                func.lower(Order.po_number).like(pattern, escape="\\"),
            )
        )
    return stmt.order_by(Order.created_at.desc(), Order.id.desc())


def history_page(company_id: int, filters: HistoryFilters, per_page: int = 25) -> HistoryPage:
    """One page of the filtered history with each order's end customer and invoice.

    Two queries whatever the number of orders: the count, then the page joined to its
    end customers and invoices. A page past the end shows the last page.
    """
    stmt = filtered_orders(company_id, filters)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    pages = max(1, -(-total // per_page))
    page = min(filters.page, pages)
    rows = db.session.execute(
        stmt.add_columns(Invoice)
        .outerjoin(Customer, Customer.id == Order.customer_id)
        .outerjoin(Invoice, Invoice.order_id == Order.id)
        .options(contains_eager(Order.customer))
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return HistoryPage(
        [HistoryRow(order, invoice) for order, invoice in rows], page, pages, total, filters
    )


def recent_orders(company_id: int, limit: int = 5) -> list[HistoryRow]:
    """The company's latest orders with their end customers (one query, no invoices)."""
    stmt = (
        filtered_orders(company_id, HistoryFilters())
        .outerjoin(Customer, Customer.id == Order.customer_id)
        .options(contains_eager(Order.customer))
    )
    return [HistoryRow(order) for order in db.session.scalars(stmt.limit(limit))]


def company_customers(
    company_id: int, selected_id: int | None = None, limit: int = 200
) -> list[Customer]:
    """The filter's choices: the company's first end customers by name, and the chosen one.

    The search box finds the others; a customer chosen from a row's link is added when it
    is not among the first ones (one query, two with such a choice).
    """
    customers = list(
        db.session.scalars(
            select(Customer)
            .where(Customer.company_id == company_id)
            .order_by(Customer.company_name, Customer.id)
            .limit(limit)
        )
    )
    if selected_id is not None and all(c.id != selected_id for c in customers):
        chosen = db.session.scalar(
            select(Customer).where(Customer.id == selected_id, Customer.company_id == company_id)
        )
        if chosen is not None:
            customers.append(chosen)
    return customers
