"""Heartbeats of the background processes: each worker and beat writes its row."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from channelfront.extensions import db


class ProcessHeartbeat(db.Model):
    """The last sign of life of one process, e.g. ``worker:celery@web-1`` or ``beat``."""

    __tablename__ = "process_heartbeat"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # "worker" or "beat"
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
