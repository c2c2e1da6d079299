"""Deals past their time expire: approved ones after their protection, pending ones
after their expected close. Run hourly by Celery beat (``deals.expire``) and by
``flask deals expire``; each deal in its own transaction, under its row lock, so a
second or concurrent run changes nothing twice."""

from __future__ import annotations

from datetime import date

from celery import shared_task
from sqlalchemy import and_, or_, select

from channelfront.deals import decisions, services
from channelfront.deals.models import Deal, DealStatus
from channelfront.extensions import db
from channelfront.outbox.services import commit_and_dispatch
from channelfront.tenancy.scoping import tenant_scope


def due(today: date) -> list[tuple[int, int]]:
    """(tenant id, deal id) of every deal on every tenant that is due to expire."""
    with tenant_scope(None):
        rows = db.session.execute(
            select(Deal.tenant_id, Deal.id)
            .where(
                or_(
                    and_(Deal.status == DealStatus.APPROVED.value, Deal.protected_until < today),
                    and_(Deal.status == DealStatus.PENDING.value, Deal.expected_close < today),
                )
            )
            .order_by(Deal.id)
        ).all()
    return [(tenant_id, deal_id) for tenant_id, deal_id in rows]


def handle(tenant_id: int, deal_id: int, today: date) -> bool:
    """Expire one deal and commit; False when it was no longer due."""
    with tenant_scope(tenant_id):
        deal = db.session.get(Deal, deal_id)
        if deal is None or not decisions.expire(deal, today):
            db.session.rollback()
            return False
        commit_and_dispatch()
        return True


def expire_due(today: date | None = None) -> int:
    """Expire every due deal; how many expired."""
    today = today or services.today()
    return sum(handle(tenant_id, deal_id, today) for tenant_id, deal_id in due(today))


@shared_task(name="deals.expire")
def expire_task() -> dict[str, int]:
    return {"expired": expire_due()}
