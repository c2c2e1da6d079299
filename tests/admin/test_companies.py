"""Reseller companies and their enrollments with tenants."""

import pytest
from sqlalchemy import select

from channelfront.accounts.models import Company
from channelfront.pricing.models import Enrollment, Program
from channelfront.tenancy.models import Tenant


def company_id(rows, name):
    return rows(select(Company.id).where(Company.name == name))[0][0]


def program_id(rows, tenant_slug, program_slug):
    return rows(
        select(Program.id).where(
            Program.tenant_id == Tenant.id, Tenant.slug == tenant_slug, Program.slug == program_slug
        )
    )[0][0]


def enrollments(rows, company):
    return sorted(
        rows(
            select(Tenant.slug, Program.slug, Enrollment.credit_limit_minor)
            .join(Tenant, Tenant.id == Enrollment.tenant_id)
            .join(Program, Program.id == Enrollment.program_id)
            .join(Company, Company.id == Enrollment.company_id)
            .where(Company.name == company)
        )
    )


def test_companies_are_listed_with_their_enrollments(console, text_of):
    text = text_of(console.get("/admin/companies"))
    assert "Bluebird IT US Alpenhandel GmbH: Silber, credit €20,000.00" in text
    assert "Northwind Distribution: Gold, credit $50,000.00" in text
    assert "Kirin Systems JP Sakura Trading: Standard, credit ¥300,000,000" in text


def test_create_a_company(console, submit, rows, text_of):
    response = submit("/admin/companies", data={"name": "  Contoso   Resellers ", "country": "DE"})
    assert response.status_code == 302
    assert rows(select(Company.country).where(Company.name == "Contoso Resellers")) == [("DE",)]
    page = console.get(response.headers["Location"])
    assert "Contoso Resellers is not enrolled with any tenant yet." in text_of(page)
    assert "Contoso Resellers DE Not enrolled" in text_of(console.get("/admin/companies"))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": ""}, "Company name: Enter the company's name."),
        ({"name": "x" * 161}, "Company name:"),
        ({"name": "bluebird it"}, "Company name: A company named “bluebird it” already exists."),
        ({"name": "Contoso", "country": "XX"}, "Country: Not a valid choice"),
    ],
)
def test_bad_company_input_is_refused(submit, rows, text_of, data, message):
    before = rows(select(Company.id))
    response = submit("/admin/companies", data=data)
    assert response.status_code == 400
    assert message in text_of(response)
    assert rows(select(Company.id)) == before


def test_enroll_a_company_in_a_program_with_a_credit_limit(console, submit, rows, text_of):
    kirin = company_id(rows, "Kirin Systems")
    page = f"/admin/companies/{kirin}"
    response = submit(
        page,
        f"{page}/enrollments",
        {"program": program_id(rows, "northwind", "silver"), "credit_limit": "2500.5"},
    )
    assert response.status_code == 302
    assert enrollments(rows, "Kirin Systems") == [
        ("northwind", "silver", 250050),
        ("sakura", "standard", 300_000_000),
    ]
    text = text_of(console.get(page))
    assert "Kirin Systems is enrolled with Northwind Distribution." in text
    assert "Northwind Distribution credit $2,500.50" in text


def test_an_enrolled_company_can_sign_in_on_that_storefront(submit, rows, client_for):
    kirin_on_northwind = client_for("northwind.localhost")
    assert kirin_on_northwind.login("buyer@kirin.example").status_code == 403
    page = f"/admin/companies/{company_id(rows, 'Kirin Systems')}"
    submit(
        page,
        f"{page}/enrollments",
        {"program": program_id(rows, "northwind", "gold"), "credit_limit": "0"},
    )
    assert kirin_on_northwind.login("buyer@kirin.example").status_code == 302


@pytest.mark.parametrize(
    ("tenant", "credit", "message"),
    [
        ("sakura", "1500.5", "Credit limit: JPY amounts take no decimals."),
        ("northwind", "10.005", "Credit limit: USD amounts take at most 2 decimals."),
        ("northwind", "-100", "Credit limit: The number cannot be negative."),
        ("northwind", "abc", "Credit limit: “abc” is not a number"),
        ("northwind", "1e5", "Credit limit: “1e5” is not a number"),
        ("northwind", "NaN", "Credit limit: “NaN” is not a number"),
        ("northwind", "1,000", "Credit limit: “1,000” is not a number"),
        ("northwind", "", "Credit limit: Enter a credit limit"),
        ("northwind", "9" * 30, "Credit limit: The number is too large."),
    ],
)
def test_bad_credit_limit_is_refused_and_nothing_is_enrolled(
    submit, rows, text_of, tenant, credit, message
):
    submit("/admin/companies", data={"name": "Contoso"})
    page = f"/admin/companies/{company_id(rows, 'Contoso')}"
    program = program_id(rows, tenant, "standard" if tenant == "sakura" else "gold")
    response = submit(page, f"{page}/enrollments", {"program": program, "credit_limit": credit})
    assert response.status_code == 400
    assert message in text_of(response)
    assert enrollments(rows, "Contoso") == []


def test_enrolling_twice_with_one_tenant_is_refused(submit, rows, text_of):
    page = f"/admin/companies/{company_id(rows, 'Bluebird IT')}"
    response = submit(
        page,
        f"{page}/enrollments",
        {"program": program_id(rows, "northwind", "silver"), "credit_limit": "10"},
    )
    assert response.status_code == 400
    assert (
        "Tenant and program: Bluebird IT is already enrolled with Northwind Distribution"
        in text_of(response)
    )
    assert ("northwind", "gold", 5_000_000) in enrollments(rows, "Bluebird IT")


def test_enrolling_in_an_unknown_program_is_refused(submit, rows, text_of):
    page = f"/admin/companies/{company_id(rows, 'Kirin Systems')}"
    for program in ("999999", "gold", ""):
        response = submit(page, f"{page}/enrollments", {"program": program, "credit_limit": "10"})
        assert response.status_code == 400
        assert "Tenant and program:" in text_of(response)
    assert len(enrollments(rows, "Kirin Systems")) == 1


def bluebird_on(rows, slug):
    return rows(
        select(Enrollment.id)
        .join(Tenant, Tenant.id == Enrollment.tenant_id)
        .join(Company, Company.id == Enrollment.company_id)
        .where(Company.name == "Bluebird IT", Tenant.slug == slug)
    )[0][0]


def test_change_an_enrollment(console, submit, rows, text_of):
    page = f"/admin/companies/{company_id(rows, 'Bluebird IT')}"
    response = submit(
        page,
        f"/admin/enrollments/{bluebird_on(rows, 'northwind')}",
        {"program": program_id(rows, "northwind", "silver"), "credit_limit": "75000.00"},
    )
    assert response.status_code == 302
    assert ("northwind", "silver", 7_500_000) in enrollments(rows, "Bluebird IT")
    assert "The enrollment with Northwind Distribution is saved." in text_of(console.get(page))


def test_edit_form_shows_the_credit_limit_as_a_plain_amount(console, rows):
    page = console.get(f"/admin/companies/{company_id(rows, 'Bluebird IT')}").get_data(as_text=True)
    assert 'value="50000.00"' in page
    assert 'value="20000.00"' in page


@pytest.mark.parametrize(
    ("program", "credit", "message"),
    [
        (("northwind", "silver"), "12.345", "Credit limit: USD amounts take at most 2 decimals."),
        (("northwind", "silver"), "-1", "Credit limit: The number cannot be negative."),
        (("sakura", "standard"), "100", "Program: Not a valid choice"),
    ],
)
def test_bad_enrollment_change_leaves_it_as_it_was(submit, rows, text_of, program, credit, message):
    page = f"/admin/companies/{company_id(rows, 'Bluebird IT')}"
    response = submit(
        page,
        f"/admin/enrollments/{bluebird_on(rows, 'northwind')}",
        {"program": program_id(rows, *program), "credit_limit": credit},
    )
    assert response.status_code == 400
    assert message in text_of(response)
    assert ("northwind", "gold", 5_000_000) in enrollments(rows, "Bluebird IT")


def test_remove_an_enrollment_ends_storefront_access(submit, rows, client_for, text_of, console):
    page = f"/admin/companies/{company_id(rows, 'Bluebird IT')}"
    response = submit(page, f"/admin/enrollments/{bluebird_on(rows, 'northwind')}/delete")
    assert response.status_code == 302
    assert [slug for slug, *_ in enrollments(rows, "Bluebird IT")] == ["alpenhandel"]
    assert "The enrollment with Northwind Distribution is removed." in text_of(console.get(page))
    assert client_for("northwind.localhost").login("buyer@bluebird.example").status_code == 403
    assert client_for("alpenhandel.localhost").login("buyer@bluebird.example").status_code == 302


def test_unknown_company_or_enrollment_is_404(console, submit):
    assert console.get("/admin/companies/999999").status_code == 404
    assert submit("/admin/companies", "/admin/enrollments/999999/delete").status_code == 404
    assert (
        submit("/admin/companies", "/admin/enrollments/999999", {"credit_limit": "1"}).status_code
        == 404
    )
