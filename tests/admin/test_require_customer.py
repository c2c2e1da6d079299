"""The console sets the end customer rule per tenant and per program (and deal protection)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from channelfront.accounts.models import User
from channelfront.audit.models import AuditEvent
from channelfront.extensions import db
from channelfront.pricing.models import Program
from channelfront.tenancy.models import Tenant


def ids(rows) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """Northwind's id and the id of its Gold program."""
    [(tenant_id, program_id)] = rows(
        select(Tenant.id, Program.id).where(
            Program.tenant_id == Tenant.id, Tenant.slug == "northwind", Program.slug == "gold"
        )
    )
    return tenant_id, program_id


def program_settings(rows, program_id: int):  # type: ignore[no-untyped-def]
    [row] = rows(
        select(Program.require_end_customer, Program.deal_protection_days).where(
            Program.id == program_id
        )
    )
    return tuple(row)


def audit(rows, action: str):  # type: ignore[no-untyped-def]
    return rows(select(AuditEvent.before, AuditEvent.after).where(AuditEvent.action == action))


@pytest.mark.parametrize(
    ("choice", "stored"), [("required", True), ("optional", False), ("", None)]
)
def test_a_vendor_admin_sets_a_programs_rule_and_deal_protection(
    console, submit, rows, choice, stored
):
    _tenant_id, program_id = ids(rows)
    page = console.get(f"/admin/programs/{program_id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "As the tenant" in html
    assert "deal_protection_days" in html
    assert f'href="/admin/programs/{program_id}"' in console.get("/admin/programs").get_data(
        as_text=True
    )
    response = submit(
        f"/admin/programs/{program_id}",
        data={"require_end_customer": choice, "deal_protection_days": "120"},
    )
    assert response.status_code == 302
    assert program_settings(rows, program_id) == (stored, 120)
    [(before, after)] = audit(rows, "program.settings_changed")
    assert after["deal_protection_days"] == 120
    assert before["deal_protection_days"] == 90
    # The form shows what is stored.
    html = console.get(f"/admin/programs/{program_id}").get_data(as_text=True)
    assert 'value="120"' in html


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"require_end_customer": "maybe", "deal_protection_days": "90"}, "require_end_customer"),
        ({"require_end_customer": "required", "deal_protection_days": "0"}, "days"),
        ({"require_end_customer": "required", "deal_protection_days": "731"}, "days"),
        ({"require_end_customer": "required", "deal_protection_days": "ten"}, "days"),
        ({"require_end_customer": "required", "deal_protection_days": ""}, "days"),
        ({"require_end_customer": "required", "deal_protection_days": "٣"}, "days"),
    ],
)
def test_bad_program_settings_are_refused_and_nothing_is_written(
    console, submit, rows, data, field
):
    _tenant_id, program_id = ids(rows)
    before = program_settings(rows, program_id)
    response = submit(f"/admin/programs/{program_id}", data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "error-summary" in html
    assert ("Not a valid choice" in html) if field == "require_end_customer" else ("days" in html)
    assert program_settings(rows, program_id) == before
    assert audit(rows, "program.settings_changed") == []


def test_a_vendor_admin_sets_the_tenants_rule(console, submit, rows):
    tenant_id, _program_id = ids(rows)
    page = console.get(f"/admin/tenants/{tenant_id}").get_data(as_text=True)
    assert 'id="end-customer"' in page
    response = submit(
        f"/admin/tenants/{tenant_id}",
        f"/admin/tenants/{tenant_id}/end-customer",
        {"require_end_customer": "optional"},
    )
    assert response.status_code == 302
    assert rows(select(Tenant.require_end_customer).where(Tenant.id == tenant_id)) == [(False,)]
    assert audit(rows, "tenant.end_customer_rule_changed") == [
        ({"require_end_customer": True}, {"require_end_customer": False})
    ]
    bad = submit(
        f"/admin/tenants/{tenant_id}",
        f"/admin/tenants/{tenant_id}/end-customer",
        {"require_end_customer": "sometimes"},
    )
    assert bad.status_code == 400
    assert rows(select(Tenant.require_end_customer).where(Tenant.id == tenant_id)) == [(False,)]


def test_unknown_program_or_tenant_is_404(console, submit):
    assert console.get("/admin/programs/999999").status_code == 404
    response = submit(
        "/admin/tenants", "/admin/tenants/999999/end-customer", {"require_end_customer": "required"}
    )
    assert response.status_code == 404


def test_other_vendor_staff_and_storefronts_cannot_change_the_rules(ctx, rows, client_for):
    tenant_id, program_id = ids(rows)
    db.session.add(
        User(
            email="ops@nimbus.example",
            name="Ops",
            password_hash=db.session.scalar(
                select(User.password_hash).where(User.email == "admin@nimbus.example")
            ),
            kind="vendor",
            role="vendor_ops",
        )
    )
    db.session.commit()
    ops = client_for("admin.localhost")
    assert ops.login("ops@nimbus.example").status_code == 302
    assert ops.get(f"/admin/programs/{program_id}").status_code == 403
    token = ops.csrf_token("/admin/")
    data = {"csrf_token": token, "require_end_customer": "optional"}
    assert ops.post(f"/admin/tenants/{tenant_id}/end-customer", data=data).status_code == 403
    data = {"csrf_token": token, "require_end_customer": "", "deal_protection_days": "5"}
    assert ops.post(f"/admin/programs/{program_id}", data=data).status_code == 403
    assert program_settings(rows, program_id) == (None, 90)
    assert rows(select(Tenant.require_end_customer).where(Tenant.id == tenant_id)) == [(True,)]
    buyer = client_for("northwind.localhost")
    buyer.login("buyer@bluebird.example")
    assert buyer.get(f"/admin/programs/{program_id}").status_code == 404
