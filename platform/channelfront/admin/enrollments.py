"""Enrolling a company with a tenant, changing and ending enrollments (on the company's page)."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from channelfront.accounts.models import Company
from channelfront.admin import queries
from channelfront.admin.blueprint import attach_errors, bp
from channelfront.admin.companies import company_page, enroll_form
from channelfront.admin.forms import EnrollmentForm
from channelfront.admin.inputs import InvalidInput
from channelfront.admin.partner_services import change_enrollment, enroll, remove_enrollment
from channelfront.extensions import db
from channelfront.pricing.models import Enrollment, Program
from channelfront.tenancy.models import Tenant


@bp.route("/companies/<int:company_id>/enrollments", methods=["POST"])
def enroll_company(company_id: int) -> Response | tuple[str, int]:
    company = db.get_or_404(Company, company_id)
    form = enroll_form()
    if form.validate_on_submit():
        program = db.session.get(Program, form.program.data)
        tenant = db.session.get(Tenant, program.tenant_id) if program else None
        try:
            if tenant is None:
                raise InvalidInput({"program": _("Choose a program from the list.")})
            enroll(company, tenant, program, form.credit_limit.data or "")
        except InvalidInput as exc:
            db.session.rollback()
            attach_errors(form, exc.errors)
        else:
            db.session.commit()
            flash(
                _(
                    "%(company)s is enrolled with %(tenant)s.",
                    company=company.name,
                    tenant=tenant.name,
                ),
                "success",
            )
            return redirect(url_for(".company", company_id=company.id))
    return company_page(company, enrolling=form)


def _edit_form_for(enrollment: Enrollment) -> EnrollmentForm:
    form = EnrollmentForm()
    form.program.choices = [
        (p.id, p.name)
        for p in queries.programs_by_tenant(with_rules=False).get(enrollment.tenant_id, [])
    ]
    return form


@bp.route("/enrollments/<int:enrollment_id>", methods=["POST"])
def edit_enrollment(enrollment_id: int) -> Response | tuple[str, int]:
    enrollment = db.get_or_404(Enrollment, enrollment_id)
    company_id = enrollment.company_id
    form = _edit_form_for(enrollment)
    if form.validate_on_submit():
        tenant = db.session.get_one(Tenant, enrollment.tenant_id)
        program = db.session.get(Program, form.program.data)
        try:
            change_enrollment(enrollment, tenant, program, form.credit_limit.data or "")
        except InvalidInput as exc:
            db.session.rollback()
            attach_errors(form, exc.errors)
        else:
            db.session.commit()
            flash(_("The enrollment with %(tenant)s is saved.", tenant=tenant.name), "success")
            return redirect(url_for(".company", company_id=company_id))
    return company_page(db.get_or_404(Company, company_id), failed=(enrollment_id, form))


@bp.route("/enrollments/<int:enrollment_id>/delete", methods=["POST"])
def remove_enrollment_view(enrollment_id: int) -> Response:
    enrollment = db.get_or_404(Enrollment, enrollment_id)
    company_id = enrollment.company_id
    tenant = db.session.get_one(Tenant, enrollment.tenant_id)
    remove_enrollment(enrollment)
    db.session.commit()
    flash(_("The enrollment with %(tenant)s is removed.", tenant=tenant.name), "success")
    return redirect(url_for(".company", company_id=company_id))
