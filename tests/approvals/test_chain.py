"""Approval chains: steps in order, several decisions, escalation on a controlled clock,
expiry, and nobody approving their own order."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from channelfront.accounts.models import User
from channelfront.approvals.decisions import DecisionRefused, decide
from channelfront.approvals.expiry import expire_due
from channelfront.approvals.models import ApprovalRule, ApprovalStep
from channelfront.approvals.queue import waiting_for
from channelfront.customers.services import CustomerInput
from channelfront.extensions import db
from channelfront.fulfillment.models import License
from channelfront.orders.checkout import CheckoutRequest, submit
from channelfront.orders.lines import LineRequest
from channelfront.orders.models import Order
from channelfront.outbox.services import commit_and_dispatch
from channelfront.pricing.services import PartnerTerms, load_terms
from channelfront.tenancy.middleware import resolve_tenant
from channelfront.tenancy.models import Tenant

OVER_ONE = [{"field": "order.total", "operator": "gt", "value": "1.00"}]


@dataclass
class Shop:
    tenant: Tenant
    buyer: User
    approver: User
    admin: User

    def terms(self, user: User) -> PartnerTerms:
        return load_terms(user.company_id)


def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


@pytest.fixture
def shop(app: Flask) -> Iterator[Shop]:
    with app.test_request_context("/", base_url="http://northwind.localhost"):
        resolve_tenant()
        from flask import g

        yield Shop(
            db.session.get(Tenant, g.tenant.id),
            _user("buyer@bluebird.example"),
            _user("approver@bluebird.example"),
            _user("admin@bluebird.example"),
        )


def rule(shop: Shop, steps: list[dict], conditions: list[dict] | None = None) -> ApprovalRule:
    row = ApprovalRule(
        scope="company",
        company_id=shop.buyer.company_id,
        name="Everything over 1.00",
        match="all",
        conditions=OVER_ONE if conditions is None else conditions,
        steps=steps,
    )
    db.session.add(row)
    db.session.commit()
    return row


def place(shop: Shop, by: User | None = None, **overrides: object) -> Order:
    by = by or shop.buyer
    values: dict[str, object] = {
        "lines": [LineRequest("SHD-STD-1Y", 1)],
        "idempotency_key": uuid.uuid4().hex,
        "payment_method": "on_account",
        "new_customer": CustomerInput(
            company_name="Acme Corp", contact_name="Ada", email="ada@acme.example", country="US"
        ),
    }
    values.update(overrides)
    order, created = submit(shop.tenant, by, shop.terms(by), "en", CheckoutRequest(**values))
    assert created
    return db.session.get(Order, order.id)


def steps_of(order: Order) -> list[ApprovalStep]:
    return list(
        db.session.scalars(
            select(ApprovalStep)
            .where(ApprovalStep.order_id == order.id)
            .order_by(ApprovalStep.position)
        )
    )


def approve(step: ApprovalStep, user: User, now: datetime | None = None) -> None:
    decide(step.id, user, "approve", "fine", now)
    commit_and_dispatch()


def test_steps_open_one_after_the_other_and_the_last_lets_the_order_go(shop, inbox):
    rule(shop, [{"role": "approver"}, {"role": "company_admin"}])
    order = place(shop)
    assert order.status == "awaiting_approval"
    first, second = steps_of(order)
    assert (first.status, second.status) == ("open", "waiting")
    assert db.session.scalar(select(License.id).where(License.order_id == order.id)) is None
    assert [m["Subject"] for m in inbox.to(shop.approver.email)] == [
        f"Order {order.number} waits for your approval"
    ]
    assert inbox.to(shop.admin.email) == []  # not their turn yet

    with pytest.raises(DecisionRefused) as refused:
        decide(second.id, shop.admin, "approve", "", None)
    assert refused.value.status == 409  # the second step is not open yet
    db.session.rollback()

    approve(first, shop.approver)
    order = db.session.get(Order, order.id)
    assert order.status == "awaiting_approval"
    assert db.session.get(ApprovalStep, second.id).status == "open"
    assert len(inbox.to(shop.admin.email)) == 1

    approve(second, shop.admin)
    order = db.session.get(Order, order.id)
    assert order.status == "invoiced"  # accepted on account, then fulfilled at once
    kinds = [event.kind for event in order.events]
    assert kinds[:2] == ["placed", "awaiting_approval"]
    assert kinds.count("approval_decided") == 2
    assert "approved" in kinds
    assert [m["Subject"] for m in inbox.to(shop.buyer.email)][-1] == (
        f"Order {order.number} is approved"
    )


def test_a_step_needing_two_decisions_waits_for_the_second(shop):
    rule(shop, [{"users": [shop.approver.id, shop.admin.id], "required": 2}])
    order = place(shop)
    [step] = steps_of(order)
    approve(step, shop.approver)
    assert db.session.get(Order, order.id).status == "awaiting_approval"
    with pytest.raises(DecisionRefused) as twice:
        decide(step.id, shop.approver, "approve", "again", None)
    assert twice.value.status == 409
    db.session.rollback()
    approve(step, shop.admin)
    assert db.session.get(Order, order.id).status == "invoiced"


def test_an_overdue_step_escalates_to_the_named_step_on_a_controlled_clock(shop, inbox):
    rule(
        shop,
        [
            {
                "name": "team",
                "role": "approver",
                "due_hours": 4,
                "on_expiry": "escalate",
                "escalate_to": "boss",
            },
            {"name": "second look", "role": "approver"},
            {"name": "boss", "role": "company_admin"},
        ],
    )
    order = place(shop)
    team, middle, boss = steps_of(order)
    opened = team.opened_at if team.opened_at.tzinfo else team.opened_at.replace(tzinfo=UTC)

    assert expire_due(opened + timedelta(hours=3, minutes=59)) == 0
    assert db.session.get(ApprovalStep, team.id).status == "open"

    assert expire_due(opened + timedelta(hours=4, minutes=1)) == 1
    statuses = [db.session.get(ApprovalStep, s.id).status for s in (team, middle, boss)]
    assert statuses == ["expired", "skipped", "open"]
    assert len(inbox.to(shop.admin.email)) == 1
    # The approver can no longer decide the expired step; the admin decides the open one.
    assert waiting_for(shop.approver) == []
    approve(boss, shop.admin)
    assert db.session.get(Order, order.id).status == "invoiced"


def test_an_overdue_step_that_says_reject_rejects_the_order_and_frees_its_credit(shop, inbox):
    rule(shop, [{"role": "approver", "due_hours": 1, "on_expiry": "reject"}])
    order = place(shop)
    [step] = steps_of(order)
    assert expire_due(datetime.now(UTC) + timedelta(hours=2)) == 1
    order = db.session.get(Order, order.id)
    assert order.status == "rejected"
    assert db.session.get(ApprovalStep, step.id).status == "expired"
    assert [m["Subject"] for m in inbox.to(shop.buyer.email)][-1] == (
        f"Order {order.number} was rejected"
    )
    # Expiring again changes nothing.
    assert expire_due(datetime.now(UTC) + timedelta(hours=3)) == 0


def test_nobody_approves_their_own_order_whatever_their_role(shop):
    # The company admin buys; the rule names the admin both by role and by name.
    rule(shop, [{"role": "company_admin"}, {"users": [shop.admin.id, shop.approver.id]}])
    order = place(shop, by=shop.admin)
    first, _second = steps_of(order)
    assert waiting_for(shop.admin) == []
    with pytest.raises(DecisionRefused) as refused:
        decide(first.id, shop.admin, "approve", "mine", None)
    assert refused.value.status == 403
    db.session.rollback()
    assert db.session.get(Order, order.id).status == "awaiting_approval"


def test_placing_an_order_never_approves_it(shop):
    rule(shop, [{"role": "approver"}])
    order = place(shop, by=shop.approver)
    assert order.status == "awaiting_approval"
    [step] = steps_of(order)
    assert step.status == "open"
    assert step.decisions == []
    assert waiting_for(shop.approver) == []


def test_a_rejection_needs_a_reason_and_ends_the_chain(shop, inbox):
    rule(shop, [{"role": "approver"}, {"role": "company_admin"}])
    order = place(shop)
    first, second = steps_of(order)
    with pytest.raises(DecisionRefused) as no_reason:
        decide(first.id, shop.approver, "reject", "  ", None)
    assert no_reason.value.field == "comment"
    db.session.rollback()
    decide(first.id, shop.approver, "reject", "Not this quarter", None)
    commit_and_dispatch()
    order = db.session.get(Order, order.id)
    assert order.status == "rejected"
    assert db.session.get(ApprovalStep, second.id).status == "cancelled"
    [mail] = [m for m in inbox.to(shop.buyer.email) if "rejected" in m["Subject"]]
    assert "Not this quarter" in mail.get_content()
    with pytest.raises(DecisionRefused) as late:
        decide(second.id, shop.admin, "approve", "", None)
    assert late.value.status == 409
    db.session.rollback()


def test_a_per_order_spending_limit_sends_bigger_orders_to_the_approvers(shop):
    from channelfront.approvals.models import SpendingLimit

    db.session.add(SpendingLimit(user_id=shop.buyer.id, per_order_minor=100))
    db.session.commit()
    order = place(shop)
    assert order.status == "awaiting_approval"
    [step] = steps_of(order)
    assert step.source == "spending_limit"
    assert "per order" in step.reasons[0]
    approve(step, shop.approver)
    assert db.session.get(Order, order.id).status == "invoiced"


def test_a_monthly_limit_counts_the_orders_placed_this_month(shop):
    from channelfront.approvals.models import SpendingLimit

    first = place(shop)
    assert first.status == "invoiced"  # no limit yet
    db.session.add(SpendingLimit(user_id=shop.buyer.id, per_month_minor=first.total_minor + 1))
    db.session.commit()
    second = place(shop)
    assert second.status == "awaiting_approval"
    [step] = steps_of(second)
    assert "monthly limit" in step.reasons[0]


def test_the_queue_keeps_the_users_own_decisions_when_others_wait_longer(shop, monkeypatch):
    from channelfront.approvals import queue

    monkeypatch.setattr(queue, "QUEUE_LIMIT", 1)
    company_rule = rule(shop, [{"role": "approver"}])
    older = place(shop)  # waits for the company's approver, not for finance
    db.session.delete(company_rule)
    db.session.commit()
    rule(shop, [{"role": "distributor_finance"}])
    newer = place(shop)
    finance = _user("finance@northwind.example")
    assert [order.number for _step, order in waiting_for(finance)] == [newer.number]
    assert [order.number for _step, order in waiting_for(shop.approver)] == [older.number]
