"""Gap-free document numbers per tenant (orders, invoices)."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from channelfront.extensions import db
from channelfront.orders.models import Counter


def _bump(tenant_id: int, kind: str) -> int | None:
    return db.session.scalar(
        update(Counter)
        .where(Counter.tenant_id == tenant_id, Counter.kind == kind)
        .values(last_value=Counter.last_value + 1)
        .returning(Counter.last_value)
        .execution_options(synchronize_session=False)
    )


def next_value(tenant_id: int, kind: str) -> int:
    """Take the next number of a kind on a tenant.

    One atomic UPDATE ... RETURNING: it holds the row's write lock until commit on
    PostgreSQL and the database write lock on SQLite, so two orders never share a number.
    """
    value = _bump(tenant_id, kind)
    if value is None:
        try:
            with db.session.begin_nested():
                db.session.add(Counter(tenant_id=tenant_id, kind=kind, last_value=0))
        except IntegrityError:
            pass  # created by a concurrent transaction
        value = _bump(tenant_id, kind)
    assert value is not None
    return value


def order_number(prefix: str, value: int) -> str:
    return f"{prefix}-{value:06d}"


def invoice_number(prefix: str, value: int) -> str:
    return f"{prefix}-INV-{value:06d}"
