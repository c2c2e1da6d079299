"""``/api/v1/quotes``: a reseller's quotes to its end customers, at its resale prices.

Order of answers: 401 (token), 403 (not a reseller enrolled here; a write by a role
that may only read), 404 (a quote that is not the company's on this storefront), 400
(query or body shape, naming the path), 422 (what the catalog, the customer list, the
dates or the prices refuse, naming the field; nothing written), 409 (the quote's state
does not allow it), then 200 or 201. Error messages are English.
"""

from __future__ import annotations

from typing import Any, cast

from flask import Response, jsonify, url_for
from flask_babel import force_locale

from channelfront.api import bp
from channelfront.api.auth import api_user, token_required
from channelfront.api.context import partner_terms, query_args, tenant_row
from channelfront.api.errors import api_error, load_body
from channelfront.api.quote_json import quote_json, summary_json
from channelfront.api.quote_output import QuotePageSchema, QuoteSchema, QuoteSentSchema
from channelfront.api.quote_queries import (
    PER_PAGE,
    company_quote,
    detail_of,
    quote_detail,
    quote_page,
)
from channelfront.api.quote_schemas import (
    QuoteQuerySchema,
    QuoteRequestSchema,
    SpecialPriceRequestSchema,
    valid_quote_number,
)
from channelfront.api.schemas import NoQuerySchema
from channelfront.api.special_price_views import special_price_response
from channelfront.customers.services import CustomerInput
from channelfront.extensions import db
from channelfront.orders.errors import OrderInputError
from channelfront.orders.view_support import BUYING_ROLES
from channelfront.outbox.services import commit_and_dispatch
from channelfront.quotes import sending, services, special_requests
from channelfront.quotes.models import Quote, QuoteLine
from channelfront.quotes.services import QuoteInput, QuoteLineInput

QUOTE_NOT_FOUND = "No quote with this number for your company on this storefront."
NO_QUOTES = "Quotes are for reseller accounts enrolled with this storefront."
READ_ONLY = "Your role may read quotes but not write them."
BOTH_PRICES = "Give per-line resale prices or `pricing`, not both."
# Service field names as the API body spells them.
API_FIELDS = {"pricing_percent": "pricing.percent", "pricing_mode": "pricing.mode"}
# Refusals about the quote's state rather than a field of the body.
STATE_FIELDS = frozenset({"quote"})


def _refused(exc: OrderInputError) -> Response:
    db.session.rollback()
    field = API_FIELDS.get(exc.field, exc.field)
    status = 409 if field in STATE_FIELDS else 422
    return api_error(status, exc.message, {field: [exc.message]})


def quote_body(company_id: int, number: str) -> dict[str, Any]:
    """The company's quote as ``QuoteSchema`` dumps it (it was just found or written)."""
    detail = quote_detail(company_id, number)
    assert detail is not None
    body: dict[str, Any] = QuoteSchema().dump(quote_json(detail))
    return body


def _company_id() -> int | None:
    terms = partner_terms()
    return terms.enrollment.company_id if terms is not None else None


def _may_write() -> bool:
    return api_user().role in BUYING_ROLES


def _find(company_id: int, number: str) -> Quote | None:
    if not valid_quote_number(number):
        return None
    return company_quote(company_id, number.upper())


def quote_input(data: dict[str, Any]) -> QuoteInput:
    """The service's input for a loaded ``QuoteRequestSchema`` body."""
    end = data["end_customer"]
    new_customer = None
    if end["kind"] == "new":
        new_customer = CustomerInput(
            company_name=end["company_name"],
            contact_name=end["contact_name"],
            email=end["email"],
            country=end["country"],
            vat_id=end.get("vat_id", ""),
        )
    pricing = data["pricing"] or {}
    return QuoteInput(
        lines=[
            QuoteLineInput(line["sku"], line["quantity"], line["term"], line["resale_price"])
            for line in data["lines"]
        ],
        customer_id=end.get("id"),
        new_customer=new_customer,
        valid_until=data["valid_until"],
        language=data["language"],
        note=data["note"],
        terms=data["terms"],
        license_to_customer=data["license_to_customer"],
        pricing_mode=pricing.get("mode"),
        pricing_percent=pricing.get("percent"),
    )


def _both_prices(data: dict[str, Any]) -> Response | None:
    """422 when the body prices the lines both ways (the rule would silently win)."""
    if not data["pricing"]:
        return None
    for index, line in enumerate(data["lines"]):
        if line["resale_price"] is not None:
            return api_error(422, BOTH_PRICES, {f"lines[{index}].resale_price": [BOTH_PRICES]})
    return None


@bp.post("/quotes")
@token_required
def create_quote() -> Response:
    terms = partner_terms()
    if terms is None:
        return api_error(403, NO_QUOTES)
    if not _may_write():
        return api_error(403, READ_ONLY)
    query_args(NoQuerySchema())
    data = load_body(QuoteRequestSchema())
    if isinstance(data, Response):
        return data
    refusal = _both_prices(data)
    if refusal is not None:
        return refusal
    with force_locale("en"):
        try:
            quote = services.create(tenant_row(), api_user(), terms, quote_input(data))
            db.session.flush()
        except OrderInputError as exc:
            return _refused(exc)
    company_id, number = quote.company_id, quote.number
    commit_and_dispatch()
    response = jsonify(quote_body(company_id, number))
    response.status_code = 201
    response.headers["Location"] = url_for("api.get_quote", number=number)
    return response


@bp.get("/quotes")
@token_required
def list_quotes() -> Response:
    company_id = _company_id()
    if company_id is None:
        return api_error(403, NO_QUOTES)
    args = query_args(QuoteQuerySchema())
    page = quote_page(company_id, args, args.pop("page"))
    body = {
        "items": [summary_json(quote) for quote in page.quotes],
        "page": page.page,
        "pages": page.pages,
        "per_page": PER_PAGE,
        "total": page.total,
    }
    return jsonify(QuotePageSchema().dump(body))


# Not <path:>: /quotes/<number>/send is another resource (POST only).
@bp.get("/quotes/<number>")
@token_required
def get_quote(number: str) -> Response:
    company_id = _company_id()
    if company_id is None:
        return api_error(403, NO_QUOTES)
    query_args(NoQuerySchema())
    quote = _find(company_id, number)
    if quote is None:
        return api_error(404, QUOTE_NOT_FOUND)
    return jsonify(QuoteSchema().dump(quote_json(detail_of(quote))))


def _writable(number: str) -> Quote | Response:
    """The company's quote for a write: 403 for no catalog or a reading role, 404 for a
    quote that is not the company's."""
    company_id = _company_id()
    if company_id is None:
        return api_error(403, NO_QUOTES)
    quote = _find(company_id, number)
    if quote is None:
        return api_error(404, QUOTE_NOT_FOUND)
    if not _may_write():
        return api_error(403, READ_ONLY)
    return quote


@bp.post("/quotes/<number>/send")
@token_required
def send_quote(number: str) -> Response:
    quote = _writable(number)
    if isinstance(quote, Response):
        return quote
    query_args(NoQuerySchema())
    with force_locale("en"):
        try:
            url = sending.send(quote, api_user())
        except OrderInputError as exc:
            return _refused(exc)
    company_id, found = quote.company_id, quote.number
    commit_and_dispatch()
    detail = quote_detail(company_id, found)
    assert detail is not None
    sent = {"customer_url": url, "quote": quote_json(detail)}
    return jsonify(QuoteSentSchema().dump(sent))


def _line(quote: Quote, wanted: int | str) -> QuoteLine | None:
    """The quote's line by id, or by SKU (any case)."""
    for line in quote.lines:
        if isinstance(wanted, int) and line.id == wanted:
            return line
        if isinstance(wanted, str) and line.sku.upper() == wanted.strip().upper():
            return line
    return None


NO_LINE = "There is no such line on this quote."


@bp.post("/quotes/<number>/special-prices")
@token_required
def request_special_price(number: str) -> Response:
    quote = _writable(number)
    if isinstance(quote, Response):
        return quote
    query_args(NoQuerySchema())
    data = load_body(SpecialPriceRequestSchema())
    if isinstance(data, Response):
        return data
    line = _line(quote, cast(int | str, data["line"]))
    if line is None:
        return api_error(422, NO_LINE, {"line": [NO_LINE]})
    with force_locale("en"):
        try:
            row = special_requests.request_price(
                quote,
                line,
                api_user(),
                unit_price=data["unit_price"],
                discount_percent=data["discount_percent"],
                justification=data["justification"],
                deal_ref=data["deal_ref"],
            )
            db.session.flush()
        except OrderInputError as exc:
            return _refused(exc)
    row_id = row.id
    commit_and_dispatch()
    return special_price_response(row_id, 201)
