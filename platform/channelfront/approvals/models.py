"""Approval rules, buyers' spending limits, and the chain of decisions an order waits for."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, BigInteger, DateTime, ForeignKey, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from channelfront.extensions import db
from channelfront.tenancy.scoping import TenantOwned


class RuleScope(enum.StrEnum):
    COMPANY = "company"  # kept by the company's admins, for its orders
    TENANT = "tenant"  # kept by distributor staff, for every reseller on the tenant
    PROGRAM = "program"  # kept by distributor staff, for resellers of one program tier


class ApprovalRule(TenantOwned, db.Model):
    """A named rule: when its conditions hold, the order waits for its chain of steps.

    ``conditions`` is a list of ``{"field", "operator", "value"}`` combined by ``match``
    (``all`` or ``any``); ``steps`` a list of ``{"role"}`` or ``{"users"}`` with optional
    ``name``, ``required``, ``due_hours``, ``on_expiry`` and ``escalate_to``
    (approvals.rules validates both).
    """

    __tablename__ = "approval_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(10))
    company_id: Mapped[int | None] = mapped_column(
        ForeignKey("company.id", ondelete="CASCADE"), index=True
    )
    program_id: Mapped[int | None] = mapped_column(ForeignKey("program.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    match: Mapped[str] = mapped_column(String(3), default="all")
    conditions: Mapped[list] = mapped_column(JSON, default=list)
    steps: Mapped[list] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class SpendingLimit(TenantOwned, db.Model):
    """A buyer's limits on this tenant, set by the company admin: per order and per
    calendar month (UTC), in the tenant's currency. None is no limit."""

    __tablename__ = "spending_limit"
    __table_args__ = (UniqueConstraint("tenant_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    per_order_minor: Mapped[int | None] = mapped_column(BigInteger)
    per_month_minor: Mapped[int | None] = mapped_column(BigInteger)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class StepStatus(enum.StrEnum):
    WAITING = "waiting"  # an earlier step is still open
    OPEN = "open"  # its approvers can decide now
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPIRED = "expired"  # its due time passed (escalated, or the order was rejected)
    SKIPPED = "skipped"  # escalation jumped over it
    CANCELLED = "cancelled"  # the order stopped waiting (rejected earlier, withdrawn)


class ApprovalStep(TenantOwned, db.Model):
    """One step of the chain an order waits for: who may decide, how many must, by when.

    ``approvers`` is ``{"role": "approver"}`` or ``{"users": [ids]}``; ``reasons`` are
    the matched conditions as shown to approvers. Steps open one at a time by
    ``position``; ``escalate_to`` is the position that opens when this one expires.
    """

    __tablename__ = "approval_step"
    __table_args__ = (UniqueConstraint("order_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(
        ForeignKey("purchase_order.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column()
    rule_id: Mapped[int | None] = mapped_column(ForeignKey("approval_rule.id", ondelete="SET NULL"))
    # "rule" (an approval rule), "spending_limit" or "credit" (the credit desk)
    source: Mapped[str] = mapped_column(String(16))
    rule_name: Mapped[str] = mapped_column(String(120))
    name: Mapped[str | None] = mapped_column(String(60))
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    approvers: Mapped[dict] = mapped_column(JSON, default=dict)
    required: Mapped[int] = mapped_column(default=1)
    due_hours: Mapped[int | None] = mapped_column()
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    on_expiry: Mapped[str] = mapped_column(String(10), default="reject")
    escalate_to: Mapped[int | None] = mapped_column()
    status: Mapped[str] = mapped_column(String(10), default=StepStatus.WAITING.value, index=True)
    opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    decisions: Mapped[list[ApprovalDecision]] = relationship(
        cascade="all, delete-orphan", order_by="ApprovalDecision.id", back_populates="step"
    )


class ApprovalDecision(TenantOwned, db.Model):
    """One person's decision on a step, with their comment."""

    __tablename__ = "approval_decision"
    __table_args__ = (UniqueConstraint("step_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    step_id: Mapped[int] = mapped_column(
        ForeignKey("approval_step.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    decision: Mapped[str] = mapped_column(String(8))
    comment: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    step: Mapped[ApprovalStep] = relationship(back_populates="decisions")
