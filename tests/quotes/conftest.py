"""Fixtures that enter a storefront for quote tests (factories in ``world.py``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import Flask, g

from channelfront.extensions import db
from channelfront.tenancy.middleware import resolve_tenant
from channelfront.tenancy.models import Tenant
from tests.quotes.world import Shop


@pytest.fixture
def shop_at(app: Flask) -> Iterator[Callable[[str], Shop]]:
    """``shop_at("northwind.localhost")``: a request context on that host."""
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


@pytest.fixture
def shop(shop_at: Callable[[str], Shop]) -> Shop:
    return shop_at("northwind.localhost")
