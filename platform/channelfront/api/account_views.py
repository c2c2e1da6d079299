"""``/api/v1/credit``: the company's credit line (``/customers`` is in customer_views)."""

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
from channelfront.api.order_json import credit_json
from channelfront.api.order_output import CreditSchema
from channelfront.api.schemas import NoQuerySchema
from channelfront.orders.credit import credit_status


@bp.get("/credit")
@token_required
def get_credit() -> Response:
    terms = require_terms()
    query_args(NoQuerySchema())
    today = datetime.now(UTC).date()
    credit = credit_status(terms.enrollment, tenant_info().currency, today)
    return jsonify(CreditSchema().dump(credit_json(credit)))
