"""Lists of deals: a reseller's own, and the tenant's queue for the deciding staff."""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import contains_eager, selectinload

from channelfront.accounts.models import Company
from channelfront.customers.models import Customer
from channelfront.deals import conflicts
from channelfront.deals.models import Deal, DealStatus
from channelfront.extensions import db

STATUSES = tuple(s.value for s in DealStatus)
PER_PAGE = 25


@dataclass(frozen=True)
class Page:
    rows: list[Deal]
    page: int
    pages: int
    total: int


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


def deal_page(
    company_id: int | None, status: str = "", q: str = "", page: int = 1, per_page: int = PER_PAGE
) -> Page:
    """Deals newest first: one company's (or the tenant's, for ``None``), filtered by
    status and by a text in the number, CRM ids, customer or reseller name."""
    query = select(Deal).join(Customer, Customer.id == Deal.customer_id)
    if company_id is not None:
        query = query.where(Deal.company_id == company_id)
    if status in STATUSES:
        query = query.where(Deal.status == status)
    text = q.strip()[:100]
    if text:
        pattern = _like(text)
        names = select(Company.id).where(func.lower(Company.name).like(pattern, escape="\\"))
        query = query.where(
            or_(
                func.lower(Deal.number).like(pattern, escape="\\"),
                func.lower(Deal.external_id).like(pattern, escape="\\"),
                func.lower(Deal.crm_opportunity_id).like(pattern, escape="\\"),
                func.lower(Customer.company_name).like(pattern, escape="\\"),
                func.lower(Customer.email).like(pattern, escape="\\"),
                Deal.company_id.in_(names),
            )
        )
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    # The rows' customers come with the join; their lines (conflicts read them) in one more.
    rows = db.session.scalars(
        query.options(contains_eager(Deal.customer), selectinload(Deal.lines))
        .order_by(Deal.created_at.desc(), Deal.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return Page(list(rows), page, pages, total)


def company_names(deals: list[Deal]) -> dict[int, str]:
    ids = {deal.company_id for deal in deals}
    if not ids:
        return {}
    rows = db.session.execute(select(Company.id, Company.name).where(Company.id.in_(ids)))
    return {row[0]: row[1] for row in rows}


def conflicts_of(deal: Deal) -> list[Deal]:
    """The deals this one conflicts with: those found when it was registered, and live
    ones registered since (which list this one)."""
    ids = {int(i) for i in deal.conflict_deal_ids or []} | set(conflicts.find(deal))
    if not ids:
        return []
    return list(db.session.scalars(select(Deal).where(Deal.id.in_(ids)).order_by(Deal.id)))


def conflicts_by_deal(deals: list[Deal]) -> dict[int, list[Deal]]:
    """``conflicts_of`` for a page of deals, in a fixed number of queries."""
    live = conflicts.find_many(deals)
    wanted = {
        deal.id: {int(i) for i in deal.conflict_deal_ids or []} | set(live[deal.id])
        for deal in deals
    }
    ids = set().union(*wanted.values()) if wanted else set()
    if not ids:
        return {deal.id: [] for deal in deals}
    rows = {d.id: d for d in db.session.scalars(select(Deal).where(Deal.id.in_(ids)))}
    return {
        deal_id: [rows[i] for i in sorted(found) if i in rows] for deal_id, found in wanted.items()
    }
