"""What the approver's pages show, for the storefront and the vendor console alike: the
queue's rows, the decision page (the order, every step and why, the buyer's history with
the end customer, the credit picture) and who may see or decide a step."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from babel.lists import format_list
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import select

from channelfront.accounts.models import User, UserKind
from channelfront.accounts.roles import role_label
from channelfront.approvals import deciders, decisions, queue
from channelfront.approvals.models import ApprovalStep, StepStatus
from channelfront.customers.models import Customer
from channelfront.extensions import db
from channelfront.i18n.formatting import Money
from channelfront.orders import pipeline
from channelfront.orders.credit import NOT_YET_INVOICED, credit_status
from channelfront.orders.models import Order, OrderStatus, PaymentMethod
from channelfront.outbox.services import commit_and_dispatch
from channelfront.pricing.models import Enrollment
from channelfront.tenancy.models import Tenant

HISTORY_SIZE = 10

STEP_STATUS_LABELS: dict[str, LazyString] = {
    StepStatus.WAITING.value: _l("Waiting for an earlier step"),
    StepStatus.OPEN.value: _l("Waiting for a decision"),
    StepStatus.APPROVED.value: _l("Approved"),
    StepStatus.REJECTED.value: _l("Rejected"),
    StepStatus.EXPIRED.value: _l("Expired"),
    StepStatus.SKIPPED.value: _l("Skipped"),
    StepStatus.CANCELLED.value: _l("Cancelled"),
}
SOURCE_LABELS: dict[str, LazyString] = {
    "rule": _l("Approval rule"),
    "spending_limit": _l("Spending limit"),
    "credit": _l("Credit desk"),
}


def step_status_label(status: str) -> str:
    return str(STEP_STATUS_LABELS.get(status, status))


def step_label(step: ApprovalStep) -> str:
    """The step as people read it: its own name, else the rule's."""
    return step.name or step.rule_name


def names_vendor(step: ApprovalStep) -> bool:
    """The step names vendor roles or vendor users: it belongs on the vendor console."""
    if any(role in deciders.VENDOR_ROLES for role in deciders.step_roles(step)):
        return True
    named = deciders.step_users(step)
    return bool(named) and bool(
        db.session.scalar(
            select(User.id).where(User.id.in_(named), User.kind == UserKind.VENDOR.value).limit(1)
        )
    )


def may_see(user: User, step: ApprovalStep, order: Order) -> bool:
    """Approvers of the step (and those who decided it) see it; so does everyone of the
    ordering company and the tenant's staff. Vendor staff see the steps naming them."""
    if deciders.qualifies(user, step, order) or any(
        decision.user_id == user.id for decision in step.decisions
    ):
        return True
    if user.kind == UserKind.RESELLER:
        return user.company_id == order.company_id
    if user.kind == UserKind.DISTRIBUTOR:
        return user.tenant_id == order.tenant_id
    return user.kind == UserKind.VENDOR and names_vendor(step)


def why_not(user: User, step: ApprovalStep, order: Order) -> str | None:
    """Why the user cannot decide the step now (None: they can)."""
    if user.id == order.buyer_id:
        return _("You placed this order, so someone else must decide it.")
    mine = next((d for d in step.decisions if d.user_id == user.id), None)
    if mine is not None:
        if mine.decision == "approve":
            return _("You approved this step already.")
        return _("You rejected this step already.")
    if order.status != OrderStatus.AWAITING_APPROVAL:
        return _("The order no longer waits for approval.")
    if step.status == StepStatus.WAITING:
        return _("This step opens once the steps before it are decided.")
    if step.status != StepStatus.OPEN:
        return _("This step is closed: %(status)s.", status=step_status_label(step.status))
    if not deciders.qualifies(user, step, order):
        return _("You are not one of the approvers of this step.")
    return None


@dataclass(frozen=True)
class QueueRow:
    step: ApprovalStep
    order: Order
    buyer: str
    customer: Customer | None
    tenant: str

    @property
    def total(self) -> Money:
        return Money(self.order.total_minor, self.order.currency)

    @property
    def label(self) -> str:
        return step_label(self.step)


def queue_rows(user: User) -> list[QueueRow]:
    """The decisions waiting for the user, oldest first, with the names they show."""
    waiting = queue.waiting_for(user)
    orders = [order for _step, order in waiting]
    buyers = _names({order.buyer_id for order in orders})
    customers = _customers({order.customer_id for order in orders if order.customer_id})
    tenants = _tenant_names({order.tenant_id for order in orders})
    return [
        QueueRow(
            step,
            order,
            buyers.get(order.buyer_id, ""),
            customers.get(order.customer_id) if order.customer_id else None,
            tenants.get(order.tenant_id, ""),
        )
        for step, order in waiting
    ]


@dataclass(frozen=True)
class Decided:
    who: str
    decision: str
    comment: str | None
    at: datetime


@dataclass(frozen=True)
class StepView:
    step: ApprovalStep
    label: str
    approvers: str
    status: str
    source: str
    decisions: list[Decided]


@dataclass(frozen=True)
class CreditPicture:
    """The company's credit line, with this order counted apart from the rest."""

    limit: Money
    outstanding: Money  # everything else still to be paid
    available: Money  # before this order (negative when already over the limit)
    overdue: bool
    this_order: Money | None  # what this order draws on the line (on-account orders only)

    @property
    def left_after(self) -> Money | None:
        if self.this_order is None:
            return None
        return Money(self.available.minor - self.this_order.minor, self.limit.currency)


@dataclass(frozen=True)
class DecisionPage:
    step: ApprovalStep
    order: Order
    buyer: str
    tenant: str
    steps: list[StepView]
    history: list[Order]
    credit: CreditPicture | None
    blocked: str | None  # why the user cannot decide (None: the form is shown)

    @property
    def total(self) -> Money:
        return self.money(self.order.total_minor)

    def money(self, minor: int) -> Money:
        return Money(minor, self.order.currency)


def decision_page(user: User, step: ApprovalStep, order: Order) -> DecisionPage:
    """Everything the decision page shows (run in the order's tenant scope)."""
    steps = queue.all_steps(order.id)
    people = _names(
        {order.buyer_id}
        | {d.user_id for s in steps for d in s.decisions}
        | {uid for s in steps for uid in deciders.step_users(s)}
    )
    return DecisionPage(
        step=step,
        order=order,
        buyer=people.get(order.buyer_id, ""),
        tenant=_tenant_names({order.tenant_id}).get(order.tenant_id, ""),
        steps=[_step_view(s, people) for s in steps],
        history=customer_history(order),
        credit=credit_picture(order),
        blocked=why_not(user, step, order),
    )


def _step_view(step: ApprovalStep, people: dict[int, str]) -> StepView:
    roles = [role_label(role) for role in deciders.step_roles(step)]
    named = [people.get(uid, f"#{uid}") for uid in deciders.step_users(step)]
    return StepView(
        step=step,
        label=step_label(step),
        approvers=format_list([*roles, *named], style="or", locale=str(get_locale())),
        status=step_status_label(step.status),
        source=str(SOURCE_LABELS.get(step.source, step.source)),
        decisions=[
            Decided(people.get(d.user_id, ""), d.decision, d.comment, d.at) for d in step.decisions
        ],
    )


def customer_history(order: Order) -> list[Order]:
    """The company's latest other orders for the same end customer, newest first."""
    if order.customer_id is None:
        return []
    return list(
        db.session.scalars(
            select(Order)
            .where(
                Order.tenant_id == order.tenant_id,
                Order.company_id == order.company_id,
                Order.customer_id == order.customer_id,
                Order.id != order.id,
            )
            .order_by(Order.created_at.desc(), Order.id.desc())
            .limit(HISTORY_SIZE)
        )
    )


def credit_picture(order: Order) -> CreditPicture | None:
    """The company's credit line on the order's tenant (None when not enrolled there)."""
    enrollment = db.session.scalar(
        select(Enrollment).where(
            Enrollment.tenant_id == order.tenant_id, Enrollment.company_id == order.company_id
        )
    )
    if enrollment is None:
        return None
    status = credit_status(enrollment, order.currency, datetime.now(UTC).date())
    on_account = order.payment_method == PaymentMethod.ON_ACCOUNT
    # While it waits (or until invoiced) an on-account order is already in the outstanding sum.
    counted = on_account and order.status in {s.value for s in NOT_YET_INVOICED}
    others = status.outstanding.minor - (order.due_minor if counted else 0)
    currency = order.currency
    return CreditPicture(
        limit=status.limit,
        outstanding=Money(others, currency),
        available=Money(status.limit.minor - others, currency),
        overdue=status.overdue,
        this_order=Money(order.due_minor, currency) if on_account else None,
    )


def _names(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())


def _customers(ids: set[int]) -> dict[int, Customer]:
    if not ids:
        return {}
    return {c.id: c for c in db.session.scalars(select(Customer).where(Customer.id.in_(ids)))}


def _tenant_names(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(db.session.execute(select(Tenant.id, Tenant.name).where(Tenant.id.in_(ids))).all())


def take_decision(step_id: int, user: User, decision: object, comment: object) -> list[str]:
    """Decide, commit and tell everyone, then charge a card order that is now approved.

    Returns what to tell the approver (a problem with the card last). Raises
    DecisionRefused before anything is committed; the caller rolls back.
    """
    outcome = decisions.decide(step_id, user, decision, comment)
    said = [_said(outcome)]
    order = outcome.order
    commit_and_dispatch()
    if outcome.approved:
        problem = pipeline.collect(order, user)
        if problem:
            said.append(problem)
    return said


def _said(outcome: decisions.Outcome) -> str:
    if outcome.finished:
        if outcome.approved:
            return _("Approved. The order goes ahead.")
        return _("Rejected. The buyer is told.")
    current = next(
        (s for s in queue.all_steps(outcome.order.id) if s.status == StepStatus.OPEN), None
    )
    if current is None or current.id == outcome.step.id:
        return _(
            "Approved. It now waits for more approvals of %(step)s.",
            step=step_label(outcome.step),
        )
    return _("Approved. It now waits for %(step)s.", step=step_label(current))
