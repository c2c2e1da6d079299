"""The chain of steps an order waits for, built from every hold checkout raised.

Every matching rule applies: its steps are appended in rule order, then the spending
limit and the credit desk. Steps open one at a time; a step is done when ``required``
approvers approved it, and the order goes ahead when the last one is done.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from channelfront.approvals.models import ApprovalStep, StepStatus
from channelfront.extensions import db
from channelfront.orders.models import Order
from channelfront.orders.pipeline import Hold

#: Who decides the holds that are not rules.
BUILT_IN_STEPS: dict[str, dict[str, Any]] = {
    "spending_limit": {"roles": ["approver", "company_admin"]},
    "credit": {"role": "distributor_finance"},
}


def build(order: Order, holds: list[Hold], now: datetime | None = None) -> list[ApprovalStep]:
    """Write the order's steps for its holds and open the first (no commit)."""
    steps: list[ApprovalStep] = []
    for hold in holds:
        steps += _steps_for(order, hold, len(steps))
    for step in steps:
        db.session.add(step)
    if steps:
        open_step(steps[0], now)
    return steps


def _steps_for(order: Order, hold: Hold, offset: int) -> list[ApprovalStep]:
    if hold.kind == "rule":
        specs = hold.data["steps"]
        names = {spec.get("name"): index for index, spec in enumerate(specs) if spec.get("name")}
        return [
            _step(order, hold, offset + index, spec, _escalation(spec, index, names, offset))
            for index, spec in enumerate(specs)
        ]
    spec = {"approvers": BUILT_IN_STEPS[hold.kind]}
    return [_step(order, hold, offset, spec, None)]


def _escalation(spec: dict, index: int, names: dict[str, int], offset: int) -> int | None:
    if spec.get("on_expiry") != "escalate":
        return None
    target = spec.get("escalate_to")
    return offset + (names[target] if target in names else index + 1)


def _step(
    order: Order, hold: Hold, position: int, spec: dict, escalate_to: int | None
) -> ApprovalStep:
    approvers = spec.get("approvers") or {
        key: spec[key] for key in ("role", "users") if key in spec
    }
    return ApprovalStep(
        tenant_id=order.tenant_id,
        order_id=order.id,
        position=position,
        rule_id=hold.data.get("rule_id"),
        source=hold.kind,
        rule_name=str(hold.data.get("rule_name") or hold.reason)[:120],
        name=spec.get("name"),
        reasons=list(hold.data.get("reasons") or [hold.reason]),
        approvers=approvers,
        required=int(spec.get("required") or 1),
        due_hours=spec.get("due_hours"),
        on_expiry=spec.get("on_expiry") or "reject",
        escalate_to=escalate_to,
        status=StepStatus.WAITING.value,
    )


def open_step(step: ApprovalStep, now: datetime | None = None) -> None:
    now = now or datetime.now(UTC)
    step.status = StepStatus.OPEN.value
    step.opened_at = now
    step.due_at = now + timedelta(hours=step.due_hours) if step.due_hours else None


def close_step(step: ApprovalStep, status: StepStatus, now: datetime | None = None) -> None:
    step.status = status.value
    step.closed_at = now or datetime.now(UTC)


def steps_of(order_id: int) -> list[ApprovalStep]:
    return list(
        db.session.scalars(
            select(ApprovalStep)
            .where(ApprovalStep.order_id == order_id)
            .order_by(ApprovalStep.position)
        )
    )


def next_step(steps: list[ApprovalStep], after: int) -> ApprovalStep | None:
    """The first waiting step after position ``after``."""
    return next((s for s in steps if s.position > after and s.status == StepStatus.WAITING), None)


def pending(steps: list[ApprovalStep]) -> list[ApprovalStep]:
    """The steps still to decide: open or waiting their turn."""
    return [s for s in steps if s.status in (StepStatus.OPEN, StepStatus.WAITING)]
