"""The approver's pages: /approvals lists what waits for the signed-in user, the decision
page shows the order, why it waits, the buyer's history with the end customer and the
credit picture, and approves or rejects it; the vendor console does the same for steps
that name vendor staff."""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from sqlalchemy import func, select

from channelfront.accounts.models import Company, User
from channelfront.accounts.passwords import hash_password
from channelfront.approvals.models import ApprovalDecision, ApprovalRule, ApprovalStep
from channelfront.customers.services import CustomerInput
from channelfront.demo.seed import DEMO_PASSWORD
from channelfront.extensions import db
from channelfront.orders.checkout import CheckoutRequest, submit
from channelfront.orders.lines import LineRequest
from channelfront.orders.models import Order, OrderEvent
from channelfront.pricing.models import Enrollment, Program
from channelfront.pricing.services import load_terms
from channelfront.tenancy.middleware import resolve_tenant
from channelfront.tenancy.models import Tenant
from tests.conftest import HostClient

OVER_ONE = [{"field": "order.total", "operator": "gt", "value": "1.00"}]
BUYER = "buyer@bluebird.example"
APPROVER = "approver@bluebird.example"
ADMIN = "admin@bluebird.example"
FINANCE = "finance@northwind.example"
VENDOR = "admin@nimbus.example"
ACME = CustomerInput(
    company_name="Acme Corp", contact_name="Ada Acme", email="ada@acme.example", country="US"
)


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


def rule(shop: Shop, steps: list[dict], name: str = "Everything over 1.00") -> ApprovalRule:
    row = ApprovalRule(
        tenant_id=shop.tenant.id,
        scope="company",
        company_id=shop.user(BUYER).company_id,
        name=name,
        match="all",
        conditions=OVER_ONE,
        steps=steps,
    )
    db.session.add(row)
    db.session.commit()
    return row


def place(shop: Shop, by: str = BUYER, **overrides: object) -> Order:
    buyer = shop.user(by)
    values: dict[str, object] = {
        "lines": [LineRequest("SHD-STD-1Y", 2)],
        "idempotency_key": uuid.uuid4().hex,
        "payment_method": "on_account",
        "new_customer": ACME,
        "po_number": "PO-APPROVE-1",
    }
    values.update(overrides)
    order, created = submit(
        shop.tenant, buyer, load_terms(buyer.company_id), "en", CheckoutRequest(**values)
    )
    assert created
    db.session.commit()
    return order


def step_of(order: Order) -> ApprovalStep:
    db.session.expire_all()
    return db.session.scalars(
        select(ApprovalStep).where(ApprovalStep.order_id == order.id, ApprovalStep.status == "open")
    ).one()


def status_of(order: Order) -> str:
    db.session.expire_all()
    return db.session.get(Order, order.id).status


def went_ahead(order: Order) -> bool:
    """Approved, accepted on account, then fulfilled and invoiced at once (tasks run eagerly)."""
    kinds = db.session.scalars(
        select(OrderEvent.kind).where(OrderEvent.order_id == order.id).order_by(OrderEvent.id)
    ).all()
    return status_of(order) == "invoiced" and {"approved", "accepted_on_account"} <= set(kinds)


def decisions_on(step: ApprovalStep) -> int:
    return db.session.scalar(
        select(func.count(ApprovalDecision.id)).where(ApprovalDecision.step_id == step.id)
    )


def signed_in(client: HostClient, email: str) -> HostClient:
    answer = client.login(email)
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return client


def decide(client: HostClient, step: ApprovalStep, decision: str, comment: str = "", base=""):  # type: ignore[no-untyped-def]
    page = f"{base}/approvals/{step.id}"
    token = csrf(client, page)
    data = {"csrf_token": token, "decision": decision, "comment": comment}
    return client.post(f"{page}/decision", data=data)


def csrf(client: HostClient, path: str) -> str:
    for where in (path, "/approvals", "/admin/approvals", "/"):
        found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(where).get_data(True))
        if found:
            return found.group(1)
    raise AssertionError("no CSRF token")


def text(response) -> str:  # type: ignore[no-untyped-def]
    page = response.get_data(as_text=True)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def user_of(company: Company, email: str, role: str) -> User:
    row = User(
        email=email,
        name=email.split("@")[0].title(),
        password_hash=hash_password(DEMO_PASSWORD),
        kind="reseller",
        role=role,
        company_id=company.id,
    )
    db.session.add(row)
    db.session.commit()
    return row


def other_company(shop: Shop) -> Company:
    """Otter Co, a second reseller on Northwind."""
    company = Company(name="Otter Co", country="GB")
    db.session.add(company)
    db.session.flush()
    gold = db.session.scalar(select(Program).where(Program.slug == "gold"))
    db.session.add(
        Enrollment(
            tenant_id=shop.tenant.id,
            company_id=company.id,
            program_id=gold.id,
            credit_limit_minor=1_000_000,
        )
    )
    db.session.commit()
    return company


# --- the way through -----------------------------------------------------------------------


def test_the_approver_sees_the_waiting_order_and_approves_it(shop, inbox, northwind):
    rule(shop, [{"role": "approver"}])
    earlier = place(shop)  # the buyer's history with Acme
    step_of(earlier)  # it waits too
    order = place(
        shop, po_number="PO-APPROVE-2", new_customer=None, customer_id=earlier.customer_id
    )
    assert status_of(order) == "awaiting_approval"
    step = step_of(order)
    approver = signed_in(northwind, APPROVER)

    home = approver.get("/").get_data(as_text=True)
    assert re.search(r'href="/approvals" class="approvals-link">Approvals <span[^>]*>\(2\)', home)
    queue = approver.get("/approvals")
    assert queue.status_code == 200
    row = re.search(rf'<tr data-step="{step.id}".*?</tr>', queue.get_data(as_text=True), re.S)
    assert row, queue.get_data(as_text=True)
    cells = text_of(row.group(0))
    for shown in (order.number, "Blake Buyer", "Acme Corp", "Everything over 1.00"):
        assert shown in cells
    assert "No due time" in cells

    page = approver.get(f"/approvals/{step.id}")
    assert page.status_code == 200
    shown = text(page)
    assert f"Order {order.number}" in shown
    assert "PO-APPROVE-2" in shown
    assert "On account" in shown
    assert "Acme Corp" in shown
    assert "Nimbus Shield" in shown  # the line
    assert "Why it waits" in shown
    assert re.search(r"order\.total [\d.]+ > 1\.00", shown), shown  # the reason it matched
    assert "Who decides: Approver" in shown
    assert earlier.number in shown  # history with this end customer
    assert "Credit limit" in shown
    assert "Left after this order" in shown
    assert 'name="decision" value="approve"' in page.get_data(as_text=True)

    answer = decide(approver, step, "approve", "Fine by me")
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith("/approvals")
    after = text(approver.get("/approvals"))
    assert "Approved. The order goes ahead." in after
    assert order.number not in after
    assert went_ahead(order)
    assert f"Order {order.number} is approved" in [m["Subject"] for m in inbox.to(BUYER)]


def text_of(fragment: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)))


def test_a_reject_needs_a_comment_and_tells_the_buyer(shop, inbox, northwind):
    rule(shop, [{"role": "approver"}])
    order = place(shop)
    step = step_of(order)
    approver = signed_in(northwind, APPROVER)

    refused = decide(approver, step, "reject", "   ")
    assert refused.status_code == 422
    assert "Say why the order is rejected." in text(refused)
    assert 'aria-invalid="true"' in refused.get_data(as_text=True)
    assert (status_of(order), step_of(order).status, decisions_on(step)) == (
        "awaiting_approval",
        "open",
        0,
    )

    answer = decide(approver, step, "reject", "Not this quarter")
    assert answer.status_code == 303
    assert "Rejected. The buyer is told." in text(approver.get("/approvals"))
    assert status_of(order) == "rejected"
    mail = inbox.to(BUYER)
    assert [m["Subject"] for m in mail] == [f"Order {order.number} was rejected"]
    assert "Not this quarter" in mail[0].get_content()


def test_no_decision_chosen_is_refused_naming_it(shop, northwind):
    rule(shop, [{"role": "approver"}])
    step = step_of(place(shop))
    answer = decide(signed_in(northwind, APPROVER), step, "maybe", "hm")
    assert answer.status_code == 422
    assert "Choose approve or reject." in text(answer)
    assert decisions_on(step) == 0


def test_the_next_step_is_named_after_an_approval(shop, northwind, client_for):
    rule(shop, [{"role": "approver"}, {"role": "company_admin", "name": "Admin sign-off"}])
    order = place(shop)
    step = step_of(order)
    approver = signed_in(northwind, APPROVER)
    assert decide(approver, step, "approve").status_code == 303
    assert "Approved. It now waits for Admin sign-off." in text(approver.get("/approvals"))
    assert status_of(order) == "awaiting_approval"

    admin = signed_in(client_for("northwind.localhost"), ADMIN)
    second = step_of(order)
    page = text(admin.get(f"/approvals/{second.id}"))
    assert "Avery Approver approved" in page  # the decisions so far, on every step
    assert decide(admin, second, "approve").status_code == 303
    assert went_ahead(order)


# --- who may see and decide ----------------------------------------------------------------


def test_the_buyer_can_neither_find_nor_decide_their_own_order(shop, northwind, client_for):
    rule(shop, [{"role": "approver"}])
    # The approver buys too: their own order never waits for them.
    own = place(shop, by=APPROVER)
    own_step = step_of(own)
    approver = signed_in(northwind, APPROVER)
    assert own.number not in text(approver.get("/approvals"))
    page = approver.get(f"/approvals/{own_step.id}")
    assert page.status_code == 200
    assert "You placed this order, so someone else must decide it." in text(page)
    assert 'name="decision"' not in page.get_data(as_text=True)
    refused = decide(approver, own_step, "approve", "self")
    assert refused.status_code == 403
    assert "You placed this order" in text(refused)
    assert (decisions_on(own_step), status_of(own)) == (0, "awaiting_approval")

    # A plain buyer decides nothing: no link, an empty queue, 403 on a decision.
    theirs = step_of(place(shop))
    buyer = signed_in(client_for("northwind.localhost"), BUYER)
    assert "approvals-link" not in buyer.get("/").get_data(as_text=True)
    assert "Nothing waits for your decision." in text(buyer.get("/approvals"))
    assert decide(buyer, theirs, "approve", "mine").status_code == 403
    assert decisions_on(theirs) == 0


def test_another_companys_approver_and_another_storefront_find_nothing(shop, northwind, client_for):
    rule(shop, [{"role": "approver"}])
    step = step_of(place(shop))
    user_of(other_company(shop), "approver@otter.example", "approver")
    otter = signed_in(northwind, "approver@otter.example")
    assert step.rule_name not in text(otter.get("/approvals"))
    assert otter.get(f"/approvals/{step.id}").status_code == 404
    assert decide(otter, step, "approve", "x").status_code == 404
    assert otter.get("/approvals/99999999999").status_code == 404
    # Bluebird's own approver, signed in on Alpenhandel, does not find a Northwind step.
    elsewhere = signed_in(client_for("alpenhandel.localhost"), APPROVER)
    assert elsewhere.get(f"/approvals/{step.id}").status_code == 404
    assert decide(elsewhere, step, "approve", "x").status_code == 404
    assert decisions_on(step) == 0
    # Signed out: sign in first.
    assert client_for("northwind.localhost").get(f"/approvals/{step.id}").status_code == 302


def test_a_second_decision_on_a_decided_step_is_a_conflict(shop, northwind, client_for):
    rule(shop, [{"role": "approver"}])
    user_of(
        db.session.get(Company, shop.user(BUYER).company_id), "avery2@bluebird.example", "approver"
    )
    order = place(shop)
    step = step_of(order)
    first = signed_in(northwind, APPROVER)
    second = signed_in(client_for("northwind.localhost"), "avery2@bluebird.example")
    token = csrf(second, f"/approvals/{step.id}")  # the page was open before the first decided
    assert decide(first, step, "approve", "ok").status_code == 303

    late = second.post(
        f"/approvals/{step.id}/decision",
        data={"csrf_token": token, "decision": "reject", "comment": "too late"},
    )
    assert late.status_code == 409
    assert "This approval was already decided." in text(late)
    assert went_ahead(order)
    assert decisions_on(step) == 1

    again = first.get(f"/approvals/{step.id}")
    assert again.status_code == 200
    assert "You approved this step already." in text(again)
    assert 'name="decision"' not in again.get_data(as_text=True)
    assert decide(first, step, "approve", "twice").status_code == 409


# --- the credit desk and the vendor console ------------------------------------------------


def test_distributor_finance_decides_an_order_over_the_credit_line(shop, inbox, northwind):
    shop.tenant.credit_desk = True
    enrollment = db.session.scalar(
        select(Enrollment).where(
            Enrollment.tenant_id == shop.tenant.id,
            Enrollment.company_id == shop.user(BUYER).company_id,
        )
    )
    enrollment.credit_limit_minor = 100
    db.session.commit()
    order = place(shop)
    assert status_of(order) == "awaiting_approval"
    step = step_of(order)
    assert step.source == "credit"

    finance = signed_in(northwind, FINANCE)
    assert "approvals-link" in finance.get("/").get_data(as_text=True)
    assert order.number in text(finance.get("/approvals"))
    page = text(finance.get(f"/approvals/{step.id}"))
    assert "Credit desk" in page
    assert "Over the limit by" in page
    assert decide(finance, step, "approve", "Exception for Acme").status_code == 303
    assert went_ahead(order)
    assert f"Order {order.number} is approved" in [m["Subject"] for m in inbox.to(BUYER)]


def test_vendor_staff_decide_their_steps_on_the_console(shop, inbox, northwind, admin_host):
    rule(shop, [{"role": "vendor_admin"}], name="Large deals")
    order = place(shop)
    step = step_of(order)
    vendor = signed_in(admin_host, VENDOR)
    queue = text(vendor.get("/admin/approvals"))
    assert order.number in queue
    assert "Northwind" in queue
    assert "Large deals" in queue
    page = vendor.get(f"/admin/approvals/{step.id}")
    assert page.status_code == 200
    assert "Credit limit" in text(page)

    # The company sees the step, read-only: vendor staff decide it.
    approver = signed_in(northwind, APPROVER)
    assert "You are not one of the approvers of this step." in text(
        approver.get(f"/approvals/{step.id}")
    )
    assert decide(approver, step, "approve", "x").status_code == 403

    answer = decide(vendor, step, "approve", "Deal desk agrees", base="/admin")
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith("/admin/approvals")
    assert "Approved. The order goes ahead." in text(vendor.get("/admin/approvals"))
    assert went_ahead(order)


def test_the_console_finds_no_step_that_names_no_vendor_staff(shop, admin_host, northwind):
    rule(shop, [{"role": "approver"}])
    step = step_of(place(shop))
    vendor = signed_in(admin_host, VENDOR)
    assert vendor.get(f"/admin/approvals/{step.id}").status_code == 404
    assert decide(vendor, step, "approve", "x", base="/admin").status_code == 404
    assert northwind.get("/admin/approvals").status_code == 404  # no console on a storefront
