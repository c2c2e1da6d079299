"""Fixtures for order tests: a request context on a storefront, the buyer and its terms."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from sqlalchemy import select

from channelfront.accounts.models import User
from channelfront.customers.services import CustomerInput
from channelfront.extensions import db
from channelfront.orders.checkout import CheckoutRequest
from channelfront.orders.lines import LineRequest
from channelfront.pricing.services import PartnerTerms, load_terms
from channelfront.tenancy.middleware import resolve_tenant
from channelfront.tenancy.models import Tenant


@dataclass
class Storefront:
    tenant: Tenant
    buyer: User
    terms: PartnerTerms


def storefront(app: Flask, host: str, email: str) -> Iterator[Storefront]:
    with app.test_request_context("/", base_url=f"http://{host}"):
        resolve_tenant()
        from flask import g

        tenant = db.session.get(Tenant, g.tenant.id)
        buyer = db.session.scalar(select(User).where(User.email == email))
        yield Storefront(tenant, buyer, load_terms(buyer.company_id))


@pytest.fixture
def northwind_shop(app: Flask) -> Iterator[Storefront]:
    yield from storefront(app, "northwind.localhost", "buyer@bluebird.example")


@pytest.fixture
def sakura_shop(app: Flask) -> Iterator[Storefront]:
    yield from storefront(app, "sakura.localhost", "buyer@kirin.example")


NEW_CUSTOMER = CustomerInput(
    company_name="Acme Corp", contact_name="Ada Acme", email="ada@acme.example", country="US"
)


def checkout_request(**overrides: object) -> CheckoutRequest:
    values: dict[str, object] = {
        "lines": [LineRequest("SHD-STD-1Y", 2), LineRequest("INS-PERP", 1)],
        "idempotency_key": uuid.uuid4().hex,
        "payment_method": "on_account",
        "new_customer": NEW_CUSTOMER,
        "po_number": "PO-7",
    }
    values.update(overrides)
    return CheckoutRequest(**values)  # type: ignore[arg-type]
