"""Stripe customers per company and processed webhook events."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from channelfront.extensions import db
from channelfront.tenancy.scoping import TenantOwned


class PaymentAccount(TenantOwned, db.Model):
    """The Stripe customer that holds a company's saved cards on one tenant."""

    __tablename__ = "payment_account"
    __table_args__ = (UniqueConstraint("tenant_id", "company_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    stripe_customer_id: Mapped[str] = mapped_column(String(80), unique=True)


class WebhookEvent(db.Model):
    """A Stripe event already handled: a replay with the same id changes nothing.

    Not tenant-scoped: Stripe posts to one address for every storefront; the handler
    finds the tenant from the payment it concerns.
    """

    __tablename__ = "webhook_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    stripe_event_id: Mapped[str] = mapped_column(String(80), unique=True)
    type: Mapped[str] = mapped_column(String(80))
    received_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
