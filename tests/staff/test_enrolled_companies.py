"""/partners/companies: the resellers enrolled on this storefront, their program, credit
limit and active users, and changing program and credit limit."""

from __future__ import annotations

from sqlalchemy import event, select

from channelfront.accounts.models import Company, User
from channelfront.audit.models import AuditEvent
from channelfront.extensions import db
from channelfront.pricing.models import Enrollment, Program
from channelfront.tenancy.models import Tenant
from tests.row_counts import changed, row_counts
from tests.staff.support import post

COMPANIES = "/partners/companies"


def _tenant_id(slug: str) -> int:
    return db.session.scalar(select(Tenant.id).where(Tenant.slug == slug))


def _enrollment(company: str, slug: str) -> Enrollment:
    db.session.expire_all()
    return db.session.scalars(
        select(Enrollment)
        .join(Company, Company.id == Enrollment.company_id)
        .where(Company.name == company, Enrollment.tenant_id == _tenant_id(slug))
    ).one()


def _program_id(slug: str, program: str) -> int:
    return db.session.scalar(
        select(Program.id).where(Program.tenant_id == _tenant_id(slug), Program.slug == program)
    )


def _signed_in(client, email: str):  # type: ignore[no-untyped-def]
    assert client.login(email).status_code == 302
    return client


def test_the_list_shows_program_credit_limit_and_active_users(ctx, client_for):
    client = _signed_in(client_for("northwind.localhost"), "partners@northwind.example")
    page = client.get(COMPANIES)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    row = html.split('data-company="Bluebird IT"')[1].split("</li>")[0]
    bluebird = _enrollment("Bluebird IT", "northwind")
    assert f"Program: {bluebird.program.name}" in row
    assert "Credit limit: $" in row
    active = db.session.scalar(
        select(db.func.count(User.id)).where(
            User.company_id == bluebird.company_id, User.active.is_(True)
        )
    )
    assert f"{active} active user" in row
    assert "Kirin Systems" not in html  # enrolled on Sakura only


def test_a_partner_manager_changes_program_and_credit_limit(ctx, client_for):
    client = _signed_in(client_for("northwind.localhost"), "partners@northwind.example")
    bluebird = _enrollment("Bluebird IT", "northwind")
    other = next(
        p.id
        for p in db.session.scalars(select(Program).where(Program.tenant_id == bluebird.tenant_id))
        if p.id != bluebird.program_id
    )
    answer = post(
        client,
        f"{COMPANIES}/{bluebird.id}",
        COMPANIES,
        program=str(other),
        credit_limit="12345.67",
    )
    assert answer.status_code == 302
    changed_row = _enrollment("Bluebird IT", "northwind")
    assert (changed_row.program_id, changed_row.credit_limit_minor) == (other, 1234567)
    assert "$12,345.67" in client.get(COMPANIES).get_data(as_text=True)
    actions = set(
        db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.subject_id == str(bluebird.id))
        )
    )
    assert "enrollment.credit_limit_changed" in actions


def test_bad_money_or_a_foreign_program_names_the_field_and_changes_nothing(ctx, client_for):
    client = _signed_in(client_for("northwind.localhost"), "admin@northwind.example")
    bluebird = _enrollment("Bluebird IT", "northwind")
    before = (bluebird.program_id, bluebird.credit_limit_minor)
    counts = row_counts()
    for data, message in (
        ({"credit_limit": "12,5"}, "Credit limit: "),
        ({"credit_limit": "-5"}, "Credit limit: The number cannot be negative."),
        ({"credit_limit": "1.234"}, "Credit limit: USD amounts take at most 2 decimals."),
        ({"credit_limit": ""}, "Credit limit: Enter a credit limit (0 for none)."),
        (
            {"credit_limit": "10", "program": str(_program_id("alpenhandel", "gold"))},
            "Program: ",
        ),
    ):
        fields = {"program": str(bluebird.program_id), **data}
        answer = post(client, f"{COMPANIES}/{bluebird.id}", COMPANIES, **fields)
        assert answer.status_code == 400, data
        assert message in answer.get_data(as_text=True), data
    after = _enrollment("Bluebird IT", "northwind")
    assert (after.program_id, after.credit_limit_minor) == before
    assert changed(counts, row_counts()) == {}


def test_another_storefronts_enrollment_is_not_found(ctx, client_for):
    client = _signed_in(client_for("northwind.localhost"), "admin@northwind.example")
    theirs = _enrollment("Bluebird IT", "alpenhandel")
    before = theirs.credit_limit_minor
    answer = post(
        client,
        f"{COMPANIES}/{theirs.id}",
        COMPANIES,
        program=str(theirs.program_id),
        credit_limit="1",
    )
    assert answer.status_code == 404
    assert _enrollment("Bluebird IT", "alpenhandel").credit_limit_minor == before
    alpen = _signed_in(client_for("alpenhandel.localhost"), "admin@alpenhandel.example")
    mine = _enrollment("Bluebird IT", "northwind")
    answer = post(alpen, f"{COMPANIES}/{mine.id}", COMPANIES, program="1", credit_limit="1")
    assert answer.status_code == 404


def test_finance_and_resellers_get_403(ctx, client_for):
    bluebird = _enrollment("Bluebird IT", "northwind")
    for email in ("finance@northwind.example", "admin@bluebird.example"):
        client = _signed_in(client_for("northwind.localhost"), email)
        assert client.get(COMPANIES).status_code == 403, email
        token = client.csrf_token("/account")
        answer = client.post(
            f"{COMPANIES}/{bluebird.id}", data={"csrf_token": token, "credit_limit": "1"}
        )
        assert answer.status_code == 403, email


def test_the_list_runs_the_same_queries_whatever_the_number_of_companies(app, ctx, client_for):
    client = _signed_in(client_for("northwind.localhost"), "admin@northwind.example")
    client.get(COMPANIES)

    def queries() -> int:
        seen: list[str] = []

        def before(_conn, _cursor, statement, *_rest):  # type: ignore[no-untyped-def]
            seen.append(statement)

        engine = db.engine
        event.listen(engine, "before_cursor_execute", before)
        try:
            assert client.get(COMPANIES).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", before)
        return len(seen)

    first = queries()
    program = _program_id("northwind", "gold")
    for i in range(4):
        company = Company(name=f"Grow {i}")
        db.session.add(company)
        db.session.flush()
        db.session.add(
            User(
                email=f"u{i}@grow.example",
                name="U",
                password_hash="",
                kind="reseller",
                role="buyer",
                company_id=company.id,
            )
        )
        db.session.add(
            Enrollment(
                tenant_id=_tenant_id("northwind"),
                company_id=company.id,
                program_id=program,
                credit_limit_minor=100,
            )
        )
    db.session.commit()
    assert queries() == first
