"""Reseller company pages: the list with enrollments, adding a company, and a company's page."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from channelfront.accounts.models import Company
from channelfront.admin import queries
from channelfront.admin.blueprint import attach_errors, bp, form_page
from channelfront.admin.forms import CompanyForm, EnrollForm, EnrollmentForm
from channelfront.admin.inputs import InvalidInput, minor_to_text
from channelfront.admin.labels import country_choices
from channelfront.admin.partner_services import (
    create_company,
)
from channelfront.extensions import db
from channelfront.pricing.models import Program


def _company_form() -> CompanyForm:
    form = CompanyForm()
    form.country.choices = [("", _("Not set")), *country_choices()]
    return form


def _list_page(form: CompanyForm) -> tuple[str, int]:
    return form_page(
        "admin/companies.html",
        companies=queries.companies(),
        enrollments=queries.enrollment_rows(),
        form=form,
    )


@bp.route("/companies")
def companies() -> tuple[str, int]:
    return _list_page(_company_form())


@bp.route("/companies", methods=["POST"])
def create_company_view() -> Response | tuple[str, int]:
    form = _company_form()
    if form.validate_on_submit():
        try:
            company = create_company(form.name.data or "", form.country.data)
        except InvalidInput as exc:
            db.session.rollback()
            attach_errors(form, exc.errors)
        else:
            db.session.commit()
            flash(_("Company %(name)s is added.", name=company.name), "success")
            return redirect(url_for(".company", company_id=company.id))
    return _list_page(form)


def _program_choices() -> list[tuple[int, str]]:
    tenants = {t.id: t for t in queries.tenants()}
    programs_of_tenants = queries.programs_by_tenant(with_rules=False)
    return [
        (
            program.id,
            _(
                "%(tenant)s (%(currency)s): %(program)s",
                tenant=tenants[tenant_id].name,
                currency=tenants[tenant_id].currency,
                program=program.name,
            ),
        )
        for tenant_id, programs in sorted(
            programs_of_tenants.items(), key=lambda item: tenants[item[0]].name
        )
        for program in programs
    ]


def enroll_form(*, submitted: bool = True) -> EnrollForm:
    form = EnrollForm() if submitted else EnrollForm(formdata=None)
    form.program.choices = _program_choices()
    return form


def _edit_form(row: queries.EnrollmentRow, programs: list[Program]) -> EnrollmentForm:
    form = EnrollmentForm(
        formdata=None,
        data={
            "program": row.enrollment.program_id,
            "credit_limit": minor_to_text(row.enrollment.credit_limit_minor, row.tenant.currency),
        },
    )
    form.program.choices = [(p.id, p.name) for p in programs]
    return form


def company_page(
    company: Company,
    enrolling: EnrollForm | None = None,
    failed: tuple[int, EnrollmentForm] | None = None,
) -> tuple[str, int]:
    rows = queries.enrollment_rows(company.id).get(company.id, [])
    programs = queries.programs_by_tenant(with_rules=False)
    edit_forms = {row.enrollment.id: _edit_form(row, programs[row.tenant.id]) for row in rows}
    if failed is not None:
        edit_forms[failed[0]] = failed[1]
    return form_page(
        "admin/company.html",
        company=company,
        rows=rows,
        edit_forms=edit_forms,
        enroll_form=enrolling or enroll_form(submitted=False),
    )


@bp.route("/companies/<int:company_id>")
def company(company_id: int) -> tuple[str, int]:
    return company_page(db.get_or_404(Company, company_id))
