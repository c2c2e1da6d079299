"""The readiness checklist, waivers with reasons, and the go-live gate."""

import pytest
from sqlalchemy import select

from channelfront.admin.inputs import InvalidInput
from channelfront.audit.models import AuditEvent
from channelfront.extensions import db
from channelfront.onboarding import readiness
from channelfront.tenancy.models import Tenant


def _state(tenant):
    return {c.key: (c.passed, c.waiver is not None) for c in readiness.checklist(tenant)}


def test_a_new_tenant_fails_prices_program_and_staff(draft):
    tenant = draft()
    state = _state(tenant)
    assert state["prices"] == (False, False)
    assert state["program"] == (False, False)
    assert state["staff"] == (False, False)
    assert state["contrast"] == (True, False)  # the base theme passes
    prices = next(c for c in readiness.checklist(tenant) if c.key == "prices")
    assert "have no list price in GBP" in prices.detail


def test_low_contrast_colours_fail_the_checklist_naming_the_pair(draft):
    tenant = draft()
    tenant.accent_color = "#f5a623"
    check = next(c for c in readiness.checklist(tenant) if c.key == "contrast")
    assert not check.passed
    assert "white text on accent #F5A623: 2.03:1" in check.detail


def test_going_live_is_refused_until_every_check_passes_or_is_waived(draft):
    tenant = draft()
    with pytest.raises(InvalidInput) as refused:
        readiness.go_live(tenant, None)
    assert "Products priced" in refused.value.errors["status"]
    assert tenant.status == "draft"
    for check in ("prices", "program", "staff"):
        readiness.waive(tenant, check, f"{check} come later", None)
    readiness.go_live(tenant, None)
    assert tenant.status == "live"
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.tenant_id == tenant.id)
    ).all()
    assert actions.count("tenant.check_waived") == 3
    assert "tenant.went_live" in actions


def test_a_waiver_needs_a_reason_and_a_known_check(draft):
    tenant = draft()
    with pytest.raises(InvalidInput) as refused:
        readiness.waive(tenant, "nope", "  ", None)
    assert set(refused.value.errors) == {"check", "reason"}
    assert (tenant.onboarding or {}).get("waivers") is None


def test_a_waiver_is_kept_with_its_reason(draft):
    tenant = draft()
    readiness.waive(tenant, "staff", "the distributor invites itself", None)
    db.session.flush()
    db.session.expire(tenant)
    waiver = db.session.get(Tenant, tenant.id).onboarding["waivers"]["staff"]
    assert waiver["reason"] == "the distributor invites itself"
    assert waiver["by"] == "system"


def _form(console, tid, status):
    page = f"/admin/tenants/{tid}"
    data = {
        "name": "Thames",
        "status": status,
        "hosts": "thames.localhost",
        "theme": "base",
        "locales": ["en"],
        "default_locale": "en",
        "primary_color": "",
        "accent_color": "",
    }
    token = console.csrf_token(page)
    return console.post(page, data={**data, "csrf_token": token})


def test_the_tenant_form_cannot_set_a_draft_live_while_checks_fail(post, console, rows, text_of):
    post("/admin/onboarding", data={"name": "Thames", "slug": "thames"})
    tid = rows(select(Tenant.id).where(Tenant.slug == "thames"))[0][0]
    post(f"/admin/onboarding/{tid}/hosts", data={"hosts": "thames.localhost"})
    refused = _form(console, tid, "live")
    assert refused.status_code == 400
    assert "A partner program" in text_of(refused)
    assert rows(select(Tenant.status).where(Tenant.id == tid))[0][0] == "draft"
    for check in ("prices", "program", "staff"):
        post(
            f"/admin/onboarding/{tid}/checklist",
            f"/admin/onboarding/{tid}/waive",
            data={"check": check, "reason": "demo"},
        )
    assert _form(console, tid, "live").status_code == 302
    assert rows(select(Tenant.status).where(Tenant.id == tid))[0][0] == "live"


def test_the_checklist_page_shows_each_check(post, console, rows, text_of):
    post("/admin/onboarding", data={"name": "Thames", "slug": "thames"})
    tid = rows(select(Tenant.id).where(Tenant.slug == "thames"))[0][0]
    page = console.get(f"/admin/onboarding/{tid}/checklist")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for key in readiness.CHECKS:
        assert f'data-check="{key}"' in html
    assert "failing" in text_of(page)
