"""``/api/v1/orders``: place an order on the company account, read one, list the history.

Order of answers: 401 (token), 403 (no catalog here; a viewer placing an order),
400 (query, header or body shape), 200 for a key already used with the same body (the
first order, as it is now), 422 for a key already used with another body (IETF
Idempotency-Key draft), 422 (what the catalog, the customer list or the credit line
refuses; also a card that is not the company's), 402 (no card payments here, or the
card declined), 503 (placed, but Stripe could not be reached to charge it), then 201.
Reads answer 404 for an order or customer that is not the company's on this
storefront. Error messages are English.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import Response, jsonify, request, url_for
from flask_babel import force_locale, get_locale
from marshmallow import ValidationError

from channelfront.api import bp
from channelfront.api.approval_json import approval_json
from channelfront.api.auth import api_user, token_required
from channelfront.api.context import (
    load_query,
    no_catalog,
    partner_terms,
    query_args,
    require_terms,
    tenant_row,
)
from channelfront.api.errors import api_error, invalid_body, invalid_query
from channelfront.api.order_json import order_json, summary_json
from channelfront.api.order_output import OrderPageSchema, OrderSchema
from channelfront.api.order_placement import (
    CardsNotOffered,
    ChargeNotMade,
    checkout_request,
    place,
)
from channelfront.api.order_queries import (
    PER_PAGE,
    OrderDetail,
    customer_exists,
    order_detail,
    order_page,
)
from channelfront.api.order_schemas import OrderRequestSchema, valid_order_number
from channelfront.api.order_search import OrderListQuerySchema
from channelfront.api.schemas import NoQuerySchema
from channelfront.extensions import db
from channelfront.orders.checkout import IDEMPOTENCY_KEY, find_by_key
from channelfront.orders.errors import OrderInputError
from channelfront.orders.idempotency import conflicts, fingerprint
from channelfront.orders.models import Order, OrderStatus

ORDER_NOT_FOUND = "No order with this number for your company on this storefront."
READ_ONLY_ROLES = frozenset({"viewer"})
# Service field names as the API body spells them.
API_FIELDS = {"payment_method": "payment.payment_method", "idempotency_key": "Idempotency-Key"}
KEY_REUSED = "Already used with a different request body."
KEY_HELP = (
    "Send one key per order, 8 to 80 letters, digits or _ . : - (a UUID will do), "
    "and the same key again when you retry."
)


def order_body(detail: OrderDetail) -> dict[str, Any]:
    """The order as ``OrderSchema`` dumps it, with the approval steps it still waits for."""
    body: dict[str, Any] = OrderSchema().dump(
        {**order_json(detail), "approval": approval_json(detail.order.id)}
    )
    return body


def order_response(company_id: int, number: str, status: int = 200) -> Response:
    """The company's order as it is now (it was just placed, found or changed)."""
    detail = order_detail(company_id, number)
    assert detail is not None
    response = jsonify(order_body(detail))
    response.status_code = status
    return response


def _order_response(company_id: int, number: str, status: int, replayed: bool) -> Response:
    response = order_response(company_id, number, status)
    response.headers["Location"] = url_for("api.get_order", number=number)
    response.headers["Idempotent-Replayed"] = "true" if replayed else "false"
    return response


def _replay(company_id: int, order: Order, body_fingerprint: str) -> Response:
    """The order the key placed (200), or 422 when the key came with another body."""
    if conflicts(order, body_fingerprint):
        message = (
            f"This Idempotency-Key was already used for a different request, which placed "
            f"order {order.number}. Nothing was placed. Send a new key for a new order, "
            "and repeat a request exactly, key and body, to retry it."
        )
        return api_error(422, message, {"Idempotency-Key": [KEY_REUSED]})
    return _order_response(company_id, order.number, 200, replayed=True)


def _not_charged(exc: ChargeNotMade) -> Response:
    response = api_error(
        503,
        f"Order {exc.number} is placed but not paid: {exc.reason} "
        "Pay it from the order page; repeating this request does not charge.",
        {"payment": [exc.reason]},
    )
    response.headers["Location"] = url_for("api.get_order", number=exc.number)
    response.headers["Retry-After"] = "60"
    return response


def _declined(number: str, reason: str | None) -> Response:
    why = reason or "The card was declined."
    response = api_error(
        402,
        f"The card payment failed, so order {number} is placed but unpaid: {why}",
        {"payment.payment_method": [why]},
    )
    response.headers["Location"] = url_for("api.get_order", number=number)
    return response


@bp.post("/orders")
@token_required
def create_order() -> Response:
    terms = partner_terms()
    if terms is None:
        return no_catalog()
    actor = api_user()
    if actor.role in READ_ONLY_ROLES:
        return api_error(403, "Your role may read orders but not place them.")
    try:
        load_query(NoQuerySchema())
    except ValidationError as exc:
        return invalid_query(exc)
    key = request.headers.get("Idempotency-Key", "").strip()
    if not IDEMPOTENCY_KEY.match(key):
        return api_error(
            400, "A valid Idempotency-Key header is required.", {"Idempotency-Key": [KEY_HELP]}
        )
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return api_error(400, "Invalid request body.", {"body": ["Send a JSON object."]})
    try:
        data = OrderRequestSchema().load(body)
    except ValidationError as exc:
        return invalid_body(exc)
    company_id = terms.enrollment.company_id
    body_fingerprint = fingerprint(data)
    existing = find_by_key(company_id, key)
    if existing is not None:
        return _replay(company_id, existing, body_fingerprint)
    tenant = tenant_row()
    locale = str(get_locale())
    with force_locale("en"):
        try:
            checkout = replace(
                checkout_request(data, key, tenant), request_fingerprint=body_fingerprint
            )
            order, created = place(tenant, actor, terms, locale, checkout)
        except OrderInputError as exc:
            db.session.rollback()
            field = API_FIELDS.get(exc.field, exc.field)
            return api_error(422, exc.message, {field: [exc.message]})
        except CardsNotOffered:
            return api_error(
                402,
                "Card payments are not available on this storefront; pay on account.",
                {"payment.method": ["Card payments are not available on this storefront."]},
            )
        except ChargeNotMade as exc:
            return _not_charged(exc)
    if not created:  # a parallel request with this key placed it first
        return _replay(company_id, order, body_fingerprint)
    number = order.number
    if order.status == OrderStatus.PAYMENT_FAILED:
        return _declined(number, order.payment_error)
    return _order_response(company_id, number, 201, replayed=False)


# Not <path:>: /orders/<number>/withdraw is another resource (POST only), so a GET there
# answers 405 naming POST rather than "no such order".
@bp.get("/orders/<number>")
@token_required
def get_order(number: str) -> Response:
    terms = require_terms()
    query_args(NoQuerySchema())
    detail = None
    if valid_order_number(number):
        detail = order_detail(terms.enrollment.company_id, number.upper())
    if detail is None:
        return api_error(404, ORDER_NOT_FOUND)
    return jsonify(order_body(detail))


@bp.get("/orders")
@token_required
def list_orders() -> Response:
    terms = require_terms()
    args = query_args(OrderListQuerySchema())
    company_id = terms.enrollment.company_id
    if "customer" in args and not customer_exists(company_id, args["customer"]):
        return api_error(404, "No customer with this id in your customer list.")
    page = order_page(company_id, args, args.pop("page"))
    body = {
        "items": [summary_json(order) for order in page.orders],
        "page": page.page,
        "pages": page.pages,
        "per_page": PER_PAGE,
        "total": page.total,
    }
    return jsonify(OrderPageSchema().dump(body))
