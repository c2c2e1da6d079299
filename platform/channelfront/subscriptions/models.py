"""A subscription: one per subscription line of an order, extended by its renewals."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from channelfront.extensions import db
from channelfront.tenancy.scoping import TenantOwned

ACTIVE = "active"
CANCELLED = "cancelled"


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
    status: Mapped[str] = mapped_column(String(16), default=ACTIVE)
    # The latest paid term: 0 for the first purchase, 1 once the first renewal is paid.
    term_index: Mapped[int] = mapped_column(default=0, server_default="0")
