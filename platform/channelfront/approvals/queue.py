"""What waits for whom: an approver's queue, and an order's pending steps."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from channelfront.accounts.models import User, UserKind
from channelfront.approvals import chain, deciders
from channelfront.approvals.models import ApprovalStep, StepStatus
from channelfront.extensions import db
from channelfront.orders.models import Order, OrderStatus

QUEUE_LIMIT = 200


def waiting_for(user: User) -> list[tuple[ApprovalStep, Order]]:
    """Open steps the user may decide now, oldest first (the active tenant's, or every
    tenant's on the vendor console)."""
    query = (
        select(ApprovalStep, Order)
        .join(Order, Order.id == ApprovalStep.order_id)
        .where(
            ApprovalStep.status == StepStatus.OPEN.value,
            Order.status == OrderStatus.AWAITING_APPROVAL.value,
            Order.buyer_id != user.id,
        )
        .options(selectinload(ApprovalStep.decisions))
        .order_by(ApprovalStep.opened_at, ApprovalStep.id)
    )
    if user.kind == UserKind.RESELLER:
        query = query.where(Order.company_id == user.company_id)
    elif user.kind == UserKind.DISTRIBUTOR:
        query = query.where(Order.tenant_id == user.tenant_id)
    rows = db.session.execute(query).all()
    # Who may decide lives in each step's JSON, so the filter runs here, before the cut:
    # a cut first could hide the decisions this user can take behind others' steps.
    mine = [(step, order) for step, order in rows if deciders.may_decide(user, step, order)]
    return mine[:QUEUE_LIMIT]


def find_step(step_id: int) -> tuple[ApprovalStep, Order] | None:
    """A step of the active tenant with its order (None when there is none)."""
    row = db.session.execute(
        select(ApprovalStep, Order)
        .join(Order, Order.id == ApprovalStep.order_id)
        .where(ApprovalStep.id == step_id)
        .options(selectinload(ApprovalStep.decisions))
    ).first()
    return (row[0], row[1]) if row else None


def pending_steps(order_id: int) -> list[ApprovalStep]:
    """The order's steps still to decide, the open one first."""
    return chain.pending(chain.steps_of(order_id))


def all_steps(order_id: int) -> list[ApprovalStep]:
    return chain.steps_of(order_id)
