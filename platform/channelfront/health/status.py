"""What the operator asks about: the database, the broker, the background processes'
heartbeats and the outbox backlog. Reads only; the heartbeats are written in ``heartbeat``."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import current_app
from sqlalchemy import func, select, text

from channelfront.extensions import db
from channelfront.health.models import ProcessHeartbeat
from channelfront.outbox.models import OutboxMessage

BROKER_TIMEOUT_SECONDS = 1.0
# Readiness probes of every web node ask often; the broker hears from each at most this often.
BROKER_CACHE_SECONDS = 5.0
clock = time.monotonic  # tests replace it, like the host map's clock


def aware(moment: datetime) -> datetime:
    """SQLite gives naive datetimes back; they are UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def database_ok() -> bool:
    """Whether ``SELECT 1`` answers."""
    try:
        db.session.execute(text("SELECT 1"))
        return True
    except Exception:  # any driver error means the database is down for us
        db.session.rollback()
        return False


class _BrokerCache:
    """The last answer per broker URL, kept ``BROKER_CACHE_SECONDS``."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.answers: dict[str, tuple[float, bool]] = {}

    def get(self, url: str) -> bool:
        with self.lock:  # one probe at a time: threads arriving meanwhile reuse its answer
            found = self.answers.get(url)
            if found is not None and clock() - found[0] < BROKER_CACHE_SECONDS:
                return found[1]
            answer = _connects(url)
            self.answers[url] = (clock(), answer)
            return answer

    def clear(self) -> None:
        with self.lock:
            self.answers.clear()


def _connects(url: str) -> bool:
    from kombu import Connection

    try:
        # Redis waits for its answer without limit unless told: a broker that accepts and
        # then hangs must not hang the probe.
        limits = {"socket_timeout": BROKER_TIMEOUT_SECONDS}
        limits["socket_connect_timeout"] = BROKER_TIMEOUT_SECONDS
        timeout = BROKER_TIMEOUT_SECONDS
        with Connection(url, connect_timeout=timeout, transport_options=limits) as connection:
            connection.ensure_connection(max_retries=0, timeout=BROKER_TIMEOUT_SECONDS)
        return True
    except Exception:  # kombu raises many transport-specific errors
        return False


broker_cache = _BrokerCache()


def broker_state() -> str | None:
    """The broker: "ok" or "down" (cached a few seconds); None when no broker is configured."""
    url = current_app.config.get("CELERY_BROKER_URL")
    if not url:
        return None
    return "ok" if broker_cache.get(url) else "down"


@dataclass(frozen=True)
class ProcessState:
    """One worker or beat: when it was last seen, and whether that is too long ago."""

    name: str
    kind: str
    seen_at: datetime
    age_seconds: float
    stale: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "seen_at": self.seen_at.isoformat(),
            "age_seconds": round(self.age_seconds, 1),
            "stale": self.stale,
        }


def processes(now: datetime | None = None) -> list[ProcessState]:
    """Every heartbeat row, beat first then workers by name, with its age and staleness
    (older than ``HEARTBEAT_STALE_SECONDS``, 60 by default)."""
    now = now or datetime.now(UTC)
    limit = current_app.config.get("HEARTBEAT_STALE_SECONDS", 60)
    rows = db.session.scalars(
        select(ProcessHeartbeat).order_by(ProcessHeartbeat.kind, ProcessHeartbeat.name)
    ).all()
    found = []
    for row in rows:
        age = max((now - aware(row.seen_at)).total_seconds(), 0.0)
        found.append(ProcessState(row.name, row.kind, aware(row.seen_at), age, age > limit))
    return sorted(found, key=lambda p: (p.kind != "beat", p.name))


@dataclass(frozen=True)
class Backlog:
    """Outbox messages not yet handled (``done_at`` unset), and the oldest one's age."""

    pending: int
    oldest_age_seconds: float | None

    def as_json(self) -> dict[str, Any]:
        age = self.oldest_age_seconds
        return {"pending": self.pending, "oldest_age_seconds": None if age is None else round(age)}


def outbox_backlog(now: datetime | None = None) -> Backlog:
    """Pending outbox messages, as ``outbox.services.pending_ids`` counts them."""
    now = now or datetime.now(UTC)
    count, oldest = db.session.execute(
        select(func.count(OutboxMessage.id), func.min(OutboxMessage.created_at)).where(
            OutboxMessage.done_at.is_(None)
        )
    ).one()
    age = None if oldest is None else max((now - aware(oldest)).total_seconds(), 0.0)
    return Backlog(int(count), age)
