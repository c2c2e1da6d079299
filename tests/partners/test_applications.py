"""Partner applications end to end: apply on a storefront, confirm the e-mail address from
the mail, the distributor's partner staff are mailed and decide, the approved contact
accepts the invitation and is signed in. Mail goes through a real SMTP server."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select, update

from channelfront.accounts.models import AccountLink, Company, LinkPurpose, User
from channelfront.audit.models import AuditEvent
from channelfront.extensions import db, limiter
from channelfront.partners.models import PartnerApplication
from channelfront.pricing.models import Enrollment, Program
from channelfront.tenancy.models import Tenant

VERIFY_LINK = re.compile(r"https?://\S+/apply/verify/\S+")
REVIEW_LINK = re.compile(r"https?://\S+/partners/applications/\d+")
INVITATION_LINK = re.compile(r"https?://\S+/invitations/\S+")
PASSWORD = "lantern-violet-47"
APPLICANT = "olivia@orchard.example"


@pytest.fixture(autouse=True)
def _fresh_limits(app: Flask) -> Iterator[None]:
    """Every test starts with no application counted against the test client's address."""
    limiter.reset()
    yield
    limiter.reset()


def program_id(app: Flask, slug: str, tenant_slug: str = "northwind") -> int:
    with app.app_context():
        return db.session.scalar(
            select(Program.id)
            .join(Tenant, Tenant.id == Program.tenant_id)
            .where(Tenant.slug == tenant_slug, Program.slug == slug)
        )


def form(app: Flask, **changes: str) -> dict[str, str]:
    values = {
        "company_name": "Orchard Systems",
        "address_line": "1 Apple Lane",
        "postal_code": "EC1A 1BB",
        "city": "London",
        "country": "GB",
        "tax_id": "GB 123 456 789",
        "website": "https://orchard.example",
        "contact_name": "Olivia Orchard",
        "contact_email": APPLICANT,
        "program": str(program_id(app, "silver")),
        "terms": "y",
    }
    values.update(changes)
    return {k: v for k, v in values.items() if v is not None}


def apply(client: Any, data: dict[str, str]) -> Any:
    token = client.csrf_token("/apply")
    return client.post("/apply", data={**data, "csrf_token": token})


def path(link: str) -> str:
    return "/" + link.split("/", 3)[3]


def link_in(inbox: Any, email: str, pattern: re.Pattern[str]) -> str:
    mails = inbox.to(email)
    assert mails, f"no mail to {email}"
    found = pattern.search(mails[-1].get_content())
    assert found, mails[-1].get_content()
    return found.group(0)


def applied_and_verified(app: Flask, client: Any, inbox: Any, **changes: str) -> int:
    """Apply on the client's storefront and follow the verification link; the id."""
    response = apply(client, form(app, **changes))
    assert response.status_code == 303, response.get_data(as_text=True)
    email = changes.get("contact_email", APPLICANT)
    verified = client.get(path(link_in(inbox, email, VERIFY_LINK)))
    assert verified.status_code == 200, verified.get_data(as_text=True)
    with app.app_context():
        return db.session.scalar(
            select(PartnerApplication.id).where(PartnerApplication.contact_email == email)
        )


def approve(client: Any, application_id: int, **data: str) -> Any:
    page = f"/partners/applications/{application_id}"
    token = client.csrf_token(page)
    return client.post(f"{page}/approve", data={"csrf_token": token, **data})


def decline(client: Any, application_id: int, reason: str) -> Any:
    page = f"/partners/applications/{application_id}"
    token = client.csrf_token(page)
    return client.post(f"{page}/decline", data={"csrf_token": token, "reason": reason})


def count(app: Flask, statement: Any) -> int:
    with app.app_context():
        return int(db.session.scalar(statement) or 0)


def test_apply_verify_approve_accept_sign_in(app, northwind, client_for, inbox):
    page = northwind.get("/apply").get_data(as_text=True)
    assert "Silver" in page
    assert "Sakura" not in page

    sent = apply(northwind, form(app))
    assert sent.status_code == 303
    assert "Check your mail" in northwind.get(sent.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        stored = db.session.scalars(select(PartnerApplication)).one()
        assert (stored.status, stored.tax_id_key, stored.locale) == (
            "unverified",
            "GB123456789",
            "en",
        )
    # Nobody at Northwind hears of it before the e-mail address is confirmed.
    assert not inbox.to("partners@northwind.example")

    verify = link_in(inbox, APPLICANT, VERIFY_LINK)
    assert verify.startswith("http://northwind.localhost/apply/verify/")
    assert northwind.get(path(verify)).status_code == 200
    with app.app_context():
        assert db.session.get(PartnerApplication, stored.id).status == "pending"

    # Partner manager and admin are mailed, finance is not.
    review = link_in(inbox, "partners@northwind.example", REVIEW_LINK)
    assert inbox.to("admin@northwind.example")
    assert not inbox.to("finance@northwind.example")
    assert not inbox.to("admin@alpenhandel.example")

    staff = client_for("northwind.localhost")
    staff.login("partners@northwind.example")
    listing = staff.get("/partners/applications").get_data(as_text=True)
    assert "Orchard Systems" in listing
    detail = staff.get(path(review))
    assert detail.status_code == 200
    assert "GB 123 456 789" in detail.get_data(as_text=True)

    gold = program_id(app, "gold")
    done = approve(staff, stored.id, program=str(gold), credit_limit="25000.50")
    assert done.status_code == 303, done.get_data(as_text=True)
    with app.app_context():
        company = db.session.scalars(select(Company).where(Company.name == "Orchard Systems")).one()
        assert (company.tax_id_key, company.city, company.country) == (
            "GB123456789",
            "London",
            "GB",
        )
        enrollment = db.session.scalars(
            select(Enrollment).where(Enrollment.company_id == company.id)
        ).one()
        assert (enrollment.program_id, enrollment.credit_limit_minor) == (gold, 2_500_050)
        invited = db.session.scalars(select(User).where(User.email == APPLICANT)).one()
        assert (invited.role, invited.company_id, invited.status) == (
            "company_admin",
            company.id,
            "invited",
        )
        actions = {
            (e.action, e.tenant_id, e.company_id)
            for e in db.session.scalars(
                select(AuditEvent).where(AuditEvent.company_id == company.id)
            )
        }
        tenant_id = enrollment.tenant_id
        for action in ("application.approved", "enrollment.created", "company.created"):
            assert (action, tenant_id, company.id) in actions, actions

    invitation = link_in(inbox, APPLICANT, INVITATION_LINK)
    assert invitation.startswith("http://northwind.localhost/invitations/")
    applicant = client_for("northwind.localhost")
    token = applicant.csrf_token(path(invitation))
    accepted = applicant.post(
        path(invitation),
        data={
            "name": "Olivia Orchard",
            "password": PASSWORD,
            "confirm": PASSWORD,
            "csrf_token": token,
        },
    )
    assert accepted.status_code == 302, accepted.get_data(as_text=True)
    home = applicant.get("/").get_data(as_text=True)
    assert "Olivia Orchard" in home
    assert "Become a partner" not in home


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("company_name", ""),
        ("address_line", ""),
        ("postal_code", ""),
        ("city", ""),
        ("country", "XX"),
        ("tax_id", "--"),
        ("website", "ftp://orchard.example"),
        ("contact_name", ""),
        ("contact_email", "not-an-address"),
        ("program", "999999"),
        ("terms", None),
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(app, northwind, inbox, field, value):
    response = apply(northwind, form(app, **{field: value}))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    errors = re.findall(r'<p class="field-error">([^<]+)</p>', page)
    assert len(errors) == 1, errors
    assert (
        f'name="{field}"'
        in page.split('<p class="field-error">')[0].rsplit('<div class="field', 1)[1]
    )
    assert count(app, select(func.count(PartnerApplication.id))) == 0
    assert not inbox.messages


def test_another_storefronts_program_is_refused(app, northwind, inbox):
    response = apply(northwind, form(app, program=str(program_id(app, "gold", "sakura"))))
    assert response.status_code == 400
    assert "Choose a program from the list." in response.get_data(as_text=True)


def test_an_address_with_an_account_is_refused(app, northwind, inbox):
    response = apply(northwind, form(app, contact_email="Buyer@Bluebird.example"))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "already has an account" in page
    assert count(app, select(func.count(PartnerApplication.id))) == 0


def test_submissions_are_rate_limited_per_address(app, northwind, inbox):
    app.config["APPLY_RATE_LIMIT"] = "2 per hour"
    try:
        for n in range(2):
            assert (
                apply(northwind, form(app, contact_email=f"a{n}@orchard.example")).status_code
                == 303
            )
        refused = apply(northwind, form(app, contact_email="a3@orchard.example"))
    finally:
        app.config.pop("APPLY_RATE_LIMIT")
    assert refused.status_code == 429
    assert "Too many applications" in refused.get_data(as_text=True)
    assert count(app, select(func.count(PartnerApplication.id))) == 2


def test_verification_link_works_once_and_expires(app, northwind, alpenhandel, inbox):
    assert apply(northwind, form(app)).status_code == 303
    link = path(link_in(inbox, APPLICANT, VERIFY_LINK))
    # Not on another storefront.
    assert alpenhandel.get(link).status_code == 404
    assert northwind.get(link).status_code == 200
    again = northwind.get(link)
    assert again.status_code == 410
    assert "already been used" in again.get_data(as_text=True)

    inbox.messages.clear()
    assert apply(northwind, form(app, contact_email="late@orchard.example")).status_code == 303
    late = path(link_in(inbox, "late@orchard.example", VERIFY_LINK))
    with app.app_context():
        db.session.execute(
            update(AccountLink)
            .where(
                AccountLink.purpose == LinkPurpose.APPLICATION_EMAIL.value,
                AccountLink.used_at.is_(None),
            )
            .values(expires_at=datetime.now(UTC) - timedelta(minutes=1))
        )
        db.session.commit()
    expired = northwind.get(late)
    assert expired.status_code == 410
    assert "expired" in expired.get_data(as_text=True)
    with app.app_context():
        statuses = dict(
            db.session.execute(
                select(PartnerApplication.contact_email, PartnerApplication.status)
            ).all()
        )
    assert statuses == {APPLICANT: "pending", "late@orchard.example": "unverified"}


def test_unverified_applications_are_not_shown_to_staff(app, northwind, client_for, inbox):
    assert apply(northwind, form(app)).status_code == 303
    with app.app_context():
        application_id = db.session.scalar(select(PartnerApplication.id))
    staff = client_for("northwind.localhost")
    staff.login("partners@northwind.example")
    assert "Orchard Systems" not in staff.get("/partners/applications").get_data(as_text=True)
    assert staff.get(f"/partners/applications/{application_id}").status_code == 404
    token = staff.csrf_token("/partners/applications")
    data = {"csrf_token": token, "program": str(program_id(app, "gold")), "credit_limit": "0"}
    approved = staff.post(f"/partners/applications/{application_id}/approve", data=data)
    assert approved.status_code == 404
    assert count(app, select(func.count(Company.id)).where(Company.name == "Orchard Systems")) == 0


def test_decline_mails_the_reason_in_the_applicants_language(app, client_for, inbox, translated):
    applicant = client_for("northwind.localhost")
    token = applicant.csrf_token("/")
    applicant.post("/locale", data={"csrf_token": token, "locale": "es", "next": "/"})
    application_id = applied_and_verified(app, applicant, inbox)
    with app.app_context():
        assert db.session.get(PartnerApplication, application_id).locale == "es"
    staff = client_for("northwind.localhost")
    staff.login("admin@northwind.example")
    empty = decline(staff, application_id, "   ")
    assert empty.status_code == 400
    assert "Give the applicant a reason." in empty.get_data(as_text=True)

    inbox.messages.clear()
    done = decline(staff, application_id, "We only take partners in the EU this year.")
    assert done.status_code == 303
    [mail] = inbox.to(APPLICANT)
    assert "We only take partners in the EU this year." in mail.get_content()
    assert translated("es", "Hello %(name)s,", name="Olivia Orchard") in mail.get_content()
    twice = decline(staff, application_id, "Again")
    assert twice.status_code == 409
    assert "already been declined" in twice.get_data(as_text=True)
    assert (
        approve(
            staff, application_id, program=str(program_id(app, "gold")), credit_limit="0"
        ).status_code
        == 409
    )
    assert count(app, select(func.count(Company.id)).where(Company.name == "Orchard Systems")) == 0


def test_same_tax_id_joins_the_existing_company_once_staff_confirm(app, client_for, inbox):
    with app.app_context():
        kirin = db.session.scalars(select(Company).where(Company.name == "Kirin Systems")).one()
        kirin.set_tax_id("JP-1234567890123")
        db.session.commit()
        kirin_id = kirin.id
    applicant = client_for("northwind.localhost")
    application_id = applied_and_verified(
        app, applicant, inbox, company_name="Kirin Systems KK", tax_id="jp 1234567890123"
    )
    staff = client_for("northwind.localhost")
    staff.login("partners@northwind.example")
    page = staff.get(f"/partners/applications/{application_id}").get_data(as_text=True)
    assert f'data-matched-company="{kirin_id}"' in page
    assert "This is the same company" in page

    silver = str(program_id(app, "silver"))
    unconfirmed = approve(staff, application_id, program=silver, credit_limit="1000")
    assert unconfirmed.status_code == 422
    assert "already has this tax id" in unconfirmed.get_data(as_text=True)
    assert (
        count(app, select(func.count(Enrollment.id)).where(Enrollment.company_id == kirin_id)) == 1
    )

    done = approve(staff, application_id, program=silver, credit_limit="1000", same_company="y")
    assert done.status_code == 303, done.get_data(as_text=True)
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count(Company.id)).where(Company.tax_id_key == "JP1234567890123")
            )
            == 1
        )
        tenants = set(
            db.session.scalars(
                select(Enrollment.tenant_id).where(Enrollment.company_id == kirin_id)
            )
        )
        assert len(tenants) == 2
        assert db.session.get(PartnerApplication, application_id).company_id == kirin_id
        invited = db.session.scalars(select(User).where(User.email == APPLICANT)).one()
        assert invited.company_id == kirin_id


def test_a_company_already_enrolled_here_cannot_be_approved_again(app, client_for, inbox):
    with app.app_context():
        bluebird = db.session.scalars(select(Company).where(Company.name == "Bluebird IT")).one()
        bluebird.set_tax_id("GB 999 888 777")
        db.session.commit()
    applicant = client_for("northwind.localhost")
    application_id = applied_and_verified(app, applicant, inbox, tax_id="GB999888777")
    staff = client_for("northwind.localhost")
    staff.login("partners@northwind.example")
    refused = approve(
        staff,
        application_id,
        program=str(program_id(app, "gold")),
        credit_limit="0",
        same_company="y",
    )
    assert refused.status_code == 422
    assert "already enrolled here" in refused.get_data(as_text=True)
    assert count(app, select(func.count(User.id)).where(User.email == APPLICANT)) == 0


def test_an_address_that_got_an_account_meanwhile_is_refused_at_approval(app, client_for, inbox):
    applicant = client_for("northwind.localhost")
    application_id = applied_and_verified(app, applicant, inbox)
    with app.app_context():
        bluebird = db.session.scalars(select(Company).where(Company.name == "Bluebird IT")).one()
        db.session.add(
            User(
                email=APPLICANT,
                name="Olivia",
                password_hash="",
                kind="reseller",
                role="buyer",
                company_id=bluebird.id,
            )
        )
        db.session.commit()
    staff = client_for("northwind.localhost")
    staff.login("partners@northwind.example")
    refused = approve(staff, application_id, program=str(program_id(app, "gold")), credit_limit="0")
    assert refused.status_code == 422
    assert "already has an account" in refused.get_data(as_text=True)
    assert count(app, select(func.count(Company.id)).where(Company.name == "Orchard Systems")) == 0


def test_bad_credit_limit_names_the_field_and_creates_nothing(app, client_for, inbox):
    applicant = client_for("northwind.localhost")
    application_id = applied_and_verified(app, applicant, inbox)
    staff = client_for("northwind.localhost")
    staff.login("partners@northwind.example")
    refused = approve(
        staff, application_id, program=str(program_id(app, "gold")), credit_limit="12.345"
    )
    assert refused.status_code == 422
    assert "Credit limit: " in refused.get_data(as_text=True)
    assert count(app, select(func.count(Company.id)).where(Company.name == "Orchard Systems")) == 0
    assert count(app, select(func.count(User.id)).where(User.email == APPLICANT)) == 0


def test_walls_other_tenants_application_and_other_roles(app, client_for, inbox):
    applicant = client_for("alpenhandel.localhost")
    application_id = applied_and_verified(
        app, applicant, inbox, program=str(program_id(app, "gold", "alpenhandel"))
    )
    northwind_staff = client_for("northwind.localhost")
    northwind_staff.login("partners@northwind.example")
    assert northwind_staff.get(f"/partners/applications/{application_id}").status_code == 404
    token = northwind_staff.csrf_token("/partners/applications")
    for action, data in (("approve", {"credit_limit": "0"}), ("decline", {"reason": "no"})):
        answer = northwind_staff.post(
            f"/partners/applications/{application_id}/{action}", data={"csrf_token": token, **data}
        )
        assert answer.status_code == 404
    assert "Orchard" not in northwind_staff.get("/partners/applications").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(PartnerApplication, application_id).status == "pending"

    for email in ("buyer@bluebird.example", "admin@bluebird.example", "finance@northwind.example"):
        other = client_for("northwind.localhost")
        other.login(email)
        assert other.get("/partners/applications").status_code == 403, email

    alpen_staff = client_for("alpenhandel.localhost")
    alpen_staff.login("admin@alpenhandel.example")
    assert alpen_staff.get(f"/partners/applications/{application_id}").status_code == 200


def test_apply_is_not_on_the_admin_host(admin_host):
    assert admin_host.get("/apply").status_code == 404


def test_become_a_partner_links(northwind):
    assert 'href="/apply"' in northwind.get("/").get_data(as_text=True)
    assert 'href="/apply"' in northwind.get("/login").get_data(as_text=True)
