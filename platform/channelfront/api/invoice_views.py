"""``/api/v1/invoices``: the company's invoices (the tenant's, for finance staff).

Read only. Order of answers: 401 (token), 403 (a caller who reads none of these), 400
(query, naming the parameter), 404 (an invoice or company not in scope), then 200.
"""

from __future__ import annotations

from flask import Response, jsonify

from channelfront.api import bp
from channelfront.api.auth import token_required
from channelfront.api.context import query_args
from channelfront.api.errors import api_error
from channelfront.api.readonly_json import invoice_detail_json, invoice_json
from channelfront.api.readonly_output import InvoiceDetailSchema, InvoicePageSchema
from channelfront.api.readonly_queries import PER_PAGE, invoice, invoice_page
from channelfront.api.readonly_schemas import InvoiceQuerySchema
from channelfront.api.readonly_scope import company_filter, read_scope
from channelfront.api.schemas import NoQuerySchema

NOT_FOUND = "No invoice with this number for you on this storefront."
MAX_NUMBER_LENGTH = 20


@bp.get("/invoices")
@token_required
def list_invoices() -> Response:
    scope = read_scope()
    args = query_args(InvoiceQuerySchema())
    args["company"] = company_filter(scope, args.get("company"))
    page = invoice_page(scope, args)
    body = {
        "items": [invoice_json(row) for row in page.items],
        "page": page.page,
        "pages": page.pages,
        "per_page": PER_PAGE,
        "total": page.total,
    }
    return jsonify(InvoicePageSchema().dump(body))


@bp.get("/invoices/<number>")
@token_required
def get_invoice(number: str) -> Response:
    scope = read_scope()
    query_args(NoQuerySchema())
    row = None
    if len(number) <= MAX_NUMBER_LENGTH and number.isprintable():
        row = invoice(scope, number)
    if row is None:
        return api_error(404, NOT_FOUND)
    return jsonify(InvoiceDetailSchema().dump(invoice_detail_json(row)))
