"""``/api/v1/subscriptions``: the company's subscriptions (the tenant's, for finance staff).

Read only. Order of answers: 401 (token), 403 (a caller who reads none of these), 400
(query, naming the parameter), 404 (a subscription or company not in scope), then 200.
"""

from __future__ import annotations

from flask import Response, jsonify
from flask_babel import get_locale

from channelfront.api import bp
from channelfront.api.auth import token_required
from channelfront.api.context import query_args
from channelfront.api.errors import api_error
from channelfront.api.readonly_json import subscription_json
from channelfront.api.readonly_output import SubscriptionItemSchema, SubscriptionPageSchema
from channelfront.api.readonly_queries import PER_PAGE, subscription, subscription_page
from channelfront.api.readonly_schemas import MAX_ID, SubscriptionQuerySchema
from channelfront.api.readonly_scope import company_filter, read_scope
from channelfront.api.schemas import NoQuerySchema

NOT_FOUND = "No subscription with this id for you on this storefront."


@bp.get("/subscriptions")
@token_required
def list_subscriptions() -> Response:
    scope = read_scope()
    args = query_args(SubscriptionQuerySchema())
    args["company"] = company_filter(scope, args.get("company"))
    page = subscription_page(scope, args, str(get_locale()))
    body = {
        "items": [subscription_json(row) for row in page.items],
        "page": page.page,
        "pages": page.pages,
        "per_page": PER_PAGE,
        "total": page.total,
    }
    return jsonify(SubscriptionPageSchema().dump(body))


@bp.get("/subscriptions/<int:subscription_id>")
@token_required
def get_subscription(subscription_id: int) -> Response:
    scope = read_scope()
    query_args(NoQuerySchema())
    row = None
    if subscription_id <= MAX_ID:
        row = subscription(scope, subscription_id, str(get_locale()))
    if row is None:
        return api_error(404, NOT_FOUND)
    return jsonify(SubscriptionItemSchema().dump(subscription_json(row)))
