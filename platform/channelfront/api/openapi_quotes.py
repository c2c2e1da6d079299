"""The quote and special price operations of the OpenAPI document: a reseller's quotes
(create, list, read, send to the end customer, ask for a special price on a line) and the
distributor staff's queue of special price requests and their decisions."""

from __future__ import annotations

from typing import Any

from apispec import APISpec

from channelfront.api.openapi_parts import COMMON, NO_HOST, error, ok
from channelfront.api.quote_output import (
    QuotePageSchema,
    QuoteSchema,
    QuoteSentSchema,
    SpecialPricePageSchema,
    SpecialPriceSchema,
)
from channelfront.api.quote_schemas import (
    MAX_ID,
    MAX_QUOTE_NUMBER_LENGTH,
    QUOTE_NUMBER_PATTERN,
    PricingSchema,
    QuoteLineInputSchema,
    QuoteQuerySchema,
    QuoteRequestSchema,
    SpecialDecisionSchema,
    SpecialPriceQuerySchema,
    SpecialPriceRequestSchema,
)

SECURITY: list[dict[str, list[str]]] = [{"bearer": []}]
NO_QUERY = "A query parameter was given (none exist); or a bad Host"
NOT_A_RESELLER = "The token's user is not a reseller enrolled here"
WRITERS_ONLY = f"{NOT_A_RESELLER}; or has a role that may only read (viewer)"
STAFF_ONLY = (
    "The token's user is not a partner manager or distributor admin of this storefront "
    "(resellers, finance staff)"
)
NOT_FOUND = "No quote with this number for the company on this storefront; or no storefront here"

EXAMPLE_QUOTE = {
    "end_customer": {
        "company_name": "Acme Corp",
        "contact_name": "Ada Acme",
        "email": "ada@acme.example",
        "country": "US",
    },
    "lines": [{"sku": "SHD-STD-1Y", "quantity": 5}, {"sku": "INS-PERP", "quantity": 1}],
    "pricing": {"mode": "markup", "percent": "12.5"},
    "language": "en",
    "note": "As discussed on the phone.",
    "license_to_customer": True,
}
EXAMPLE_SPECIAL_PRICE = {
    "line": "SHD-STD-1Y",
    "discount_percent": "10",
    "justification": "A competing offer from another vendor.",
}
EXAMPLE_DECISION = {"decision": "approve", "comment": "Approved for this deal."}

QUOTE_NUMBER = {
    "in": "path",
    "name": "number",
    "required": True,
    "schema": {
        "type": "string",
        "minLength": 1,
        "maxLength": MAX_QUOTE_NUMBER_LENGTH,
        "pattern": QUOTE_NUMBER_PATTERN,
    },
    "example": "NW-Q-000001",
}
SPECIAL_PRICE_ID = {
    "in": "path",
    "name": "special_price_id",
    "required": True,
    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
    "example": 1,
}

CREATE = """\
A draft quote for an end customer at your resale prices: an existing customer
(`{"id": ...}` from `GET /customers`) or a new one, which joins the company's customer
list. Each line's resale price is its `resale_price`, or the list price when it has
none; or `pricing` prices every line at once, as a markup percent on your buy price or
a discount percent off list (then no line may carry a `resale_price`).

The answer shows what only you see: per line and in total, the buy price, the resale
price and the margin. Send it with `POST /quotes/{number}/send`.

Bad input writes nothing: `400` names the body field whose shape is wrong
(`lines[0].quantity`), `422` the one the catalog, the customer list, the dates or the
prices refuse (`lines[1].sku`, `valid_until`, `pricing.percent`, `language`)."""

SEND = """\
Mails the end customer a signed link to the quote's page on this storefront, where they
can accept and pay by card, accept and ask to be invoiced, or decline. A draft becomes
`sent`; a sent or viewed quote is mailed again with the same link. The link works until
the quote expires or is revised. `409` when the quote can no longer be sent (accepted,
paid, ordered, declined, expired or withdrawn); `422` naming `valid_until` when its date
has passed."""

SPECIAL = """\
Asks the distributor for a lower buy price on one line (by the line's `id` or its SKU):
a unit price or a discount percent off your normal buy price, with a justification.
The program's rules approve it at once (`status: approved`, `auto_approved: true`) or
route it to a partner manager (`pending`); a large one also to the vendor's staff. An
approved price holds for this quote's end customer, product, quantity and term until the
quote expires, and prices the order's line (`price_source: special`). A new request on a
line withdraws its open one. `409` once the quote is no longer a draft, sent or viewed,
or has expired."""

DECIDE = """\
Approve (at the price asked, or at `unit_price`), counter (with `unit_price`, which the
reseller may accept) or decline (with a `comment`). An approval above the vendor's
threshold moves the request on to the vendor's staff (`stage: vendor`, still
`pending`). The requester is mailed and the decision is audited. `403` when the request
waits for the vendor's staff; `409` when it is decided already or its quote can no
longer be ordered (only a decline is taken then)."""


def _operation(operation_id: str, summary: str, **extra: Any) -> dict[str, Any]:
    return {"operationId": operation_id, "summary": summary, "security": SECURITY, **extra}


def _json_body(schema: str, example: dict[str, Any]) -> dict[str, Any]:
    return {
        "required": True,
        "content": {"application/json": {"schema": schema, "example": example}},
    }


LOCATION = {
    "Location": {
        "description": "The quote's address in this API",
        "required": True,
        "schema": {"type": "string"},
    }
}


def _quote_paths(spec: APISpec) -> None:
    spec.path(
        path="/quotes",
        operations={
            "post": _operation(
                "createQuote",
                "Quote an end customer at your resale prices",
                description=CREATE,
                requestBody=_json_body("QuoteRequest", EXAMPLE_QUOTE),
                responses={
                    "201": ok(
                        "Quote",
                        "The quote, a draft",
                        headers=LOCATION,
                        links={
                            "GetQuoteByNumber": {
                                "operationId": "getQuote",
                                "parameters": {"number": "$response.body#/number"},
                            }
                        },
                    ),
                    "400": error("The body's shape, or a query parameter (none exist), is wrong"),
                    "404": NO_HOST,
                    "422": error(
                        "Refused by the catalog, the customer list, the dates or the prices, "
                        "naming the field; nothing written"
                    ),
                    **COMMON,
                    "403": error(WRITERS_ONLY),
                },
            ),
            "get": _operation(
                "listQuotes",
                "The company's quotes on this storefront, newest first, filtered",
                parameters=[{"in": "query", "schema": QuoteQuerySchema}],
                responses={
                    "200": ok("QuotePage"),
                    "400": error(
                        "A query parameter is invalid, unknown or repeated; or a bad Host"
                    ),
                    "404": NO_HOST,
                    **COMMON,
                    "403": error(NOT_A_RESELLER),
                },
            ),
        },
    )
    spec.path(
        path="/quotes/{number}",
        operations={
            "get": _operation(
                "getQuote",
                "One of the company's quotes: lines with buy, resale and margin, timeline",
                parameters=[QUOTE_NUMBER],
                responses={
                    "200": ok("Quote"),
                    "400": error(NO_QUERY),
                    "404": error(NOT_FOUND),
                    **COMMON,
                    "403": error(NOT_A_RESELLER),
                },
            )
        },
    )
    spec.path(
        path="/quotes/{number}/send",
        operations={
            "post": _operation(
                "sendQuote",
                "Mail the end customer the link to the quote's page",
                description=SEND,
                parameters=[QUOTE_NUMBER],
                responses={
                    "200": ok("QuoteSent", "Mailed (through the outbox); the link and the quote"),
                    "400": error(NO_QUERY),
                    "404": error(NOT_FOUND),
                    "409": error("The quote can no longer be sent"),
                    "422": error("The quote has no lines, or its validity date has passed"),
                    **COMMON,
                    "403": error(WRITERS_ONLY),
                },
            )
        },
    )
    spec.path(
        path="/quotes/{number}/special-prices",
        operations={
            "post": _operation(
                "requestSpecialPrice",
                "Ask for a lower buy price on one line of a quote",
                description=SPECIAL,
                parameters=[QUOTE_NUMBER],
                requestBody=_json_body("SpecialPriceRequest", EXAMPLE_SPECIAL_PRICE),
                responses={
                    "201": ok("SpecialPrice", "Asked; approved at once, or waiting"),
                    "400": error("The body's shape, or a query parameter (none exist), is wrong"),
                    "404": error(NOT_FOUND),
                    "409": error("The quote is no longer a draft, sent or viewed, or expired"),
                    "422": error(
                        "No such line, a price not below the normal buy price, both or neither "
                        "of unit_price and discount_percent, no justification; nothing written"
                    ),
                    **COMMON,
                    "403": error(WRITERS_ONLY),
                },
            )
        },
    )


def _staff_paths(spec: APISpec) -> None:
    spec.path(
        path="/special-prices",
        operations={
            "get": _operation(
                "listSpecialPrices",
                "Special price requests of this storefront's resellers (distributor staff)",
                description="Waiting ones first, oldest first; then the rest, newest first. "
                "`?status=pending` lists those to decide.",
                parameters=[{"in": "query", "schema": SpecialPriceQuerySchema}],
                responses={
                    "200": ok("SpecialPricePage"),
                    "400": error(
                        "A query parameter is invalid, unknown or repeated; or a bad Host"
                    ),
                    "404": NO_HOST,
                    **COMMON,
                    "403": error(STAFF_ONLY),
                },
            )
        },
    )
    spec.path(
        path="/special-prices/{special_price_id}/decision",
        operations={
            "post": _operation(
                "decideSpecialPrice",
                "Approve, counter or decline a special price request (distributor staff)",
                description=DECIDE,
                parameters=[SPECIAL_PRICE_ID],
                requestBody=_json_body("SpecialDecision", EXAMPLE_DECISION),
                responses={
                    "200": ok("SpecialPrice", "Decided; the request as it is now"),
                    "400": error("The body's shape, or a query parameter (none exist), is wrong"),
                    "404": error("No request with this id that the user may see"),
                    "409": error("Decided already, or its quote can no longer be ordered"),
                    "422": error(
                        "A counter without a price, a decline without a comment, a price not "
                        "below the normal buy price; nothing written"
                    ),
                    **COMMON,
                    "403": error(f"{STAFF_ONLY}; or the request waits for the vendor's staff"),
                },
            )
        },
    )


def add_quote_paths(spec: APISpec) -> None:
    """Register the quote and special price schemas and operations on the document."""
    for name, schema in (
        # Nested schemas before the ones that hold them, so each has one name.
        ("QuoteLineInput", QuoteLineInputSchema),
        ("Pricing", PricingSchema),
        ("QuoteRequest", QuoteRequestSchema),
        ("SpecialPrice", SpecialPriceSchema),
        ("Quote", QuoteSchema),
        ("QuotePage", QuotePageSchema),
        ("QuoteSent", QuoteSentSchema),
        ("SpecialPriceRequest", SpecialPriceRequestSchema),
        ("SpecialPricePage", SpecialPricePageSchema),
        ("SpecialDecision", SpecialDecisionSchema),
    ):
        spec.components.schema(name, schema=schema)
    _quote_paths(spec)
    _staff_paths(spec)
