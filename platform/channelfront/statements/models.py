"""Programs, the append-only ledger, closed statements and credit notes.

Amounts are integers in the minor units of `currency`. Ledger rows are only ever
inserted: `guard_append_only` refuses updates and deletes at flush.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Numeric,
    String,
    UniqueConstraint,
    event,
    func,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from channelfront.extensions import db
from channelfront.tenancy.scoping import TenantOwned


class IncentiveProgram(TenantOwned, db.Model):
    """A program as the contract's program document; `draft` holds unpublished edits.

    `version` counts publications: 0 (and `published_at` None) until first published.
    """

    __tablename__ = "incentive_program"
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(120))
    audience: Mapped[str] = mapped_column(String(16))  # distributor | reseller
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    draft: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(default=0)
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class IncentiveEvent(TenantOwned, db.Model):
    """A purchase, refund or adjustment fact, in the engine's event shape."""

    __tablename__ = "incentive_event"
    __table_args__ = (UniqueConstraint("tenant_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80))
    type: Mapped[str] = mapped_column(String(16))
    event_date: Mapped[date] = mapped_column(Date, index=True)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    channel: Mapped[str] = mapped_column(String(16))
    distributor_id: Mapped[str | None] = mapped_column(String(40))
    ordering_partner_id: Mapped[str | None] = mapped_column(String(40))
    subscription_id: Mapped[str | None] = mapped_column(String(40))
    event_kind: Mapped[str] = mapped_column(String(16))
    term_index: Mapped[int] = mapped_column(default=0)
    product_id: Mapped[str | None] = mapped_column(String(40))
    category_path: Mapped[list[str]] = mapped_column(JSON)
    quantity: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    net_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    refund_of: Mapped[str | None] = mapped_column(String(80), index=True)
    beneficiary: Mapped[str | None] = mapped_column(String(40))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("purchase_order.id"), index=True)


class LedgerEntry(TenantOwned, db.Model):
    """One engine entry: earning, clawback, prior-period adjustment or adjustment."""

    __tablename__ = "ledger_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("incentive_program.id"))
    beneficiary: Mapped[str] = mapped_column(String(40))
    rule_id: Mapped[str | None] = mapped_column(String(40))
    type: Mapped[str] = mapped_column(String(32))
    event_key: Mapped[str | None] = mapped_column(String(80), index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("purchase_order.id"))
    origin_period: Mapped[str] = mapped_column(String(10))
    origin_start: Mapped[date] = mapped_column(Date)
    posting_period: Mapped[str] = mapped_column(String(10))
    posting_start: Mapped[date] = mapped_column(Date)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    reason: Mapped[str | None] = mapped_column(String(32))
    fund: Mapped[bool] = mapped_column(default=False)
    units: Mapped[Decimal] = mapped_column(Numeric(18, 4), default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


db.Index(
    "ix_ledger_entry_statement",
    LedgerEntry.tenant_id,
    LedgerEntry.program_id,
    LedgerEntry.beneficiary,
    LedgerEntry.posting_start,
)
# The open periods of a program across its beneficiaries (the vendor console).
db.Index("ix_ledger_entry_period", LedgerEntry.program_id, LedgerEntry.posting_start)
# The engine's running sums (caps, units, aggregate postings) per rule and beneficiary.
db.Index(
    "ix_ledger_entry_rule",
    LedgerEntry.tenant_id,
    LedgerEntry.program_id,
    LedgerEntry.rule_id,
    LedgerEntry.beneficiary,
)


class VolumeEntry(TenantOwned, db.Model):
    """A purchase's (or refund's, negative) volume for an aggregate rule."""

    __tablename__ = "volume_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("incentive_program.id"))
    rule_id: Mapped[str] = mapped_column(String(40))
    beneficiary: Mapped[str] = mapped_column(String(40))
    event_key: Mapped[str] = mapped_column(String(80))
    origin_start: Mapped[date] = mapped_column(Date)
    posting_start: Mapped[date] = mapped_column(Date)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    rate_date: Mapped[date] = mapped_column(Date)
    quantity: Mapped[Decimal] = mapped_column(Numeric(18, 4))


db.Index(
    "ix_volume_entry_rule",
    VolumeEntry.tenant_id,
    VolumeEntry.program_id,
    VolumeEntry.rule_id,
    VolumeEntry.beneficiary,
    VolumeEntry.origin_start,
)
# What a period's close aggregates, and what a purchase added (for its refunds).
db.Index(
    "ix_volume_entry_posting",
    VolumeEntry.tenant_id,
    VolumeEntry.program_id,
    VolumeEntry.posting_start,
)
db.Index("ix_volume_entry_event_key", VolumeEntry.event_key)


class PartnerOfRecord(TenantOwned, db.Model):
    """A subscription's partner of record from a date (first purchase, renewal, transfer)."""

    __tablename__ = "partner_of_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[str] = mapped_column(String(40), index=True)
    effective_on: Mapped[date] = mapped_column(Date)
    partner_id: Mapped[str] = mapped_column(String(40))


class PeriodClose(TenantOwned, db.Model):
    """A program's period that has been closed; closing twice finds this row."""

    __tablename__ = "period_close"
    __table_args__ = (UniqueConstraint("tenant_id", "program_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("incentive_program.id"))
    period: Mapped[str] = mapped_column(String(10))
    period_start: Mapped[date] = mapped_column(Date)
    closed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class Statement(TenantOwned, db.Model):
    """A closed statement: never changes once written."""

    __tablename__ = "incentive_statement"
    __table_args__ = (UniqueConstraint("tenant_id", "program_id", "beneficiary", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("incentive_program.id"))
    beneficiary: Mapped[str] = mapped_column(String(40))
    period: Mapped[str] = mapped_column(String(10))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    opening_minor: Mapped[int] = mapped_column(BigInteger)
    total_minor: Mapped[int] = mapped_column(BigInteger)
    disposition: Mapped[str] = mapped_column(String(20))
    closed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class FundTotal(TenantOwned, db.Model):
    """A beneficiary's fund accruals (MDF) in one closed period, summed at its close.

    A fund balance is these totals plus the fund entries of the open periods, so it
    reads one row per closed period instead of every accrual ever written.
    """

    __tablename__ = "fund_total"
    __table_args__ = (
        UniqueConstraint("tenant_id", "program_id", "beneficiary", "period", "currency"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("incentive_program.id"))
    beneficiary: Mapped[str] = mapped_column(String(40))
    period: Mapped[str] = mapped_column(String(10))
    period_start: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    total_minor: Mapped[int] = mapped_column(BigInteger)
    entries: Mapped[int] = mapped_column()


class CreditNote(TenantOwned, db.Model):
    """A paid statement, or a reseller's margin on a quote its end customer paid
    (``order_id``, no statement): spendable against the beneficiary's later purchases."""

    __tablename__ = "credit_note"
    __table_args__ = (UniqueConstraint("tenant_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30))
    statement_id: Mapped[int | None] = mapped_column(
        ForeignKey("incentive_statement.id"), unique=True
    )
    # The order whose end customer paid the margin (quotes.margin); None for statements.
    order_id: Mapped[int | None] = mapped_column(ForeignKey("purchase_order.id"), unique=True)
    beneficiary: Mapped[str] = mapped_column(String(40))
    company_id: Mapped[int | None] = mapped_column(ForeignKey("company.id"), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    remaining_minor: Mapped[int] = mapped_column(BigInteger)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CreditNoteUse(TenantOwned, db.Model):
    """Part of a credit note applied to an order at checkout."""

    __tablename__ = "credit_note_use"

    id: Mapped[int] = mapped_column(primary_key=True)
    credit_note_id: Mapped[int] = mapped_column(ForeignKey("credit_note.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("purchase_order.id"), index=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    used_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


APPEND_ONLY = (IncentiveEvent, LedgerEntry, VolumeEntry, Statement, FundTotal)


class AppendOnlyViolation(RuntimeError):
    """Something tried to change or delete a ledger row."""


@event.listens_for(Session, "before_flush")
def guard_append_only(session: Session, _context: object, _instances: object) -> None:
    """Ledger rows, events and closed statements are inserted, never changed."""
    for row in list(session.dirty) + list(session.deleted):
        if isinstance(row, APPEND_ONLY) and (row in session.deleted or session.is_modified(row)):
            raise AppendOnlyViolation(f"{type(row).__name__} rows are append-only")
