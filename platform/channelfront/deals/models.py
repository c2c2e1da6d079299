"""Registered deals (opportunities), their lines and timeline."""

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


class DealStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"
    # Converted into an order: the opportunity is won.
    WON = "won"


class Deal(TenantOwned, db.Model):
    """A reseller's opportunity with one end customer, registered with the distributor.

    Approved, it protects the reseller until ``protected_until``: another reseller's
    registration for the same end customer and product is a conflict. ``external_id`` is
    the CRM's own id for the deal; it and the CRM account and opportunity ids travel onto
    the quotes and orders made from the deal.
    """

    __tablename__ = "deal"
    __table_args__ = (
        UniqueConstraint("tenant_id", "number"),
        UniqueConstraint("tenant_id", "company_id", "external_id"),
        Index("ix_deal_company_created", "tenant_id", "company_id", "created_at"),
        Index("ix_deal_status", "tenant_id", "status", "protected_until"),
        CheckConstraint("expected_value_minor >= 0", name="expected_value_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(24))
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    external_id: Mapped[str | None] = mapped_column(String(80))
    crm_account_id: Mapped[str | None] = mapped_column(String(64))
    crm_opportunity_id: Mapped[str | None] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(12), default=DealStatus.PENDING.value)
    currency: Mapped[str] = mapped_column(String(3))
    expected_value_minor: Mapped[int] = mapped_column(BigInteger)
    expected_close: Mapped[date] = mapped_column(Date)
    competitor: Mapped[str | None] = mapped_column(String(120))
    note: Mapped[str | None] = mapped_column(Text)
    # Other resellers' deals for the same end customer and a product of this one, found
    # when it was registered (ids); the deciding staff see them.
    conflict_deal_ids: Mapped[list] = mapped_column(JSON, default=list)
    reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    protected_until: Mapped[date | None] = mapped_column(Date)
    quote_id: Mapped[int | None] = mapped_column(ForeignKey("quote.id", use_alter=True))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("purchase_order.id", use_alter=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    customer: Mapped[Customer] = relationship()
    lines: Mapped[list[DealLine]] = relationship(
        cascade="all, delete-orphan", order_by="DealLine.id", back_populates="deal"
    )
    events: Mapped[list[DealEvent]] = relationship(
        cascade="all, delete-orphan", order_by="DealEvent.id", back_populates="deal"
    )


class DealLine(TenantOwned, db.Model):
    __tablename__ = "deal_line"
    __table_args__ = (
        UniqueConstraint("deal_id", "product_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deal.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    sku: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[int] = mapped_column()

    deal: Mapped[Deal] = relationship(back_populates="lines")


class DealEvent(TenantOwned, db.Model):
    """One entry of a deal's timeline (registered, approved, declined, expired...)."""

    __tablename__ = "deal_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deal.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    note: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    deal: Mapped[Deal] = relationship(back_populates="events")
