"""Publish an event to the endpoints that hear it, inside the caller's transaction.

``publish`` writes the event, one delivery per subscribed endpoint and one outbox message
per delivery; they commit (or roll back) with the change that caused them, and the outbox
hands each delivery to Celery after the commit. Company endpoints hear their company's
events on this tenant; the tenant's own endpoints hear every event on the tenant.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import or_, select

from channelfront.extensions import db
from channelfront.outbox.services import enqueue
from channelfront.tenancy.scoping import active_tenant_id
from channelfront.webhooks.events import EVENT_TYPES, TEST_EVENT
from channelfront.webhooks.models import (
    DeliveryStatus,
    OutboundEvent,
    WebhookDelivery,
    WebhookEndpoint,
)

DELIVER_TOPIC = "webhook.deliver"


def new_event_id() -> str:
    """A ``webhook-id``: unique, unguessable, the same on every retry of the event."""
    return "msg_" + secrets.token_urlsafe(18)


def subscribers(tenant_id: int, company_id: int | None, event_type: str) -> list[WebhookEndpoint]:
    """Enabled endpoints on the tenant that hear this type for this company."""
    owners = WebhookEndpoint.company_id.is_(None)
    if company_id is not None:
        owners = or_(owners, WebhookEndpoint.company_id == company_id)
    endpoints = db.session.scalars(
        select(WebhookEndpoint)
        .where(
            WebhookEndpoint.tenant_id == tenant_id,
            WebhookEndpoint.disabled_at.is_(None),
            owners,
        )
        .order_by(WebhookEndpoint.id)
    )
    return [e for e in endpoints if event_type in (e.events or [])]


def publish(
    event_type: str, *, company_id: int | None, data: dict[str, Any], tenant_id: int | None = None
) -> OutboundEvent | None:
    """Record an event for every endpoint that hears it (no commit); None when none does.

    ``data`` must be JSON-ready and complete: it is what receivers get, as it is now.
    """
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown webhook event type {event_type}")
    tenant = tenant_id if tenant_id is not None else active_tenant_id()
    if tenant is None:
        return None
    endpoints = subscribers(tenant, company_id, event_type)
    if not endpoints:
        return None
    return _record(tenant, company_id, event_type, data, endpoints)


def send_test(endpoint: WebhookEndpoint) -> OutboundEvent:
    """A ``webhook.test`` event for one endpoint, whatever it subscribes to (no commit)."""
    data = {"endpoint_id": endpoint.id, "message": "This is a test event from Channelfront."}
    return _record(endpoint.tenant_id, endpoint.company_id, TEST_EVENT, data, [endpoint])


def _record(
    tenant_id: int,
    company_id: int | None,
    event_type: str,
    data: dict[str, Any],
    endpoints: list[WebhookEndpoint],
) -> OutboundEvent:
    now = datetime.now(UTC)
    event = OutboundEvent(
        tenant_id=tenant_id,
        public_id=new_event_id(),
        company_id=company_id,
        type=event_type,
        data=data,
        created_at=now,
    )
    db.session.add(event)
    for endpoint in endpoints:
        delivery = WebhookDelivery(
            tenant_id=tenant_id,
            endpoint_id=endpoint.id,
            status=DeliveryStatus.PENDING.value,
            next_attempt_at=now,
        )
        delivery.event = event
        db.session.add(delivery)
        enqueue(
            tenant_id,
            DELIVER_TOPIC,
            {"event": event.public_id, "endpoint_id": endpoint.id},
        )
    return event
