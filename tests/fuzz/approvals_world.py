"""What the fuzzers need of approvals: rules, orders that wait for them, and the API
tokens of the people who act on them. Orders are placed through the API, as a client
would place them."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Flask
from sqlalchemy import select

from channelfront.accounts.models import User
from channelfront.api.openapi_orders import EXAMPLE_ORDER
from channelfront.api.tokens import issue_token
from channelfront.approvals.models import ApprovalRule
from channelfront.approvals.rules import validate_rule
from channelfront.extensions import db
from channelfront.tenancy.models import Tenant
from tests.api.orders_support import add_reseller

NORTHWIND = "northwind.localhost"
BUYER = "buyer@bluebird.example"
APPROVER = "approver@bluebird.example"
ADMIN = "admin@bluebird.example"


def user(email: str) -> User:
    return db.session.scalars(select(User).where(User.email == email)).one()


def tenant(slug: str = "northwind") -> Tenant:
    return db.session.scalars(select(Tenant).where(Tenant.slug == slug)).one()


def tokens(slug: str = "northwind") -> dict[str, str]:
    """A bearer token each for Bluebird's buyer, approver and company admin."""
    site = tenant(slug).id
    return {email: issue_token(user(email), site) for email in (BUYER, APPROVER, ADMIN)}


def rule(
    name: str,
    conditions: list[dict[str, Any]],
    steps: list[dict[str, Any]],
    company_id: int | None = None,
) -> ApprovalRule:
    """A rule on Northwind, stored as the rule pages store it: the company's, or the
    distributor's for every reseller."""
    valid = validate_rule({"name": name, "conditions": conditions, "steps": steps})
    row = ApprovalRule(
        tenant_id=tenant().id,
        scope="company" if company_id else "tenant",
        company_id=company_id,
        name=valid.name,
        match=valid.match,
        conditions=valid.conditions,
        steps=valid.steps,
    )
    db.session.add(row)
    db.session.flush()
    return row


def placed_by(app: Flask, buyer: User) -> dict[str, Any]:
    """The document's example order, placed on Northwind through the API by ``buyer``."""
    token = issue_token(buyer, tenant().id)
    db.session.commit()
    response = app.test_client().post(
        "/api/v1/orders",
        base_url=f"http://{NORTHWIND}",
        json=EXAMPLE_ORDER,
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex},
    )
    assert response.status_code == 201, response.get_json()
    order: dict[str, Any] = response.get_json()
    return order


def waiting_orders(app: Flask) -> list[str]:
    """Orders waiting for approval, each for the role that acts on it: the buyer's own
    (its withdraw form), a colleague's at Bluebird that the buyer cannot take back (the
    approver's decision form), and another reseller's that waits for the vendor's staff
    (the console's). A distributor rule that holds for no order gives its page a delete
    form. Answers the order numbers."""
    bluebird = user(BUYER).company_id
    colleague = add_reseller("colleague@bluebird.example", "northwind", company=bluebird)
    stranger = add_reseller("buyer@fuzz-reseller.example", "northwind")
    ours = [{"field": "buyer.email", "operator": "in", "value": [BUYER, colleague.email]}]
    rule("Fuzz: Bluebird's orders", ours, [{"role": "approver"}], bluebird)
    rule("Fuzz: every order", [], [{"role": "vendor_admin"}], stranger.company_id)
    never = [{"field": "line.sku", "operator": "eq", "value": "NO-SUCH-SKU"}]
    rule("Fuzz: no order", never, [{"role": "partner_manager"}])
    db.session.commit()
    numbers = []
    for buyer in (user(BUYER), colleague, stranger):
        order = placed_by(app, buyer)
        assert order["status"] == "awaiting_approval", order
        numbers.append(order["number"])
    return numbers
