"""Celery tasks of the statements: closing the periods that are due (hourly, by beat)."""

from __future__ import annotations

from datetime import UTC, datetime

from celery import shared_task

from channelfront.statements.close import close_due


@shared_task(name="statements.close_due")
def close_due_task() -> int:
    """Close every statement period whose grace days have passed; safe to run twice."""
    return close_due(datetime.now(UTC))
