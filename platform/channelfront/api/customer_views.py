"""``/api/v1/customers``: the company's end customers: list, read, add, change, merge,
archive and unarchive.

Order of answers: 401 (token), 403 (not a reseller enrolled here; a write by a viewer),
404 (not one of the company's customers on this storefront, or merged away), 400 (query
or body shape, naming the field), 422 (what the customer rules refuse, naming the field;
nothing written), then 200 or 201. Error messages are English.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, url_for
from flask_babel import force_locale

from channelfront.api import bp
from channelfront.api.auth import api_user, token_required
from channelfront.api.context import partner_terms, query_args
from channelfront.api.customer_output import (
    CustomerOutSchema,
    CustomerPageSchema,
    MergeResultSchema,
    customer_out,
)
from channelfront.api.customer_schemas import (
    CustomerChangeSchema,
    CustomerQuerySchema,
    MergeSchema,
    NewCustomerBodySchema,
)
from channelfront.api.errors import api_error, load_body
from channelfront.api.schemas import NoQuerySchema
from channelfront.customers import editing, listing, merging
from channelfront.customers.models import Customer
from channelfront.customers.services import CustomerInput
from channelfront.extensions import db
from channelfront.orders.errors import OrderInputError
from channelfront.orders.view_support import BUYING_ROLES

NO_CUSTOMERS = "Customer lists are for reseller accounts enrolled with this storefront."
READ_ONLY = "Your role may read customers but not change them."
NOT_FOUND = "No customer with this id for your company on this storefront."


def _company_id() -> int | None:
    terms = partner_terms()
    return terms.enrollment.company_id if terms is not None else None


def _refused(exc: OrderInputError) -> Response:
    db.session.rollback()
    return api_error(422, exc.message, {exc.field: [exc.message]})


def _one(customer: Customer, status: int = 200) -> Response:
    response = jsonify(CustomerOutSchema().dump(customer_out(customer)))
    response.status_code = status
    return response


def _writable(customer_id: int) -> Customer | Response:
    """The company's customer a writer may change, or the 403/404 to answer."""
    company_id = _company_id()
    if company_id is None:
        return api_error(403, NO_CUSTOMERS)
    if api_user().role not in BUYING_ROLES:
        return api_error(403, READ_ONLY)
    customer = editing.find(company_id, customer_id)
    if customer is None:
        return api_error(404, NOT_FOUND)
    return customer


def _input(data: dict[str, Any], current: Customer | None = None) -> CustomerInput:
    """The service's input: the body's values over the customer's current ones."""
    values = {name: getattr(current, name) if current else "" for name in editing.FIELDS}
    values.update({name: data[name] for name in editing.FIELDS if name in data})
    return CustomerInput(**{name: value or "" for name, value in values.items()})


@bp.get("/customers")
@token_required
def list_customers() -> Response:
    company_id = _company_id()
    if company_id is None:
        return api_error(403, NO_CUSTOMERS)
    args = query_args(CustomerQuerySchema())
    filters = listing.CustomerFilters(
        args["q"].strip(), args["country"].upper(), args["archived"], args["page"]
    )
    page = listing.customer_page(company_id, filters, per_page=args["limit"])
    body = {
        "items": [customer_out(row.customer) for row in page.rows],
        "page": page.page,
        "pages": page.pages,
        "per_page": page.per_page,
        "total": page.total,
    }
    return jsonify(CustomerPageSchema().dump(body))


@bp.post("/customers")
@token_required
def create_customer() -> Response:
    company_id = _company_id()
    if company_id is None:
        return api_error(403, NO_CUSTOMERS)
    if api_user().role not in BUYING_ROLES:
        return api_error(403, READ_ONLY)
    query_args(NoQuerySchema())
    data = load_body(NewCustomerBodySchema())
    if isinstance(data, Response):
        return data
    with force_locale("en"):
        try:
            customer = editing.add(company_id, _input(data), api_user())
        except OrderInputError as exc:
            return _refused(exc)
    db.session.commit()
    response = _one(customer, 201)
    response.headers["Location"] = url_for("api.get_customer", customer_id=customer.id)
    return response


@bp.get("/customers/<int:customer_id>")
@token_required
def get_customer(customer_id: int) -> Response:
    company_id = _company_id()
    if company_id is None:
        return api_error(403, NO_CUSTOMERS)
    customer = editing.find(company_id, customer_id)
    if customer is None:
        return api_error(404, NOT_FOUND)
    query_args(NoQuerySchema())
    return _one(customer)


@bp.patch("/customers/<int:customer_id>")
@token_required
def update_customer(customer_id: int) -> Response:
    customer = _writable(customer_id)
    if isinstance(customer, Response):
        return customer
    query_args(NoQuerySchema())
    data = load_body(CustomerChangeSchema())
    if isinstance(data, Response):
        return data
    if not data:
        return api_error(400, "Invalid request body.", {"body": ["Give a field to change."]})
    with force_locale("en"), db.session.no_autoflush:
        try:
            editing.update(customer, _input(data, customer), api_user())
        except OrderInputError as exc:
            return _refused(exc)
    db.session.commit()
    return _one(customer)


@bp.post("/customers/<int:customer_id>/merge")
@token_required
def merge_customer(customer_id: int) -> Response:
    customer = _writable(customer_id)
    if isinstance(customer, Response):
        return customer
    query_args(NoQuerySchema())
    data = load_body(MergeSchema())
    if isinstance(data, Response):
        return data
    with force_locale("en"):
        try:
            merged = merging.merge(
                customer.company_id, customer.id, data["duplicate_id"], api_user()
            )
        except OrderInputError as exc:
            return _refused(exc)
    db.session.commit()
    body = {
        "customer": customer_out(merged.survivor),
        "merged_id": merged.duplicate.id,
        "moved": merged.moved,
    }
    return jsonify(MergeResultSchema().dump(body))


def _set_archived(customer_id: int, archived: bool) -> Response:
    customer = _writable(customer_id)
    if isinstance(customer, Response):
        return customer
    query_args(NoQuerySchema())
    editing.set_archived(customer, archived, api_user())
    db.session.commit()
    return _one(customer)


@bp.post("/customers/<int:customer_id>/archive")
@token_required
def archive_customer(customer_id: int) -> Response:
    return _set_archived(customer_id, True)


@bp.post("/customers/<int:customer_id>/unarchive")
@token_required
def unarchive_customer(customer_id: int) -> Response:
    return _set_archived(customer_id, False)
