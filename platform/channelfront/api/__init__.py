"""The JSON API under ``/api/v1``, documented by an OpenAPI 3 document built from its schemas."""

from __future__ import annotations

from flask import Blueprint

from channelfront.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

from channelfront.api import (  # noqa: E402, F401  (routes register on import)
    account_views,
    approval_views,
    customer_import_views,
    customer_views,
    deal_views,
    invoice_views,
    openapi,
    order_views,
    quote_views,
    special_price_views,
    statement_views,
    subscription_views,
    user_views,
    views,
    webhook_views,
    withdraw_views,
)
