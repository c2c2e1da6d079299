"""The body and headers of a webhook, as the Standard Webhooks specification says."""

from __future__ import annotations

import base64
import json
import secrets
from datetime import UTC, datetime

from standardwebhooks import Webhook

from channelfront.webhooks.models import OutboundEvent, WebhookEndpoint

SECRET_PREFIX = "whsec_"  # noqa: S105  (the format's prefix, not a secret)


def new_secret() -> str:
    """``whsec_`` plus base64 of 24 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def aware(moment: datetime) -> datetime:
    """SQLite gives naive datetimes back; they are UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def body_of(event: OutboundEvent) -> bytes:
    """``{"id", "type", "created", "data"}``, serialized once: these bytes are signed and sent."""
    created = aware(event.created_at).astimezone(UTC).isoformat(timespec="seconds")
    document = {
        "id": event.public_id,
        "type": event.type,
        "created": created.replace("+00:00", "Z"),
        "data": event.data,
    }
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()


def signing_secrets(endpoint: WebhookEndpoint, now: datetime) -> list[str]:
    """The current secret, and the previous one while its rotation grace lasts."""
    found = [endpoint.secret]
    expires = endpoint.previous_secret_expires_at
    if endpoint.previous_secret and expires is not None and aware(expires) > now:
        found.append(endpoint.previous_secret)
    return found


def headers_for(
    endpoint: WebhookEndpoint, event_id: str, body: bytes, now: datetime
) -> dict[str, str]:
    """``webhook-id``, ``webhook-timestamp`` and ``webhook-signature`` (space-separated
    signatures during a rotation)."""
    signatures = [
        Webhook(secret).sign(event_id, now, body) for secret in signing_secrets(endpoint, now)
    ]
    return {
        "webhook-id": event_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": " ".join(signatures),
    }
