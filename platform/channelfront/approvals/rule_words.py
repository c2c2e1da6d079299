"""Approval rules in words, for the pages that list them: each condition as a sentence
(``Order total is more than 100.00``), each step as who decides, how many, by when and
what happens then."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from channelfront.accounts.models import User
from channelfront.accounts.roles import role_label
from channelfront.approvals.conditions import OPERATORS
from channelfront.approvals.models import ApprovalRule, RuleScope
from channelfront.approvals.rule_form import LIST_OPERATORS, field_label, operator_label
from channelfront.approvals.rules import describe_condition
from channelfront.extensions import db
from channelfront.pricing.models import Program


@dataclass(frozen=True)
class RuleInWords:
    rule: ApprovalRule
    applies_to: str
    when: str
    conditions: list[str]
    steps: list[str]


def condition_words(condition: object) -> str:
    """``Order total (order.total) is more than 100.00``; the plain form for anything the
    words do not know."""
    if not isinstance(condition, Mapping) or condition.get("operator") not in OPERATORS:
        return str(describe_condition(condition))
    path, name, value = condition.get("field"), condition["operator"], condition.get("value")
    subject = f"{field_label(str(path))} ({path})"
    if name == "exists":
        shown = (
            _("%(field)s is set", field=subject)
            if value
            else _("%(field)s is empty", field=subject)
        )
        return str(shown)
    if name in LIST_OPERATORS and isinstance(value, list):
        shown = ", ".join(str(item) for item in value)
    elif isinstance(value, bool):
        shown = _("true") if value else _("false")
    else:
        shown = str(value)
    operator = operator_label(name)
    return str(_("%(field)s %(operator)s %(value)s", field=subject, operator=operator, value=shown))


def step_words(step: Mapping[str, Any], names: Mapping[int, str]) -> str:
    """One step: who decides, how many decisions, by when, and what happens then."""
    if "users" in step:
        people = [names.get(int(uid), _("user %(id)s", id=uid)) for uid in step["users"]]
        who = _("Named people: %(names)s", names=", ".join(people))
    else:
        who = _("Role: %(role)s", role=role_label(str(step.get("role"))))
    parts = [who]
    required = int(step.get("required") or 1)
    parts.append(ngettext("%(num)d approval needed", "%(num)d approvals needed", required))
    hours = step.get("due_hours")
    if hours:
        parts.append(ngettext("within %(num)d hour", "within %(num)d hours", hours))
        if step.get("on_expiry") == "escalate":
            target = step.get("escalate_to")
            parts.append(
                _("then it goes to step “%(name)s”", name=target)
                if target
                else _("then it goes to the next step")
            )
        else:
            parts.append(_("then the order is rejected"))
    return "; ".join(parts)


def user_names(rules: Iterable[ApprovalRule]) -> dict[int, str]:
    """The names of everyone the rules' steps name, in one query."""
    ids = {
        int(uid)
        for rule in rules
        for step in rule.steps or []
        if isinstance(step, Mapping)
        for uid in step.get("users", ())
    }
    if not ids:
        return {}
    rows = db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all()
    return dict(rows)


def program_names() -> dict[int, str]:
    """The active tenant's programs by id."""
    return dict(db.session.execute(select(Program.id, Program.name)).all())


def applies_to(rule: ApprovalRule, programs: Mapping[int, str]) -> str:
    if rule.scope == RuleScope.COMPANY.value:
        return str(_("Orders of your company"))
    if rule.scope == RuleScope.PROGRAM.value:
        name = programs.get(rule.program_id or 0, "?")
        return str(_("Resellers of program %(program)s", program=name))
    return str(_("Every reseller on this site"))


def in_words(rules: list[ApprovalRule]) -> list[RuleInWords]:
    """The rules as the list page shows them."""
    names, programs = user_names(rules), program_names()
    described = []
    for rule in rules:
        conditions = [condition_words(c) for c in rule.conditions or []]
        if not conditions:
            when = _("Every order waits for:")
        elif rule.match == "any":
            when = _("When any of these holds, the order waits:")
        else:
            when = _("When all of these hold, the order waits:")
        steps = [step_words(step, names) for step in rule.steps or [] if isinstance(step, Mapping)]
        described.append(RuleInWords(rule, applies_to(rule, programs), when, conditions, steps))
    return described
