"""The OpenAPI 3 document, generated from the marshmallow schemas."""

from __future__ import annotations

from functools import cache
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Response, jsonify

from channelfront.api import bp
from channelfront.api.schemas import CatalogQuerySchema, ErrorSchema, ProductPageSchema, ProductSchema


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": "Error"}}}


def _ok(schema: str) -> dict[str, Any]:
    return {"description": "OK", "content": {"application/json": {"schema": schema}}}


@cache
def build_spec() -> dict[str, Any]:
    """The document served at ``/api/v1/openapi.json``."""
    spec = APISpec(
        title="Channelfront API",
        version="1.0.0",
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
        servers=[{"url": "/api/v1"}],
        info={"description": "Partner purchasing on a distributor's storefront host."},
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Error", schema=ErrorSchema)
    spec.components.schema("Product", schema=ProductSchema)
    spec.components.schema("ProductPage", schema=ProductPageSchema)
    common = {
        "401": _error("Missing or invalid bearer token"),
        "403": _error("The token's user has no catalog here"),
    }
    spec.path(
        path="/products",
        operations={
            "get": {
                "operationId": "listProducts",
                "summary": "The authorized catalog with buy prices",
                "security": [{"bearer": []}],
                "parameters": [{"in": "query", "schema": CatalogQuerySchema}],
                "responses": {
                    "200": _ok("ProductPage"),
                    "400": _error("A query parameter is invalid"),
                    **common,
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
                    {"in": "path", "name": "sku", "required": True, "schema": {"type": "string"}}
                ],
                "responses": {
                    "200": _ok("Product"),
                    "404": _error("Unknown or unauthorized SKU"),
                    **common,
                },
            }
        },
    )
    return spec.to_dict()


@bp.get("/openapi.json")
def openapi_document() -> Response:
    return jsonify(build_spec())
