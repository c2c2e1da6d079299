"""The program's rules edited with forms in the console, beside the JSON view.

Both edit the same draft through `programs.save_draft`, so the same schema decides; its
errors come back by field path and are shown beside the field of that path. Saving goes
back to the program page (the JSON view, simulation and publishing); "save and
simulate" runs the same simulation the JSON view runs.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from channelfront.admin.blueprint import bp
from channelfront.extensions import db
from channelfront.statements import programs, replay
from channelfront.statements.models import IncentiveProgram
from channelfront.statements.rule_editor import Bound, RuleView, apply_action, editor
from channelfront.statements.rule_forms import document_of, field_name, kind_choices, values_of
from channelfront.statements.rule_scopes import scope_choices
from channelfront.statements.schemas import ProgramInvalid
from channelfront.statements.views_admin import _forget, _program, _program_page, _remember
from channelfront.tenancy.models import Tenant
from channelfront.theming.views import render


class RulesForm(FlaskForm):
    """Only the CSRF token: the rule fields are named by their document paths."""


def _beneficiary(program: IncentiveProgram) -> str:
    return "distributor" if program.audience == "distributor" else "ordering_partner"


def _labels(settings: list[Bound], rules: list[RuleView]) -> dict[str, str]:
    """What the error summary calls each field: its label, with its rule's number."""
    labels = {b.name: str(b.label) for b in settings}
    for rule in rules:
        fields = [*rule.common, *rule.own, *rule.scope]
        fields += [b for row in rule.tiers or [] for b in row]
        for b in fields:
            labels[b.name] = _("Rule %(number)d, %(field)s", number=rule.index + 1, field=b.label)
        labels[f"rules-{rule.index}-tiers"] = _("Rule %(number)d, tiers", number=rule.index + 1)
    return labels


def _page(
    tenant: Tenant,
    program: IncentiveProgram,
    values: dict[str, Any],
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    all_errors = {field_name(path): list(msgs) for path, msgs in (errors or {}).items()}
    unplaced = dict(all_errors)
    settings, rules = editor(values, unplaced, scope_choices(tenant, str(get_locale())))
    labels = _labels(settings, rules)
    summary = [
        (name, labels.get(name, name), msg) for name, msgs in all_errors.items() for msg in msgs
    ]
    html = render(
        "admin/incentives/program_rules.html",
        section="incentives",
        owner=tenant,
        program=program,
        settings=settings,
        rules=rules,
        summary=summary,
        unplaced=[msg for msgs in unplaced.values() for msg in msgs],
        kinds=kind_choices(),
        currency=tenant.currency,
    )
    return html, status


@bp.route("/incentives/<int:tenant_id>/programs/<int:program_id>/rules")
def incentive_program_rules(tenant_id: int, program_id: int) -> tuple[str, int]:
    tenant, program = _program(tenant_id, program_id)
    document = program.draft if program.draft is not None else program.document
    return _page(tenant, program, values_of(document or {}))


@bp.route("/incentives/<int:tenant_id>/programs/<int:program_id>/rules", methods=["POST"])
def save_incentive_rules(tenant_id: int, program_id: int) -> Response | tuple[str, int]:
    tenant, program = _program(tenant_id, program_id)
    expand = scope_choices(tenant, str(get_locale())).expand
    action = (request.form.get("action") or "save")[:40]
    if not RulesForm().validate_on_submit():
        values = values_of(document_of(request.form, tenant.currency, expand, keep_blank=True))
        problem = {"document": [_("The form has expired. Reload the page and try again.")]}
        return _page(tenant, program, values, problem, 400)
    draft = document_of(request.form, tenant.currency, expand, keep_blank=True)
    new_kind = (request.form.get("new_kind") or "")[:40]
    if apply_action(action, draft, new_kind, _beneficiary(program)):
        return _page(tenant, program, values_of(draft))
    if "statement_period" not in request.form:
        # The page always sends its settings: a post without them would save an empty draft.
        missing = {"statement_period": [_("Choose how often a statement closes.")]}
        return _page(tenant, program, values_of(draft), missing, 400)
    try:
        # Blank tier rows stay in: their error shows on the row rather than a row vanishing.
        programs.save_draft(program, draft)
    except ProgramInvalid as error:
        db.session.rollback()
        return _page(tenant, program, values_of(draft), error.errors, 400)
    db.session.commit()
    if action != "simulate":
        flash(_("The draft of %(program)s is saved.", program=program.name), "success")
        return redirect(url_for(".incentive_program", tenant_id=tenant.id, program_id=program.id))
    try:
        comparison = replay.compare(program, tenant)
    except replay.ReplayFailed as error:
        _forget(program)
        return _program_page(tenant, program, replay_error=error)
    _remember(program)
    return _program_page(tenant, program, comparison=comparison)
