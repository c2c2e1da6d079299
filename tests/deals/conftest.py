"""Deal test fixtures: API tokens and JSON calls on a storefront host."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from channelfront.accounts.models import User
from channelfront.api.tokens import issue_token
from channelfront.extensions import db
from channelfront.tenancy.models import Tenant

HOST = "northwind.localhost"


@pytest.fixture
def token_for(app: Flask) -> Callable[[str, str], str]:
    """``token_for(email, "northwind")``: a committed token for that user."""

    def issue(email: str, tenant_slug: str = "northwind") -> str:
        with app.app_context():
            user = db.session.scalar(select(User).where(User.email == email))
            tenant = db.session.scalar(select(Tenant).where(Tenant.slug == tenant_slug))
            assert user is not None
            assert tenant is not None
            raw = issue_token(user, tenant.id)
            db.session.commit()
            return raw

    return issue


@pytest.fixture
def call(app: Flask) -> Callable[..., TestResponse]:
    """``call("POST", "/deals", token, json=...)`` on the API of a host."""
    client = FlaskClient(app, app.response_class, use_cookies=False)

    def send(method: str, path: str, token: str, host: str = HOST, **kwargs: Any) -> TestResponse:
        return client.open(
            f"/api/v1{path}",
            method=method,
            base_url=f"http://{host}",
            headers={"Authorization": f"Bearer {token}"},
            **kwargs,
        )

    return send


def deal_body(**changes: Any) -> dict[str, Any]:
    close = (datetime.now(UTC).date() + timedelta(days=30)).isoformat()
    body: dict[str, Any] = {
        "external_id": "CRM-DEAL-1",
        "end_customer": {
            "company_name": "Acme Labs",
            "contact_name": "Casey Customer",
            "email": "it@acme.example",
            "country": "US",
            "vat_id": "US12345678",
        },
        "lines": [{"sku": "SHD-STD-1Y", "quantity": 10}],
        "expected_value": "12000.00",
        "expected_close": close,
        "crm_account_id": "ACC-1",
        "crm_opportunity_id": "OPP-1",
    }
    body.update(changes)
    return body


@pytest.fixture
def reseller(app: Flask) -> Callable[[str, str, str], str]:
    """``reseller("Rival Resale", "buyer@rival.example", "buyer")``: another company
    enrolled on northwind (its program as Bluebird's), with one user; returns the e-mail."""
    from channelfront.accounts.models import Company
    from channelfront.accounts.passwords import hash_password
    from channelfront.demo.seed import DEMO_PASSWORD
    from channelfront.pricing.models import Enrollment
    from channelfront.tenancy.scoping import tenant_scope

    def make(name: str, email: str, role: str = "buyer") -> str:
        with app.app_context():
            tenant = db.session.scalar(select(Tenant).where(Tenant.slug == "northwind"))
            assert tenant is not None
            with tenant_scope(tenant.id):
                company = db.session.scalar(select(Company).where(Company.name == name))
                if company is None:
                    company = Company(name=name, country="GB")
                    db.session.add(company)
                    db.session.flush()
                    program_id = db.session.scalar(select(Enrollment.program_id))
                    db.session.add(
                        Enrollment(
                            tenant_id=tenant.id,
                            company_id=company.id,
                            program_id=program_id,
                            credit_limit_minor=0,
                        )
                    )
                db.session.add(
                    User(
                        email=email,
                        name=email.split("@")[0],
                        password_hash=hash_password(DEMO_PASSWORD),
                        kind="reseller",
                        role=role,
                        company_id=company.id,
                    )
                )
                db.session.commit()
        return email

    return make


@pytest.fixture
def approved_deal(
    token_for: Callable[..., str], call: Callable[..., TestResponse]
) -> Callable[..., dict[str, Any]]:
    """``approved_deal(**body_changes)``: a deal registered by Bluebird's buyer through
    the API and approved by the partner manager; its JSON."""

    def make(**changes: Any) -> dict[str, Any]:
        buyer = token_for("buyer@bluebird.example")
        made = call("POST", "/deals", buyer, json=deal_body(**changes))
        assert made.status_code == 201, made.get_json()
        deal_id = made.get_json()["id"]
        decided = call(
            "POST",
            f"/deals/{deal_id}/decision",
            token_for("partners@northwind.example"),
            json={"decision": "approve", "reason": None},
        )
        assert decided.status_code == 200, decided.get_json()
        return decided.get_json()

    return make


@pytest.fixture
def on_northwind(app: Flask) -> Iterator[None]:
    """A request context on northwind, for a test that reads rows itself (tenant scoped)."""
    from channelfront.tenancy.middleware import resolve_tenant

    with app.test_request_context("/", base_url=f"http://{HOST}"):
        resolve_tenant()
        yield


def post_form(client: Any, path: str, data: dict[str, str], form_page: str = "/deals") -> Any:
    """POST a storefront form with the session's CSRF token (read from ``form_page``)."""
    return client.post(path, data={"csrf_token": client.csrf_token(form_page), **data})


def the_deal(deal_id: int) -> Any:
    from channelfront.deals.models import Deal

    db.session.expire_all()
    deal = db.session.get(Deal, deal_id)
    assert deal is not None
    return deal
