"""Approval rule pages. ``/company/approval-rules``: a company admin keeps the company's
rules. ``/partners/approval-rules``: distributor staff read the storefront's rules (for
every reseller, or for one program's resellers); administrators and partner managers
add and delete them. Each area lists its rules in words, adds one from a form (refusals
stand under the input the path names, 422, nothing written) and deletes one after
asking. A rule of anyone else is not found (404)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from channelfront.accounts.models import User
from channelfront.accounts.roles import role_label
from channelfront.approvals import rule_services, rule_words
from channelfront.approvals.models import ApprovalRule, RuleScope
from channelfront.approvals.rule_form import (
    EXPIRY_LABELS,
    NAMED_USERS,
    RuleEntry,
    field_choices,
    operator_choices,
)
from channelfront.approvals.rules import STEP_ROLES, RuleError
from channelfront.company.blueprint import _company_admins_only as company_admins_only
from channelfront.extensions import db
from channelfront.orders.view_support import actor, storefront_only, tenant_row
from channelfront.outbox.services import commit_and_dispatch
from channelfront.partners.blueprint import PARTNER_ROLES, roles
from channelfront.partners.blueprint import _distributor_staff_only as distributor_staff_only
from channelfront.pricing.models import Program
from channelfront.theming.views import render

Page = Response | tuple[str, int]

# The areas' own guards run first: who may enter is decided where the area is defined.
company_bp = Blueprint("company_rules", __name__, url_prefix="/company/approval-rules")
company_bp.before_request(storefront_only)
company_bp.before_request(company_admins_only)
partner_bp = Blueprint("partner_rules", __name__, url_prefix="/partners/approval-rules")
partner_bp.before_request(storefront_only)
partner_bp.before_request(distributor_staff_only)


@dataclass(frozen=True)
class Area:
    """What differs between the company's and the distributor's rule pages."""

    endpoint: str  # the blueprint's name
    title: str
    back: tuple[str, str]  # (endpoint, label) of the area's home
    may_write: bool
    people: list[User]
    programs: list[tuple[int, str]]  # Partners: the scope choice; the company: none


def _company_area() -> Area:
    return Area(
        "company_rules",
        _("Approval rules of your company"),
        ("company.users", _("Company users")),
        True,
        rule_services.company_people(actor().company_id or 0),
        [],
    )


def _partner_area() -> Area:
    programs = db.session.scalars(select(Program).order_by(Program.name, Program.id))
    return Area(
        "partner_rules",
        _("Approval rules of this site"),
        ("partners.index", _("Partners")),
        actor().role in PARTNER_ROLES,
        rule_services.staff_people(tenant_row().id),
        [(program.id, program.name) for program in programs],
    )


def _who_choices() -> list[tuple[str, str]]:
    roles_ = [(role, role_label(role)) for role in STEP_ROLES]
    return [("", _("— no step —")), *roles_, (NAMED_USERS, _("The people chosen below"))]


def _list_page(area: Area, rules: list[ApprovalRule]) -> Page:
    return render("approvals/rules_list.html", area=area, rules=rule_words.in_words(rules)), 200


def _form_page(area: Area, entry: RuleEntry, errors: dict[str, str], status: int) -> Page:
    page = render(
        "approvals/rules_new.html",
        area=area,
        entry=entry,
        errors=errors,
        fields=field_choices(),
        operators=operator_choices(),
        who_choices=_who_choices(),
        expiry_choices=[(key, str(label)) for key, label in EXPIRY_LABELS.items()],
        named_users=NAMED_USERS,
    )
    return page, status


def _new(area: Area, create: Callable[[RuleEntry], ApprovalRule]) -> Page:
    if request.method == "GET":
        return _form_page(area, RuleEntry.blank(), {}, 200)
    entry = RuleEntry.from_form(request.form)
    try:
        rule = create(entry)
    except RuleError as refused:
        db.session.rollback()
        return _form_page(area, entry, entry.field_errors(refused), 422)
    name = rule.name
    commit_and_dispatch()
    flash(_("The rule “%(name)s” is saved.", name=name), "success")
    return redirect(url_for(f"{area.endpoint}.rules"))


def _delete(area: Area, rule: ApprovalRule | None) -> Page:
    if rule is None:
        abort(404)
    if request.method == "GET":
        [described] = rule_words.in_words([rule])
        return render("approvals/rules_delete.html", area=area, described=described), 200
    name = rule.name
    rule_services.delete_rule(rule, actor())
    commit_and_dispatch()
    flash(_("The rule “%(name)s” is deleted.", name=name), "success")
    return redirect(url_for(f"{area.endpoint}.rules"))


# --- the company's rules ------------------------------------------------------------------


@company_bp.get("", endpoint="rules")
def company_rules() -> Page:
    area = _company_area()
    return _list_page(area, rule_services.rules_for_company(actor().company_id or 0))


@company_bp.route("/new", methods=["GET", "POST"], endpoint="new")
def new_company_rule() -> Page:
    def create(entry: RuleEntry) -> ApprovalRule:
        return rule_services.create_rule(
            entry.body(),
            scope=RuleScope.COMPANY.value,
            company_id=actor().company_id,
            actor=actor(),
        )

    return _new(_company_area(), create)


@company_bp.route("/<int:rule_id>/delete", methods=["GET", "POST"], endpoint="delete")
def delete_company_rule(rule_id: int) -> Page:
    return _delete(_company_area(), rule_services.company_rule(actor().company_id or 0, rule_id))


# --- the distributor's rules --------------------------------------------------------------


@partner_bp.get("", endpoint="rules")
def partner_rules() -> Page:
    return _list_page(_partner_area(), rule_services.rules_for_tenant())


def _scope(entry: RuleEntry) -> tuple[str, int | None]:
    """("tenant", None) or ("program", id) from the scope choice."""
    if entry.scope == RuleScope.TENANT.value:
        return RuleScope.TENANT.value, None
    program = entry.scope.removeprefix("program:")
    if entry.scope.startswith("program:") and program.isascii() and program.isdigit():
        return RuleScope.PROGRAM.value, int(program[:10])
    raise RuleError("program", _("choose who the rule is for"))


@partner_bp.route("/new", methods=["GET", "POST"], endpoint="new")
@roles(*PARTNER_ROLES)
def new_partner_rule() -> Page:
    def create(entry: RuleEntry) -> ApprovalRule:
        scope, program_id = _scope(entry)
        return rule_services.create_rule(
            entry.body(), scope=scope, program_id=program_id, actor=actor()
        )

    return _new(_partner_area(), create)


@partner_bp.route("/<int:rule_id>/delete", methods=["GET", "POST"], endpoint="delete")
@roles(*PARTNER_ROLES)
def delete_partner_rule(rule_id: int) -> Page:
    return _delete(_partner_area(), rule_services.tenant_rule(rule_id))
