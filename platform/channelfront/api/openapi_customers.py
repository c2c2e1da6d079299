"""The customers operations of the OpenAPI document."""

from __future__ import annotations

from typing import Any

from apispec import APISpec

from channelfront.api.customer_output import (
    CustomerOutSchema,
    CustomerPageSchema,
    MergeResultSchema,
)
from channelfront.api.customer_schemas import (
    CustomerChangeSchema,
    CustomerQuerySchema,
    MergeSchema,
    NewCustomerBodySchema,
)
from channelfront.api.openapi_parts import COMMON, NO_HOST, error, ok

SECURITY: list[dict[str, list[str]]] = [{"bearer": []}]
CUSTOMER_ID = {
    "in": "path",
    "name": "customer_id",
    "required": True,
    "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
    "example": 1,
}
WRITERS = {
    "403": error(
        "The token's user has no catalog on this storefront (not a reseller); or is a "
        "viewer, who may only read"
    )
}
NOT_FOUND = error("No such customer of the company on this storefront (or merged away)")


def _body(schema: str) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def _op(operation_id: str, summary: str, responses: dict[str, Any], **extra: Any) -> dict:
    return {
        "operationId": operation_id,
        "summary": summary,
        "security": SECURITY,
        "responses": {**COMMON, **responses},
        **extra,
    }


def _action(operation_id: str, summary: str) -> dict[str, Any]:
    return _op(
        operation_id,
        summary,
        {
            "200": ok("CustomerRecord"),
            "400": error("A query parameter was given (none exist); or a bad Host"),
            "404": NOT_FOUND,
            **WRITERS,
        },
        parameters=[CUSTOMER_ID],
    )


def add_customer_paths(spec: APISpec) -> None:
    """Register the customers schemas and operations on the document being built."""
    for name, schema in (
        ("CustomerRecord", CustomerOutSchema),
        ("CustomerPage", CustomerPageSchema),
        ("NewCustomerBody", NewCustomerBodySchema),
        ("MergeRequest", MergeSchema),
        ("MergeResult", MergeResultSchema),
    ):
        spec.components.schema(name, schema=schema)
    spec.components.schema("CustomerChange", {"minProperties": 1}, schema=CustomerChangeSchema)
    refused = error("A customer rule refuses a field (named); nothing is written")
    spec.path(
        path="/customers",
        operations={
            "get": _op(
                "listCustomers",
                "The company's end customers on this storefront, most recently used first",
                {
                    "200": ok("CustomerPage"),
                    "400": error("A query parameter is invalid, unknown or repeated; a bad Host"),
                    "404": NO_HOST,
                },
                parameters=[{"in": "query", "schema": CustomerQuerySchema}],
            ),
            "post": _op(
                "createCustomer",
                "Add an end customer to the company's list",
                {
                    "201": ok("CustomerRecord", "Created"),
                    "400": error("The body is not a valid customer (fields named)"),
                    "404": NO_HOST,
                    "422": refused,
                    **WRITERS,
                },
                requestBody=_body("NewCustomerBody"),
            ),
        },
    )
    spec.path(
        path="/customers/{customer_id}",
        operations={
            "get": _op(
                "getCustomer",
                "One of the company's end customers",
                {
                    "200": ok("CustomerRecord"),
                    "400": error("A query parameter was given (none exist); or a bad Host"),
                    "404": NOT_FOUND,
                },
                parameters=[CUSTOMER_ID],
            ),
            "patch": _op(
                "updateCustomer",
                "Change an end customer's fields (audited)",
                {
                    "200": ok("CustomerRecord"),
                    "400": error("The body is not a valid change (fields named)"),
                    "404": NOT_FOUND,
                    "422": refused,
                    **WRITERS,
                },
                parameters=[CUSTOMER_ID],
                requestBody=_body("CustomerChange"),
            ),
        },
    )
    spec.path(
        path="/customers/{customer_id}/merge",
        operations={
            "post": _op(
                "mergeCustomer",
                "Merge a duplicate into this customer (the path's customer survives)",
                {
                    "200": ok("MergeResult"),
                    "400": error("The body is not `{duplicate_id}`"),
                    "404": NOT_FOUND,
                    "422": error("`duplicate_id` is not another customer of the company"),
                    **WRITERS,
                },
                parameters=[CUSTOMER_ID],
                requestBody=_body("MergeRequest"),
            )
        },
    )
    spec.path(
        path="/customers/{customer_id}/archive",
        operations={"post": _action("archiveCustomer", "Archive: hidden from pickers")},
    )
    spec.path(
        path="/customers/{customer_id}/unarchive",
        operations={"post": _action("unarchiveCustomer", "Bring an archived customer back")},
    )
