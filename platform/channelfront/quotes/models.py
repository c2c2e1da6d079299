"""Quotes, their lines and timeline, the end customer's payment, special price rules and
requests, and what a reseller owes back when a paid quote is refunded."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from channelfront.customers.models import Customer
from channelfront.extensions import db
from channelfront.tenancy.scoping import TenantOwned


class QuoteStatus(enum.StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    VIEWED = "viewed"
    ACCEPTED = "accepted"
    PAID = "paid"
    ORDERED = "ordered"
    DECLINED = "declined"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


#: The end customer's link works in these states.
OPEN_TO_CUSTOMER = (QuoteStatus.SENT.value, QuoteStatus.VIEWED.value)
#: The reseller may still change the quote (a sent one gets a new revision).
EDITABLE = (QuoteStatus.DRAFT.value, QuoteStatus.SENT.value, QuoteStatus.VIEWED.value)


class Quote(TenantOwned, db.Model):
    """A reseller's offer to one end customer at its resale prices.

    ``revision`` counts the versions sent: editing a sent quote makes a new revision, and
    the customer's link names the revision it was made for, so an old link stops working.
    """

    __tablename__ = "quote"
    __table_args__ = (
        UniqueConstraint("tenant_id", "number"),
        Index("ix_quote_company_created", "tenant_id", "company_id", "created_at"),
        Index("ix_quote_status_valid", "tenant_id", "status", "valid_until"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(24))
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=QuoteStatus.DRAFT.value)
    revision: Mapped[int] = mapped_column(default=1)
    currency: Mapped[str] = mapped_column(String(3))
    language: Mapped[str] = mapped_column(String(8))
    valid_until: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    terms: Mapped[str | None] = mapped_column(Text)
    # The end customer gets the license keys too (the order's notify_end_customer).
    license_to_customer: Mapped[bool] = mapped_column(default=False)
    # How the resale prices were last set for the whole quote: None (per line),
    # "markup" (bps on the buy price) or "discount" (bps off list).
    pricing_mode: Mapped[str | None] = mapped_column(String(12))
    pricing_bps: Mapped[int | None] = mapped_column()
    resale_total_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    # The order booked from the quote (paid by the customer, or ordered by the reseller).
    order_id: Mapped[int | None] = mapped_column(ForeignKey("purchase_order.id"), index=True)
    # The customer accepted and asked to be invoiced ("invoice") or paid ("card").
    accepted_as: Mapped[str | None] = mapped_column(String(12))
    decline_reason: Mapped[str | None] = mapped_column(Text)
    # Expiry reminders already sent to the buyer: 7 and 1 days before valid_until.
    reminded_days: Mapped[int | None] = mapped_column()
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The registered deal this quote was made from, and the CRM ids that travel with it.
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deal.id"), index=True)
    crm_deal_id: Mapped[str | None] = mapped_column(String(80))
    crm_account_id: Mapped[str | None] = mapped_column(String(64))
    crm_opportunity_id: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    customer: Mapped[Customer] = relationship()
    lines: Mapped[list[QuoteLine]] = relationship(
        cascade="all, delete-orphan", order_by="QuoteLine.position", back_populates="quote"
    )
    events: Mapped[list[QuoteEvent]] = relationship(
        cascade="all, delete-orphan", order_by="QuoteEvent.id", back_populates="quote"
    )


class QuoteLine(TenantOwned, db.Model):
    """One product on a quote: the resale price the customer pays and, for the reseller,
    the buy price it had when the line was priced."""

    __tablename__ = "quote_line"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("resale_unit_minor >= 0", name="resale_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quote_id: Mapped[int] = mapped_column(ForeignKey("quote.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"))
    sku: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    term_months: Mapped[int | None] = mapped_column()
    periods: Mapped[int] = mapped_column(default=1)
    quantity: Mapped[int] = mapped_column()
    list_unit_minor: Mapped[int] = mapped_column(BigInteger)
    buy_unit_minor: Mapped[int] = mapped_column(BigInteger)
    price_source: Mapped[str] = mapped_column(String(16))
    resale_unit_minor: Mapped[int] = mapped_column(BigInteger)

    quote: Mapped[Quote] = relationship(back_populates="lines")

    @property
    def units(self) -> int:
        """Quantity times billing periods: what a unit price is multiplied by."""
        return self.quantity * (self.periods or 1)

    @property
    def resale_total_minor(self) -> int:
        return self.resale_unit_minor * self.units

    @property
    def buy_total_minor(self) -> int:
        return self.buy_unit_minor * self.units

    @property
    def margin_minor(self) -> int:
        return self.resale_total_minor - self.buy_total_minor


class QuoteEvent(TenantOwned, db.Model):
    """One entry of a quote's timeline (a status, a revision, a reminder, a request)."""

    __tablename__ = "quote_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    quote_id: Mapped[int] = mapped_column(ForeignKey("quote.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    revision: Mapped[int] = mapped_column()
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    note: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    quote: Mapped[Quote] = relationship(back_populates="events")


class PaymentState(enum.StrEnum):
    CHARGING = "charging"
    PAID = "paid"
    DECLINED = "declined"
    RELEASED = "released"
    REFUNDED = "refunded"


class QuotePayment(TenantOwned, db.Model):
    """The end customer's card payment of one revision of a quote: one row, one charge.

    The unique (quote, revision) pair lets one request charge at a time, like a renewal.
    """

    __tablename__ = "quote_payment"
    __table_args__ = (UniqueConstraint("quote_id", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quote_id: Mapped[int] = mapped_column(ForeignKey("quote.id", ondelete="CASCADE"), index=True)
    revision: Mapped[int] = mapped_column()
    state: Mapped[str] = mapped_column(String(12))
    attempt: Mapped[int] = mapped_column(default=1)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    payment_intent_id: Mapped[str | None] = mapped_column(String(80))
    error: Mapped[str | None] = mapped_column(String(300))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SpecialPriceRule(TenantOwned, db.Model):
    """How special price requests of one program tier are decided.

    A request at most ``auto_max_discount_bps`` off the normal buy price, with a line
    total at most ``auto_max_line_minor``, is approved at once; any other goes to a
    partner manager, and one above either vendor threshold also to vendor staff.
    A tier without a rule sends every request to a partner manager.
    """

    __tablename__ = "special_price_rule"
    __table_args__ = (
        UniqueConstraint("tenant_id", "program_id"),
        CheckConstraint("auto_max_discount_bps BETWEEN 0 AND 10000", name="auto_bps_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id", ondelete="CASCADE"))
    auto_max_discount_bps: Mapped[int] = mapped_column(default=0)
    auto_max_line_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    vendor_above_discount_bps: Mapped[int | None] = mapped_column()
    vendor_above_line_minor: Mapped[int | None] = mapped_column(BigInteger)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class SpecialStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    COUNTERED = "countered"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class SpecialStage(enum.StrEnum):
    """Who decides a pending request next."""

    DISTRIBUTOR = "distributor"
    VENDOR = "vendor"


class SpecialPriceRequest(TenantOwned, db.Model):
    """A reseller's request for a lower buy price on one quote line.

    Approved, it holds for that quote's end customer, product, quantity and term until
    the quote expires: checkout prices the line at ``approved_unit_minor`` (source
    ``special``). A counter offer becomes approved when the reseller accepts it.
    """

    __tablename__ = "special_price_request"
    __table_args__ = (
        Index("ix_special_price_status", "tenant_id", "status", "stage"),
        CheckConstraint("requested_unit_minor >= 0", name="requested_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quote_id: Mapped[int] = mapped_column(ForeignKey("quote.id", ondelete="CASCADE"), index=True)
    quote_line_id: Mapped[int | None] = mapped_column(
        ForeignKey("quote_line.id", ondelete="SET NULL"), index=True
    )
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"))
    sku: Mapped[str] = mapped_column(String(40))
    quantity: Mapped[int] = mapped_column()
    term_months: Mapped[int | None] = mapped_column()
    periods: Mapped[int] = mapped_column(default=1)
    currency: Mapped[str] = mapped_column(String(3))
    normal_unit_minor: Mapped[int] = mapped_column(BigInteger)
    requested_unit_minor: Mapped[int] = mapped_column(BigInteger)
    justification: Mapped[str] = mapped_column(Text)
    # A registered deal, once deals exist (no foreign key yet).
    deal_ref: Mapped[str | None] = mapped_column(String(80))
    # The approved deal registration that makes this line eligible (the quote's deal).
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deal.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default=SpecialStatus.PENDING.value)
    stage: Mapped[str | None] = mapped_column(String(12))
    needs_vendor: Mapped[bool] = mapped_column(default=False)
    auto_approved: Mapped[bool] = mapped_column(default=False)
    approved_unit_minor: Mapped[int | None] = mapped_column(BigInteger)
    valid_until: Mapped[date] = mapped_column(Date)
    requested_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # Every decision in order: [{"by", "stage", "decision", "unit_minor", "comment", "at"}].
    decisions: Mapped[list] = mapped_column(JSON, default=list)
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @property
    def units(self) -> int:
        return self.quantity * (self.periods or 1)

    @property
    def discount_bps(self) -> int:
        """How far below the normal buy price the requested price is, in basis points."""
        if self.normal_unit_minor <= 0:
            return 0
        cut = self.normal_unit_minor - self.requested_unit_minor
        return max(0, round(cut * 10000 / self.normal_unit_minor))


class MarginClawback(TenantOwned, db.Model):
    """Margin credit a reseller spent before the customer's payment was refunded: the
    reseller owes it back. Shown on the reseller's invoices page until settled."""

    __tablename__ = "margin_clawback"
    __table_args__ = (UniqueConstraint("tenant_id", "order_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("purchase_order.id"))
    credit_note_id: Mapped[int] = mapped_column(ForeignKey("credit_note.id"))
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    settled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
