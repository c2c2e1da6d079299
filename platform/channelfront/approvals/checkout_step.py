"""Approvals in checkout: matching rules, spending limits and the credit desk make the
order wait; its chain is written with the order, and ends when the order does."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import selectinload

from channelfront.accounts.models import User
from channelfront.approvals import chain, conditions, deciders, facts, limits
from channelfront.approvals import mail as approval_mail
from channelfront.approvals.models import ApprovalRule, ApprovalStep, RuleScope, StepStatus
from channelfront.extensions import db
from channelfront.orders import pipeline
from channelfront.orders.models import Order, OrderStatus


def rules_for(company_id: int, program_id: int) -> list[ApprovalRule]:
    """The company's rules, then the tenant's, then its program tier's, oldest first."""
    rules = db.session.scalars(
        select(ApprovalRule)
        .where(
            or_(
                (ApprovalRule.scope == RuleScope.COMPANY.value)
                & (ApprovalRule.company_id == company_id),
                ApprovalRule.scope == RuleScope.TENANT.value,
                (ApprovalRule.scope == RuleScope.PROGRAM.value)
                & (ApprovalRule.program_id == program_id),
            )
        )
        .order_by(ApprovalRule.id)
    )
    order = {RuleScope.COMPANY.value: 0, RuleScope.TENANT.value: 1, RuleScope.PROGRAM.value: 2}
    return sorted(rules, key=lambda rule: (order.get(rule.scope, 3), rule.id))


def rule_holds(ctx: pipeline.CheckoutContext) -> list[pipeline.Hold]:
    enrollment = ctx.terms.enrollment
    rules = rules_for(ctx.company_id, enrollment.program_id)
    if not rules:
        return []
    order_facts = facts.checkout_facts(ctx)
    holds = []
    for rule in rules:
        reasons = conditions.evaluate(rule.match, rule.conditions, order_facts)
        if reasons is None:
            continue
        data = {"rule_id": rule.id, "rule_name": rule.name, "reasons": reasons, "steps": rule.steps}
        holds.append(pipeline.Hold("rule", rule.name, data))
    return holds


class ApprovalsStep(pipeline.Step):
    name = "approvals"

    def decide(self, ctx: pipeline.CheckoutContext) -> list[pipeline.Hold]:
        if ctx.paid_by_end_customer:
            # The reseller approved the quote when it sent it, and the money is in.
            return []
        now = datetime.now(UTC)
        spending = limits.holds_for(ctx.actor.id, ctx.total_minor, ctx.tenant.currency, now)
        return rule_holds(ctx) + spending

    def reserve(self, ctx: pipeline.CheckoutContext) -> None:
        if not ctx.holds or ctx.order is None:
            return
        steps = chain.build(ctx.order, ctx.holds)
        db.session.flush()
        first = steps[0]
        approval_mail.tell_approvers(ctx.order, first, deciders.approvers_of(first, ctx.order))

    def release(self, order: Order) -> None:
        db.session.execute(
            update(ApprovalStep)
            .where(
                ApprovalStep.order_id == order.id,
                ApprovalStep.status.in_([StepStatus.OPEN.value, StepStatus.WAITING.value]),
            )
            .values(status=StepStatus.CANCELLED.value, closed_at=datetime.now(UTC))
            .execution_options(synchronize_session="fetch")
        )

    def order_page(self, order: Order) -> dict[str, Any]:
        """The order's approval chain with the names of its deciders and approvers.

        An order that never waited costs no query (its timeline, already loaded, says
        so); one that did costs three, whatever its number of steps and decisions.
        """
        if all(event.kind != OrderStatus.AWAITING_APPROVAL for event in order.events):
            return {}
        steps = list(
            db.session.scalars(
                select(ApprovalStep)
                .where(ApprovalStep.order_id == order.id)
                .order_by(ApprovalStep.position)
                .options(selectinload(ApprovalStep.decisions))
            )
        )
        ids = {d.user_id for step in steps for d in step.decisions}
        ids |= {uid for step in steps for uid in deciders.step_users(step)}
        people = dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())
        return {"approval_steps": steps, "approval_people": people}
