"""``/api/v1/webhooks``: a company admin's token manages the company's endpoints, a
distributor admin's token the tenant's. The secret is in the answer of a create and of
a rotation, and nowhere else.

Order of answers: 401 (token), 403 (any other role), 404 (an endpoint of another owner),
400 (query or body shape, naming the field), 422 (a URL the SSRF rules refuse, naming
``url``; nothing written), then 200, 201 or 204. Error messages are English.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Response, jsonify, url_for
from flask_babel import force_locale

from channelfront.accounts.models import UserKind
from channelfront.api import bp
from channelfront.api.auth import api_user, token_required
from channelfront.api.context import query_args, tenant_info
from channelfront.api.errors import api_error, load_body
from channelfront.api.schemas import NoQuerySchema
from channelfront.api.webhook_schemas import (
    DeliveryPageSchema,
    DeliveryQuerySchema,
    EndpointListSchema,
    EndpointRequestSchema,
    EndpointWithSecretSchema,
)
from channelfront.extensions import db
from channelfront.outbox.services import commit_and_dispatch
from channelfront.webhooks import services
from channelfront.webhooks.models import WebhookDelivery, WebhookEndpoint
from channelfront.webhooks.services import EndpointInput, EndpointRefused, Owner
from channelfront.webhooks.signing import aware

NOT_ALLOWED = (
    "Webhooks are managed by a company administrator (the company's) or a distributor"
    " administrator (the storefront's)."
)
NOT_FOUND = "No webhook endpoint with this id for you on this storefront."


def _owner() -> Owner | None:
    user = api_user()
    tenant_id = tenant_info().id
    if user.kind == UserKind.RESELLER and user.company_id and user.role == "company_admin":
        return Owner(tenant_id, user.company_id)
    if user.kind == UserKind.DISTRIBUTOR and user.role == "distributor_admin":
        return Owner(tenant_id, None)
    return None


def _when(moment: datetime | None) -> datetime | None:
    return aware(moment) if moment is not None else None


def endpoint_json(endpoint: WebhookEndpoint) -> dict[str, Any]:
    return {
        "id": endpoint.id,
        "url": endpoint.url,
        "description": endpoint.description,
        "events": list(endpoint.events or []),
        "owner": "tenant" if endpoint.company_id is None else "company",
        "disabled_at": _when(endpoint.disabled_at),
        "disabled_reason": endpoint.disabled_reason,
        "created_at": _when(endpoint.created_at),
    }


def delivery_json(delivery: WebhookDelivery) -> dict[str, Any]:
    return {
        "id": delivery.id,
        "event_id": delivery.event.public_id,
        "type": delivery.event.type,
        "status": delivery.status,
        "attempt_count": delivery.attempt_count,
        "next_attempt_at": _when(delivery.next_attempt_at),
        "delivered_at": _when(delivery.delivered_at),
        "attempts": [
            {
                "at": _when(a.at),
                "status_code": a.status_code,
                "duration_ms": a.duration_ms,
                "response_head": a.response_head,
                "error": a.error,
                "manual": a.manual,
            }
            for a in delivery.attempts
        ],
    }


def _find(owner: Owner, endpoint_id: int) -> WebhookEndpoint | None:
    if not 0 < endpoint_id < 2**31:
        return None
    return services.endpoint_of(owner, endpoint_id)


@bp.get("/webhooks")
@token_required
def list_webhooks() -> Response:
    owner = _owner()
    if owner is None:
        return api_error(403, NOT_ALLOWED)
    query_args(NoQuerySchema())
    items = [endpoint_json(e) for e in services.endpoints_of(owner)]
    return jsonify(EndpointListSchema().dump({"items": items}))


@bp.post("/webhooks")
@token_required
def create_webhook() -> Response:
    owner = _owner()
    if owner is None:
        return api_error(403, NOT_ALLOWED)
    query_args(NoQuerySchema())
    data = load_body(EndpointRequestSchema())
    if isinstance(data, Response):
        return data
    entry = EndpointInput(str(data["url"]), list(data["events"]), str(data["description"]))  # type: ignore[call-overload]
    with force_locale("en"):
        try:
            endpoint = services.create(owner, entry, api_user())
        except EndpointRefused as refused:
            db.session.rollback()
            return api_error(422, refused.message, {refused.field: [refused.message]})
    body = EndpointWithSecretSchema().dump({**endpoint_json(endpoint), "secret": endpoint.secret})
    endpoint_id = endpoint.id
    commit_and_dispatch()
    response = jsonify(body)
    response.status_code = 201
    response.headers["Location"] = url_for("api.webhook_deliveries", endpoint_id=endpoint_id)
    return response


@bp.delete("/webhooks/<int:endpoint_id>")
@token_required
def delete_webhook(endpoint_id: int) -> Response:
    owner = _owner()
    if owner is None:
        return api_error(403, NOT_ALLOWED)
    query_args(NoQuerySchema())
    endpoint = _find(owner, endpoint_id)
    if endpoint is None:
        return api_error(404, NOT_FOUND)
    services.delete(endpoint, api_user())
    commit_and_dispatch()
    return Response(status=204)


@bp.post("/webhooks/<int:endpoint_id>/rotate-secret")
@token_required
def rotate_webhook_secret(endpoint_id: int) -> Response:
    owner = _owner()
    if owner is None:
        return api_error(403, NOT_ALLOWED)
    query_args(NoQuerySchema())
    endpoint = _find(owner, endpoint_id)
    if endpoint is None:
        return api_error(404, NOT_FOUND)
    secret = services.rotate(endpoint, api_user())
    body = EndpointWithSecretSchema().dump({**endpoint_json(endpoint), "secret": secret})
    commit_and_dispatch()
    return jsonify(body)


@bp.get("/webhooks/<int:endpoint_id>/deliveries")
@token_required
def webhook_deliveries(endpoint_id: int) -> Response:
    owner = _owner()
    if owner is None:
        return api_error(403, NOT_ALLOWED)
    args = query_args(DeliveryQuerySchema())
    endpoint = _find(owner, endpoint_id)
    if endpoint is None:
        return api_error(404, NOT_FOUND)
    page = services.deliveries(endpoint, int(args["page"]))
    body = {
        "items": [delivery_json(d) for d in page.items],
        "page": page.page,
        "pages": page.pages,
        "total": page.total,
    }
    return jsonify(DeliveryPageSchema().dump(body))
