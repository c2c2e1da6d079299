"""``/partners/companies``: the reseller companies enrolled on this storefront, their
program and credit limit, and changing both."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from channelfront.accounts.models import Company, User
from channelfront.admin.blueprint import attach_errors, form_page
from channelfront.admin.forms import EnrollmentForm
from channelfront.admin.inputs import InvalidInput, minor_to_text
from channelfront.admin.partner_services import change_enrollment
from channelfront.extensions import db
from channelfront.i18n.formatting import Money
from channelfront.orders.view_support import tenant_row
from channelfront.partners.blueprint import PARTNER_ROLES, bp, roles
from channelfront.pricing.models import Enrollment, Program
from channelfront.tenancy.models import Tenant


@dataclass(frozen=True)
class EnrolledCompany:
    enrollment: Enrollment
    company: Company
    program: Program
    credit_limit: Money
    active_users: int


def enrolled_companies(tenant: Tenant) -> list[EnrolledCompany]:
    """This storefront's enrollments by company name, in two queries whatever their number."""
    rows = db.session.execute(
        select(Enrollment, Company, Program)
        .join(Company, Company.id == Enrollment.company_id)
        .join(Program, Program.id == Enrollment.program_id)
        .where(Enrollment.tenant_id == tenant.id)
        .order_by(func.lower(Company.name), Company.id)
    ).all()
    counts = dict(
        db.session.execute(
            select(User.company_id, func.count())
            .where(
                User.company_id.in_([company.id for _e, company, _p in rows]),
                User.active.is_(True),
                User.invitation_pending.is_(False),
            )
            .group_by(User.company_id)
        ).all()
    )
    return [
        EnrolledCompany(e, c, p, Money(e.credit_limit_minor, tenant.currency), counts.get(c.id, 0))
        for e, c, p in rows
    ]


def _programs(tenant: Tenant) -> list[tuple[int, str]]:
    stmt = select(Program).where(Program.tenant_id == tenant.id).order_by(Program.name, Program.id)
    return [(p.id, p.name) for p in db.session.scalars(stmt)]


def _form(tenant: Tenant, choices: list[tuple[int, str]], row: EnrolledCompany) -> EnrollmentForm:
    form = EnrollmentForm(
        formdata=None,
        data={
            "program": row.enrollment.program_id,
            "credit_limit": minor_to_text(row.enrollment.credit_limit_minor, tenant.currency),
        },
    )
    form.program.choices = choices
    return form


def _page(tenant: Tenant, failed: tuple[int, EnrollmentForm] | None = None) -> tuple[str, int]:
    rows = enrolled_companies(tenant)
    choices = _programs(tenant)
    forms = {row.enrollment.id: _form(tenant, choices, row) for row in rows}
    if failed is not None:
        forms[failed[0]] = failed[1]
    return form_page("partners/companies.html", rows=rows, forms=forms, currency=tenant.currency)


@bp.get("/companies")
@roles(*PARTNER_ROLES)
def companies() -> tuple[str, int]:
    return _page(tenant_row())


@bp.post("/companies/<int:enrollment_id>")
@roles(*PARTNER_ROLES)
def edit_enrollment(enrollment_id: int) -> Response | tuple[str, int]:
    tenant = tenant_row()
    enrollment = db.session.get(Enrollment, enrollment_id)
    if enrollment is None or enrollment.tenant_id != tenant.id:
        abort(404)
    form = EnrollmentForm()
    form.program.choices = _programs(tenant)
    if form.validate_on_submit():
        program = db.session.get(Program, form.program.data)
        try:
            change_enrollment(enrollment, tenant, program, form.credit_limit.data or "")
        except InvalidInput as exc:
            db.session.rollback()
            attach_errors(form, exc.errors)
        else:
            company = db.session.get_one(Company, enrollment.company_id)
            db.session.commit()
            flash(_("The enrollment of %(company)s is saved.", company=company.name), "success")
            return redirect(url_for("partners.companies"))
    return _page(tenant, failed=(enrollment_id, form))
