"""Orders, their keys and invoices reach the endpoints that hear them: once per happening,
the reseller's only to its own endpoint, every one to the tenant's own endpoint."""

from __future__ import annotations

from sqlalchemy import select

from channelfront.approvals.decisions import decide
from channelfront.approvals.models import ApprovalRule, ApprovalStep
from channelfront.extensions import db
from channelfront.fulfillment.models import License
from channelfront.invoices.models import Invoice
from channelfront.invoices.services import mark_paid
from channelfront.orders import cancel
from channelfront.orders.models import Order
from channelfront.outbox.services import commit_and_dispatch
from channelfront.webhooks.models import OutboundEvent
from tests.webhooks.sources_world import (  # noqa: F401  (shop_fixture: the fixture)
    BUYER,
    OTHER_BUYER,
    about,
    endpoint,
    heard,
    place,
    shop_fixture,
    types,
)

ON_ACCOUNT_FLOW = ["order.placed", "order.fulfilled", "license.issued", "invoice.issued"]


def test_an_on_account_order_is_heard_by_its_reseller_and_the_tenant_not_another(shop):
    order = place(shop)
    assert types(shop.a) == ON_ACCOUNT_FLOW
    assert types(shop.own) == ON_ACCOUNT_FLOW
    assert types(shop.b) == []
    [(_kind, placed)] = heard(shop.a)[:1]
    assert placed["number"] == order.number
    assert placed["status"] == "placed"
    assert placed["total"] == placed["lines"][0]["total"]
    assert placed["lines"][0]["sku"] == "SHD-STD-1Y"
    assert placed["end_customer"]["company_name"] == "Acme Corp"
    assert {"crm_deal_id", "crm_account_id", "crm_opportunity_id"} <= placed.keys()
    [fulfilled] = about(shop.a, "order.fulfilled", "number", order.number)
    assert fulfilled["status"] == "fulfilled"
    [key] = db.session.scalars(select(License).where(License.order_id == order.id)).all()
    [issued] = [data for kind, data in heard(shop.a) if kind == "license.issued"]
    assert (issued["id"], issued["key"], issued["seats"]) == (key.id, key.key, 2)
    assert issued["order"]["number"] == order.number
    invoice = db.session.scalar(select(Invoice).where(Invoice.order_id == order.id))
    [billed] = [data for kind, data in heard(shop.a) if kind == "invoice.issued"]
    assert (billed["number"], billed["status"]) == (invoice.number, "open")
    assert billed["order"]["number"] == order.number


def test_the_tenant_endpoint_hears_both_resellers_each_reseller_only_its_own(shop):
    mine = place(shop)
    theirs = place(shop, by=OTHER_BUYER)
    numbers_a = {data["number"] for kind, data in heard(shop.a) if kind == "order.placed"}
    numbers_b = {data["number"] for kind, data in heard(shop.b) if kind == "order.placed"}
    numbers_own = {data["number"] for kind, data in heard(shop.own) if kind == "order.placed"}
    assert numbers_a == {mine.number}
    assert numbers_b == {theirs.number}
    assert numbers_own == {mine.number, theirs.number}
    assert mine.number not in str(heard(shop.b))
    assert theirs.number not in str(heard(shop.a))


def test_an_endpoint_hears_only_the_types_it_subscribes_to(shop):
    only_invoices = endpoint(shop.tenant.id, shop.a.company_id, ["invoice.issued"])
    place(shop)
    assert types(only_invoices) == ["invoice.issued"]


def test_an_event_nobody_hears_is_not_recorded(shop):
    for row in (shop.a, shop.b, shop.own):
        row.events = ["quote.sent"]
    db.session.commit()
    before = db.session.query(OutboundEvent).count()
    place(shop)
    assert db.session.query(OutboundEvent).count() == before


def test_a_disabled_endpoint_hears_nothing(shop):
    from datetime import UTC, datetime

    shop.a.disabled_at = datetime.now(UTC)
    db.session.commit()
    place(shop)
    assert types(shop.a) == []
    assert types(shop.own) == ON_ACCOUNT_FLOW


def _waiting_rule(shop) -> None:  # type: ignore[no-untyped-def]
    db.session.add(
        ApprovalRule(
            scope="company",
            company_id=shop.a.company_id,
            name="Everything over 1.00",
            match="all",
            conditions=[{"field": "order.total", "operator": "gt", "value": "1.00"}],
            steps=[{"role": "approver"}],
        )
    )
    db.session.commit()


def _step(order: Order) -> ApprovalStep:
    return db.session.scalars(
        select(ApprovalStep)
        .where(ApprovalStep.order_id == order.id)
        .order_by(ApprovalStep.position)
    ).first()


def test_an_order_that_waits_then_is_approved(shop):
    _waiting_rule(shop)
    order = place(shop)
    assert types(shop.a) == ["order.placed", "order.awaiting_approval"]
    outcome = decide(_step(order).id, shop.user("approver@bluebird.example"), "approve", "Fine")
    commit_and_dispatch()
    assert outcome.approved
    assert types(shop.a) == [
        "order.placed",
        "order.awaiting_approval",
        "order.approved",
        "order.fulfilled",
        "license.issued",
        "invoice.issued",
    ]
    [approved] = about(shop.a, "order.approved", "number", order.number)
    assert approved["status"] == "placed"  # approved, not yet accepted on account
    assert types(shop.b) == []


def test_a_rejected_order_is_heard_as_cancelled(shop):
    _waiting_rule(shop)
    order = place(shop)
    decide(_step(order).id, shop.user("approver@bluebird.example"), "reject", "Too much")
    commit_and_dispatch()
    assert types(shop.a) == ["order.placed", "order.awaiting_approval", "order.cancelled"]
    [ended] = about(shop.a, "order.cancelled", "number", order.number)
    assert ended["status"] == "rejected"


def test_an_unpaid_card_order_cancelled(shop):
    order = place(shop, method="card")
    assert types(shop.a) == ["order.placed"]
    cancel.cancel_unpaid(order, shop.user(BUYER).id)
    commit_and_dispatch()
    assert types(shop.a) == ["order.placed", "order.cancelled"]
    assert types(shop.own) == ["order.placed", "order.cancelled"]


def test_an_open_invoice_paid(shop):
    order = place(shop)
    invoice = db.session.scalar(select(Invoice).where(Invoice.order_id == order.id))
    mark_paid(invoice, order, None, "finance")
    commit_and_dispatch()
    [paid] = [data for kind, data in heard(shop.a) if kind == "invoice.paid"]
    assert (paid["number"], paid["status"]) == (invoice.number, "paid")
    assert paid["paid_at"]
    mark_paid(invoice, order, None, "finance")  # twice: nothing new
    commit_and_dispatch()
    assert types(shop.a).count("invoice.paid") == 1
    assert types(shop.b) == []
