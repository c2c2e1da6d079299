"""The OpenAPI 3 document, generated from the marshmallow schemas.

Everything but the list of category slugs is static and built once; the slugs are
the vendor's live categories, read on each request for the document.
"""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Response, jsonify

from channelfront.api import bp
from channelfront.api.openapi_approvals import add_approval_paths
from channelfront.api.openapi_customer_import import add_customer_import_paths
from channelfront.api.openapi_customers import add_customer_paths
from channelfront.api.openapi_deals import add_deal_paths
from channelfront.api.openapi_orders import add_order_paths
from channelfront.api.openapi_parts import COMMON, NO_HOST, error, ok
from channelfront.api.openapi_quotes import add_quote_paths
from channelfront.api.openapi_readonly import add_readonly_paths
from channelfront.api.openapi_users import add_user_paths
from channelfront.api.openapi_webhooks import add_webhook_paths
from channelfront.api.schemas import (
    MAX_SKU_LENGTH,
    CatalogQuerySchema,
    ErrorSchema,
    ProductPageSchema,
    ProductSchema,
)
from channelfront.catalog import services

DESCRIPTION = """\
Partner purchasing on a distributor's storefront: send requests to the storefront's
own host name. Authenticate with `Authorization: Bearer <token>`; a token is bound to
one user and one storefront (`flask api-token create EMAIL TENANT_SLUG`, or the
account's token page). Amounts are decimal strings in the storefront's currency.
Names are in the language of `Accept-Language` among those the storefront offers.
Every error is `{"error": {"status", "message", "errors": {field: [messages]}}}`.
"""


@cache
def _static_spec() -> dict[str, Any]:
    spec = APISpec(
        title="Channelfront API",
        version="1.0.0",
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
        servers=[{"url": "/api/v1"}],
        info={"description": DESCRIPTION},
    )
    spec.components.security_scheme(
        "bearer", {"type": "http", "scheme": "bearer", "bearerFormat": "cf_..."}
    )
    spec.components.schema("Error", schema=ErrorSchema)
    spec.components.schema("Product", schema=ProductSchema)
    spec.components.schema("ProductPage", schema=ProductPageSchema)
    spec.path(
        path="/products",
        operations={
            "get": {
                "operationId": "listProducts",
                "summary": "The authorized catalog with buy prices, a page at a time",
                "security": [{"bearer": []}],
                "parameters": [{"in": "query", "schema": CatalogQuerySchema}],
                "responses": {
                    "200": ok("ProductPage"),
                    "400": error("A query parameter is invalid, unknown or repeated; a bad Host"),
                    "404": NO_HOST,
                    **COMMON,
                },
            }
        },
    )
    spec.path(
        path="/products/{sku}",
        operations={
            "get": {
                "operationId": "getProduct",
                "summary": "One authorized product with its buy price",
                "security": [{"bearer": []}],
                "parameters": [
                    {
                        "in": "path",
                        "name": "sku",
                        "required": True,
                        "schema": {"type": "string", "minLength": 1, "maxLength": MAX_SKU_LENGTH},
                        "example": "SHD-ENT-1Y",
                    }
                ],
                "responses": {
                    "200": ok("Product"),
                    "400": error("A query parameter was given (none exist); or a bad Host"),
                    "404": error("Unknown SKU, or one this reseller may not buy here"),
                    **COMMON,
                },
            }
        },
    )
    add_order_paths(spec)
    add_user_paths(spec)
    add_approval_paths(spec)
    add_quote_paths(spec)
    add_deal_paths(spec)
    add_customer_paths(spec)
    add_webhook_paths(spec)
    add_customer_import_paths(spec)
    add_readonly_paths(spec)
    return spec.to_dict()


def build_spec() -> dict[str, Any]:
    """The document served at ``/api/v1/openapi.json``, with the live category slugs."""
    document = copy.deepcopy(_static_spec())
    slugs = sorted(slug for slug, _name in services.category_names("en").values())
    for parameter in document["paths"]["/products"]["get"]["parameters"]:
        if parameter["name"] == "category":
            parameter["schema"]["enum"] = slugs
    return document


@bp.get("/openapi.json")
def openapi_document() -> Response:
    return jsonify(build_spec())
