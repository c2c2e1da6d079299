"""Program pages: each tenant's partner programs with their rules."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from channelfront.admin import queries
from channelfront.admin.blueprint import attach_errors, bp, form_page, initial
from channelfront.admin.forms import ProgramForm, ProgramSettingsForm, RuleForm
from channelfront.admin.inputs import InvalidInput, bps_to_percent
from channelfront.admin.program_services import (
    RuleTarget,
    add_rule,
    create_program,
    remove_rule,
    update_program_settings,
)
from channelfront.extensions import db
from channelfront.pricing.models import Program, ProgramRule
from channelfront.tenancy.models import Tenant
from channelfront.web.params import parse_whole


def _target_choices() -> list[tuple[str, str]]:
    locale = str(get_locale())
    return [
        ("", _("(none: use the SKU)")),
        *(
            (f"category:{cid}", _("Category: %(name)s", name=name))
            for cid, name in queries.categories(locale)
        ),
        *((f"group:{g.id}", _("Group: %(name)s", name=g.name)) for g in queries.groups()),
    ]


def _rule_form(choices: list[tuple[str, str]] | None = None, *, submitted: bool = True) -> RuleForm:
    form = RuleForm() if submitted else RuleForm(formdata=None)
    form.target.choices = choices if choices is not None else _target_choices()
    return form


def _page(
    program_form: tuple[int, ProgramForm] | None = None,
    rule_form: tuple[int, RuleForm] | None = None,
) -> tuple[str, int]:
    tenants = queries.tenants()
    programs = queries.programs_by_tenant()
    rules = [rule for group in programs.values() for program in group for rule in program.rules]
    choices = _target_choices()
    rule_forms = {
        p.id: _rule_form(choices, submitted=False) for group in programs.values() for p in group
    }
    program_forms = {t.id: ProgramForm(formdata=None) for t in tenants}
    if rule_form is not None:
        rule_forms[rule_form[0]] = rule_form[1]
    if program_form is not None:
        program_forms[program_form[0]] = program_form[1]
    return form_page(
        "admin/programs.html",
        tenants=tenants,
        programs=programs,
        targets=queries.rule_targets(str(get_locale()), rules),
        rule_forms=rule_forms,
        program_forms=program_forms,
        percent=bps_to_percent,
    )


@bp.route("/programs")
def programs() -> tuple[str, int]:
    return _page()


@bp.route("/tenants/<int:tenant_id>/programs", methods=["POST"])
def new_program(tenant_id: int) -> Response | tuple[str, int]:
    tenant = db.get_or_404(Tenant, tenant_id)
    form = ProgramForm()
    if form.validate_on_submit():
        try:
            program = create_program(tenant, form.slug.data or "", form.name.data or "")
        except InvalidInput as exc:
            db.session.rollback()
            attach_errors(form, exc.errors)
        else:
            db.session.commit()
            flash(
                _(
                    "Program %(program)s of %(tenant)s is added.",
                    program=program.name,
                    tenant=tenant.name,
                ),
                "success",
            )
            return redirect(url_for(".programs", _anchor=f"tenant-{tenant_id}"))
    return _page(program_form=(tenant_id, form))


def _target(form: RuleForm) -> RuleTarget:
    kind, _sep, raw_id = (form.target.data or "").partition(":")
    target_id = parse_whole(raw_id, minimum=1)
    return RuleTarget(
        category_id=target_id if kind == "category" else None,
        group_id=target_id if kind == "group" else None,
        sku=form.sku.data or None,
    )


@bp.route("/programs/<int:program_id>/rules", methods=["POST"])
def add_rule_view(program_id: int) -> Response | tuple[str, int]:
    program = db.get_or_404(Program, program_id)
    form = _rule_form()
    if form.validate_on_submit():
        try:
            add_rule(program, _target(form), form.discount.data or "")
        except InvalidInput as exc:
            db.session.rollback()
            attach_errors(form, exc.errors)
        else:
            db.session.commit()
            flash(_("The rule is added to %(program)s.", program=program.name), "success")
            return redirect(url_for(".programs", _anchor=f"program-{program_id}"))
    return _page(rule_form=(program_id, form))


@bp.route("/rules/<int:rule_id>/delete", methods=["POST"])
def remove_rule_view(rule_id: int) -> Response:
    rule = db.get_or_404(ProgramRule, rule_id)
    program = db.session.get_one(Program, rule.program_id)
    remove_rule(rule)
    db.session.commit()
    flash(_("The rule is removed from %(program)s.", program=program.name), "success")
    return redirect(url_for(".programs", _anchor=f"program-{program.id}"))


def _end_customer_choice(value: bool | None) -> str:
    return "" if value is None else ("required" if value else "optional")


@bp.route("/programs/<int:program_id>", methods=["GET", "POST"])
def edit_program(program_id: int) -> Response | tuple[str, int]:
    """A program's settings: the end customer rule on its orders and the deal protection."""
    if current_user.role != "vendor_admin":
        abort(403, description=_("Only vendor administrators can change programs."))
    program = db.get_or_404(Program, program_id)
    tenant = db.session.get_one(Tenant, program.tenant_id)
    current = {
        "require_end_customer": _end_customer_choice(program.require_end_customer),
        "deal_protection_days": str(program.deal_protection_days),
    }
    form = ProgramSettingsForm(data=initial(current))
    if form.validate_on_submit():
        try:
            update_program_settings(
                program, form.require_end_customer.data or "", form.deal_protection_days.data or ""
            )
        except InvalidInput as exc:
            db.session.rollback()
            attach_errors(form, exc.errors)
        else:
            db.session.commit()
            flash(_("Program %(program)s is saved.", program=program.name), "success")
            return redirect(url_for(".programs", _anchor=f"program-{program_id}"))
    return form_page("admin/program_form.html", form=form, program=program, owner=tenant)
