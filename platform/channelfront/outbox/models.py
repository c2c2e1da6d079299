"""Outbox messages."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column

from channelfront.extensions import db


class OutboxMessage(db.Model):
    """A unit of work (fulfil an order, send a mail) that must happen once the change commits.

    Not tenant-scoped on purpose: the dispatcher drains every tenant's messages; each
    message names its tenant and the task runs inside that tenant's scope.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_pending", "dispatched_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # None for mail of the vendor console (its staff belong to no tenant).
    tenant_id: Mapped[int | None] = mapped_column(ForeignKey("tenant.id"))
    topic: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    dispatched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(default=0)
    # The id of the web request (or task) that wrote the message, for following it in logs.
    request_id: Mapped[str | None] = mapped_column(String(64))
