"""Deciding an approval step: approve or reject with a comment, once per person.

A decision locks the order row first, so two approvers deciding at the same moment
are counted one after the other: a step needing one approval is approved once, and
an approval never lands on an order another approver just rejected.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from flask_babel import gettext as _

from channelfront import row_locks
from channelfront.accounts.models import User
from channelfront.approvals import chain, deciders
from channelfront.approvals import mail as approval_mail
from channelfront.approvals.models import ApprovalDecision, ApprovalStep, StepStatus
from channelfront.audit.service import record
from channelfront.extensions import db
from channelfront.orders import lifecycle
from channelfront.orders.models import Order, OrderStatus

DECISIONS = ("approve", "reject")
MAX_COMMENT = 2000
#: Timeline entry of one approver's decision (the order's status does not change).
DECIDED = "approval_decided"


class DecisionRefused(Exception):
    """The decision cannot be taken; ``field`` names what is wrong, ``status`` is HTTP's."""

    def __init__(self, field: str, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.field, self.message, self.status = field, message, status


@dataclass(frozen=True)
class Outcome:
    order: Order
    step: ApprovalStep
    finished: bool  # the order no longer waits (approved or rejected)
    approved: bool


def check_input(decision: object, comment: object) -> tuple[str, str | None]:
    if decision not in DECISIONS:
        raise DecisionRefused("decision", _("Choose approve or reject."))
    text = comment.strip() if isinstance(comment, str) else ""
    if comment is not None and not isinstance(comment, str):
        raise DecisionRefused("comment", _("The comment must be text."))
    if len(text) > MAX_COMMENT:
        raise DecisionRefused(
            "comment", _("The comment has at most %(max)d characters.", max=MAX_COMMENT)
        )
    if any(not ch.isprintable() and ch not in "\r\n\t" for ch in text):
        raise DecisionRefused(
            "comment", _("The comment contains characters that cannot be stored.")
        )
    if decision == "reject" and not text:
        raise DecisionRefused("comment", _("Say why the order is rejected."))
    return str(decision), text or None


def decide(
    step_id: int, user: User, decision: object, comment: object, now: datetime | None = None
) -> Outcome:
    """Record the user's decision on an open step and move the chain on (no commit)."""
    choice, text = check_input(decision, comment)
    step = db.session.get(ApprovalStep, step_id)
    if step is None:
        raise DecisionRefused("approval", _("There is no such approval."), 404)
    row_locks.hold(Order, step.order_id)
    db.session.refresh(step)
    order = db.session.get(Order, step.order_id)
    db.session.refresh(order)
    if not deciders.qualifies(user, step, order):
        raise DecisionRefused("approval", _("You cannot decide this approval."), 403)
    if step.status != StepStatus.OPEN or order.status != OrderStatus.AWAITING_APPROVAL:
        raise DecisionRefused("approval", _("This approval was already decided."), 409)
    if not deciders.may_decide(user, step, order):
        raise DecisionRefused("approval", _("You have already decided this approval."), 409)
    now = now or datetime.now(UTC)
    step.decisions.append(
        ApprovalDecision(tenant_id=order.tenant_id, user_id=user.id, decision=choice, comment=text)
    )
    _trace(order, step, user, choice, text)
    if choice == "reject":
        return _reject(order, step, user, text, now)
    approvals = sum(1 for d in step.decisions if d.decision == "approve")
    if approvals < step.required:
        return Outcome(order, step, finished=False, approved=False)
    chain.close_step(step, StepStatus.APPROVED, now)
    return advance(order, step, user, text, now)


def advance(
    order: Order, done: ApprovalStep, user: User | None, text: str | None, now: datetime
) -> Outcome:
    """Open the step after ``done`` (or the one it escalates to), or let the order go."""
    following = chain.next_step(chain.steps_of(order.id), done.position)
    if following is not None:
        chain.open_step(following, now)
        approval_mail.tell_approvers(order, following, deciders.approvers_of(following, order))
        return Outcome(order, done, finished=False, approved=False)
    if not lifecycle.approved(order, user.id if user else None, {"step": done.id}):
        raise DecisionRefused("approval", _("This order no longer waits for approval."), 409)
    approval_mail.tell_buyer(order, True, text, user)
    return Outcome(order, done, finished=True, approved=True)


def _reject(
    order: Order, step: ApprovalStep, user: User | None, text: str | None, now: datetime
) -> Outcome:
    chain.close_step(step, StepStatus.REJECTED, now)
    lifecycle.rejected(order, user.id if user else None, text, {"step": step.id})
    approval_mail.tell_buyer(order, False, text, user)
    return Outcome(order, step, finished=True, approved=False)


def reject_expired(order: Order, step: ApprovalStep, now: datetime) -> Outcome:
    """Nobody decided in time and the rule says reject."""
    chain.close_step(step, StepStatus.EXPIRED, now)
    lifecycle.rejected(order, None, None, {"step": step.id, "expired": True})
    approval_mail.tell_buyer(order, False, None, None)
    return Outcome(order, step, finished=True, approved=False)


def _trace(order: Order, step: ApprovalStep, user: User, choice: str, text: str | None) -> None:
    """The decision on the order's timeline and in the audit log."""
    data = {"step": step.id, "decision": choice, "rule": step.rule_name}
    lifecycle.note(order, DECIDED, user.id, text, data)
    record(
        f"approval.{'approved' if choice == 'approve' else 'rejected'}",
        step,
        label=order.number,
        after={"decision": choice, "comment": text, "rule": step.rule_name, "source": step.source},
        tenant_id=order.tenant_id,
        company_id=order.company_id,
        actor=user,
    )
