"""The webhook endpoint operations of the OpenAPI document: list, create (the secret
once), delete, rotate the secret (the new one once) and an endpoint's delivery log."""

from __future__ import annotations

from typing import Any

from apispec import APISpec

from channelfront.api.openapi_parts import COMMON, NO_HOST, error, ok
from channelfront.api.webhook_schemas import (
    MAX_ID,
    AttemptSchema,
    DeliveryPageSchema,
    DeliveryQuerySchema,
    DeliverySchema,
    EndpointListSchema,
    EndpointRequestSchema,
    EndpointSchema,
    EndpointWithSecretSchema,
)

SECURITY: list[dict[str, list[str]]] = [{"bearer": []}]
ADMINS_ONLY = "The token's user is neither a company administrator nor a distributor administrator"
NOT_FOUND = "No endpoint with this id for the token's company (or storefront); or no storefront"
ENDPOINT_ID = {
    "in": "path",
    "name": "endpoint_id",
    "required": True,
    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
    "example": 1,
}
EXAMPLE = {
    "url": "https://crm.example.com/hooks/channelfront",
    "events": ["order.placed", "deal.approved"],
    "description": "Our CRM",
}
CREATE = """\
Subscribes an endpoint to event types. A company administrator's token subscribes the
company's endpoints (they hear the company's events); a distributor administrator's
token the storefront's (they hear every event on it). The URL must be `https` and must
not resolve to a private, loopback, link-local or reserved address (`422` naming `url`).

The answer holds the endpoint's signing `secret` (`whsec_...`): it is shown only here.
Each delivery is a POST of `{"id", "type", "created", "data"}` with the Standard Webhooks
headers `webhook-id`, `webhook-timestamp` and `webhook-signature`; verify it with any
Standard Webhooks library and de-duplicate by `webhook-id` (delivery is at least once)."""
ROTATE = """\
A new signing secret, shown only in this answer. For 24 hours each delivery carries two
signatures (space-separated), one with the old secret and one with the new."""
DELIVERIES = """\
The endpoint's deliveries, newest first: each event's status (`pending` while retried,
`succeeded`, `failed` after 3 days of retries) and every attempt with the status code,
duration and the answer's first bytes."""


def _op(operation_id: str, summary: str, **extra: Any) -> dict[str, Any]:
    return {"operationId": operation_id, "summary": summary, "security": SECURITY, **extra}


def add_webhook_paths(spec: APISpec) -> None:
    """Register the webhook schemas and operations on the document."""
    for name, schema in (
        ("WebhookEndpointRequest", EndpointRequestSchema),
        ("WebhookEndpoint", EndpointSchema),
        ("WebhookEndpointWithSecret", EndpointWithSecretSchema),
        ("WebhookEndpointList", EndpointListSchema),
        ("WebhookAttempt", AttemptSchema),
        ("WebhookDelivery", DeliverySchema),
        ("WebhookDeliveryPage", DeliveryPageSchema),
    ):
        spec.components.schema(name, schema=schema)
    no_query = error("A query parameter was given (none exist); or a bad Host")
    spec.path(
        path="/webhooks",
        operations={
            "get": _op(
                "listWebhooks",
                "The webhook endpoints of the token's company (or storefront)",
                responses={
                    "200": ok("WebhookEndpointList"),
                    "400": no_query,
                    "404": NO_HOST,
                    **COMMON,
                    "403": error(ADMINS_ONLY),
                },
            ),
            "post": _op(
                "createWebhook",
                "Subscribe an endpoint; the answer shows its secret once",
                description=CREATE,
                requestBody={
                    "required": True,
                    "content": {
                        "application/json": {"schema": "WebhookEndpointRequest", "example": EXAMPLE}
                    },
                },
                responses={
                    "201": ok("WebhookEndpointWithSecret", "The endpoint, with its secret"),
                    "400": error("The body's shape, or a query parameter (none exist), is wrong"),
                    "404": NO_HOST,
                    "422": error("The URL is refused (not https, or not a public address)"),
                    **COMMON,
                    "403": error(ADMINS_ONLY),
                },
            ),
        },
    )
    spec.path(
        path="/webhooks/{endpoint_id}",
        operations={
            "delete": _op(
                "deleteWebhook",
                "Delete an endpoint and its delivery log",
                parameters=[ENDPOINT_ID],
                responses={
                    "204": {"description": "Deleted"},
                    "400": no_query,
                    "404": error(NOT_FOUND),
                    **COMMON,
                    "403": error(ADMINS_ONLY),
                },
            )
        },
    )
    spec.path(
        path="/webhooks/{endpoint_id}/rotate-secret",
        operations={
            "post": _op(
                "rotateWebhookSecret",
                "A new signing secret, shown once; the old one signs too for 24 hours",
                description=ROTATE,
                parameters=[ENDPOINT_ID],
                responses={
                    "200": ok("WebhookEndpointWithSecret", "The endpoint, with its new secret"),
                    "400": no_query,
                    "404": error(NOT_FOUND),
                    **COMMON,
                    "403": error(ADMINS_ONLY),
                },
            )
        },
    )
    spec.path(
        path="/webhooks/{endpoint_id}/deliveries",
        operations={
            "get": _op(
                "listWebhookDeliveries",
                "An endpoint's delivery log, newest first",
                description=DELIVERIES,
                parameters=[ENDPOINT_ID, {"in": "query", "schema": DeliveryQuerySchema}],
                responses={
                    "200": ok("WebhookDeliveryPage"),
                    "400": error("A query parameter is invalid, unknown or repeated; a bad Host"),
                    "404": error(NOT_FOUND),
                    **COMMON,
                    "403": error(ADMINS_ONLY),
                },
            )
        },
    )
