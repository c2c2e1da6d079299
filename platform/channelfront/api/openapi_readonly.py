"""The read-only operations of the OpenAPI document: subscriptions, invoices, statements."""

from __future__ import annotations

from typing import Any

from apispec import APISpec

from channelfront.api.openapi_parts import COMMON, NO_HOST, error, ok
from channelfront.api.readonly_output import (
    InvoiceDetailSchema,
    InvoicePageSchema,
    StatementDetailSchema,
    StatementPageSchema,
    SubscriptionItemSchema,
    SubscriptionPageSchema,
)
from channelfront.api.readonly_schemas import (
    MAX_ID,
    InvoiceQuerySchema,
    StatementLinesQuerySchema,
    StatementQuerySchema,
    SubscriptionQuerySchema,
)

SECURITY = [{"bearer": []}]
FORBIDDEN = error(
    "A partner manager's token (staff read these as admin or finance), or a reseller "
    "not enrolled here"
)
SCOPE = (
    "A reseller token reads its company's rows on this storefront; a distributor admin's "
    "or finance token reads every company's rows of the storefront, each naming its company."
)


def _id(name: str) -> dict[str, Any]:
    return {
        "in": "path",
        "name": name,
        "required": True,
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
        "example": 1,
    }


def _read(
    operation_id: str,
    summary: str,
    schema: str,
    parameters: list[dict[str, Any]],
    not_found: str | None = None,
    forbidden: dict[str, Any] = FORBIDDEN,
    description: str = SCOPE,
) -> dict[str, Any]:
    return {
        "operationId": operation_id,
        "summary": summary,
        "description": description,
        "security": SECURITY,
        "parameters": parameters,
        "responses": {
            "200": ok(schema),
            "400": error("A query parameter is invalid, unknown or repeated; or a bad Host"),
            "404": error(f"{not_found}; or no storefront answers at this host")
            if not_found
            else NO_HOST,
            **COMMON,
            "403": forbidden,
        },
    }


STATEMENTS = (
    "Closed incentive statements. A reseller token (buyer, approver, company admin) reads "
    "its company's commissions; a distributor admin's or finance token reads the "
    "distributor's own statements. Open periods are not listed."
)
STATEMENT_FORBIDDEN = error("A reseller viewer, a partner manager, or a reseller not enrolled here")


def add_readonly_paths(spec: APISpec) -> None:
    """Register the read-only schemas and operations on the document being built."""
    for name, schema in (
        ("SubscriptionItem", SubscriptionItemSchema),
        ("SubscriptionPage", SubscriptionPageSchema),
        ("InvoiceDetail", InvoiceDetailSchema),
        ("InvoicePage", InvoicePageSchema),
        ("StatementDetail", StatementDetailSchema),
        ("StatementPage", StatementPageSchema),
    ):
        spec.components.schema(name, schema=schema)
    company = "`company` is not a reseller company in scope"
    spec.path(
        path="/subscriptions",
        operations={
            "get": _read(
                "listSubscriptions",
                "Subscriptions, those renewing first",
                "SubscriptionPage",
                [{"in": "query", "schema": SubscriptionQuerySchema}],
                company,
            )
        },
    )
    spec.path(
        path="/subscriptions/{subscription_id}",
        operations={
            "get": _read(
                "getSubscription",
                "One subscription",
                "SubscriptionItem",
                [_id("subscription_id")],
                "No subscription with this id in scope",
            )
        },
    )
    spec.path(
        path="/invoices",
        operations={
            "get": _read(
                "listInvoices",
                "Invoices, newest first",
                "InvoicePage",
                [{"in": "query", "schema": InvoiceQuerySchema}],
                company,
            )
        },
    )
    spec.path(
        path="/invoices/{number}",
        operations={
            "get": _read(
                "getInvoice",
                "One invoice with its lines",
                "InvoiceDetail",
                [
                    {
                        "in": "path",
                        "name": "number",
                        "required": True,
                        "schema": {"type": "string", "minLength": 1, "maxLength": 20},
                        "example": "NW-INV-000001",
                    }
                ],
                "No invoice with this number in scope",
            )
        },
    )
    spec.path(
        path="/statements",
        operations={
            "get": _read(
                "listStatements",
                "Closed incentive statements, newest period first",
                "StatementPage",
                [{"in": "query", "schema": StatementQuerySchema}],
                "`program` is no published program here",
                STATEMENT_FORBIDDEN,
                STATEMENTS,
            )
        },
    )
    spec.path(
        path="/statements/{statement_id}",
        operations={
            "get": _read(
                "getStatement",
                "One closed statement with a page of its lines",
                "StatementDetail",
                [_id("statement_id"), {"in": "query", "schema": StatementLinesQuerySchema}],
                "No closed statement with this id for the caller",
                STATEMENT_FORBIDDEN,
                STATEMENTS,
            )
        },
    )
