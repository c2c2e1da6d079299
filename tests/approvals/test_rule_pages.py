"""Approval rule pages: a company admin keeps the company's rules at
/company/approval-rules, distributor staff the storefront's at /partners/approval-rules;
refusals name the path under the input at fault; nobody else sees or deletes a rule;
the distributor administrator turns the credit desk on and off at /partners/settings."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from channelfront.accounts.models import Company, User
from channelfront.accounts.passwords import hash_password
from channelfront.approvals.models import ApprovalRule
from channelfront.audit.models import AuditEvent
from channelfront.demo.seed import DEMO_PASSWORD
from channelfront.extensions import db
from channelfront.pricing.models import Enrollment, Program
from channelfront.tenancy.models import Tenant
from tests.conftest import HostClient

NW = "northwind.localhost"
OVER_100 = {
    "name": "Over 100",
    "match": "all",
    "conditions-0-field": "order.total",
    "conditions-0-operator": "gt",
    "conditions-0-value": "100.00",
    "steps-0-who": "approver",
    "steps-0-required": "1",
    "steps-0-on_expiry": "reject",
}


def _signed_in(client_for, email: str, host: str = NW) -> HostClient:  # type: ignore[no-untyped-def]
    client = client_for(host)
    answer = client.login(email)
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return client


def _post(client: HostClient, path: str, data: dict[str, object]):  # type: ignore[no-untyped-def]
    token = client.csrf_token(path if path.endswith("/new") else "/")
    return client.post(path, data={"csrf_token": token, **data})


def _tenant(slug: str) -> Tenant:
    return db.session.scalars(select(Tenant).where(Tenant.slug == slug)).one()


def _user(email: str) -> User:
    return db.session.scalars(select(User).where(User.email == email)).one()


def _rules() -> list[ApprovalRule]:
    db.session.expire_all()
    return list(db.session.scalars(select(ApprovalRule).order_by(ApprovalRule.id)))


def _audited(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _error(page: str, key: str) -> str:
    found = re.search(rf'id="{key}-error">([^<]*)<', page)
    assert found, f"no error under {key}"
    return found.group(1)


@pytest.fixture
def admin(client_for) -> HostClient:  # type: ignore[no-untyped-def]
    return _signed_in(client_for, "admin@bluebird.example")


@pytest.fixture
def rival_admin(app, ctx, client_for) -> HostClient:  # type: ignore[no-untyped-def]
    """The company admin of another reseller enrolled on Northwind."""
    company = Company(name="Rival Resale", country="GB")
    db.session.add(company)
    db.session.flush()
    program = db.session.scalars(
        select(Program).where(Program.tenant_id == _tenant("northwind").id)
    ).first()
    db.session.add(
        Enrollment(
            tenant_id=program.tenant_id,
            company_id=company.id,
            program_id=program.id,
            credit_limit_minor=0,
        )
    )
    db.session.add(
        User(
            email="admin@rival.example",
            name="Rita Rival",
            password_hash=hash_password(DEMO_PASSWORD),
            kind="reseller",
            role="company_admin",
            company_id=company.id,
        )
    )
    db.session.commit()
    return _signed_in(client_for, "admin@rival.example")


def test_a_company_admin_adds_a_rule_from_the_form(app, ctx, admin):
    form = admin.get("/company/approval-rules/new")
    assert form.status_code == 200
    assert 'value="order.total"' in form.get_data(as_text=True)
    answer = _post(admin, "/company/approval-rules/new", OVER_100)
    assert answer.status_code == 302, answer.get_data(as_text=True)
    [rule] = _rules()
    bluebird = _user("admin@bluebird.example").company_id
    assert (rule.scope, rule.company_id, rule.name, rule.match) == (
        "company",
        bluebird,
        "Over 100",
        "all",
    )
    assert rule.conditions == [{"field": "order.total", "operator": "gt", "value": "100.00"}]
    assert rule.steps[0]["role"] == "approver"
    page = admin.get("/company/approval-rules").get_data(as_text=True)
    assert "The rule “Over 100” is saved." in page
    assert "Order total (order.total) is more than 100.00" in page
    assert "Role: Approver" in page
    [event] = _audited("approval_rule.created")
    assert (event.company_id, event.subject_label) == (bluebird, "Over 100")
    assert event.after["conditions"] == rule.conditions


def test_a_list_value_named_people_and_a_due_time(app, ctx, admin):
    approver = _user("approver@bluebird.example")
    data = {
        "name": "Odd places",
        "match": "any",
        "conditions-2-field": "end_customer.country",
        "conditions-2-operator": "in",
        "conditions-2-value": "ru, by",
        "steps-0-who": "users",
        "steps-0-users": str(approver.id),
        "steps-0-due_hours": "24",
        "steps-0-on_expiry": "escalate",
        "steps-1-who": "company_admin",
    }
    assert _post(admin, "/company/approval-rules/new", data).status_code == 302
    [rule] = _rules()
    assert rule.conditions[0]["value"] == ["ru", "by"]
    assert rule.steps[0]["users"] == [approver.id]
    page = admin.get("/company/approval-rules").get_data(as_text=True)
    assert "When any of these holds" in page
    assert "Named people: Avery Approver" in page
    assert "within 24 hours; then it goes to the next step" in page


@pytest.mark.parametrize(
    ("data", "key", "message"),
    [
        (
            {"conditions-0-field": "", "conditions-0-value": "", "conditions-1-value": "12.345"},
            "conditions-1-value",
            "conditions[1].value: enter an amount",
        ),
        ({"name": "  "}, "name", "name: enter a name"),
        ({"steps-0-who": "users"}, "steps-0-users", "steps[0].users: choose at least one person"),
        ({"steps-0-due_hours": "soon"}, "steps-0-due_hours", "steps[0].due_hours: enter a whole"),
        ({"steps-0-who": ""}, "steps", "steps: add at least one step"),
    ],
)
def test_a_refused_rule_names_the_path_under_its_input_and_writes_nothing(
    app, ctx, admin, data, key, message
):
    sent = {**OVER_100, **data}
    if "conditions-1-value" in data:
        sent |= {"conditions-1-field": "order.total", "conditions-1-operator": "gte"}
    answer = _post(admin, "/company/approval-rules/new", sent)
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert message in _error(page, key)
    assert _rules() == []
    assert _audited("approval_rule.created") == []


def test_a_step_cannot_name_someone_of_another_company(app, ctx, admin):
    kirin = _user("buyer@kirin.example")
    data = {**OVER_100, "steps-0-who": "users", "steps-0-users": str(kirin.id)}
    answer = _post(admin, "/company/approval-rules/new", data)
    assert answer.status_code == 422
    error = _error(answer.get_data(as_text=True), "steps-0-users")
    assert f"steps[0].users[0]: user {kirin.id} cannot approve here" in error
    assert _rules() == []


def test_deleting_asks_first_and_is_audited(app, ctx, admin):
    _post(admin, "/company/approval-rules/new", OVER_100)
    [rule] = _rules()
    confirm = admin.get(f"/company/approval-rules/{rule.id}/delete")
    assert confirm.status_code == 200
    assert "Delete the rule “Over 100”?" in confirm.get_data(as_text=True)
    assert len(_rules()) == 1
    answer = _post(admin, f"/company/approval-rules/{rule.id}/delete", {})
    assert answer.status_code == 302
    assert _rules() == []
    [event] = _audited("approval_rule.deleted")
    assert event.before["name"] == "Over 100"


def test_another_companys_admin_neither_sees_nor_deletes_the_rule(app, ctx, admin, rival_admin):
    _post(admin, "/company/approval-rules/new", OVER_100)
    [rule] = _rules()
    assert "Over 100" not in rival_admin.get("/company/approval-rules").get_data(as_text=True)
    assert rival_admin.get(f"/company/approval-rules/{rule.id}/delete").status_code == 404
    assert _post(rival_admin, f"/company/approval-rules/{rule.id}/delete", {}).status_code == 404
    assert len(_rules()) == 1


def test_a_buyer_is_refused(app, ctx, client_for):
    buyer = _signed_in(client_for, "buyer@bluebird.example")
    assert buyer.get("/company/approval-rules").status_code == 403
    assert buyer.get("/company/approval-rules/new").status_code == 403
    token = buyer.csrf_token("/")
    answer = buyer.post("/company/approval-rules/new", data={"csrf_token": token, **OVER_100})
    assert answer.status_code == 403
    assert _rules() == []


def test_the_company_users_page_links_to_the_rules(app, ctx, admin):
    page = admin.get("/company/users").get_data(as_text=True)
    assert 'href="/company/approval-rules"' in page


# --- distributor rules ---------------------------------------------------------------------


def _gold() -> Program:
    return db.session.scalars(
        select(Program).where(Program.tenant_id == _tenant("northwind").id, Program.slug == "gold")
    ).one()


def test_a_partner_manager_adds_a_rule_for_one_program(app, ctx, client_for):
    manager = _signed_in(client_for, "partners@northwind.example")
    form = manager.get("/partners/approval-rules/new").get_data(as_text=True)
    gold = _gold()
    assert f'value="program:{gold.id}"' in form
    data = {
        **OVER_100,
        "name": "Gold over 100",
        "scope": f"program:{gold.id}",
        "steps-0-who": "distributor_finance",
    }
    answer = _post(manager, "/partners/approval-rules/new", data)
    assert answer.status_code == 302, answer.get_data(as_text=True)
    [rule] = _rules()
    assert (rule.scope, rule.program_id, rule.company_id) == ("program", gold.id, None)
    page = manager.get("/partners/approval-rules").get_data(as_text=True)
    assert f"Resellers of program {gold.name}" in page
    assert "Role: Distributor finance" in page
    # Finance reads the rules but neither adds nor deletes them.
    finance = _signed_in(client_for, "finance@northwind.example")
    listed = finance.get("/partners/approval-rules")
    assert listed.status_code == 200
    assert "Gold over 100" in listed.get_data(as_text=True)
    assert "/partners/approval-rules/new" not in listed.get_data(as_text=True)
    assert finance.get("/partners/approval-rules/new").status_code == 403
    assert _post(finance, f"/partners/approval-rules/{rule.id}/delete", {}).status_code == 403
    # Another storefront's administrator, and the company admin, do not find it.
    alpen = _signed_in(client_for, "admin@alpenhandel.example", "alpenhandel.localhost")
    assert alpen.get(f"/partners/approval-rules/{rule.id}/delete").status_code == 404
    company_admin = _signed_in(client_for, "admin@bluebird.example")
    assert company_admin.get(f"/company/approval-rules/{rule.id}/delete").status_code == 404
    assert len(_rules()) == 1


def test_a_distributor_rule_for_every_reseller_and_a_bad_scope(app, ctx, client_for):
    manager = _signed_in(client_for, "admin@northwind.example")
    bad = _post(manager, "/partners/approval-rules/new", {**OVER_100, "scope": "program:999999"})
    assert bad.status_code == 422
    assert "program: choose a program of this storefront" in _error(
        bad.get_data(as_text=True), "scope"
    )
    assert _rules() == []
    answer = _post(manager, "/partners/approval-rules/new", {**OVER_100, "scope": "tenant"})
    assert answer.status_code == 302
    [rule] = _rules()
    assert (rule.scope, rule.program_id) == ("tenant", None)
    assert "Every reseller on this site" in manager.get("/partners/approval-rules").get_data(
        as_text=True
    )


def test_the_credit_desk_toggle(app, ctx, client_for):
    admin = _signed_in(client_for, "admin@northwind.example")
    assert 'href="/partners/settings"' in admin.get("/partners").get_data(as_text=True)
    assert _post(admin, "/partners/settings", {"credit_desk": "y"}).status_code == 302
    db.session.expire_all()
    assert _tenant("northwind").credit_desk is True
    assert "checked" in admin.get("/partners/settings").get_data(as_text=True)
    assert _post(admin, "/partners/settings", {}).status_code == 302
    db.session.expire_all()
    assert _tenant("northwind").credit_desk is False
    events = _audited("tenant.credit_desk_changed")
    assert [(e.before, e.after) for e in events] == [
        ({"credit_desk": False}, {"credit_desk": True}),
        ({"credit_desk": True}, {"credit_desk": False}),
    ]
    for email in ("partners@northwind.example", "finance@northwind.example"):
        other = _signed_in(client_for, email)
        assert other.get("/partners/settings").status_code == 403
        assert _post(other, "/partners/settings", {"credit_desk": "y"}).status_code == 403
    db.session.expire_all()
    assert _tenant("northwind").credit_desk is False
    count = select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "tenant.credit_desk_changed"
    )
    assert db.session.scalar(count) == 2
