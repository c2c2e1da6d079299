"""Factories for the webhook source tests: endpoints made as rows, a second reseller on
Northwind, orders placed through checkout, and what each endpoint was sent.

No HTTP here: the tests read OutboundEvent and WebhookDelivery rows. Endpoints point at
a closed loopback port, so a delivery attempted inline fails fast and changes nothing
the tests read.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask, g
from sqlalchemy import select

from channelfront.accounts.models import Company, User
from channelfront.accounts.passwords import hash_password
from channelfront.customers.services import CustomerInput
from channelfront.demo.seed import DEMO_PASSWORD
from channelfront.extensions import db
from channelfront.orders.checkout import CheckoutRequest, submit
from channelfront.orders.lines import LineRequest
from channelfront.orders.models import Order
from channelfront.pricing.models import Enrollment, Program
from channelfront.pricing.services import load_terms
from channelfront.tenancy.middleware import resolve_tenant
from channelfront.tenancy.models import Tenant
from channelfront.webhooks.events import EVENT_TYPES
from channelfront.webhooks.models import OutboundEvent, WebhookDelivery, WebhookEndpoint

BUYER = "buyer@bluebird.example"
OTHER_BUYER = "buyer@otter.example"
DEAD_URL = "http://127.0.0.1:9/hook"  # loopback, nothing listens


@dataclass
class Shop:
    """Northwind as its own requests see it, with three endpoints: Bluebird's (A), Otter's
    (B) and the tenant's own, each subscribed to every type unless a test says otherwise."""

    tenant: Tenant
    a: WebhookEndpoint
    b: WebhookEndpoint
    own: WebhookEndpoint

    def user(self, email: str) -> User:
        return db.session.scalars(select(User).where(User.email == email)).one()


def endpoint(tenant_id: int, company_id: int | None, events: list[str]) -> WebhookEndpoint:
    row = WebhookEndpoint(
        tenant_id=tenant_id,
        company_id=company_id,
        url=DEAD_URL,
        events=events,
        secret="whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    )
    db.session.add(row)
    db.session.commit()
    return row


def reseller(tenant: Tenant, name: str, email: str) -> Company:
    """A second reseller enrolled on the storefront (gold), with a buyer."""
    company = Company(name=name, country="GB")
    db.session.add(company)
    db.session.flush()
    program = db.session.scalar(
        select(Program).where(Program.tenant_id == tenant.id, Program.slug == "gold")
    )
    db.session.add(
        Enrollment(
            tenant_id=tenant.id,
            company_id=company.id,
            program_id=program.id,
            credit_limit_minor=10_000_000,
        )
    )
    db.session.add(
        User(
            email=email,
            name="Olive Otter",
            password_hash=hash_password(DEMO_PASSWORD),
            kind="reseller",
            role="buyer",
            company_id=company.id,
        )
    )
    db.session.commit()
    return company


@pytest.fixture(name="shop")
def shop_fixture(app: Flask) -> Iterator[Shop]:
    """Import ``shop_fixture`` into a test module to use the ``shop`` fixture."""
    with app.test_request_context("/", base_url="http://northwind.localhost"):
        resolve_tenant()
        tenant = db.session.get(Tenant, g.tenant.id)
        bluebird = db.session.scalars(select(User).where(User.email == BUYER)).one().company_id
        otter = reseller(tenant, "Otter Supplies", OTHER_BUYER)
        every = list(EVENT_TYPES)
        yield Shop(
            tenant,
            a=endpoint(tenant.id, bluebird, every),
            b=endpoint(tenant.id, otter.id, every),
            own=endpoint(tenant.id, None, every),
        )


def place(shop: Shop, by: str = BUYER, method: str = "on_account", **overrides: object) -> Order:
    """An order through checkout, committed (an on-account order is fulfilled inline)."""
    buyer = shop.user(by)
    values: dict[str, object] = {
        "lines": [LineRequest("SHD-STD-1Y", 2)],
        "idempotency_key": uuid.uuid4().hex,
        "payment_method": method,
        "new_customer": CustomerInput(
            company_name="Acme Corp", contact_name="Ada", email="ada@acme.example", country="US"
        ),
        **overrides,
    }
    request = CheckoutRequest(**values)  # type: ignore[arg-type]
    order, created = submit(shop.tenant, buyer, load_terms(buyer.company_id), "en", request)
    assert created
    return db.session.get(Order, order.id)


def heard(row: WebhookEndpoint) -> list[tuple[str, dict]]:
    """(type, data) of every event sent to the endpoint, oldest first."""
    db.session.expire_all()
    return [
        (event.type, event.data)
        for event in db.session.scalars(
            select(OutboundEvent)
            .join(WebhookDelivery, WebhookDelivery.event_id == OutboundEvent.id)
            .where(WebhookDelivery.endpoint_id == row.id)
            .order_by(OutboundEvent.id)
        )
    ]


def types(row: WebhookEndpoint) -> list[str]:
    return [kind for kind, _data in heard(row)]


def about(row: WebhookEndpoint, event_type: str, key: str, value: object) -> list[dict]:
    """The data of the endpoint's events of a type whose ``key`` is ``value``."""
    return [data for kind, data in heard(row) if kind == event_type and data.get(key) == value]
