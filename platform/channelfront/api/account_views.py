"""``/api/v1/credit`` and ``/api/v1/customers``: the company's credit line and end customers."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Response, jsonify

from channelfront.api import bp
from channelfront.api.auth import token_required
from channelfront.api.context import (
    query_args,
    require_terms,
    tenant_info,
)
from channelfront.api.order_json import credit_json, customer_json
from channelfront.api.order_output import CreditSchema, CustomerListSchema
from channelfront.api.order_schemas import CustomerQuerySchema
from channelfront.api.schemas import NoQuerySchema
from channelfront.customers import services as customers
from channelfront.orders.credit import credit_status


@bp.get("/credit")
@token_required
def get_credit() -> Response:
    terms = require_terms()
    query_args(NoQuerySchema())
    today = datetime.now(UTC).date()
    credit = credit_status(terms.enrollment, tenant_info().currency, today)
    return jsonify(CreditSchema().dump(credit_json(credit)))


@bp.get("/customers")
@token_required
def list_customers() -> Response:
    terms = require_terms()
    args = query_args(CustomerQuerySchema())
    found = customers.search(terms.enrollment.company_id, args["q"], limit=args["limit"])
    return jsonify(CustomerListSchema().dump({"items": [customer_json(c) for c in found]}))
