"""A company's quote list: filters, search and pages with a fixed number of queries.

Filters come from the query string: ``status``, ``from`` and ``to`` (the day the quote
was made, UTC, both inclusive) and ``q``, a part of the quote number, of the end
customer's company name, contact name or e-mail, or of a SKU on the quote.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import contains_eager

from channelfront.customers.models import Customer
from channelfront.extensions import db
from channelfront.quotes.models import Quote, QuoteLine, QuoteStatus
from channelfront.web.params import ParamError, page_number

MAX_TEXT = 100
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)


@dataclass(frozen=True)
class QuoteFilters:
    status: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    query: str = ""
    page: int = 1

    def as_args(self) -> dict[str, str]:
        """The filters as query-string parameters (without the page), for links."""
        args = {
            "status": self.status or "",
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
            "q": self.query,
        }
        return {key: value for key, value in args.items() if value}


@dataclass(frozen=True)
class QuotePage:
    rows: list[Quote]
    page: int
    pages: int
    total: int
    filters: QuoteFilters = field(default_factory=QuoteFilters)


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


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def parse_filters(args: Mapping[str, str]) -> QuoteFilters:
    """Read the filters from query parameters; raise ParamError naming a bad one."""
    status = (args.get("status") or "").strip() or None
    if status is not None and status not in {s.value for s in QuoteStatus}:
        raise ParamError("status", _("There is no such quote status."))
    date_from = _date(args, "from", _("The start date must be a date written as YYYY-MM-DD."))
    date_to = _date(args, "to", _("The end date must be a date written as YYYY-MM-DD."))
    if date_from and date_to and date_from > date_to:
        raise ParamError("to", _("The end date is before the start date."))
    query = (args.get("q") or "").strip()
    if len(query) > MAX_TEXT:
        raise ParamError(
            "q", _("The search text is too long (at most %(max)d characters).", max=MAX_TEXT)
        )
    if not query.isprintable():
        raise ParamError("q", _("The search text contains characters that cannot be searched."))
    return QuoteFilters(status, date_from, date_to, query, page_number(args))


def filtered_quotes(company_id: int, filters: QuoteFilters) -> Select[Quote]:
    """The company's quotes on the active tenant matching the filters, newest first.

    Only the quote table is in the FROM clause (the count stays on its index); the
    search over end customers and SKUs is an IN list of each.
    """
    stmt = select(Quote).where(Quote.company_id == company_id)
    if filters.status:
        stmt = stmt.where(Quote.status == filters.status)
    if filters.date_from:
        # "> end of the day before": SQLite compares timestamps as text (orders.history).
        day_before = datetime.combine(filters.date_from - timedelta(days=1), time.max, UTC)
        stmt = stmt.where(Quote.created_at > day_before)
    if filters.date_to:
        stmt = stmt.where(Quote.created_at <= datetime.combine(filters.date_to, time.max, UTC))
    if filters.query:
        pattern = _like(filters.query)
        customers = select(Customer.id).where(
            Customer.company_id == company_id,
            or_(
                func.lower(Customer.company_name).like(pattern, escape="\\"),
                func.lower(Customer.contact_name).like(pattern, escape="\\"),
                func.lower(Customer.email).like(pattern, escape="\\"),
            ),
        )
        skus = select(QuoteLine.quote_id).where(
            func.lower(QuoteLine.sku).like(pattern, escape="\\")
        )
        stmt = stmt.where(
            or_(
                func.lower(Quote.number).like(pattern, escape="\\"),
                Quote.customer_id.in_(customers),
                Quote.id.in_(skus),
            )
        )
    return stmt.order_by(Quote.created_at.desc(), Quote.id.desc())


def quote_page(company_id: int, filters: QuoteFilters, per_page: int = 25) -> QuotePage:
    """One page of the filtered quotes with their end customers: two queries, whatever the
    number of quotes (the count, then the page). A page past the end shows the last."""
    stmt = filtered_quotes(company_id, filters)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    pages = max(1, -(-total // per_page))
    page = min(filters.page, pages)
    rows = db.session.scalars(
        stmt.join(Customer, Customer.id == Quote.customer_id)
        .options(contains_eager(Quote.customer))
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return QuotePage(list(rows), page, pages, total, filters)
