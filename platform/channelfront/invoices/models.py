"""Invoices."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, DateTime, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from channelfront.extensions import db
from channelfront.tenancy.scoping import TenantOwned


class Invoice(TenantOwned, db.Model):
    __tablename__ = "invoice"
    __table_args__ = (
        UniqueConstraint("tenant_id", "number"),
        Index("ix_invoice_company_status", "tenant_id", "company_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("purchase_order.id"), unique=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    number: Mapped[str] = mapped_column(String(20))
    currency: Mapped[str] = mapped_column(String(3))
    total_minor: Mapped[int] = mapped_column(BigInteger)
    issued_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="open")
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
