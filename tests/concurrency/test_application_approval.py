"""Parallel approvals of one partner application create one company, one enrollment and
one invitation: the first decision wins, every other one is told it was already made
(409), on SQLite and on PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.slow

PARALLEL = 6
TAX_KEY = "GB555000111"


def pending_application(served: Any) -> tuple[int, int]:
    """A Northwind application whose e-mail address is confirmed; (its id, a program id)."""
    tenant_id = served.scalar("SELECT id FROM tenant WHERE slug = 'northwind'")
    program_id = served.scalar(
        "SELECT id FROM program WHERE tenant_id = :t ORDER BY id LIMIT 1", t=tenant_id
    )
    served.execute(
        "INSERT INTO partner_application (tenant_id, status, company_name, address_line,"
        " postal_code, city, country, tax_id, tax_id_key, contact_name, contact_email, locale,"
        " program_id, terms_accepted_at, created_at, email_verified_at) VALUES (:t, 'pending',"
        " 'Racing Resellers', '1 Track Road', 'SW1A 1AA', 'London', 'GB', 'GB 555 000 111',"
        " :key, 'Rita Racer', 'rita@racing.example', 'en', :p, CURRENT_TIMESTAMP,"
        " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
        t=tenant_id,
        key=TAX_KEY,
        p=program_id,
    )
    application_id = served.scalar(
        "SELECT id FROM partner_application WHERE contact_email = 'rita@racing.example'"
    )
    return application_id, program_id


def test_parallel_approvals_create_one_company(served: Any, fire: Any) -> None:
    application_id, program_id = pending_application(served)
    staff = served.browser("northwind", "partners@northwind.example")
    page = f"/partners/applications/{application_id}"
    _html, csrf = staff.form(page)
    data = {"csrf_token": csrf, "program": str(program_id), "credit_limit": "5000"}

    answers = fire(PARALLEL, lambda _i: staff.post(f"{page}/approve", data))

    statuses = sorted(a.status_code for a in answers)
    assert all(s < 500 for s in statuses), (statuses, served.log_tail())
    assert statuses == [303] + [409] * (PARALLEL - 1), statuses
    for answer in answers:
        if answer.status_code == 409:
            assert "already been approved" in answer.text
    companies = served.sql("SELECT id FROM company WHERE tax_id_key = :k", k=TAX_KEY)
    assert len(companies) == 1, companies
    company_id = companies[0][0]
    assert served.scalar("SELECT count(*) FROM enrollment WHERE company_id = :c", c=company_id) == 1
    assert (
        served.scalar("SELECT count(*) FROM user_account WHERE email = 'rita@racing.example'") == 1
    )
    assert (
        served.scalar("SELECT count(*) FROM audit_event WHERE action = 'application.approved'") == 1
    )
    assert (
        served.scalar("SELECT status FROM partner_application WHERE id = :a", a=application_id)
        == "approved"
    )
