"""The deal registration operations of the OpenAPI document: a reseller's CRM registers
deals and reads them back; the storefront's deciding staff approve or decline them."""

from __future__ import annotations

from typing import Any

from apispec import APISpec

from channelfront.api.deal_output import (
    DealCompanySchema,
    DealEventSchema,
    DealLineSchema,
    DealPageSchema,
    DealSchema,
)
from channelfront.api.deal_schemas import (
    DEAL_ID_MAX,
    DealDecisionSchema,
    DealLineInputSchema,
    DealQuerySchema,
    DealRequestSchema,
)
from channelfront.api.openapi_parts import COMMON, NO_HOST, error, ok

SECURITY: list[dict[str, list[str]]] = [{"bearer": []}]
READERS = (
    "The token's user is neither a reseller enrolled here nor one of its partner managers "
    "or distributor admins"
)
WRITERS = "The token's user is not a reseller enrolled here, or may only read (viewer)"
DECIDERS = "The token's user is not a partner manager or distributor admin of this storefront"
NOT_FOUND = "No deal with this id for the caller on this storefront; or no storefront here"
DEAL_ID = {
    "in": "path",
    "name": "deal_id",
    "required": True,
    "schema": {"type": "integer", "minimum": 1, "maximum": DEAL_ID_MAX},
    "example": 1,
}
EXAMPLE_DEAL = {
    "external_id": "006Dn000004XyZa",
    "end_customer": {
        "company_name": "Acme Corp",
        "contact_name": "Ada Acme",
        "email": "ada@acme.example",
        "country": "US",
        "vat_id": "US123456789",
    },
    "lines": [{"sku": "SHD-STD-1Y", "quantity": 50}],
    "expected_value": "25000.00",
    "expected_close": "2026-12-31",
    "competitor": "Contoso",
    "crm_account_id": "001Dn00000ABCde",
    "crm_opportunity_id": "006Dn000004XyZa",
}
REGISTER = """\
Registers an opportunity with the distributor: an end customer (existing, or new to the
company's customer list), the products you are authorized for with quantities, the
expected value and close date. It waits (`pending`) for a partner manager. Another
reseller's live deal for the same end customer and a shared product is listed in
`conflict_deal_ids` and shown to the staff. `external_id` (your CRM's id) is unique per
company: a repeat is `409`. `crm_account_id` defaults to the customer's CRM account id.
The ids travel onto the quote and order made from the deal, so your CRM can match them."""
DECIDE = """\
Approve (the reseller is protected for the program's protection days: `protected_until`)
or decline (with a `reason`). The reseller is mailed and `deal.approved` or
`deal.declined` webhooks carry the deal. `409` when it is decided already."""


def _operation(operation_id: str, summary: str, **extra: Any) -> dict[str, Any]:
    return {"operationId": operation_id, "summary": summary, "security": SECURITY, **extra}


def _body(schema: str, example: dict[str, Any]) -> dict[str, Any]:
    return {
        "required": True,
        "content": {"application/json": {"schema": schema, "example": example}},
    }


def add_deal_paths(spec: APISpec) -> None:
    """Register the deal schemas and operations on the document."""
    for name, schema in (
        ("DealLineInput", DealLineInputSchema),
        ("DealRequest", DealRequestSchema),
        ("DealLine", DealLineSchema),
        ("DealCompany", DealCompanySchema),
        ("DealEvent", DealEventSchema),
        ("Deal", DealSchema),
        ("DealPage", DealPageSchema),
        ("DealDecision", DealDecisionSchema),
    ):
        spec.components.schema(name, schema=schema)
    spec.path(
        path="/deals",
        operations={
            "post": _operation(
                "registerDeal",
                "Register a deal (an opportunity with one end customer)",
                description=REGISTER,
                requestBody=_body("DealRequest", EXAMPLE_DEAL),
                responses={
                    "201": ok(
                        "Deal",
                        "Registered, waiting for a decision",
                        headers={
                            "Location": {
                                "description": "The deal's address in this API",
                                "required": True,
                                "schema": {"type": "string"},
                            }
                        },
                        links={
                            "GetDealById": {
                                "operationId": "getDeal",
                                "parameters": {"deal_id": "$response.body#/id"},
                            }
                        },
                    ),
                    "400": error("The body's shape, or a query parameter (none exist), is wrong"),
                    "404": NO_HOST,
                    "409": error("The company registered a deal with this external_id already"),
                    "422": error(
                        "Refused by the catalog, the customer list, the date or the amount, "
                        "naming the field; nothing written"
                    ),
                    **COMMON,
                    "403": error(WRITERS),
                },
            ),
            "get": _operation(
                "listDeals",
                "Deals, newest first: the company's, or every reseller's for deciding staff",
                parameters=[{"in": "query", "schema": DealQuerySchema}],
                responses={
                    "200": ok("DealPage"),
                    "400": error("A query parameter is invalid, unknown or repeated"),
                    "404": NO_HOST,
                    **COMMON,
                    "403": error(READERS),
                },
            ),
        },
    )
    spec.path(
        path="/deals/{deal_id}",
        operations={
            "get": _operation(
                "getDeal",
                "One deal with its lines, CRM ids, documents and timeline",
                parameters=[DEAL_ID],
                responses={
                    "200": ok("Deal"),
                    "400": error("A query parameter was given (none exist)"),
                    "404": error(NOT_FOUND),
                    **COMMON,
                    "403": error(READERS),
                },
            )
        },
    )
    spec.path(
        path="/deals/{deal_id}/decision",
        operations={
            "post": _operation(
                "decideDeal",
                "Approve or decline a pending deal (deciding staff only)",
                description=DECIDE,
                parameters=[DEAL_ID],
                requestBody=_body("DealDecision", {"decision": "approve", "reason": ""}),
                responses={
                    "200": ok("Deal", "Decided"),
                    "400": error("The body's shape, or a query parameter (none exist), is wrong"),
                    "404": error(NOT_FOUND),
                    "409": error("The deal is decided already"),
                    "422": error("A decline without a reason; nothing written"),
                    **COMMON,
                    "403": error(DECIDERS),
                },
            )
        },
    )
