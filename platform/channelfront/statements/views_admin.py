"""Incentives in the vendor console: every statement, program edits tried on real history
before they are published, and closing a period by hand.

URLs name the tenant and then its program or statement: an id of another tenant's row
is a 404. A draft is published only after it was simulated, unchanged, by the same
admin (the session keeps the fingerprint of each draft the admin simulated).
"""

from __future__ import annotations

import logging
from decimal import Decimal
from math import ceil
from typing import Any

from flask import abort, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from channelfront.admin.blueprint import attach_errors, bp, form_page
from channelfront.catalog.params import MAX_PAGE
from channelfront.extensions import db
from channelfront.i18n.formatting import Money
from channelfront.statements import admin_queries, close, history, programs, replay
from channelfront.statements.admin_forms import (
    CloseForm,
    DocumentForm,
    NewProgramForm,
    NotJson,
    PublishForm,
    load_json,
    new_program_form,
    pretty,
)
from channelfront.statements.admin_queries import STATUSES, Filters
from channelfront.statements.models import IncentiveProgram, Statement
from channelfront.statements.posting import closed_periods
from channelfront.statements.schemas import ProgramInvalid
from channelfront.tenancy.models import Tenant
from channelfront.theming.views import render
from channelfront.web.params import parse_whole
from incentives.money import text

log = logging.getLogger(__name__)
PER_PAGE = 50
LINES_PER_PAGE = 100
MAX_ID = 2**63 - 1
SIMULATED = "incentive_simulations"  # session key: program id -> digest of the draft tried
KEEP_SIMULATIONS = 20


def _row(model: Any, row_id: int, tenant_id: int) -> Any:
    """The row of `model` with this id on this tenant, or a 404."""
    found = db.session.get(model, row_id) if 0 < row_id <= MAX_ID else None
    if found is None or found.tenant_id != tenant_id:
        abort(404)
    return found


def _program(tenant_id: int, program_id: int) -> tuple[Tenant, IncentiveProgram]:
    tenant = db.get_or_404(Tenant, tenant_id) if 0 < tenant_id <= MAX_ID else abort(404)
    return tenant, _row(IncentiveProgram, program_id, tenant_id)


# -- statements -------------------------------------------------------------------------------


def _int_arg(name: str, upper: int = MAX_ID) -> int | None:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    value = parse_whole(raw, 1, upper)
    return -1 if value is None else value


def _filters(choices: dict[str, Any]) -> tuple[Filters, int, dict[str, str]]:
    errors: dict[str, str] = {}
    tenant_id = _int_arg("tenant")
    if tenant_id is not None and tenant_id not in choices["tenants"]:
        errors["tenant"] = _("Choose a tenant from the list.")
    program_id = _int_arg("program")
    if program_id is not None and program_id not in choices["programs"]:
        errors["program"] = _("Choose a program from the list.")
    period = (request.args.get("period") or "").strip() or None
    if period is not None and history.kind_of(period) is None:
        errors["period"] = _("Write a period like 2026-03, 2026-Q1, 2026-H1 or 2026.")
    beneficiary = (request.args.get("beneficiary") or "").strip() or None
    if beneficiary is not None and beneficiary not in choices["beneficiaries"]:
        errors["beneficiary"] = _("Choose a beneficiary from the list.")
    status = (request.args.get("status") or "").strip() or None
    if status is not None and status not in STATUSES:
        errors["status"] = _("Choose a status from the list.")
    page = _int_arg("page", MAX_PAGE) or 1
    if page < 1:
        errors["page"] = _("The page must be a whole number from 1 to %(max)d.", max=MAX_PAGE)
    filters = Filters(tenant_id, program_id, period, beneficiary, status)
    return filters, max(page, 1), errors


@bp.route("/incentives")
def incentives() -> tuple[str, int]:
    tenants = list(db.session.scalars(select(Tenant).order_by(Tenant.name)))
    program_rows = admin_queries.program_choices()
    beneficiaries = admin_queries.beneficiary_choices()
    choices = {
        "tenants": {t.id for t in tenants},
        "programs": {p.id for p, _t in program_rows},
        "beneficiaries": dict(beneficiaries),
    }
    filters, page, errors = _filters(choices)
    rows: list[admin_queries.Listed] = []
    count = 0
    if not errors:
        count = admin_queries.statement_count(filters)
        rows = admin_queries.statements_page(filters, page, PER_PAGE)
    args: dict[str, Any] = {
        "tenant": filters.tenant_id,
        "program": filters.program_id,
        "period": filters.period,
        "beneficiary": filters.beneficiary,
        "status": filters.status,
    }
    args = {k: v for k, v in args.items() if v is not None}
    html = render(
        "admin/incentives/statements.html",
        section="incentives",
        tenants=tenants,
        program_rows=program_rows,
        beneficiaries=beneficiaries,
        statuses=STATUSES,
        selected=filters,
        raw=request.args,
        errors=errors,
        rows=rows,
        count=count,
        page=page,
        pages=max(1, ceil(count / PER_PAGE)),
        page_url=lambda n: url_for(".incentives", **args, page=n),
    )
    return html, 400 if errors else 200


def _page_arg() -> int:
    page = _int_arg("page", MAX_PAGE) or 1
    if page < 1:
        abort(
            400, description=_("The page must be a whole number from 1 to %(max)d.", max=MAX_PAGE)
        )
    return page


def _statement_page(
    tenant: Tenant,
    program: IncentiveProgram,
    beneficiary: str,
    period: str,
    start: Any,
    summary: dict[str, Any],
    page_url: Any,
) -> str:
    page = _page_arg()
    count = admin_queries.line_count(program.id, beneficiary, start)
    return render(
        "admin/incentives/statement.html",
        section="incentives",
        owner=tenant,
        program=program,
        beneficiary=beneficiary,
        name=replay.names([beneficiary], tenant)[beneficiary],
        period=period,
        lines=admin_queries.lines(program.id, beneficiary, start, page, LINES_PER_PAGE),
        line_count=count,
        page=page,
        pages=max(1, ceil(count / LINES_PER_PAGE)),
        page_url=page_url,
        **summary,
    )


@bp.route("/incentives/<int:tenant_id>/statements/<int:statement_id>")
def incentive_statement(tenant_id: int, statement_id: int) -> str:
    tenant = db.get_or_404(Tenant, tenant_id) if 0 < tenant_id <= MAX_ID else abort(404)
    statement: Statement = _row(Statement, statement_id, tenant.id)
    program = db.session.get_one(IncentiveProgram, statement.program_id)
    note = admin_queries.credit_note(statement.id)
    credit_note = (
        {
            "number": note.number,
            "amount": Money(note.amount_minor, note.currency),
            "remaining": Money(note.remaining_minor, note.currency),
        }
        if note is not None
        else None
    )
    return _statement_page(
        tenant,
        program,
        statement.beneficiary,
        statement.period,
        statement.period_start,
        {
            "status": statement.disposition,
            "opening": Money(statement.opening_minor, statement.currency),
            "total": Money(statement.total_minor, statement.currency),
            "closed_at": statement.closed_at,
            "credit_note": credit_note,
        },
        lambda n: url_for(
            ".incentive_statement", tenant_id=tenant.id, statement_id=statement.id, page=n
        ),
    )


@bp.route("/incentives/<int:tenant_id>/programs/<int:program_id>/open")
def incentive_open_statement(tenant_id: int, program_id: int) -> str | Response:
    tenant, program = _program(tenant_id, program_id)
    beneficiary = (request.args.get("beneficiary") or "").strip()[:40]
    period = (request.args.get("period") or "").strip()[:10]
    start = admin_queries.open_start(program.id, beneficiary, period)
    if start is None:
        closed = db.session.scalar(
            select(Statement.id).where(
                Statement.program_id == program.id,
                Statement.beneficiary == beneficiary,
                Statement.period == period,
            )
        )
        if closed is not None:  # it closed meanwhile
            return redirect(
                url_for(".incentive_statement", tenant_id=tenant.id, statement_id=closed)
            )
        abort(404)
    opening = admin_queries.carried_into(program.id, beneficiary, start)
    lines = admin_queries.lines_sum(program.id, beneficiary, start)
    currency = program.document.get("settlement_currency") or tenant.currency
    return _statement_page(
        tenant,
        program,
        beneficiary,
        period,
        start,
        {
            "status": "open",
            "opening": Money(opening, currency),
            "total": Money(opening + lines, currency),
            "closed_at": None,
            "credit_note": None,
        },
        lambda n: url_for(
            ".incentive_open_statement",
            tenant_id=tenant.id,
            program_id=program.id,
            beneficiary=beneficiary,
            period=period,
            page=n,
        ),
    )


# -- programs ---------------------------------------------------------------------------------


def _programs_page(forms: dict[int, NewProgramForm] | None = None) -> tuple[str, int]:
    tenants = list(db.session.scalars(select(Tenant).order_by(Tenant.name)))
    by_tenant: dict[int, list[IncentiveProgram]] = {t.id: [] for t in tenants}
    for program in db.session.scalars(
        select(IncentiveProgram).order_by(IncentiveProgram.name, IncentiveProgram.id)
    ):
        by_tenant.setdefault(program.tenant_id, []).append(program)
    new_forms = {t.id: new_program_form(submitted=False) for t in tenants}
    new_forms.update(forms or {})
    return form_page(
        "admin/incentives/programs.html",
        section="incentives",
        tenants=tenants,
        programs=by_tenant,
        new_forms=new_forms,
    )


@bp.route("/incentives/programs")
def incentive_programs() -> tuple[str, int]:
    return _programs_page()


def starter(tenant: Tenant) -> dict[str, Any]:
    """The document a new program starts with: no rules, monthly statements."""
    return {
        "settlement_currency": tenant.currency,
        "timezone": "UTC",
        "statement_period": "monthly",
        "grace_days": 5,
        "min_payout": text(Decimal(0), tenant.currency),
        "negative_balance": "carry_forward",
        "rounding": "half_even",
        "rules": [],
    }


@bp.route("/incentives/<int:tenant_id>/programs", methods=["POST"])
def create_incentive_program(tenant_id: int) -> Response | tuple[str, int]:
    tenant = db.get_or_404(Tenant, tenant_id) if 0 < tenant_id <= MAX_ID else abort(404)
    form = new_program_form()
    if form.validate_on_submit():
        try:
            program = programs.create(
                tenant,
                form.code.data or "",
                form.name.data or "",
                form.audience.data or "",
                starter(tenant),
            )
        except ProgramInvalid as error:
            db.session.rollback()
            attach_errors(form, {k: " ".join(v) for k, v in error.errors.items()})
        else:
            db.session.commit()
            flash(
                _(
                    "Program %(program)s of %(tenant)s is added as a draft.",
                    program=program.name,
                    tenant=tenant.name,
                ),
                "success",
            )
            return redirect(
                url_for(".incentive_program", tenant_id=tenant.id, program_id=program.id)
            )
    return _programs_page({tenant.id: form})


def _simulated() -> dict[str, str]:
    return dict(session.get(SIMULATED) or {})


def _remember(program: IncentiveProgram) -> None:
    tried = _simulated()
    tried.pop(str(program.id), None)
    tried[str(program.id)] = replay.digest(program.draft)
    session[SIMULATED] = dict(list(tried.items())[-KEEP_SIMULATIONS:])


def _forget(program: IncentiveProgram) -> None:
    tried = _simulated()
    if tried.pop(str(program.id), None) is not None:
        session[SIMULATED] = tried


def _may_publish(program: IncentiveProgram) -> bool:
    """The draft as it is now was simulated by this admin."""
    return program.draft is not None and _simulated().get(str(program.id)) == replay.digest(
        program.draft
    )


def _program_page(
    tenant: Tenant,
    program: IncentiveProgram,
    *,
    form: DocumentForm | None = None,
    document_errors: dict[str, list[str]] | None = None,
    comparison: replay.Comparison | None = None,
    replay_error: replay.ReplayFailed | None = None,
    publish_errors: list[str] | None = None,
    close_form: CloseForm | None = None,
) -> tuple[str, int]:
    if form is None:
        form = DocumentForm(formdata=None)
        form.document.data = pretty(
            program.draft if program.draft is not None else program.document
        )
    closable = admin_queries.closable_periods(program)
    if close_form is None:
        close_form = CloseForm(formdata=None)
    close_form.period.choices = [
        (p.key, f"{history.period_label(p.key)} ({p.key})") for p in closable
    ]
    publish_form = PublishForm(formdata=None)
    publish_form.digest.data = replay.digest(program.draft) if program.draft is not None else ""
    failed = bool(document_errors or publish_errors or close_form.errors or form.errors)
    html = render(
        "admin/incentives/program.html",
        section="incentives",
        owner=tenant,
        program=program,
        form=form,
        document_errors=document_errors or {},
        published_json=pretty(program.document) if program.version else None,
        comparison=comparison,
        replay_error=replay_error,
        may_publish=_may_publish(program),
        publish_form=publish_form,
        publish_errors=publish_errors or [],
        close_form=close_form,
        closable=closable,
        closes=admin_queries.closes(program.id),
    )
    return html, 400 if failed and request.method == "POST" else 200


@bp.route("/incentives/<int:tenant_id>/programs/<int:program_id>")
def incentive_program(tenant_id: int, program_id: int) -> tuple[str, int]:
    tenant, program = _program(tenant_id, program_id)
    return _program_page(tenant, program)


@bp.route("/incentives/<int:tenant_id>/programs/<int:program_id>/draft", methods=["POST"])
def save_incentive_draft(tenant_id: int, program_id: int) -> Response | tuple[str, int]:
    tenant, program = _program(tenant_id, program_id)
    form = DocumentForm()
    if not form.validate_on_submit():
        return _program_page(tenant, program, form=form)
    try:
        programs.save_draft(program, load_json(form.document.data or ""))
    except NotJson as error:
        db.session.rollback()
        return _program_page(tenant, program, form=form, document_errors={"document": [str(error)]})
    except ProgramInvalid as error:
        db.session.rollback()
        return _program_page(tenant, program, form=form, document_errors=error.errors)
    db.session.commit()
    if request.form.get("action") != "simulate":
        flash(_("The draft of %(program)s is saved.", program=program.name), "success")
        return redirect(url_for(".incentive_program", tenant_id=tenant.id, program_id=program.id))
    try:
        comparison = replay.compare(program, tenant)
    except replay.ReplayFailed as error:
        _forget(program)
        return _program_page(tenant, program, replay_error=error)
    _remember(program)
    return _program_page(tenant, program, comparison=comparison)


@bp.route("/incentives/<int:tenant_id>/programs/<int:program_id>/publish", methods=["POST"])
def publish_incentive_program(tenant_id: int, program_id: int) -> Response | tuple[str, int]:
    tenant, program = _program(tenant_id, program_id)
    form = PublishForm()
    problem = None
    if not form.validate_on_submit():
        problem = _("The form has expired. Reload the page and try again.")
    elif program.draft is None:
        problem = _("There are no changes to publish.")
    elif form.digest.data != replay.digest(program.draft):
        problem = _(
            "The draft changed since this page was shown. Simulate it again before publishing."
        )
    elif not _may_publish(program):
        problem = _("Simulate this draft on the last 12 months before publishing it.")
    if problem is not None:
        return _program_page(tenant, program, publish_errors=[problem])
    try:
        programs.publish(program, current_user)
    except ProgramInvalid as error:
        db.session.rollback()
        messages = [
            _("%(field)s: %(message)s", field=k, message=" ".join(v))
            for k, v in error.errors.items()
        ]
        return _program_page(tenant, program, publish_errors=messages)
    db.session.commit()
    _forget(program)
    flash(
        _(
            "Version %(version)d of %(program)s is published.",
            version=program.version,
            program=program.name,
        ),
        "success",
    )
    return redirect(url_for(".incentive_program", tenant_id=tenant.id, program_id=program.id))


def _already_closed(key: str, target: str) -> Response:
    label = history.period_label(key)
    flash(_("%(period)s is closed already; nothing changed.", period=label), "info")
    return redirect(target + "#close")


@bp.route("/incentives/<int:tenant_id>/programs/<int:program_id>/close", methods=["POST"])
def close_incentive_period(tenant_id: int, program_id: int) -> Response | tuple[str, int]:
    tenant, program = _program(tenant_id, program_id)
    form = CloseForm()
    if not form.validate_on_submit():
        return _program_page(tenant, program, close_form=form)
    key = (form.period.data or "").strip()[:10]
    target = url_for(".incentive_program", tenant_id=tenant.id, program_id=program.id)
    if program.version == 0:
        form.period.errors = [_("Publish the program before closing a period.")]
        return _program_page(tenant, program, close_form=form)
    if key in closed_periods(program.id):
        return _already_closed(key, target)
    try:
        close.close_period(program, key, current_user._get_current_object())
    except close.CloseRefused as error:
        db.session.rollback()
        if key in closed_periods(program.id):  # someone closed it meanwhile
            return _already_closed(key, target)
        form.period.errors = [error.message]
        return _program_page(tenant, program, close_form=form)
    log.info("%s closed %s of %s by hand", current_user.email, key, program.code)
    flash(_("%(period)s is closed.", period=history.period_label(key)), "success")
    return redirect(target + "#close")


# The forms editor of the same drafts registers its routes on the same blueprint.
from channelfront.statements import views_rules  # noqa: E402, F401
