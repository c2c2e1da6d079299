"""Approval rules, waiting decisions and an order's pending steps as the plain data the
approval schemas dump. Each read is a fixed number of statements, however many steps."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from channelfront.accounts.models import User
from channelfront.api.order_json import decimal, utc
from channelfront.approvals import chain, deciders
from channelfront.approvals.models import ApprovalRule, ApprovalStep
from channelfront.extensions import db
from channelfront.orders.models import Order

#: A stored step's keys when unset (``validate_rule`` writes them all; older rows may not).
STEP_DEFAULTS = {
    "name": None,
    "required": 1,
    "due_hours": None,
    "on_expiry": "reject",
    "escalate_to": None,
}


def rule_json(rule: ApprovalRule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": rule.name,
        "match": rule.match,
        "conditions": list(rule.conditions or []),
        "steps": [{**STEP_DEFAULTS, **step} for step in rule.steps or []],
        "created_at": utc(rule.created_at),
    }


def approvers_json(step: ApprovalStep) -> dict[str, list[Any]]:
    """Who may decide: roles and named user ids, each list possibly empty."""
    return {"roles": list(deciders.step_roles(step)), "users": list(deciders.step_users(step))}


def _approvals(step: ApprovalStep) -> int:
    return sum(1 for decision in step.decisions if decision.decision == "approve")


def step_json(step: ApprovalStep) -> dict[str, Any]:
    return {
        "id": step.id,
        "position": step.position,
        "source": step.source,
        "rule": step.rule_name,
        "name": step.name,
        "reasons": [str(reason) for reason in step.reasons or []],
        "approvers": approvers_json(step),
        "required": step.required,
        "approvals": _approvals(step),
        "due_at": utc(step.due_at),
        "status": step.status,
    }


def approval_json(order_id: int) -> dict[str, Any]:
    """The order's steps still to decide, the open one first (none: an empty list)."""
    steps = db.session.scalars(
        select(ApprovalStep)
        .where(ApprovalStep.order_id == order_id)
        .options(selectinload(ApprovalStep.decisions))
        .order_by(ApprovalStep.position)
    )
    return {"pending_steps": [step_json(step) for step in chain.pending(list(steps))]}


def queue_json(waiting: list[tuple[ApprovalStep, Order]]) -> dict[str, Any]:
    """The decisions waiting for someone, oldest first, with each order's buyer."""
    buyer_ids = {order.buyer_id for _step, order in waiting}
    buyers = (
        {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(buyer_ids)))}
        if buyer_ids
        else {}
    )
    items = []
    for step, order in waiting:
        buyer = buyers[order.buyer_id]
        items.append(
            {
                "id": step.id,
                "order_number": order.number,
                "total": decimal(order.total_minor, order.currency),
                "currency": order.currency,
                "payment_method": order.payment_method,
                "buyer": {"name": buyer.name, "email": buyer.email},
                "rule": step.rule_name,
                "name": step.name,
                "reasons": [str(reason) for reason in step.reasons or []],
                "required": step.required,
                "approvals": _approvals(step),
                "opened_at": utc(step.opened_at),
                "due_at": utc(step.due_at),
            }
        )
    return {"items": items}
