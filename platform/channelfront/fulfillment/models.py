"""Issued licenses, one per licensed order line at most; subscriptions own their package."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, Text
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
    # Set when the order was refunded: the key no longer counts as sold.
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
