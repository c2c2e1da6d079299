"""The order, credit and customer operations of the OpenAPI document."""

from __future__ import annotations

from typing import Any

from apispec import APISpec

from channelfront.api.openapi_parts import COMMON, NO_HOST, error, ok
from channelfront.api.order_output import (
    CreditSchema,
    CustomerListSchema,
    OrderPageSchema,
    OrderSchema,
)
from channelfront.api.order_schemas import (
    IDEMPOTENCY_KEY_PATTERN,
    MAX_ORDER_NUMBER_LENGTH,
    ORDER_NUMBER_PATTERN,
    CardPaymentSchema,
    CustomerRefSchema,
    NewCustomerSchema,
    OnAccountPaymentSchema,
    OrderRequestSchema,
)
from channelfront.api.order_search import OrderListQuerySchema

SECURITY = [{"bearer": []}]

CREATE_DESCRIPTION = """\
Places an order under the company account, at today's buy prices, for an end customer:
an existing one (`{"id": ...}` from `GET /customers`) or a new one, which joins the
company's customer list. Pay on account (within the available credit, and only while
no invoice is overdue: see `GET /credit`) or by one of the company's saved cards.

**Idempotency-Key is required.** Send a fresh key (a UUID will do) for every new order,
and the same key with the same body when you retry. A retry answers `200` with the order
the key placed, as it is now, and header `Idempotent-Replayed: true`. A key the company
has already used with a different body (compared after parsing: key order and spacing
do not count) answers `422` naming the `Idempotency-Key` and places nothing, as the
IETF Idempotency-Key draft asks. So a reused key never places a second order, and never
passes off the first order as the answer to another request. A new order answers `201`,
`Idempotent-Replayed: false`.

On account, the order is accepted at once and fulfilled by a background task: the
license keys, subscriptions and invoice appear on `GET /orders/{number}` (or already
in this answer when the storefront fulfils in-process).

Card: `402` when this storefront takes no card payments (nothing is written) or when
the card is declined (the order stays `payment_failed`, the reason in `payment.error`;
see `Location`). `503` with `Location` when Stripe could not be reached to charge a
placed order: it stays unpaid, and repeating the request does not charge it.

Bad input writes nothing: `400` names the header or body field whose shape is wrong,
`422` the one the catalog, the customer list or the credit line refuses (an unknown or
unauthorized SKU, a wrong term, another company's customer, a card that is not the
company's, an order over the available credit)."""

ORDER_HEADERS = {
    "Location": {
        "description": "The order's address in this API",
        "required": True,
        "schema": {"type": "string"},
    },
    "Idempotent-Replayed": {
        "description": "`true` when the key had already placed this order",
        "required": True,
        "schema": {"type": "string", "enum": ["true", "false"]},
    },
}
LOCATION = {"Location": ORDER_HEADERS["Location"]}

EXAMPLE_ORDER = {
    "lines": [
        {"sku": "SHD-STD-1Y", "quantity": 2, "term": 12},
        {"sku": "INS-PERP", "quantity": 1},
    ],
    "end_customer": {
        "company_name": "Acme Corp",
        "contact_name": "Ada Acme",
        "email": "ada@acme.example",
        "country": "US",
    },
    "po_number": "PO-2026-117",
    "note": "Deliver the keys to Ada.",
    "notify_end_customer": False,
    "payment": {"method": "on_account"},
}

NUMBER_PARAMETER = {
    "in": "path",
    "name": "number",
    "required": True,
    "schema": {
        "type": "string",
        "minLength": 1,
        "maxLength": MAX_ORDER_NUMBER_LENGTH,
        "pattern": ORDER_NUMBER_PATTERN,
    },
    "example": "NW-000001",
}


def _create_order() -> dict[str, Any]:
    return {
        "operationId": "createOrder",
        "summary": "Place an order on the company account",
        "description": CREATE_DESCRIPTION,
        "security": SECURITY,
        "parameters": [
            {
                "in": "header",
                "name": "Idempotency-Key",
                "required": True,
                "description": (
                    "One key per order; the same key, with the same body, when retrying."
                ),
                "schema": {
                    "type": "string",
                    "minLength": 8,
                    "maxLength": 80,
                    "pattern": IDEMPOTENCY_KEY_PATTERN,
                },
                "example": "5b0c8a1e-3c1f-4f38-9d7e-2f4f0e6c1a77",
            }
        ],
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": "OrderRequest", "example": EXAMPLE_ORDER}},
        },
        "responses": {
            "201": ok(
                "Order",
                "The order was placed",
                headers=ORDER_HEADERS,
                links={
                    "GetOrderByNumber": {
                        "operationId": "getOrder",
                        "parameters": {"number": "$response.body#/number"},
                    }
                },
            ),
            "200": ok("Order", "The key had already placed this order", headers=ORDER_HEADERS),
            "400": error(
                "The Idempotency-Key header, the body's shape, or a query parameter "
                "(none exist) is wrong; or a bad Host"
            ),
            "402": error(
                "Card: this storefront takes no card payments, or the card was declined "
                "(the order stays unpaid; see Location)",
                headers={"Location": {**LOCATION["Location"], "required": False}},
            ),
            "403": error(
                "No catalog on this storefront (not a reseller), or a role that may only read"
            ),
            "404": NO_HOST,
            "422": error(
                "Refused by the catalog, the customer list or the credit line; or the "
                "Idempotency-Key was already used with a different body. Nothing written"
            ),
            "401": COMMON["401"],
            "503": error(
                "The storefront is suspended; or the order is placed but Stripe could not "
                "be reached to charge it (see Location)"
            ),
        },
    }


def _read(operation_id: str, summary: str, schema: str, **extra: Any) -> dict[str, Any]:
    responses = {
        "200": ok(schema),
        "400": error("A query parameter is invalid, unknown or repeated; or a bad Host"),
        "404": extra.pop("not_found", NO_HOST),
        **COMMON,
    }
    return {
        "operationId": operation_id,
        "summary": summary,
        "security": SECURITY,
        "responses": responses,
        **extra,
    }


def add_order_paths(spec: APISpec) -> None:
    """Register the order schemas and operations on the document being built."""
    for name, schema in (
        ("CustomerRef", CustomerRefSchema),
        ("NewCustomer", NewCustomerSchema),
        ("OnAccountPayment", OnAccountPaymentSchema),
        ("CardPayment", CardPaymentSchema),
        ("OrderRequest", OrderRequestSchema),
        ("Order", OrderSchema),
        ("OrderPage", OrderPageSchema),
        ("Credit", CreditSchema),
        ("CustomerList", CustomerListSchema),
    ):
        spec.components.schema(name, schema=schema)
    spec.path(
        path="/orders",
        operations={
            "post": _create_order(),
            "get": _read(
                "listOrders",
                "The company's orders on this storefront, newest first, filtered",
                "OrderPage",
                parameters=[{"in": "query", "schema": OrderListQuerySchema}],
                not_found=error(
                    "`customer` is not in the company's customer list; or no "
                    "storefront answers at this host"
                ),
            ),
        },
    )
    spec.path(
        path="/orders/{number}",
        operations={
            "get": _read(
                "getOrder",
                "One of the company's orders: lines, timeline, licenses, invoice",
                "Order",
                parameters=[NUMBER_PARAMETER],
                not_found=error("No order with this number for the company on this storefront"),
            )
        },
    )
    spec.path(
        path="/credit",
        operations={
            "get": _read("getCredit", "The company's line of credit on this storefront", "Credit")
        },
    )
