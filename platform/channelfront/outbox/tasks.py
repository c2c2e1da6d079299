"""Celery tasks that deliver outbox messages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from celery import shared_task

from channelfront.extensions import db
from channelfront.logs import request_id_scope
from channelfront.outbox.handlers import HANDLERS
from channelfront.outbox.models import OutboxMessage
from channelfront.tenancy.scoping import tenant_scope


@shared_task(name="outbox.deliver", acks_late=True, max_retries=5, default_retry_delay=5)
def deliver(message_id: int) -> None:
    """Run the handler of one message inside its tenant's scope, once."""
    message = db.session.get(OutboxMessage, message_id)
    if message is None or message.done_at is not None:
        return
    message.attempts += 1
    db.session.commit()
    handler = HANDLERS.get(message.topic)
    if handler is None:
        raise LookupError(f"no handler for outbox topic {message.topic}")
    # However the task was sent (a sweep, the drain command), its lines carry the id of
    # the request that wrote the message.
    with tenant_scope(message.tenant_id), request_id_scope(message.request_id):
        handler(message.tenant_id, message.payload)
    message = db.session.get(OutboxMessage, message_id)
    message.done_at = datetime.now(UTC)
    db.session.commit()


@shared_task(name="outbox.sweep")
def sweep() -> int:
    """Send again every message still pending after a short grace period."""
    from channelfront.outbox.services import dispatch, pending_ids

    return dispatch(pending_ids(older_than=timedelta(seconds=10)))
