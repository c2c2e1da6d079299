"""Managing endpoints: create, delete, rotate the secret, enable again, test, redeliver.

The owner is a company (its admins) or, with ``company_id`` None, the tenant (its
distributor admins). Services add to the session and audit; the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from channelfront.accounts.models import User
from channelfront.audit.service import record
from channelfront.extensions import db
from channelfront.outbox.services import enqueue
from channelfront.webhooks import settings
from channelfront.webhooks.address import AddressRefused, resolve
from channelfront.webhooks.delivery import REDELIVER_TOPIC
from channelfront.webhooks.events import EVENT_TYPES
from channelfront.webhooks.models import OutboundEvent, WebhookDelivery, WebhookEndpoint
from channelfront.webhooks.publish import send_test
from channelfront.webhooks.signing import new_secret

#: How long the previous secret keeps signing after a rotation.
ROTATION_GRACE = timedelta(hours=24)
MAX_ENDPOINTS = 20
MAX_DESCRIPTION = 200


class EndpointRefused(ValueError):
    """Input the rules refuse; ``field`` names it, ``message`` says why ."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Owner:
    """Whose endpoints: a company's on a tenant, or the tenant's own (company None)."""

    tenant_id: int
    company_id: int | None


@dataclass(frozen=True)
class EndpointInput:
    url: str
    events: list[str]
    description: str = ""


def endpoints_of(owner: Owner) -> list[WebhookEndpoint]:
    return list(
        db.session.scalars(
            select(WebhookEndpoint)
            .where(*_owned(owner))
            .order_by(WebhookEndpoint.created_at.desc(), WebhookEndpoint.id.desc())
        )
    )


def _owned(owner: Owner) -> list[Any]:
    company = (
        WebhookEndpoint.company_id.is_(None)
        if owner.company_id is None
        else WebhookEndpoint.company_id == owner.company_id
    )
    return [WebhookEndpoint.tenant_id == owner.tenant_id, company]


def endpoint_of(owner: Owner, endpoint_id: int) -> WebhookEndpoint | None:
    """The owner's endpoint, or None (another owner's is not found)."""
    return db.session.scalar(
        select(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id, *_owned(owner))
    )


def check(entry: EndpointInput) -> EndpointInput:
    """The input cleaned, or EndpointRefused naming the field."""
    url = entry.url.strip()
    try:
        resolve(url, settings.allow_loopback())
    except AddressRefused as refused:
        raise EndpointRefused("url", str(refused)) from refused
    events = list(dict.fromkeys(entry.events))
    unknown = [e for e in events if e not in EVENT_TYPES]
    if unknown:
        raise EndpointRefused("events", _("Unknown event type: %(type)s.", type=unknown[0]))
    if not events:
        raise EndpointRefused("events", _("Choose at least one event."))
    description = entry.description.strip()
    if len(description) > MAX_DESCRIPTION or not description.isprintable():
        raise EndpointRefused(
            "description",
            _("Use at most %(count)d characters on one line.", count=MAX_DESCRIPTION),
        )
    return EndpointInput(url, [e for e in EVENT_TYPES if e in events], description)


def _json(endpoint: WebhookEndpoint) -> dict[str, Any]:
    return {"url": endpoint.url, "events": endpoint.events, "description": endpoint.description}


def create(owner: Owner, entry: EndpointInput, actor: User) -> WebhookEndpoint:
    """A new endpoint with a fresh secret (the caller shows it once)."""
    clean = check(entry)
    count = db.session.scalar(select(func.count(WebhookEndpoint.id)).where(*_owned(owner)))
    if (count or 0) >= MAX_ENDPOINTS:
        raise EndpointRefused(
            "url", _("At most %(count)d endpoints; delete one first.", count=MAX_ENDPOINTS)
        )
    endpoint = WebhookEndpoint(
        tenant_id=owner.tenant_id,
        company_id=owner.company_id,
        url=clean.url,
        description=clean.description or None,
        events=clean.events,
        secret=new_secret(),
        created_by=actor.id,
        created_at=datetime.now(UTC),
    )
    db.session.add(endpoint)
    db.session.flush()
    _audit("webhook_endpoint.created", endpoint, actor, after=_json(endpoint))
    return endpoint


def delete(endpoint: WebhookEndpoint, actor: User) -> None:
    """Remove the endpoint with its deliveries and their log."""
    _audit("webhook_endpoint.deleted", endpoint, actor, before=_json(endpoint))
    for delivery in db.session.scalars(
        select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)
    ):
        db.session.delete(delivery)
    db.session.delete(endpoint)


def rotate(endpoint: WebhookEndpoint, actor: User) -> str:
    """A new secret; the current one keeps signing beside it for 24 hours."""
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = datetime.now(UTC) + ROTATION_GRACE
    endpoint.secret = new_secret()
    _audit("webhook_endpoint.secret_rotated", endpoint, actor)
    return endpoint.secret


def enable(endpoint: WebhookEndpoint, actor: User) -> None:
    """Send to a disabled endpoint again (new events; old ones by redelivery)."""
    if endpoint.disabled_at is None:
        return
    before = {"disabled_reason": endpoint.disabled_reason}
    endpoint.disabled_at = None
    endpoint.disabled_reason = None
    _audit("webhook_endpoint.enabled", endpoint, actor, before=before, after={})


def test(endpoint: WebhookEndpoint) -> OutboundEvent:
    """A ``webhook.test`` event for this endpoint alone."""
    return send_test(endpoint)


def redeliver(delivery: WebhookDelivery) -> None:
    """A by-hand attempt soon after the commit, with the same ``webhook-id``."""
    enqueue(delivery.tenant_id, REDELIVER_TOPIC, {"delivery_id": delivery.id})


def delivery_of(endpoint: WebhookEndpoint, delivery_id: int) -> WebhookDelivery | None:
    return db.session.scalar(
        select(WebhookDelivery).where(
            WebhookDelivery.id == delivery_id, WebhookDelivery.endpoint_id == endpoint.id
        )
    )


@dataclass(frozen=True)
class DeliveryPage:
    items: list[WebhookDelivery]
    page: int
    pages: int
    total: int


def deliveries(endpoint: WebhookEndpoint, page: int, per_page: int = 20) -> DeliveryPage:
    """The endpoint's deliveries, newest first, a page at a time, with their events and
    attempts (the log shows both: loaded with the page, not once per row)."""
    where = WebhookDelivery.endpoint_id == endpoint.id
    total = db.session.scalar(select(func.count(WebhookDelivery.id)).where(where)) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    items = db.session.scalars(
        select(WebhookDelivery)
        .options(joinedload(WebhookDelivery.event), selectinload(WebhookDelivery.attempts))
        .where(where)
        .order_by(WebhookDelivery.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return DeliveryPage(list(items), page, pages, total)


def _audit(action: str, endpoint: WebhookEndpoint, actor: User, **values: Any) -> None:
    record(
        action,
        endpoint,
        label=endpoint.url,
        tenant_id=endpoint.tenant_id,
        company_id=endpoint.company_id,
        actor=actor,
        **values,
    )
