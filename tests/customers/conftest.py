"""Fixtures for customer tests: a storefront's request context, signed-in clients by role."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import Flask

from channelfront.tenancy.middleware import resolve_tenant
from tests.conftest import HostClient
from tests.customers.world import company_id, reseller_user

NW = "northwind.localhost"


@pytest.fixture
def shop_at(app: Flask) -> Iterator[Callable[[str], None]]:
    """``shop_at("northwind.localhost")``: a request context on that host (tenant active)."""
    contexts = []

    def enter(host: str) -> None:
        context = app.test_request_context("/", base_url=f"http://{host}")
        context.push()
        contexts.append(context)
        resolve_tenant()

    yield enter
    for context in reversed(contexts):
        context.pop()


@pytest.fixture
def shop(shop_at: Callable[[str], None]) -> None:
    shop_at(NW)


@pytest.fixture
def signed_in(client_for: Callable[[str], HostClient]) -> Callable[..., HostClient]:
    """``signed_in("buyer@bluebird.example")``: a client on northwind, signed in."""

    def login(email: str, host: str = NW) -> HostClient:
        client = client_for(host)
        response = client.login(email)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return login


@pytest.fixture
def viewer(shop: None, signed_in: Callable[..., HostClient]) -> HostClient:
    reseller_user(company_id(), "viewer@bluebird.example", "viewer")
    return signed_in("viewer@bluebird.example")
