"""Fixtures for mail tests: a request context on a storefront, and a tenant by slug."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import Flask, g
from sqlalchemy import select

from channelfront.extensions import db
from channelfront.tenancy.middleware import resolve_tenant
from channelfront.tenancy.models import Tenant
from channelfront.tenancy.scoping import tenant_scope


@pytest.fixture
def tenant_named(ctx: None) -> Callable[[str], Tenant]:
    def find(slug: str) -> Tenant:
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == slug))
        assert tenant is not None
        return tenant

    return find


@pytest.fixture
def scoped(app: Flask) -> Iterator[Callable[[Tenant | None], None]]:
    """``scoped(tenant)``: run the rest of the test as an outbox handler of that tenant."""
    scopes = []

    def enter(tenant: Tenant | None) -> None:
        scope = tenant_scope(tenant.id if tenant else None)
        scope.__enter__()
        scopes.append(scope)

    yield enter
    for scope in reversed(scopes):
        scope.__exit__(None, None, None)


@pytest.fixture
def shop_at(app: Flask) -> Iterator[Callable[[str], object]]:
    """A request context on a storefront host, as the quote factories expect."""
    from tests.quotes.world import Shop

    contexts = []

    def enter(host: str) -> Shop:
        context = app.test_request_context("/", base_url=f"http://{host}")
        context.push()
        contexts.append(context)
        resolve_tenant()
        return Shop(db.session.get(Tenant, g.tenant.id))

    yield enter
    for context in reversed(contexts):
        context.pop()
