"""Helpers for the order API tests: JSON requests with a token, demo rows, row counts."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from channelfront.accounts.models import Company, User
from channelfront.customers.models import Customer
from channelfront.extensions import db
from channelfront.fulfillment.models import License
from channelfront.orders.models import Order, OrderEvent
from channelfront.outbox.models import OutboxMessage
from channelfront.pricing.models import Enrollment, Program
from channelfront.tenancy.models import Tenant

NW = "northwind.localhost"
AH = "alpenhandel.localhost"
SK = "sakura.localhost"

ACME = {
    "company_name": "Acme Corp",
    "contact_name": "Ada Acme",
    "email": "ada@acme.example",
    "country": "US",
}


def order_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "lines": [{"sku": "SHD-STD-1Y", "quantity": 2}, {"sku": "INS-PERP", "quantity": 1}],
        "end_customer": dict(ACME),
        "po_number": "PO-7",
        "payment": {"method": "on_account"},
    }
    body.update(overrides)
    return body


class Api:
    """JSON requests to ``/api/v1`` on one storefront host with a bearer token."""

    def __init__(self, app: Flask, host: str, token: str | None) -> None:
        self.client = FlaskClient(app, app.response_class, use_cookies=False)
        self.host = host
        self.token = token

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        headers = dict(extra or {})
        if self.token is not None:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def get(self, path: str, headers: dict[str, str] | None = None) -> TestResponse:
        return self.client.get(
            f"/api/v1{path}", base_url=f"http://{self.host}", headers=self._headers(headers)
        )

    def post(
        self, body: Any, key: str | None = "", headers: dict[str, str] | None = None, **kw: Any
    ) -> TestResponse:
        """POST /orders; ``key=""`` sends a fresh Idempotency-Key, ``None`` sends none."""
        sent = self._headers(headers)
        if key is not None:
            sent["Idempotency-Key"] = key or uuid.uuid4().hex
        if "data" in kw:
            return self.client.post(
                "/api/v1/orders", base_url=f"http://{self.host}", headers=sent, **kw
            )
        return self.client.post(
            "/api/v1/orders", base_url=f"http://{self.host}", headers=sent, json=body
        )

    def place(self, **overrides: Any) -> dict[str, Any]:
        response = self.post(order_body(**overrides))
        assert response.status_code == 201, response.get_json()
        return response.get_json()


def counts() -> dict[str, int]:
    """Rows an order writes; compared before and after a refused request."""
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model)) or 0
        for model in (Order, OrderEvent, Customer, OutboxMessage, License)
    }


def tenant_id(slug: str) -> int:
    found = db.session.scalar(select(Tenant.id).where(Tenant.slug == slug))
    assert found is not None
    return found


def company_id(email: str) -> int:
    found = db.session.scalar(select(User.company_id).where(User.email == email))
    assert found is not None
    return found


def add_customer(company: int, tenant_slug: str, name: str = "Globex Ltd") -> int:
    customer = Customer(
        tenant_id=tenant_id(tenant_slug),
        company_id=company,
        company_name=name,
        contact_name="Gil Globex",
        email="gil@globex.example",
        country="GB",
    )
    db.session.add(customer)
    db.session.commit()
    return customer.id


def add_reseller(email: str, tenant_slug: str, role: str = "buyer", company: int | None = None):  # type: ignore[no-untyped-def]
    """A reseller user (of a new company enrolled on the tenant, unless one is given)."""
    from channelfront.accounts.passwords import hash_password

    if company is None:
        row = Company(name=f"Company of {email}", country="US")
        db.session.add(row)
        db.session.flush()
        tid = tenant_id(tenant_slug)
        program = db.session.scalar(
            select(Program).where(Program.tenant_id == tid).order_by(Program.slug != "gold")
        )
        db.session.add(
            Enrollment(
                tenant_id=tid,
                company_id=row.id,
                program_id=program.id,
                credit_limit_minor=1_000_000,
            )
        )
        company = row.id
    user = User(
        email=email,
        name=email.split("@")[0].title(),
        password_hash=hash_password("x" * 12),
        kind="reseller",
        role=role,
        company_id=company,
    )
    db.session.add(user)
    db.session.commit()
    return user
