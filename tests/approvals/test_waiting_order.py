"""The order while it waits for approval: nothing fulfilled, invoiced or charged; the
buyer sees the chain on the order page and may withdraw it; what it reserved (credit line,
credit notes) comes back when it ends; history, its filter and the CSV name the status."""

from __future__ import annotations

import csv
import html
import io
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from flask import Flask
from sqlalchemy import event, func, select

from channelfront.accounts.models import User
from channelfront.accounts.passwords import hash_password
from channelfront.approvals.decisions import decide
from channelfront.approvals.models import ApprovalRule, ApprovalStep
from channelfront.customers.services import CustomerInput
from channelfront.demo.seed import DEMO_PASSWORD
from channelfront.extensions import db
from channelfront.fulfillment.models import License
from channelfront.invoices.models import Invoice
from channelfront.orders import pipeline
from channelfront.orders.checkout import CheckoutRequest, submit
from channelfront.orders.credit import credit_status
from channelfront.orders.history import STATUS_LABELS
from channelfront.orders.lines import LineRequest
from channelfront.orders.models import Order, OrderStatus
from channelfront.outbox.models import OutboxMessage
from channelfront.outbox.services import commit_and_dispatch
from channelfront.payments import cards
from channelfront.pricing.services import load_terms
from channelfront.statements.models import CreditNote, IncentiveProgram, Statement
from channelfront.subscriptions.models import Subscription
from channelfront.tenancy.middleware import resolve_tenant
from channelfront.tenancy.models import Tenant
from tests.conftest import HostClient

OVER_ONE = [{"field": "order.total", "operator": "gt", "value": "1.00"}]
RULE_NAME = "Everything over 1.00"
BUYER = "buyer@bluebird.example"
APPROVER = "approver@bluebird.example"
ADMIN = "admin@bluebird.example"
VIEWER = "viewer@bluebird.example"
WITHDRAW_REFUSED = "Only an order that waits for approval can be withdrawn."


@dataclass
class Shop:
    tenant: Tenant

    def user(self, email: str) -> User:
        return db.session.scalars(select(User).where(User.email == email)).one()


@pytest.fixture
def shop(app: Flask) -> Iterator[Shop]:
    """Northwind, as its own requests see it (the test's queries keep to its rows)."""
    with app.test_request_context("/", base_url="http://northwind.localhost"):
        resolve_tenant()
        from flask import g

        yield Shop(db.session.get(Tenant, g.tenant.id))


def rule(shop: Shop, steps: list[dict] | None = None, **fields: object) -> ApprovalRule:
    row = ApprovalRule(
        scope="company",
        company_id=shop.user(BUYER).company_id,
        name=fields.pop("name", RULE_NAME),
        match="all",
        conditions=fields.pop("conditions", OVER_ONE),
        steps=steps or [{"role": "approver"}],
    )
    db.session.add(row)
    db.session.commit()
    return row


def place(shop: Shop, by: str = BUYER, **overrides: object) -> Order:
    buyer = shop.user(by)
    values: dict[str, object] = {
        "lines": [LineRequest("SHD-STD-1Y", 1)],
        "idempotency_key": uuid.uuid4().hex,
        "payment_method": "on_account",
        "new_customer": CustomerInput(
            company_name="Acme Corp", contact_name="Ada", email="ada@acme.example", country="US"
        ),
    }
    values.update(overrides)
    request = CheckoutRequest(**values)  # type: ignore[arg-type]
    order, created = submit(shop.tenant, buyer, load_terms(buyer.company_id), "en", request)
    assert created
    return db.session.get(Order, order.id)


def fresh(order: Order) -> Order:
    db.session.expire_all()
    return db.session.get(Order, order.id)


def step_of(order: Order) -> ApprovalStep:
    return db.session.scalars(
        select(ApprovalStep)
        .where(ApprovalStep.order_id == order.id)
        .order_by(ApprovalStep.position)
        .limit(1)
    ).one()


def approve(shop: Shop, order: Order, comment: str = "Fine by me") -> str | None:
    """What the approver's page does: decide, commit, then collect a card payment."""
    approver = shop.user(APPROVER)
    outcome = decide(step_of(order).id, approver, "approve", comment)
    commit_and_dispatch()
    assert outcome.approved
    return pipeline.collect(outcome.order, approver)


def outstanding(shop: Shop) -> int:
    enrollment = load_terms(shop.user(BUYER).company_id).enrollment
    today = datetime.now(UTC).date()
    return credit_status(enrollment, shop.tenant.currency, today).outstanding.minor


def signed_in(client: HostClient, email: str) -> HostClient:
    response = client.login(email)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def post(client: HostClient, path: str):  # type: ignore[no-untyped-def]
    token = client.csrf_token("/orders")
    return client.post(path, data={"csrf_token": token})


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def count(model: type, order: Order) -> int:
    return db.session.scalar(select(func.count()).where(model.order_id == order.id)) or 0  # type: ignore[attr-defined]


def test_every_order_status_has_a_label():
    assert set(STATUS_LABELS) == {status.value for status in OrderStatus}
    assert str(STATUS_LABELS["awaiting_approval"]) == "Awaiting approval"
    assert str(STATUS_LABELS["rejected"]) == "Rejected"
    assert str(STATUS_LABELS["withdrawn"]) == "Withdrawn"


def test_an_order_a_rule_matches_waits_unfulfilled_uninvoiced_and_holds_its_credit(shop):
    before = outstanding(shop)
    rule(shop)
    order = place(shop)
    assert order.status == "awaiting_approval"
    assert count(License, order) == 0
    assert count(Subscription, order) == 0
    assert count(Invoice, order) == 0
    fulfil = select(OutboxMessage).where(OutboxMessage.topic == "order.fulfil")
    assert all(m.payload.get("order_id") != order.id for m in db.session.scalars(fulfil))
    # The credit line counts the waiting order, so waiting orders cannot overdraw it.
    assert outstanding(shop) == before + order.due_minor

    assert approve(shop, order) is None
    order = fresh(order)
    assert order.status == "invoiced"
    assert count(License, order) == 1
    assert count(Invoice, order) == 1


def test_the_order_page_shows_the_chain_and_updates_while_it_waits(shop, northwind):
    rule(shop, [{"role": "approver", "due_hours": 48}, {"users": [shop.user(ADMIN).id]}])
    order = place(shop)
    reason = step_of(order).reasons[0]
    buyer = signed_in(northwind, BUYER)

    page = buyer.get(f"/orders/{order.number}").get_data(as_text=True)
    text = text_of(page)
    assert 'class="order-status status-awaiting_approval" data-status="awaiting_approval"' in page
    assert "Awaiting approval" in text
    assert 'data-live="true"' in page
    assert "This page updates by itself when the approvers decide." in text
    panel = text_of(re.search(r'<section class="approval-panel".*?</section>', page, re.S)[0])
    assert "Waiting for approval" in panel
    assert RULE_NAME in panel
    assert reason in panel
    assert "Waiting for a decision" in panel
    assert "Waiting for an earlier step" in panel
    assert "Who decides: Approver" in panel
    assert f"Who decides: {shop.user(ADMIN).name}" in panel
    assert "due " in panel
    assert "Withdraw this order" in panel
    assert f"Waiting for approval: {RULE_NAME}" in text  # the timeline entry

    approver = shop.user(APPROVER)
    decide(step_of(order).id, approver, "approve", "Within budget")
    commit_and_dispatch()
    status = buyer.get(f"/orders/{order.number}/status").get_json()
    assert (status["status"], status["live"]) == ("awaiting_approval", True)
    region = text_of(status["regions"]["approval"])
    assert f"{approver.name} approved" in region
    assert "Within budget" in region
    timeline = text_of(status["regions"]["timeline"])
    assert f"{RULE_NAME}: approved" in timeline
    assert f"by {approver.name}" in timeline


def test_the_buyer_withdraws_a_waiting_order_and_its_credit_is_free_again(shop, northwind):
    before = outstanding(shop)
    rule(shop)
    order = place(shop)
    assert outstanding(shop) == before + order.due_minor
    buyer = signed_in(northwind, BUYER)

    response = post(buyer, f"/orders/{order.number}/withdraw")
    assert response.status_code == 303
    page = buyer.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Order {order.number} is withdrawn." in text_of(page)
    assert 'data-status="withdrawn"' in page
    assert "Withdrawn: the order does not go ahead" in text_of(page)
    assert "Withdraw this order" not in page
    assert 'data-live="false"' in page

    order = fresh(order)
    assert order.status == "withdrawn"
    assert step_of(order).status == "cancelled"
    assert outstanding(shop) == before
    assert count(License, order) == 0
    assert count(Invoice, order) == 0


def test_withdrawing_an_order_that_does_not_wait_is_refused_saying_why(shop, northwind):
    order = place(shop)  # no rule: accepted and fulfilled at once
    assert order.status == "invoiced"
    buyer = signed_in(northwind, BUYER)
    response = post(buyer, f"/orders/{order.number}/withdraw")
    assert response.status_code == 422
    assert WITHDRAW_REFUSED in text_of(response.get_data(as_text=True))
    assert fresh(order).status == "invoiced"
    assert [e.kind for e in fresh(order).events][-1] == "invoiced"


@pytest.mark.parametrize(("email", "answer"), [(APPROVER, 403), (VIEWER, 403), (ADMIN, 303)])
def test_only_the_buyer_or_a_company_admin_withdraws(shop, client_for, email, answer):
    if email == VIEWER:
        viewer = User(
            email=VIEWER,
            name="Vera Viewer",
            password_hash=hash_password(DEMO_PASSWORD),
            kind="reseller",
            role="viewer",
            company_id=shop.user(BUYER).company_id,
        )
        db.session.add(viewer)
    rule(shop)
    order = place(shop)
    client = signed_in(client_for("northwind.localhost"), email)
    page = client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert ("Withdraw this order" in page) == (answer == 303)
    response = post(client, f"/orders/{order.number}/withdraw")
    assert response.status_code == answer
    assert fresh(order).status == ("withdrawn" if answer == 303 else "awaiting_approval")


def test_a_waiting_card_order_is_charged_only_after_the_approval(shop, northwind, localstripe):
    rule(shop)
    company_id = shop.user(BUYER).company_id
    card = cards.add_card(company_id, cards.parse_card("4242424242424242", "12/34", "123"))
    order = place(shop, payment_method="card", card_payment_method=card["id"])
    assert order.status == "awaiting_approval"
    # What checkout does after placing, and the order page's pay button: nothing charged.
    assert pipeline.collect(order, shop.user(BUYER)) is None
    buyer = signed_in(northwind, BUYER)
    response = post(buyer, f"/orders/{order.number}/pay")
    assert response.status_code == 303
    assert "This order does not wait for a card payment." in text_of(
        buyer.get(response.headers["Location"]).get_data(as_text=True)
    )
    assert localstripe.intents() == []
    assert fresh(order).status == "awaiting_approval"
    assert count(License, order) == 0

    assert approve(shop, order) is None
    order = fresh(order)
    [intent] = localstripe.intents()
    assert (intent.amount, intent.status) == (order.due_minor, "succeeded")
    assert order.status == "invoiced"
    assert count(License, order) == 1
    kinds = [e.kind for e in order.events]
    assert kinds[:2] == ["placed", "awaiting_approval"]
    assert kinds.index("approved") < kinds.index("paid")


def credit_note(shop: Shop, amount_minor: int) -> CreditNote:
    """A credit note of Bluebird's on Northwind, as a closed statement leaves one."""
    company_id = shop.user(BUYER).company_id
    program = IncentiveProgram(
        tenant_id=shop.tenant.id,
        code=f"wait-{uuid.uuid4().hex[:8]}",
        name="Waiting",
        audience="reseller",
        document={},
    )
    db.session.add(program)
    db.session.flush()
    now = datetime.now(UTC)
    statement = Statement(
        tenant_id=shop.tenant.id,
        program_id=program.id,
        beneficiary=f"company:{company_id}",
        period="2026-03",
        period_start=date(2026, 3, 1),
        period_end=date(2026, 3, 31),
        currency=shop.tenant.currency,
        opening_minor=0,
        total_minor=amount_minor,
        disposition="credit_note",
        closed_at=now,
    )
    db.session.add(statement)
    db.session.flush()
    note = CreditNote(
        tenant_id=shop.tenant.id,
        number=f"CN-{uuid.uuid4().hex[:8]}",
        statement_id=statement.id,
        beneficiary=statement.beneficiary,
        company_id=company_id,
        currency=shop.tenant.currency,
        amount_minor=amount_minor,
        remaining_minor=amount_minor,
        issued_at=now,
    )
    db.session.add(note)
    db.session.commit()
    return note


def remaining(note: CreditNote) -> int:
    db.session.expire_all()
    return db.session.get(CreditNote, note.id).remaining_minor


def test_a_rejected_order_gives_its_credit_notes_back(shop, northwind):
    note = credit_note(shop, 50_00)
    rule(shop)
    order = place(shop, apply_credit_notes=True)
    assert order.status == "awaiting_approval"
    assert order.credit_minor == 50_00
    assert remaining(note) == 0

    approver = shop.user(APPROVER)
    outcome = decide(step_of(order).id, approver, "reject", "Not this quarter")
    commit_and_dispatch()
    assert outcome.finished
    assert not outcome.approved
    order = fresh(order)
    assert order.status == "rejected"
    assert remaining(note) == 50_00
    assert count(Invoice, order) == 0

    page = signed_in(northwind, BUYER).get(f"/orders/{order.number}").get_data(as_text=True)
    text = text_of(page)
    assert 'data-status="rejected"' in page
    assert "Rejected: the order does not go ahead" in text
    assert f"{RULE_NAME}: rejected" in text
    assert f"{approver.name} rejected" in text
    assert "Not this quarter" in text
    assert "Withdraw this order" not in page


def csv_rows(client: HostClient, status: str) -> list[list[str]]:
    # The body streams inside the request's context: read it while the request runs.
    response = client.get("/orders.csv", query_string={"status": status}, buffered=True)
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_history_filters_waiting_orders_and_the_csv_names_the_status(shop, northwind):
    done = place(shop)  # before the rule: goes ahead
    rule(shop)
    waiting = place(shop)
    buyer = signed_in(northwind, BUYER)

    page = buyer.get("/orders?status=awaiting_approval").get_data(as_text=True)
    assert '<option value="awaiting_approval" selected>Awaiting approval</option>' in page
    assert '<option value="withdrawn">Withdrawn</option>' in page
    assert '<option value="rejected">Rejected</option>' in page
    listed = re.findall(r'<tr data-order="([^"]+)" data-status="([^"]+)"', page)
    assert (waiting.number, "awaiting_approval") in listed
    assert all(status == "awaiting_approval" for _number, status in listed)
    assert done.number not in {number for number, _status in listed}

    rows = csv_rows(buyer, "awaiting_approval")
    numbers = {row[0]: row for row in rows[1:]}
    assert numbers[waiting.number][2] == "Awaiting approval"
    assert done.number not in numbers

    post(buyer, f"/orders/{waiting.number}/withdraw")
    rows = csv_rows(buyer, "withdrawn")
    assert [row[2] for row in rows[1:] if row[0] == waiting.number] == ["Withdrawn"]


@contextmanager
def statements_sent(app: Flask) -> Iterator[list[str]]:
    with app.app_context():
        engine = db.engine
    sent: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_the_waiting_order_page_runs_the_same_queries_for_one_step_or_many(app, shop, northwind):
    admin = shop.user(ADMIN)
    rule(shop)
    big = [{"role": "approver"}, {"role": "company_admin"}, {"users": [admin.id]}]
    rule(
        shop,
        big,
        name="Big orders",
        conditions=[{"field": "order.po_number", "operator": "eq", "value": "BIG"}],
    )
    small = place(shop)
    large = place(shop, po_number="BIG")
    decide(step_of(large).id, shop.user(APPROVER), "approve", "one")
    commit_and_dispatch()
    buyer = signed_in(northwind, BUYER)
    for path in ("/orders/{}", "/orders/{}/status"):
        counts = []
        for order in (small, large):
            buyer.get(path.format(order.number))
            with statements_sent(app) as sent:
                assert buyer.get(path.format(order.number)).status_code == 200
            counts.append(len(sent))
        assert counts[0] == counts[1], path
