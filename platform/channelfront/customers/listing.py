"""A company's customer list: recent first, searched, filtered and paged in one query.

"Recent" is the latest of the customer's last order and last quote, else the day the
customer was added; it is computed in the query from the orders and quotes themselves
(``Customer.last_used_at`` is not kept up to date by checkout). Filters come from the
query string: ``q`` (part of the company name, contact name, e-mail, VAT id or CRM
account id), ``country`` (two letters), ``archived`` (``1``: archived ones too) and
``page``. Merged customers never appear.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, case, func, or_, select

from channelfront.customers.models import Customer
from channelfront.extensions import db
from channelfront.orders.models import Order
from channelfront.quotes.models import Quote
from channelfront.web.params import ParamError, page_number

MAX_TEXT = 100
_COUNTRY = re.compile(r"^[A-Za-z]{2}$", re.ASCII)


@dataclass(frozen=True)
class CustomerFilters:
    query: str = ""
    country: str = ""
    archived: bool = False
    page: int = 1

    def as_args(self) -> dict[str, str]:
        """The filters as query-string parameters (without the page), for links."""
        args = {"q": self.query, "country": self.country, "archived": "1" if self.archived else ""}
        return {key: value for key, value in args.items() if value}


@dataclass(frozen=True)
class CustomerRow:
    customer: Customer
    last_order_at: datetime | None
    last_quote_at: datetime | None

    @property
    def last_used_at(self) -> datetime | None:
        found = [t for t in (self.last_order_at, self.last_quote_at) if t is not None]
        return max(found) if found else None


@dataclass(frozen=True)
class CustomerPage:
    rows: list[CustomerRow]
    page: int
    pages: int
    total: int
    per_page: int
    filters: CustomerFilters = field(default_factory=CustomerFilters)


def parse_filters(args: Mapping[str, str]) -> CustomerFilters:
    """Read the filters from query parameters; raise ParamError naming a bad one."""
    query = (args.get("q") or "").strip()
    if len(query) > MAX_TEXT:
        raise ParamError(
            "q", _("The search text is too long (at most %(max)d characters).", max=MAX_TEXT)
        )
    if not query.isprintable():
        raise ParamError("q", _("The search text contains characters that cannot be searched."))
    country = (args.get("country") or "").strip()
    if country and not _COUNTRY.match(country):
        raise ParamError("country", _("Enter the country as a two-letter code."))
    archived = (args.get("archived") or "").strip()
    if archived not in ("", "0", "1"):
        raise ParamError("archived", _("Show archived customers is either on or off."))
    return CustomerFilters(query, country.upper(), archived == "1", page_number(args))


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def filtered(company_id: int, filters: CustomerFilters) -> Select[tuple[Customer]]:
    """The company's customers on the active tenant matching the filters (unordered)."""
    stmt = select(Customer).where(
        Customer.company_id == company_id, Customer.merged_into_id.is_(None)
    )
    if not filters.archived:
        stmt = stmt.where(Customer.archived_at.is_(None))
    if filters.country:
        stmt = stmt.where(Customer.country == filters.country)
    if filters.query:
        pattern = _like(filters.query)
        stmt = stmt.where(
            or_(
                *(
                    func.lower(column).like(pattern, escape="\\")
                    for column in (
                        Customer.company_name,
                        Customer.contact_name,
                        Customer.email,
                        Customer.vat_id,
                        Customer.crm_account_id,
                    )
                )
            )
        )
    return stmt


def customer_page(company_id: int, filters: CustomerFilters, per_page: int = 25) -> CustomerPage:
    """One page of the filtered customers, most recently used first, with each one's last
    order and quote: one query (the total rides along as a window count). A page past the
    end costs one more query and shows the last page."""
    page = filters.page
    rows, total = _page_rows(company_id, filters, per_page, page)
    if not rows and page > 1:
        count = select(func.count()).select_from(filtered(company_id, filters).subquery())
        total = db.session.scalar(count) or 0
        page = max(1, -(-total // per_page))
        rows, total = _page_rows(company_id, filters, per_page, page)
    return CustomerPage(rows, page, max(1, -(-total // per_page)), total, per_page, filters)


def recent_first(company_id: int, filters: CustomerFilters) -> Select[tuple[Customer, Any, Any]]:
    """The filtered customers with their last order and quote times, most recent first."""
    orders = (
        select(Order.customer_id, func.max(Order.created_at).label("last"))
        .where(Order.company_id == company_id, Order.customer_id.is_not(None))
        .group_by(Order.customer_id)
        .subquery()
    )
    quotes = (
        select(Quote.customer_id, func.max(Quote.created_at).label("last"))
        .where(Quote.company_id == company_id)
        .group_by(Quote.customer_id)
        .subquery()
    )
    # The later of the two, else the day the customer was added (portable: no GREATEST).
    recent = case(
        (quotes.c.last.is_(None), func.coalesce(orders.c.last, Customer.created_at)),
        (orders.c.last.is_(None), quotes.c.last),
        (orders.c.last >= quotes.c.last, orders.c.last),
        else_=quotes.c.last,
    )
    return (
        filtered(company_id, filters)
        .add_columns(orders.c.last, quotes.c.last)
        .outerjoin(orders, orders.c.customer_id == Customer.id)
        .outerjoin(quotes, quotes.c.customer_id == Customer.id)
        .order_by(recent.desc(), Customer.id.desc())
    )


def _page_rows(
    company_id: int, filters: CustomerFilters, per_page: int, page: int
) -> tuple[list[CustomerRow], int]:
    stmt = (
        recent_first(company_id, filters)
        .add_columns(func.count().over())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    found = db.session.execute(stmt).all()
    total = found[0][3] if found else 0
    rows = [CustomerRow(c, last_order, last_quote) for c, last_order, last_quote, _n in found]
    return rows, total
