"""Reading a company's quotes for the API: one quote in full, or a filtered page.

Every query names the company and runs under the request's tenant scope, so another
company's or another storefront's quote is simply not found. A full quote is a fixed
number of statements: the quote with its customer, lines and events, the people named
on it, its order's number and its special price requests.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from channelfront.accounts.models import Company, User
from channelfront.customers.models import Customer
from channelfront.extensions import db
from channelfront.orders.models import Order
from channelfront.quotes.checkout_step import LineKey, approved_prices
from channelfront.quotes.models import Quote, SpecialPriceRequest

PER_PAGE = 50


@dataclass(frozen=True)
class QuoteDetail:
    quote: Quote
    buyer: User
    company_name: str
    actors: dict[int, str]
    order_number: str | None
    special_requests: list[SpecialPriceRequest]
    # Approved special prices that price the lines now, by (product, quantity, term).
    special_prices: dict[LineKey, int]


@dataclass(frozen=True)
class QuotePage:
    quotes: list[Quote]
    page: int
    pages: int
    total: int


def people(user_ids: set[int]) -> dict[int, User]:
    if not user_ids:
        return {}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(user_ids)))}


def special_people(rows: list[SpecialPriceRequest]) -> set[int]:
    """Who asked for and decided the requests (their names are shown)."""
    found = {row.requested_by for row in rows} | {row.decided_by for row in rows if row.decided_by}
    for row in rows:
        for entry in row.decisions or []:
            by = entry.get("by") if isinstance(entry, dict) else None
            if isinstance(by, int) and not isinstance(by, bool):
                found.add(by)
    return found


def detail_of(quote: Quote) -> QuoteDetail:
    """Everything the API shows of a quote the caller may see."""
    requests = list(
        db.session.scalars(
            select(SpecialPriceRequest)
            .where(SpecialPriceRequest.quote_id == quote.id)
            .order_by(SpecialPriceRequest.id)
        )
    )
    user_ids = (
        {quote.buyer_id}
        | {e.actor_id for e in quote.events if e.actor_id}
        | special_people(requests)
    )
    users = people(user_ids)
    order_number = (
        db.session.scalar(select(Order.number).where(Order.id == quote.order_id))
        if quote.order_id
        else None
    )
    special = {
        key: row.approved_unit_minor
        for key, row in approved_prices(quote).items()
        if row.approved_unit_minor is not None
    }
    return QuoteDetail(
        quote=quote,
        buyer=users[quote.buyer_id],
        company_name=db.session.scalar(select(Company.name).where(Company.id == quote.company_id))
        or "",
        actors={uid: user.name for uid, user in users.items()},
        order_number=order_number,
        special_requests=requests,
        special_prices=special,
    )


def company_quote(company_id: int, number: str) -> Quote | None:
    """The company's quote with this number on the active tenant, with its rows loaded."""
    return db.session.scalar(
        select(Quote)
        .where(Quote.company_id == company_id, Quote.number == number)
        .options(joinedload(Quote.customer), selectinload(Quote.lines), selectinload(Quote.events))
    )


def quote_detail(company_id: int, number: str) -> QuoteDetail | None:
    quote = company_quote(company_id, number)
    return detail_of(quote) if quote is not None else None


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def quote_page(company_id: int, filters: dict[str, Any], page: int) -> QuotePage:
    """The company's quotes matching the filters, newest first, one page at a time.

    A page past the last answers the last page.
    """
    conditions = [Quote.company_id == company_id]
    if "status" in filters:
        conditions.append(Quote.status == filters["status"])
    if "customer" in filters:
        conditions.append(Quote.customer_id == filters["customer"])
    if "q" in filters:
        pattern = _like(filters["q"])
        customers = select(Customer.id).where(
            Customer.company_id == company_id,
            func.lower(Customer.company_name).like(pattern, escape="\\"),
        )
        conditions.append(
            or_(
                func.lower(Quote.number).like(pattern, escape="\\"),
                Quote.customer_id.in_(customers),
            )
        )
    total = db.session.scalar(select(func.count(Quote.id)).where(*conditions)) or 0
    pages = max(1, math.ceil(total / PER_PAGE))
    page = min(page, pages)
    quotes = list(
        db.session.scalars(
            select(Quote)
            .where(*conditions)
            .options(joinedload(Quote.customer))
            .order_by(Quote.created_at.desc(), Quote.id.desc())
            .limit(PER_PAGE)
            .offset((page - 1) * PER_PAGE)
        )
    )
    return QuotePage(quotes=quotes, page=page, pages=pages, total=total)
