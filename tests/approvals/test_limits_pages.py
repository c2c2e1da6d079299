"""Spending limits on /company/users: the company admin sets a colleague's limits per
order and per month; refused amounts name the field and write nothing; an order over
the limit waits for an approver."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from channelfront.accounts.models import User
from channelfront.approvals.models import ApprovalStep, SpendingLimit
from channelfront.audit.models import AuditEvent
from channelfront.extensions import db
from channelfront.orders.models import Order
from tests.conftest import HostClient


def _user(email: str) -> User:
    db.session.expire_all()
    return db.session.scalars(select(User).where(User.email == email)).one()


def _signed_in(client: HostClient, email: str) -> HostClient:
    answer = client.login(email)
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return client


def _set(client: HostClient, user: User, per_order: str, per_month: str):  # type: ignore[no-untyped-def]
    token = client.csrf_token("/company/users")
    data = {"csrf_token": token, "per_order": per_order, "per_month": per_month}
    return client.post(f"/company/users/{user.id}/limits", data=data)


def _limits(user_id: int) -> tuple[int | None, int | None] | None:
    db.session.expire_all()
    row = db.session.scalar(select(SpendingLimit).where(SpendingLimit.user_id == user_id))
    return None if row is None else (row.per_order_minor, row.per_month_minor)


def _events() -> int:
    return db.session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.action == "spending_limit.changed")
    )


@pytest.fixture
def admin(northwind: HostClient) -> HostClient:
    return _signed_in(northwind, "admin@bluebird.example")


def _row(page: str, user: User) -> str:
    match = re.search(rf'<li [^>]*data-user-id="{user.id}".*?</li>', page, re.S)
    assert match, page
    return match.group(0)


def test_limits_are_saved_shown_and_audited(app, ctx, admin):
    buyer = _user("buyer@bluebird.example")
    answer = _set(admin, buyer, "1250.50", "10000")
    assert answer.status_code == 302
    assert _limits(buyer.id) == (125050, 1000000)
    page = admin.get("/company/users").get_data(as_text=True)
    assert "The spending limits of Blake Buyer are saved." in page
    row = _row(page, buyer)
    assert "$1,250.50" in row
    assert "$10,000.00" in row
    assert 'value="1250.50"' in row
    assert 'value="10000.00"' in row
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "spending_limit.changed")
    ).one()
    assert event.subject_label == "buyer@bluebird.example"
    assert event.after == {"per_order": "1250.50 USD", "per_month": "10000.00 USD"}
    assert event.company_id == buyer.company_id


def test_an_empty_limit_is_no_limit(app, ctx, admin):
    buyer = _user("buyer@bluebird.example")
    assert _set(admin, buyer, "100", "").status_code == 302
    assert _limits(buyer.id) == (10000, None)
    assert _set(admin, buyer, "", "").status_code == 302
    assert _limits(buyer.id) == (None, None)
    row = _row(admin.get("/company/users").get_data(as_text=True), buyer)
    assert "Spending limit per order: no limit" in row
    assert _events() == 2


@pytest.mark.parametrize(
    ("per_order", "per_month", "field", "message"),
    [
        ("-5", "", "per_order", "Limit per order: The number cannot be negative."),
        ("ten", "", "per_order", "Limit per order: “ten” is not a number"),
        ("10.505", "", "per_order", "Limit per order: USD amounts take at most 2 decimals."),
        ("10", "1000000000000", "per_month", "Limit per month: The number is too large."),
        ("10", "1e5", "per_month", "Limit per month: “1e5” is not a number"),
    ],
)
def test_bad_limits_are_refused_naming_the_field_and_nothing_is_written(
    app, ctx, admin, per_order, per_month, field, message
):
    buyer = _user("buyer@bluebird.example")
    assert _set(admin, buyer, "50", "500").status_code == 302
    answer = _set(admin, buyer, per_order, per_month)
    assert answer.status_code == 422
    row = _row(answer.get_data(as_text=True), buyer)
    # The error stands under the field at fault, and what was typed is kept.
    dash = field.replace("_", "-")
    error = re.search(rf'id="{dash}-{buyer.id}-error"[^>]*>([^<]*)<', row)
    assert error, row
    assert message in error.group(1)
    assert f'value="{per_order}"' in row
    assert _limits(buyer.id) == (5000, 50000)
    assert _events() == 1


def test_another_companys_user_is_not_found_and_a_buyer_is_refused(app, ctx, admin, client_for):
    kirin = _user("buyer@kirin.example")
    assert _set(admin, kirin, "10", "").status_code == 404
    buyer = _user("buyer@bluebird.example")
    shopper = _signed_in(client_for("northwind.localhost"), "buyer@bluebird.example")
    token = shopper.csrf_token("/")
    answer = shopper.post(
        f"/company/users/{buyer.id}/limits",
        data={"csrf_token": token, "per_order": "1", "per_month": ""},
    )
    assert answer.status_code == 403
    assert _limits(kirin.id) is None
    assert _limits(buyer.id) is None


ACME = {
    "end_customer_choice": "new",
    "new_customer.company_name": "Acme Corp",
    "new_customer.contact_name": "Ada Acme",
    "new_customer.email": "ada@acme.example",
    "new_customer.country": "us",
    "new_customer.vat_id": "",
}


def _check_out(client: HostClient, sku: str) -> str:
    """Put one of ``sku`` in the cart and check out on account; the order's number."""
    token = client.csrf_token("/cart")
    added = client.post("/cart/add", data={"csrf_token": token, "sku": sku, "quantity": "1"})
    assert added.status_code in (302, 303), added.get_data(as_text=True)
    page = client.get("/checkout").get_data(as_text=True)
    hidden = dict(
        re.findall(r'name="(csrf_token|idempotency_key|cart_digest)" value="([^"]*)"', page)
    )
    data = {**hidden, **ACME, "po_number": "PO-7", "payment_method": "on_account"}
    placed = client.post("/checkout", data=data)
    assert placed.status_code == 303, placed.get_data(as_text=True)
    return placed.headers["Location"].rsplit("/", 1)[1]


def test_an_order_over_the_buyers_limit_waits_for_approval(app, ctx, admin, client_for):
    buyer = _user("buyer@bluebird.example")
    assert _set(admin, buyer, "10.00", "").status_code == 302
    shopper = _signed_in(client_for("northwind.localhost"), "buyer@bluebird.example")
    number = _check_out(shopper, "SHD-STD-1Y")
    db.session.expire_all()
    order = db.session.scalars(select(Order).where(Order.number == number)).one()
    assert order.total_minor > 10_00
    assert order.status == "awaiting_approval"
    step = db.session.scalars(select(ApprovalStep).where(ApprovalStep.order_id == order.id)).one()
    assert (step.source, step.status) == ("spending_limit", "open")
    assert "over the buyer's limit of 10.00 USD per order" in step.reasons[0]
