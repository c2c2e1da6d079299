"""Write outbox messages with a change; hand them to Celery after the commit.

A message is written in the same transaction as the change it announces. After the
commit, ``commit_and_dispatch`` sends each new message's id to the ``outbox.deliver``
task. If the broker is down the message simply stays pending, and the periodic
``outbox.sweep`` task (or ``flask outbox drain``) sends it again later. Handlers are
idempotent, so a message delivered twice does its work once.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from channelfront.celery_app import app_task
from channelfront.extensions import db
from channelfront.logs import current_request_id
from channelfront.outbox.models import OutboxMessage

log = logging.getLogger(__name__)
PENDING_KEY = "outbox_pending"


def enqueue(tenant_id: int | None, topic: str, payload: dict[str, Any]) -> OutboxMessage:
    """Add a message to the current transaction; it is sent once the transaction commits."""
    message = OutboxMessage(
        tenant_id=tenant_id, topic=topic, payload=payload, request_id=current_request_id()
    )
    db.session.add(message)
    db.session.info.setdefault(PENDING_KEY, []).append(message)
    return message


def commit_and_dispatch() -> None:
    """Commit the session, then send the messages it wrote to the task queue."""
    pending = db.session.info.pop(PENDING_KEY, [])
    db.session.flush()
    # Read the ids before the commit: reading them after would open a new transaction.
    messages = [(m.id, m.request_id) for m in pending]
    db.session.commit()
    _send(messages)


def dispatch(message_ids: list[int]) -> int:
    """Send messages to Celery; a broker failure leaves them pending. Returns the count sent."""
    if not message_ids:
        return 0
    rows = db.session.execute(
        select(OutboxMessage.id, OutboxMessage.request_id).where(OutboxMessage.id.in_(message_ids))
    )
    request_ids: dict[int, str | None] = {row.id: row.request_id for row in rows}
    return _send([(message_id, request_ids.get(message_id)) for message_id in message_ids])


def _send(messages: list[tuple[int, str | None]]) -> int:
    from channelfront.outbox.tasks import deliver

    task = app_task(deliver.name)
    sent = 0
    for message_id, request_id in messages:
        # The task runs under the id of the request that wrote the message (logs.py).
        headers = {"request_id": request_id} if request_id else None
        try:
            task.apply_async((message_id,), headers=headers)
            sent += 1
        except Exception:  # broker down or unreachable: the sweeper sends it later
            log.warning("outbox message %s left pending: broker unavailable", message_id)
            break
    return sent


def pending_ids(older_than: timedelta = timedelta(seconds=0), limit: int = 500) -> list[int]:
    """Messages not yet handled, oldest first."""
    cutoff = datetime.now(UTC) - older_than
    return list(
        db.session.scalars(
            select(OutboxMessage.id)
            .where(OutboxMessage.done_at.is_(None), OutboxMessage.created_at <= cutoff)
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
    )
