"""Webhook fixtures: a real receiver on loopback, endpoints made through the service,
fast retries, and signed-in clients of the two areas."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from channelfront.accounts.models import User
from channelfront.extensions import db
from channelfront.outbox.services import commit_and_dispatch
from channelfront.tenancy.models import Tenant
from channelfront.tenancy.scoping import tenant_scope
from channelfront.webhooks import services
from channelfront.webhooks.models import WebhookEndpoint
from channelfront.webhooks.publish import publish
from channelfront.webhooks.services import EndpointInput, Owner
from tests.webhooks.receiver import Receiver, serve

COMPANY_ADMIN = "admin@bluebird.example"
DISTRIBUTOR_ADMIN = "admin@northwind.example"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    server = serve(found)
    try:
        yield found
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def fast(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries due at once, a short timeout and claim."""
    monkeypatch.setitem(app.config, "WEBHOOK_RETRY_BASE_SECONDS", 0.0)
    monkeypatch.setitem(app.config, "WEBHOOK_TIMEOUT_SECONDS", 1.0)
    monkeypatch.setitem(app.config, "WEBHOOK_CLAIM_SECONDS", 2.0)


@pytest.fixture
def production(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """As in production: https and public addresses only."""
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_LOOPBACK", False)


def user(email: str) -> User:
    found = db.session.scalar(select(User).where(User.email == email))
    assert found is not None
    return found


def northwind_id() -> int:
    tenant = db.session.scalar(select(Tenant).where(Tenant.slug == "northwind"))
    assert tenant is not None
    return tenant.id


@pytest.fixture
def make_endpoint(app: Flask) -> Callable[..., tuple[int, str]]:
    """``make_endpoint(url, events, company=True)``: (id, secret), committed."""

    def make(url: str, events: list[str] | None = None, company: bool = True) -> tuple[int, str]:
        with app.app_context():
            tenant_id = northwind_id()
            admin = user(COMPANY_ADMIN if company else DISTRIBUTOR_ADMIN)
            owner = Owner(tenant_id, admin.company_id if company else None)
            with tenant_scope(tenant_id):
                endpoint = services.create(
                    owner, EndpointInput(url, events or ["order.placed"]), admin
                )
                found = endpoint.id, endpoint.secret
                commit_and_dispatch()
            return found

    return make


@pytest.fixture
def emit(app: Flask) -> Callable[..., str]:
    """``emit("order.placed", data)``: publish for Bluebird on northwind and commit."""

    def send(event_type: str, data: dict[str, Any] | None = None) -> str:
        with app.app_context():
            tenant_id = northwind_id()
            company_id = user(COMPANY_ADMIN).company_id
            with tenant_scope(tenant_id):
                event = publish(event_type, company_id=company_id, data=data or {"n": 1})
                assert event is not None
                public_id = event.public_id
                commit_and_dispatch()
            return public_id

    return send


def endpoint_row(app: Flask, endpoint_id: int) -> WebhookEndpoint:
    with app.app_context(), tenant_scope(None):
        found = db.session.get(WebhookEndpoint, endpoint_id)
        assert found is not None
        db.session.expunge(found)
        return found


@pytest.fixture
def token_for(app: Flask) -> Callable[[str, str], str]:
    """``token_for(email, "northwind")``: a bearer token, committed in the test's transaction."""
    from channelfront.api.tokens import issue_token

    def issue(email: str, tenant_slug: str) -> str:
        with app.app_context():
            tenant = db.session.scalar(select(Tenant).where(Tenant.slug == tenant_slug))
            assert tenant is not None
            raw = issue_token(user(email), tenant.id)
            db.session.commit()
            return raw

    return issue
