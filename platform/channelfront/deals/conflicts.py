"""Conflicts: another reseller's live deal for the same end customer and a shared product.

Customers belong to one company each, so "the same end customer" is read from their
fields: the VAT id when both have one, else the e-mail domain (not a free mail
provider's), else the company name without regard to case.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import contains_eager, selectinload

from channelfront.customers.models import Customer
from channelfront.deals.models import Deal, DealLine, DealStatus
from channelfront.extensions import db

#: Shared by unrelated people: a domain here says nothing about the customer.
FREE_MAIL = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "yahoo.com",
        "icloud.com",
        "aol.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "proton.me",
        "protonmail.com",
    }
)


def _domain(email: str) -> str | None:
    domain = email.rpartition("@")[2].strip().lower()
    return domain if domain and domain not in FREE_MAIL else None


def same_customer(one: Customer, other: Customer) -> bool:
    """Whether two companies' customer rows name the same end customer."""
    if one.vat_id and other.vat_id:
        return one.vat_id.upper() == other.vat_id.upper()
    mine, theirs = _domain(one.email), _domain(other.email)
    if mine and theirs:
        return mine == theirs
    return one.company_name.strip().casefold() == other.company_name.strip().casefold()


def live() -> object:
    """Deals that still hold a claim: pending, or approved and protected today."""
    today = datetime.now(UTC).date()
    return or_(
        Deal.status == DealStatus.PENDING.value,
        and_(Deal.status == DealStatus.APPROVED.value, Deal.protected_until >= today),
    )


def find(deal: Deal) -> list[int]:
    """Ids of other companies' live deals on this tenant that conflict with ``deal``."""
    products = [line.product_id for line in deal.lines]
    if not products:
        return []
    sharing = select(DealLine.deal_id).where(DealLine.product_id.in_(products))
    candidates = db.session.execute(
        select(Deal.id, Customer)
        .join(Customer, Customer.id == Deal.customer_id)
        .where(
            Deal.id.in_(sharing),
            Deal.id != deal.id,
            Deal.company_id != deal.company_id,
            live(),  # type: ignore[arg-type]
        )
        .order_by(Deal.id)
    ).all()
    return [deal_id for deal_id, customer in candidates if same_customer(deal.customer, customer)]


def find_many(deals: list[Deal]) -> dict[int, list[int]]:
    """``find`` for a page of deals in two queries: {deal id: conflicting deal ids}."""
    products = {line.product_id for deal in deals for line in deal.lines}
    if not products:
        return {deal.id: [] for deal in deals}
    sharing = select(DealLine.deal_id).where(DealLine.product_id.in_(products))
    candidates = list(
        db.session.scalars(
            select(Deal)
            .join(Customer, Customer.id == Deal.customer_id)
            .options(contains_eager(Deal.customer), selectinload(Deal.lines))
            .where(Deal.id.in_(sharing), live())  # type: ignore[arg-type]
            .order_by(Deal.id)
        ).unique()
    )
    found: dict[int, list[int]] = {}
    for deal in deals:
        mine = {line.product_id for line in deal.lines}
        found[deal.id] = [
            other.id
            for other in candidates
            if other.id != deal.id
            and other.company_id != deal.company_id
            and mine & {line.product_id for line in other.lines}
            and same_customer(deal.customer, other.customer)
        ]
    return found
