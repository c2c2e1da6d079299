"""Tenant scoping, applied in one place for every ORM query and insert.

Every model that mixes in :class:`TenantOwned` is filtered to the active tenant
by a session-wide ``with_loader_criteria``; ``Session.get`` answers a row of
another tenant already in the identity map as not found (no query runs there for
the criteria to filter); new rows get the active tenant's id, and a flush that
would write a row of another tenant is refused. Code that runs
on a tenant host always has a tenant active; the vendor console, CLI commands
and migrations run unscoped on purpose.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from sqlalchemy import ForeignKey, event
from sqlalchemy.exc import NoResultFound
from sqlalchemy.orm import (
    Mapped,
    ORMExecuteState,
    Session,
    declared_attr,
    mapped_column,
    with_loader_criteria,
)

_active_tenant_id: ContextVar[int | None] = ContextVar("active_tenant_id", default=None)
_T = TypeVar("_T")


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


def visible(instance: _T | None) -> _T | None:
    """The instance, or None when it belongs to a tenant other than the active one."""
    tenant_id = _active_tenant_id.get()
    if tenant_id is None or not isinstance(instance, TenantOwned):
        return instance
    return instance if instance.tenant_id == tenant_id else None


class TenantScopedSession(Session):
    """A Session whose lookups by primary key keep to the active tenant, as queries do.

    ``get()`` returns an object already in the identity map without a query, so the
    loader criteria never see it: a row of another tenant loaded before the scope
    began (unscoped, or in another tenant's scope) would come back.
    """

    def get(self, entity: Any, ident: Any, **kwargs: Any) -> Any:
        return visible(super().get(entity, ident, **kwargs))

    def get_one(self, entity: Any, ident: Any, **kwargs: Any) -> Any:
        found = self.get(entity, ident, **kwargs)
        if found is None:
            raise NoResultFound("No row was found when one was required")
        return found


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
