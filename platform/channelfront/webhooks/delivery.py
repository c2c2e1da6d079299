"""Sending deliveries: one attempt at a time, retried with backoff, given up after the window.

A worker claims a delivery with a conditional UPDATE (committed) before it sends, so two
workers never send it at once; a worker killed mid-send leaves its claim, and the sweeper
(``webhooks.retry_due``) sends again once the claim is older than ``WEBHOOK_CLAIM_SECONDS``.
Receivers may thus get an event twice (at least once): they de-duplicate by ``webhook-id``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from celery import shared_task
from sqlalchemy import and_, or_, select, update

from channelfront.celery_app import app_task
from channelfront.extensions import db
from channelfront.health import metrics
from channelfront.outbox.handlers import handles
from channelfront.outbox.services import commit_and_dispatch, enqueue
from channelfront.tenancy.scoping import tenant_scope
from channelfront.webhooks import settings
from channelfront.webhooks.address import AddressRefused, resolve
from channelfront.webhooks.models import (
    DeliveryStatus,
    OutboundEvent,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from channelfront.webhooks.publish import DELIVER_TOPIC
from channelfront.webhooks.sender import Answer, post
from channelfront.webhooks.signing import aware, body_of, headers_for

REDELIVER_TOPIC = "webhook.redeliver"
DISABLED_MAIL_TOPIC = "mail.webhook_disabled"
PENDING = DeliveryStatus.PENDING.value


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: base, x4 each time, capped."""
    base = settings.number("WEBHOOK_RETRY_BASE_SECONDS")
    cap = settings.number("WEBHOOK_RETRY_CAP_SECONDS")
    return timedelta(seconds=min(base * 4 ** max(attempts - 1, 0), cap))


def _claim(delivery_id: int, now: datetime, manual: bool) -> bool:
    """Mark the delivery as being sent by this worker; False when someone else has it,
    or (automatic attempts) when it is not pending and due."""
    stale = now - timedelta(seconds=settings.number("WEBHOOK_CLAIM_SECONDS"))
    free = or_(WebhookDelivery.claimed_at.is_(None), WebhookDelivery.claimed_at < stale)
    where = [WebhookDelivery.id == delivery_id]
    if manual:
        where.append(free)
    else:
        due = and_(
            WebhookDelivery.claimed_at.is_(None),
            WebhookDelivery.next_attempt_at.is_not(None),
            WebhookDelivery.next_attempt_at <= now,
        )
        where += [WebhookDelivery.status == PENDING, or_(due, WebhookDelivery.claimed_at < stale)]
    claimed = db.session.execute(
        update(WebhookDelivery)
        .where(*where)
        .values(claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return claimed.rowcount == 1


def _prepare(delivery: WebhookDelivery, now: datetime) -> tuple[Any, bytes, dict[str, str]]:
    """The checked target (or the refusal), the body and the signed headers."""
    endpoint, event = delivery.endpoint, delivery.event
    body = body_of(event)
    headers = headers_for(endpoint, event.public_id, body, now)
    try:
        return resolve(endpoint.url, settings.allow_loopback()), body, headers
    except AddressRefused as refused:
        return refused, body, headers


def _send(target: Any, body: bytes, headers: dict[str, str]) -> Answer:
    if isinstance(target, AddressRefused):
        return Answer(None, 0, None, f"Blocked: {target}"[:300])
    return post(target, body, headers, settings.number("WEBHOOK_TIMEOUT_SECONDS"))


def _first_attempt_at(delivery: WebhookDelivery, now: datetime) -> datetime:
    times = [aware(a.at) for a in delivery.attempts if not a.manual and a.at is not None]
    return min(times, default=now)


def _after_failure(delivery: WebhookDelivery, now: datetime) -> None:
    """Schedule the next attempt, or give up once the window has closed."""
    closes = _first_attempt_at(delivery, now) + timedelta(
        seconds=settings.number("WEBHOOK_RETRY_WINDOW_SECONDS")
    )
    if now >= closes:
        delivery.status = DeliveryStatus.FAILED.value
        delivery.next_attempt_at = None
        disable(delivery.endpoint, "Deliveries failed for the whole retry window.", now)
        return
    delivery.next_attempt_at = min(now + backoff(delivery.attempt_count), closes)


def disable(endpoint: WebhookEndpoint, reason: str, now: datetime) -> None:
    """Stop sending to the endpoint: its pending deliveries fail, its owner is mailed."""
    if endpoint.disabled_at is not None:
        return
    endpoint.disabled_at = now
    endpoint.disabled_reason = reason[:200]
    db.session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint.id, WebhookDelivery.status == PENDING)
        .values(status=DeliveryStatus.FAILED.value, next_attempt_at=None)
        .execution_options(synchronize_session=False)
    )
    enqueue(endpoint.tenant_id, DISABLED_MAIL_TOPIC, {"endpoint_id": endpoint.id})


def attempt(delivery_id: int, manual: bool = False) -> Answer | None:
    """Send the delivery once and record the attempt; None when it was not ours to send.

    Runs in the delivery's tenant scope. The claim is committed before the request, the
    outcome after it, so nothing holds a transaction open while the receiver answers.
    """
    now = datetime.now(UTC)
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None or (not manual and delivery.endpoint.disabled_at is not None):
        return None
    if not _claim(delivery_id, now, manual):
        return None
    delivery = db.session.get(WebhookDelivery, delivery_id)
    assert delivery is not None
    db.session.refresh(delivery)
    target, body, headers = _prepare(delivery, now)
    # No transaction stays open while the receiver takes its time.
    db.session.rollback()
    answer = _send(target, body, headers)
    done = datetime.now(UTC)
    delivery = db.session.get(WebhookDelivery, delivery_id)
    assert delivery is not None
    delivery.attempts.append(
        WebhookAttempt(
            tenant_id=delivery.tenant_id,
            at=now,
            status_code=answer.status_code,
            duration_ms=answer.duration_ms,
            response_head=answer.head,
            error=answer.error,
            manual=manual,
        )
    )
    delivery.attempt_count += 1
    delivery.last_status_code = answer.status_code
    delivery.claimed_at = None
    if answer.succeeded:
        delivery.status = DeliveryStatus.SUCCEEDED.value
        delivery.delivered_at = done
        delivery.next_attempt_at = None
    elif not manual and delivery.status == PENDING:
        _after_failure(delivery, done)
    commit_and_dispatch()
    metrics.webhook_attempted(answer.status_code, answer.succeeded)
    return answer


def due_ids(now: datetime, limit: int = 200) -> list[tuple[int, int]]:
    """(tenant, delivery) of every pending delivery due now, or claimed by a dead worker."""
    stale = now - timedelta(seconds=settings.number("WEBHOOK_CLAIM_SECONDS"))
    with tenant_scope(None):
        rows = db.session.execute(
            select(WebhookDelivery.tenant_id, WebhookDelivery.id)
            .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
            .where(
                WebhookDelivery.status == PENDING,
                WebhookEndpoint.disabled_at.is_(None),
                or_(
                    and_(
                        WebhookDelivery.claimed_at.is_(None),
                        WebhookDelivery.next_attempt_at <= now,
                    ),
                    WebhookDelivery.claimed_at < stale,
                ),
            )
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
            .limit(limit)
        ).all()
    return [(tenant_id, delivery_id) for tenant_id, delivery_id in rows]


@shared_task(name="webhooks.attempt", acks_late=True)
def attempt_task(tenant_id: int, delivery_id: int, manual: bool = False) -> None:
    with tenant_scope(tenant_id):
        attempt(delivery_id, manual)


@shared_task(name="webhooks.retry_due")
def retry_due() -> int:
    """Hand every due delivery to a worker (beat runs this every few seconds)."""
    due = due_ids(datetime.now(UTC))
    db.session.rollback()
    task = app_task("webhooks.attempt")
    for tenant_id, delivery_id in due:
        task.delay(tenant_id, delivery_id)
    return len(due)


def _delivery_for(payload: dict[str, Any]) -> WebhookDelivery | None:
    return db.session.scalar(
        select(WebhookDelivery)
        .join(OutboundEvent, OutboundEvent.id == WebhookDelivery.event_id)
        .where(
            OutboundEvent.public_id == str(payload.get("event", "")),
            WebhookDelivery.endpoint_id == int(payload.get("endpoint_id", 0)),
        )
    )


@handles(DELIVER_TOPIC)
def deliver_first(_tenant_id: int, payload: dict[str, Any]) -> None:
    """The first attempt, right after the event's transaction committed."""
    delivery = _delivery_for(payload)
    if delivery is not None:
        attempt(delivery.id)


@handles(REDELIVER_TOPIC)
def redeliver(_tenant_id: int, payload: dict[str, Any]) -> None:
    """A by-hand attempt (the delivery log's "Redeliver"), same ``webhook-id``."""
    attempt(int(payload["delivery_id"]), manual=True)
