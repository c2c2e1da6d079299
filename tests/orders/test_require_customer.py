"""The end customer rule at checkout and in POST /api/v1/orders: the program's over the tenant's."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import func, select

from channelfront.accounts.models import User
from channelfront.api.tokens import issue_token
from channelfront.extensions import db
from channelfront.orders.models import Order
from channelfront.pricing.models import Enrollment, Program
from channelfront.tenancy.models import Tenant

NEW_CUSTOMER = {
    "company_name": "Acme Corp",
    "contact_name": "Ada Acme",
    "email": "ada@acme.example",
    "country": "US",
}


def set_rules(tenant_rule: bool, program_rule: bool | None) -> None:
    """Northwind's rule, and that of Bluebird's program there (None: as the tenant)."""
    tenant = db.session.scalar(select(Tenant).where(Tenant.slug == "northwind"))
    tenant.require_end_customer = tenant_rule
    buyer = db.session.scalar(select(User).where(User.email == "buyer@bluebird.example"))
    program = db.session.scalar(
        select(Program)
        .join(Enrollment, Enrollment.program_id == Program.id)
        .where(Enrollment.company_id == buyer.company_id, Enrollment.tenant_id == tenant.id)
    )
    program.require_end_customer = program_rule
    db.session.commit()


def order_count() -> int:
    return db.session.scalar(select(func.count(Order.id))) or 0


def checkout_without_customer(client):  # type: ignore[no-untyped-def]
    token = client.csrf_token("/cart")
    client.post("/cart/add", data={"csrf_token": token, "sku": "INS-PERP", "quantity": "1"})
    page = client.get("/checkout").get_data(as_text=True)
    hidden = dict(
        re.findall(r'name="(csrf_token|idempotency_key|cart_digest)" value="([^"]*)"', page)
    )
    data = {**hidden, "end_customer_choice": "none", "payment_method": "on_account"}
    return page, client.post("/checkout", data=data)


@pytest.fixture
def api_order(app):  # type: ignore[no-untyped-def]
    """POST /api/v1/orders on northwind as Bluebird's buyer, with or without an end customer."""

    def post(end_customer: dict | None = None):  # type: ignore[no-untyped-def]
        with app.app_context():
            user = db.session.scalar(select(User).where(User.email == "buyer@bluebird.example"))
            tenant = db.session.scalar(select(Tenant).where(Tenant.slug == "northwind"))
            raw = issue_token(user, tenant.id)
            db.session.commit()
        body: dict = {
            "lines": [{"sku": "INS-PERP", "quantity": 1}],
            "payment": {"method": "on_account"},
        }
        if end_customer is not None:
            body["end_customer"] = end_customer
        return app.test_client().post(
            "/api/v1/orders",
            base_url="http://northwind.localhost",
            headers={"Authorization": f"Bearer {raw}", "Idempotency-Key": uuid.uuid4().hex},
            json=body,
        )

    return post


@pytest.mark.parametrize(
    ("tenant_rule", "program_rule", "required"),
    [
        (True, None, True),
        (False, None, False),
        (True, False, False),
        (False, True, True),
    ],
)
def test_checkout_obeys_the_program_over_the_tenant(
    ctx, bluebird_buyer, tenant_rule, program_rule, required
):
    set_rules(tenant_rule, program_rule)
    before = order_count()
    page, response = checkout_without_customer(bluebird_buyer)
    assert f'class="end-customer-rule" data-required="{str(required).lower()}"' in page
    if required:
        assert "Required: every order names the end customer" in page
        assert 'value="none"' not in page
        assert response.status_code == 422
        assert "Choose an end customer" in response.get_data(as_text=True)
        assert order_count() == before
    else:
        assert "Optional: you may order without naming an end customer." in page
        assert response.status_code == 303, response.get_data(as_text=True)
        number = response.headers["Location"].rsplit("/", 1)[1]
        assert db.session.scalar(select(Order.customer_id).where(Order.number == number)) is None


@pytest.mark.parametrize(
    ("tenant_rule", "program_rule", "required"),
    [
        (True, None, True),
        (True, False, False),
        (False, True, True),
        (False, None, False),
    ],
)
def test_the_api_obeys_the_program_over_the_tenant(
    ctx, api_order, tenant_rule, program_rule, required
):
    set_rules(tenant_rule, program_rule)
    before = order_count()
    response = api_order()
    if required:
        assert response.status_code == 422, response.get_data(as_text=True)
        assert "end_customer" in response.get_json()["error"]["errors"]
        assert order_count() == before
    else:
        assert response.status_code == 201, response.get_data(as_text=True)
        assert order_count() == before + 1
    # Naming a customer is always allowed.
    assert api_order(dict(NEW_CUSTOMER)).status_code == 201
