"""Issued licenses and subscriptions; one of each per order line at most."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from channelfront.extensions import db
from channelfront.tenancy.scoping import TenantOwned


class License(TenantOwned, db.Model):
    __tablename__ = "license"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("purchase_order.id"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_line.id"), unique=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    assigned_to: Mapped[str | None] = mapped_column(String(254))
    note: Mapped[str | None] = mapped_column(Text)


class Subscription(TenantOwned, db.Model):
    __tablename__ = "subscription"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("purchase_order.id"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_line.id"), unique=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"))
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    quantity: Mapped[int] = mapped_column()
    term_months: Mapped[int] = mapped_column()
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="active")
    # The latest paid term: 0 for the first purchase, 1 once the first renewal is paid.
    term_index: Mapped[int] = mapped_column(default=0, server_default="0")
