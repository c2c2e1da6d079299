"""Each change of money or permissions in the console and on storefronts writes one event."""

from __future__ import annotations

import copy

import pytest
from sqlalchemy import select

from channelfront.accounts.models import Company, User
from channelfront.audit.models import AuditEvent, AuditLogIsAppendOnly
from channelfront.audit.service import record
from channelfront.extensions import db
from channelfront.orders.models import Order
from channelfront.payments.card import pay_order
from channelfront.pricing.models import Enrollment, Program, ProgramRule
from channelfront.statements import programs
from channelfront.tenancy.models import Tenant
from tests.audit.conftest import company_id, tenant_id
from tests.payments.conftest import save_card
from tests.statements.programs_data import DISTRIBUTOR

USD = "USD"


def bluebird_page() -> str:
    return f"/admin/companies/{company_id('Bluebird IT')}"


def enrollment_id(slug: str) -> int:
    return db.session.scalar(
        select(Enrollment.id).where(
            Enrollment.tenant_id == tenant_id(slug),
            Enrollment.company_id == company_id("Bluebird IT"),
        )
    )


def program_id(slug: str, program: str) -> int:
    return db.session.scalar(
        select(Program.id).where(Program.tenant_id == tenant_id(slug), Program.slug == program)
    )


def test_a_credit_limit_change_shows_the_old_and_new_limit(ctx, submit, events_of):
    enrollment = enrollment_id("northwind")
    response = submit(
        bluebird_page(),
        f"/admin/enrollments/{enrollment}",
        {"program": program_id("northwind", "gold"), "credit_limit": "75000.00"},
    )
    assert response.status_code == 302
    [event] = events_of("enrollment.credit_limit_changed")
    assert event.before == {"credit_limit": {"minor": 5_000_000, "currency": USD}}
    assert event.after == {"credit_limit": {"minor": 7_500_000, "currency": USD}}
    assert (event.tenant_id, event.company_id) == (
        tenant_id("northwind"),
        company_id("Bluebird IT"),
    )
    assert (event.subject_type, event.subject_id) == ("enrollment", str(enrollment))
    assert event.actor_label == "admin@nimbus.example"
    assert events_of("enrollment.program_changed") == []


def test_a_program_change_is_its_own_event_and_saving_unchanged_records_nothing(
    ctx, submit, events_of
):
    action = f"/admin/enrollments/{enrollment_id('northwind')}"
    same = {"program": program_id("northwind", "gold"), "credit_limit": "50000.00"}
    assert submit(bluebird_page(), action, same).status_code == 302
    assert events_of("enrollment.program_changed") == []
    assert events_of("enrollment.credit_limit_changed") == []
    silver = {"program": program_id("northwind", "silver"), "credit_limit": "50000.00"}
    assert submit(bluebird_page(), action, silver).status_code == 302
    [event] = events_of("enrollment.program_changed")
    assert (event.before, event.after) == ({"program": "Gold"}, {"program": "Silver"})


def test_a_refused_change_records_nothing(ctx, submit, events_of):
    action = f"/admin/enrollments/{enrollment_id('northwind')}"
    bad = {"program": program_id("northwind", "silver"), "credit_limit": "-1"}
    assert submit(bluebird_page(), action, bad).status_code == 400
    assert events_of("enrollment.program_changed") == []
    assert events_of("enrollment.credit_limit_changed") == []


def test_creating_a_company_enrolling_and_ending_the_enrollment(ctx, submit, events_of):
    assert submit("/admin/companies", data={"name": "Contoso", "country": "DE"}).status_code == 302
    contoso = company_id("Contoso")
    [created] = events_of("company.created", company_id=contoso)
    assert (created.before, created.after) == (None, {"name": "Contoso", "country": "DE"})
    page = f"/admin/companies/{contoso}"
    enroll = {"program": program_id("alpenhandel", "silver"), "credit_limit": "1000"}
    assert submit(page, f"{page}/enrollments", enroll).status_code == 302
    [enrolled] = events_of("enrollment.created")
    assert enrolled.after == {
        "program": "Silber",
        "credit_limit": {"minor": 100_000, "currency": "EUR"},
    }
    assert (enrolled.tenant_id, enrolled.company_id) == (tenant_id("alpenhandel"), contoso)
    assert enrolled.subject_label == "Contoso · Alpenhandel GmbH"
    assert submit(page, f"/admin/enrollments/{enrolled.subject_id}/delete").status_code == 302
    [removed] = events_of("enrollment.removed")
    assert (removed.before, removed.after) == (enrolled.after, None)
    assert removed.subject_id == enrolled.subject_id


def test_program_rules_added_and_removed(ctx, submit, events_of):
    gold = program_id("northwind", "gold")
    data = {"sku": "cde-std-1y", "discount": "12.5"}
    assert submit("/admin/programs", f"/admin/programs/{gold}/rules", data).status_code == 302
    [added] = events_of("program_rule.added")
    assert added.after == {"program": "Gold", "target": "CDE-STD-1Y", "discount_bps": 1250}
    assert added.tenant_id == tenant_id("northwind")
    assert added.company_id is None
    assert db.session.get(ProgramRule, int(added.subject_id)) is not None
    action = f"/admin/rules/{added.subject_id}/delete"
    assert submit("/admin/programs", action).status_code == 302
    [removed] = events_of("program_rule.removed")
    assert (removed.before, removed.after) == (added.after, None)


def test_incentive_program_drafts_and_publishing(ctx, events_of):
    nimbus = db.session.scalar(select(User).where(User.email == "admin@nimbus.example"))
    northwind = db.session.get_one(Tenant, tenant_id("northwind"))
    row = programs.create(northwind, "audit-test", "Audit test", "distributor", DISTRIBUTOR)
    programs.publish(row, nimbus)
    changed = copy.deepcopy(DISTRIBUTOR)
    changed["rules"][0]["rate"] = "0.07"
    programs.save_draft(row, changed)
    programs.publish(row, nimbus)
    db.session.commit()
    assert len(events_of("incentive_program.created", subject_id=str(row.id))) == 1
    [draft] = events_of("incentive_program.draft_saved", subject_id=str(row.id))
    assert draft.before == {"draft": None}
    assert draft.after["draft"]["rules"][0]["rate"] == "0.07"
    first, second = events_of("incentive_program.published", subject_id=str(row.id))
    assert (first.before["version"], first.after["version"]) == (0, 1)
    assert second.before["document"]["rules"][0]["rate"] == "0.06"
    assert second.after["document"]["rules"][0]["rate"] == "0.07"
    assert second.actor_label == "admin@nimbus.example"
    assert second.tenant_id == northwind.id


def test_an_invoice_marked_paid(northwind_shop, invoiced, client_for, events_of):
    invoice = invoiced(northwind_shop)
    finance = client_for("northwind.localhost")
    assert finance.login("finance@northwind.example").status_code == 302
    token = finance.csrf_token("/")
    response = finance.post(f"/invoices/{invoice.number}/mark-paid", data={"csrf_token": token})
    assert response.status_code == 303
    [event] = events_of("invoice.marked_paid", subject_id=str(invoice.id))
    assert event.before == {"status": "open", "amount": None, "how": None}
    assert event.after == {
        "status": "paid",
        "amount": {"minor": invoice.total_minor, "currency": "USD"},
        "how": "finance",
    }
    assert event.actor_label == "finance@northwind.example"
    assert (event.tenant_id, event.company_id) == (invoice.tenant_id, invoice.company_id)


def test_a_refund(northwind_shop, card_order, localstripe, client_for, events_of):
    card = save_card(northwind_shop)
    order = card_order(northwind_shop)
    pay_order(order, card["id"], northwind_shop.buyer)
    order = db.session.get(Order, order.id)
    finance = client_for("northwind.localhost")
    finance.login("finance@northwind.example")
    token = finance.csrf_token("/")
    response = finance.post(f"/payments/orders/{order.number}/refund", data={"csrf_token": token})
    assert response.status_code == 302
    [event] = events_of("order.refunded", subject_id=str(order.id))
    assert event.after == {
        "status": "refunded",
        "amount": {"minor": order.total_minor, "currency": "USD"},
    }
    assert event.before["status"] in ("paid", "fulfilled", "invoiced")
    assert event.before["amount"] is None
    assert event.actor_label == "finance@northwind.example"
    assert event.subject_label == order.number


def test_events_cannot_be_changed_or_deleted(ctx, events_of):
    bluebird = db.session.get_one(Company, company_id("Bluebird IT"))
    limit = {"credit_limit": {"minor": 100, "currency": USD}}
    record("enrollment.credit_limit_changed", bluebird, after=limit, company_id=bluebird.id)
    db.session.commit()
    [stored] = events_of("enrollment.credit_limit_changed")
    event = db.session.get_one(AuditEvent, stored.id)
    event.after = {"credit_limit": {"minor": 1, "currency": USD}}
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    event = db.session.get_one(AuditEvent, stored.id)
    db.session.delete(event)
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    [kept] = events_of("enrollment.credit_limit_changed")
    assert (kept.id, kept.after) == (stored.id, limit)
