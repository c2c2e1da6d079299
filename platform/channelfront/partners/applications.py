"""Partner applications in the Partners area: the list, one application, approve, decline.

Only applications whose e-mail address is verified reach these pages; an unverified
one is not found, like another storefront's.
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, select
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from channelfront.accounts.models import Company, User
from channelfront.admin.blueprint import attach_errors
from channelfront.admin.inputs import InvalidInput, minor_to_text
from channelfront.extensions import db
from channelfront.orders.view_support import actor, tenant_row
from channelfront.outbox.services import commit_and_dispatch
from channelfront.partners import application_services as services
from channelfront.partners.application_forms import (
    ApproveForm,
    DeclineForm,
    approve_form,
    program_id,
)
from channelfront.partners.blueprint import PARTNER_ROLES, bp, roles
from channelfront.partners.models import ApplicationStatus, PartnerApplication
from channelfront.pricing.models import Program
from channelfront.theming.views import render

STATUS_LABELS = {
    ApplicationStatus.PENDING.value: _l("Waiting for a decision"),
    ApplicationStatus.APPROVED.value: _l("Approved"),
    ApplicationStatus.DECLINED.value: _l("Declined"),
}
VISIBLE = tuple(STATUS_LABELS)


def _status_filter() -> str | None:
    status = request.args.get("status") or None
    if status is not None and status not in VISIBLE:
        abort(400, description=_("status: choose a status from the list."))
    return status


@bp.route("/applications")
@roles(*PARTNER_ROLES)
def applications() -> str:
    status = _status_filter()
    pending_first = case((PartnerApplication.status == ApplicationStatus.PENDING.value, 0), else_=1)
    query = (
        select(PartnerApplication, Program.name)
        .join(Program, Program.id == PartnerApplication.program_id)
        .where(PartnerApplication.status.in_(VISIBLE))
        .order_by(pending_first, PartnerApplication.created_at.desc(), PartnerApplication.id.desc())
    )
    if status:
        query = query.where(PartnerApplication.status == status)
    rows = db.session.execute(query).all()
    return render(
        "partners/applications.html",
        rows=rows,
        status=status,
        status_labels=STATUS_LABELS,
    )


def _application(application_id: int) -> PartnerApplication:
    """An application of this storefront that reached the staff; 404 otherwise."""
    application = db.session.get(PartnerApplication, application_id)
    if application is None or application.status not in VISIBLE:
        abort(404)
    return application


def _page(
    application: PartnerApplication,
    approving: ApproveForm | None = None,
    declining: DeclineForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    tenant = tenant_row()
    matched_id = application.company_id or services.matching_company_id(application)
    matched = db.session.get(Company, matched_id) if matched_id else None
    if approving is None:
        approving = approve_form()
        approving.program.data = str(application.program_id)
        approving.credit_limit.data = minor_to_text(0, tenant.currency)
    decider = db.session.get(User, application.decided_by_id) if application.decided_by_id else None
    context = {
        "application": application,
        "program": db.session.get(Program, application.program_id),
        "matched": matched,
        "matched_enrolled": bool(matched and services.enrolled_here(matched.id, tenant)),
        "approve_form": approving,
        "decline_form": declining or DeclineForm(),
        "decider": decider,
        "currency": tenant.currency,
        "status_labels": STATUS_LABELS,
    }
    return render("partners/application.html", **context), status


@bp.route("/applications/<int:application_id>")
@roles(*PARTNER_ROLES)
def application(application_id: int) -> tuple[str, int]:
    return _page(_application(application_id))


def _conflict(message: str) -> tuple[str, int]:
    db.session.rollback()
    return render("error.html", status=409, title=_("Already decided"), message=message), 409


@bp.route("/applications/<int:application_id>/approve", methods=["POST"])
@roles(*PARTNER_ROLES)
def approve_application(application_id: int) -> Response | tuple[str, int]:
    found = _application(application_id)
    form = approve_form()
    if not form.validate_on_submit():
        return _page(found, approving=form, status=400)
    tenant = tenant_row()
    program = db.session.get(Program, program_id(form))
    try:
        services.approve(
            found,
            tenant,
            actor(),
            program=program,
            credit_limit=form.credit_limit.data or "",
            same_company=bool(form.same_company.data),
        )
        commit_and_dispatch()
    except services.ApplicationConflict as conflict:
        return _conflict(conflict.message)
    except InvalidInput as refused:
        db.session.rollback()
        attach_errors(form, refused.errors)
        return _page(_application(application_id), approving=form, status=422)
    except IntegrityError:
        return _conflict(_("Someone approved a company with this tax id at the same time."))
    flash(
        _("%(company)s is enrolled; its admin is invited.", company=found.company_name),
        "success",
    )
    return redirect(url_for("partners.application", application_id=application_id), 303)


@bp.route("/applications/<int:application_id>/decline", methods=["POST"])
@roles(*PARTNER_ROLES)
def decline_application(application_id: int) -> Response | tuple[str, int]:
    found = _application(application_id)
    form = DeclineForm()
    if not form.validate_on_submit():
        return _page(found, declining=form, status=400)
    try:
        services.decline(found, tenant_row(), actor(), form.reason.data or "")
    except services.ApplicationConflict as conflict:
        return _conflict(conflict.message)
    except InvalidInput as refused:
        db.session.rollback()
        attach_errors(form, refused.errors)
        return _page(_application(application_id), declining=form, status=422)
    commit_and_dispatch()
    flash(_("The application of %(company)s is declined.", company=found.company_name), "success")
    return redirect(url_for("partners.application", application_id=application_id), 303)
