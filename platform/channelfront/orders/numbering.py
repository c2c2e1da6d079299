"""Gap-free document numbers per tenant (orders, invoices)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from channelfront.extensions import db
from channelfront.orders.models import Counter


def next_value(tenant_id: int, kind: str) -> int:
    """Take the next number of a kind on a tenant, locking its counter row until commit."""
    query = select(Counter).where(Counter.tenant_id == tenant_id, Counter.kind == kind)
    counter = db.session.scalar(query.with_for_update())
    if counter is None:
        try:
            with db.session.begin_nested():
                db.session.add(Counter(tenant_id=tenant_id, kind=kind, last_value=0))
        except IntegrityError:
            pass  # created by a concurrent transaction; lock it below
        counter = db.session.scalar(query.with_for_update())
    counter.last_value += 1
    return counter.last_value


def order_number(prefix: str, value: int) -> str:
    return f"{prefix}-{value:06d}"


def invoice_number(prefix: str, value: int) -> str:
    return f"{prefix}-INV-{value:06d}"
