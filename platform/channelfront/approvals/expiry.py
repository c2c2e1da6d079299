"""Steps past their due time: escalate to the step the rule names, or reject the order.

Run by Celery beat every few minutes and by ``flask approvals expire``; each order is
handled under its row lock, so a decision and an expiry never both apply.
"""

from __future__ import annotations

from datetime import UTC, datetime

from celery import shared_task
from sqlalchemy import select

from channelfront import row_locks
from channelfront.approvals import chain, deciders, decisions
from channelfront.approvals import mail as approval_mail
from channelfront.approvals.models import ApprovalStep, StepStatus
from channelfront.extensions import db
from channelfront.orders.models import Order, OrderStatus
from channelfront.outbox.services import commit_and_dispatch
from channelfront.tenancy.scoping import tenant_scope


def due_steps(now: datetime) -> list[tuple[int, int]]:
    """(step id, tenant id) of open steps whose due time has passed, on every tenant."""
    return [
        (row.id, row.tenant_id)
        for row in db.session.execute(
            select(ApprovalStep.id, ApprovalStep.tenant_id).where(
                ApprovalStep.status == StepStatus.OPEN.value, ApprovalStep.due_at <= now
            )
        )
    ]


def expire_step(step_id: int, now: datetime | None = None) -> bool:
    """Escalate or reject one overdue step (commits); False when it was decided meanwhile."""
    now = now or datetime.now(UTC)
    step = db.session.get(ApprovalStep, step_id)
    if step is None:
        return False
    row_locks.hold(Order, step.order_id)
    db.session.refresh(step)
    order = db.session.get(Order, step.order_id)
    db.session.refresh(order)
    if step.status != StepStatus.OPEN or not _overdue(step, now):
        db.session.rollback()
        return False
    if order.status != OrderStatus.AWAITING_APPROVAL:
        db.session.rollback()
        return False
    if step.on_expiry == "escalate" and step.escalate_to is not None:
        _escalate(order, step, now)
    else:
        decisions.reject_expired(order, step, now)
    commit_and_dispatch()
    return True


def _overdue(step: ApprovalStep, now: datetime) -> bool:
    due = step.due_at
    if due is None:
        return False
    return (due if due.tzinfo else due.replace(tzinfo=UTC)) <= now


def _escalate(order: Order, step: ApprovalStep, now: datetime) -> None:
    chain.close_step(step, StepStatus.EXPIRED, now)
    steps = chain.steps_of(order.id)
    for skipped in steps:
        if step.position < skipped.position < step.escalate_to and skipped.status == "waiting":
            chain.close_step(skipped, StepStatus.SKIPPED, now)
    target = next((s for s in steps if s.position == step.escalate_to), None)
    if target is None or target.status != StepStatus.WAITING:
        decisions.reject_expired(order, step, now)
        return
    chain.open_step(target, now)
    approval_mail.tell_approvers(order, target, deciders.approvers_of(target, order))


def expire_due(now: datetime | None = None) -> int:
    """Expire every overdue open step on every tenant; returns how many moved."""
    now = now or datetime.now(UTC)
    moved = 0
    for step_id, tenant_id in due_steps(now):
        with tenant_scope(tenant_id):
            moved += expire_step(step_id, now)
    return moved


@shared_task(name="approvals.expire_due")
def expire_due_task() -> int:
    return expire_due()
