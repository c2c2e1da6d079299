"""Tenant scoping, applied in one place for every ORM query and insert.

Every model that mixes in :class:`TenantOwned` is filtered to the active tenant
by a session-wide ``with_loader_criteria``; new rows get the active tenant's id,
and a flush that would write a row of another tenant is refused. Code that runs
on a tenant host always has a tenant active; the vendor console, CLI commands
and migrations run unscoped on purpose.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import ForeignKey, event
from sqlalchemy.orm import (
    Mapped,
    ORMExecuteState,
    Session,
    declared_attr,
    mapped_column,
    with_loader_criteria,
)

_active_tenant_id: ContextVar[int | None] = ContextVar("active_tenant_id", default=None)


class CrossTenantWrite(RuntimeError):
    """A flush tried to write a row that belongs to another tenant."""


class TenantOwned:
    """Mixin for rows that belong to exactly one tenant."""

    @declared_attr
    def tenant_id(cls) -> Mapped[int]:  # noqa: N805
        return mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"), index=True)


def active_tenant_id() -> int | None:
    """The id of the tenant the current code runs for, or None when unscoped."""
    return _active_tenant_id.get()


@contextmanager
def tenant_scope(tenant_id: int | None) -> Iterator[None]:
    """Run a block for one tenant (tasks, scripts, tests)."""
    token = _active_tenant_id.set(tenant_id)
    try:
        yield
    finally:
        _active_tenant_id.reset(token)


def activate(tenant_id: int | None) -> None:
    """Set the tenant for the rest of the current request context."""
    _active_tenant_id.set(tenant_id)


@event.listens_for(Session, "do_orm_execute")
def _scope_queries(state: ORMExecuteState) -> None:
    tenant_id = _active_tenant_id.get()
    if tenant_id is None or not (state.is_select or state.is_update or state.is_delete):
        return
    state.statement = state.statement.options(
        with_loader_criteria(
            TenantOwned,
            lambda cls: cls.tenant_id == tenant_id,
            include_aliases=True,
        )
    )


@event.listens_for(Session, "before_flush")
def _stamp_and_guard(session: Session, _context: object, _instances: object) -> None:
    tenant_id = _active_tenant_id.get()
    for obj in list(session.new) + list(session.dirty):
        if not isinstance(obj, TenantOwned):
            continue
        if obj.tenant_id is None and tenant_id is not None:
            obj.tenant_id = tenant_id
        if tenant_id is not None and obj.tenant_id != tenant_id:
            raise CrossTenantWrite(f"{type(obj).__name__} belongs to another tenant")
