"""Webhook endpoints, the events they are sent, and each delivery with its attempts."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from channelfront.extensions import db
from channelfront.tenancy.scoping import TenantOwned


class WebhookEndpoint(TenantOwned, db.Model):
    """A URL that hears about events: a reseller company's (its CRM) or, with no company,
    the tenant's own (the distributor's ERP).

    ``secret`` is ``whsec_`` plus base64 of the key. During a rotation the previous secret
    signs too, until ``previous_secret_expires_at``.
    """

    __tablename__ = "webhook_endpoint"
    __table_args__ = (Index("ix_webhook_endpoint_owner", "tenant_id", "company_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # None: the tenant's endpoint (distributor admins); else a company's (company admins).
    company_id: Mapped[int | None] = mapped_column(ForeignKey("company.id"))
    url: Mapped[str] = mapped_column(String(500))
    description: Mapped[str | None] = mapped_column(String(200))
    # Event types this endpoint hears (["order.placed", ...]).
    events: Mapped[list] = mapped_column(JSON, default=list)
    secret: Mapped[str] = mapped_column(String(80))
    previous_secret: Mapped[str | None] = mapped_column(String(80))
    previous_secret_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Disabled after 3 days of failed retries (or by hand); disabled endpoints get nothing.
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    disabled_reason: Mapped[str | None] = mapped_column(String(200))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class OutboundEvent(TenantOwned, db.Model):
    """Something that happened, as sent: ``{"id", "type", "created", "data"}``.

    ``public_id`` (``msg_...``) is the ``webhook-id`` header, the same on every retry.
    """

    __tablename__ = "outbound_event"
    __table_args__ = (
        UniqueConstraint("public_id"),
        Index("ix_outbound_event_owner", "tenant_id", "company_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(40))
    company_id: Mapped[int | None] = mapped_column(ForeignKey("company.id"))
    type: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    # Failed for the retry window: given up (the endpoint is disabled).
    FAILED = "failed"


class WebhookDelivery(TenantOwned, db.Model):
    """One event for one endpoint: tried until it gets a 2xx or the retry window closes."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        UniqueConstraint("endpoint_id", "event_id"),
        Index("ix_webhook_delivery_due", "status", "next_attempt_at"),
        Index("ix_webhook_delivery_endpoint", "tenant_id", "endpoint_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoint.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(ForeignKey("outbound_event.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(12), default=DeliveryStatus.PENDING.value)
    attempt_count: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Set while a worker is sending it; a worker that dies leaves it, and the sweeper
    # sends again once it is older than the timeout.
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_status_code: Mapped[int | None] = mapped_column()
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    endpoint: Mapped[WebhookEndpoint] = relationship()
    event: Mapped[OutboundEvent] = relationship()
    attempts: Mapped[list[WebhookAttempt]] = relationship(
        cascade="all, delete-orphan", order_by="WebhookAttempt.id", back_populates="delivery"
    )


class WebhookAttempt(TenantOwned, db.Model):
    """One HTTP request of a delivery: what came back, and how long it took."""

    __tablename__ = "webhook_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_delivery.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    status_code: Mapped[int | None] = mapped_column()
    duration_ms: Mapped[int] = mapped_column(default=0)
    # The response's first bytes, or what went wrong (timeout, refused, blocked address).
    response_head: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(String(300))
    manual: Mapped[bool] = mapped_column(default=False)

    delivery: Mapped[WebhookDelivery] = relationship(back_populates="attempts")
