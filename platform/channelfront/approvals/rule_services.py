"""Keeping approval rules: a company admin's for the company, distributor staff's for
every reseller on the tenant or for one program tier. The pages and the API both go
through here; each write is audited and the caller commits.

A rule is checked by ``approvals.rules.validate_rule`` (a refusal raises ``RuleError``
naming the path, and nothing is written). Steps may name only people who could decide
for the rule's orders: the company's active users for a company rule, the tenant's
distributor staff and the vendor's staff for a tenant or program rule.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from channelfront.accounts.models import User, UserKind
from channelfront.approvals.models import ApprovalRule, RuleScope
from channelfront.approvals.rules import RuleError, validate_rule
from channelfront.audit.service import record
from channelfront.extensions import db
from channelfront.pricing.models import Program
from channelfront.tenancy.scoping import active_tenant_id
from channelfront.web.params import MAX_ID

DISTRIBUTOR_SCOPES = (RuleScope.TENANT.value, RuleScope.PROGRAM.value)


def _active(query: Any) -> Any:
    return query.where(User.active.is_(True), User.invitation_pending.is_(False))


def company_people(company_id: int) -> list[User]:
    """Who a company rule may name: the company's active users, by name."""
    query = select(User).where(User.company_id == company_id, User.kind == UserKind.RESELLER.value)
    return list(db.session.scalars(_active(query).order_by(User.name, User.id)))


def staff_people(tenant_id: int) -> list[User]:
    """Who a tenant or program rule may name: the tenant's distributor staff, then the
    vendor's staff."""
    distributor = (User.kind == UserKind.DISTRIBUTOR.value) & (User.tenant_id == tenant_id)
    query = select(User).where(distributor | (User.kind == UserKind.VENDOR.value))
    return list(db.session.scalars(_active(query).order_by(User.kind, User.name, User.id)))


def _tenant_id() -> int:
    tenant_id = active_tenant_id()
    if tenant_id is None:  # rules belong to a storefront; the console has none active
        raise RuntimeError("approval rules are kept on a storefront, with its tenant active")
    return tenant_id


def _program_of(program_id: int | None) -> Program:
    program = db.session.get(Program, program_id) if program_id else None
    if program is None:
        raise RuleError("program", _("choose a program of this storefront"))
    return program


def create_rule(
    body: Any,
    *,
    scope: str,
    company_id: int | None = None,
    program_id: int | None = None,
    actor: User,
) -> ApprovalRule:
    """Validate ``body`` and add the rule on the active tenant.

    ``scope`` is ``company`` (with ``company_id``), ``tenant`` or ``program`` (with
    ``program_id``, a program of the tenant). Raises RuleError (nothing added).
    """
    tenant_id = _tenant_id()
    if scope == RuleScope.COMPANY.value:
        if company_id is None:
            raise ValueError("a company rule needs company_id")
        people = company_people(company_id)
        program_id = None
    elif scope in DISTRIBUTOR_SCOPES:
        people = staff_people(tenant_id)
        company_id = None
        program_id = _program_of(program_id).id if scope == RuleScope.PROGRAM.value else None
    else:
        raise ValueError(f"unknown rule scope {scope!r}")
    valid = validate_rule(body, allowed_user_ids={user.id for user in people})
    rule = ApprovalRule(
        scope=scope,
        company_id=company_id,
        program_id=program_id,
        name=valid.name,
        match=valid.match,
        conditions=valid.conditions,
        steps=valid.steps,
        created_by_id=actor.id,
    )
    db.session.add(rule)
    db.session.flush()
    record(
        "approval_rule.created",
        rule,
        label=rule.name,
        after=rule_json(rule),
        tenant_id=tenant_id,
        company_id=company_id,
        actor=actor,
    )
    return rule


def delete_rule(rule: ApprovalRule, actor: User) -> None:
    """Remove the rule; orders already waiting keep their steps (the rule's name is on
    each). The audit event keeps the rule as it was."""
    record(
        "approval_rule.deleted",
        rule,
        label=rule.name,
        before=rule_json(rule),
        tenant_id=rule.tenant_id,
        company_id=rule.company_id,
        actor=actor,
    )
    db.session.delete(rule)


def rule_json(rule: ApprovalRule) -> dict[str, Any]:
    """The rule as the API writes it, with its scope."""
    return {
        "id": rule.id,
        "scope": rule.scope,
        "company_id": rule.company_id,
        "program_id": rule.program_id,
        "name": rule.name,
        "match": rule.match,
        "conditions": list(rule.conditions or []),
        "steps": list(rule.steps or []),
    }


def rules_for_company(company_id: int) -> list[ApprovalRule]:
    """The company's own rules on the active tenant, oldest first."""
    return list(
        db.session.scalars(
            select(ApprovalRule)
            .where(
                ApprovalRule.scope == RuleScope.COMPANY.value,
                ApprovalRule.company_id == company_id,
            )
            .order_by(ApprovalRule.id)
        )
    )


def rules_for_tenant() -> list[ApprovalRule]:
    """The distributor's rules on the active tenant (every reseller, then per program)."""
    return list(
        db.session.scalars(
            select(ApprovalRule)
            .where(ApprovalRule.scope.in_(DISTRIBUTOR_SCOPES))
            .order_by(ApprovalRule.scope.desc(), ApprovalRule.id)
        )
    )


def company_rule(company_id: int, rule_id: int) -> ApprovalRule | None:
    """The company's rule with this id; None for any other (another company's, the
    distributor's, another tenant's)."""
    if not 0 < rule_id <= MAX_ID:
        return None
    rule = db.session.get(ApprovalRule, rule_id)
    if rule is None or rule.scope != RuleScope.COMPANY.value or rule.company_id != company_id:
        return None
    return rule


def tenant_rule(rule_id: int) -> ApprovalRule | None:
    """The distributor's rule (tenant or program) with this id on the active tenant."""
    if not 0 < rule_id <= MAX_ID:
        return None
    rule = db.session.get(ApprovalRule, rule_id)
    if rule is None or rule.scope not in DISTRIBUTOR_SCOPES:
        return None
    return rule
