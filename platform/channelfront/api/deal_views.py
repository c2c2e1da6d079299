"""``/api/v1/deals``: a reseller's CRM registers deals and reads them back; the
storefront's partner managers and distributor admins read every deal and decide them.

Order of answers: 401 (token), 403 (neither a reseller enrolled here nor a deciding
staff member; a viewer writing; a reseller deciding), 404 (a deal the caller may not
see), 400 (query or body shape, naming the path), 409 (an ``external_id`` used before;
a deal decided already), 422 (what the catalog, customer list, dates or amounts
refuse, naming the field; nothing written), then 200 or 201. Messages are English.
"""

from __future__ import annotations

import math
from typing import Any

from flask import Response, jsonify, url_for
from flask_babel import force_locale
from sqlalchemy import select

from channelfront.api import bp
from channelfront.api.auth import api_user, token_required
from channelfront.api.context import partner_terms, query_args, tenant_row
from channelfront.api.deal_output import DealPageSchema, DealSchema
from channelfront.api.deal_schemas import (
    DEAL_ID_MAX,
    DealDecisionSchema,
    DealQuerySchema,
    DealRequestSchema,
)
from channelfront.api.errors import api_error, load_body
from channelfront.api.schemas import NoQuerySchema
from channelfront.customers.services import CustomerInput
from channelfront.deals import decisions, listing, services
from channelfront.deals.decisions import DecisionRefused
from channelfront.deals.models import Deal
from channelfront.deals.output import deal_json
from channelfront.deals.services import DealInput, DealLineInput, DuplicateExternalId
from channelfront.extensions import db
from channelfront.orders.errors import OrderInputError
from channelfront.orders.view_support import BUYING_ROLES
from channelfront.outbox.services import commit_and_dispatch

PER_PAGE = 50
NO_DEALS = (
    "Deals are for reseller accounts enrolled with this storefront and for its partner "
    "managers and distributor administrators."
)
READ_ONLY = "Your role may read deals but not register them."
STAFF_ONLY = "Deals are decided by this storefront's partner managers and distributor admins."
NOT_FOUND = "No deal with this id for you on this storefront."


def _company_id() -> int | None:
    """The reseller's company; None for deciding staff (who see every deal)."""
    terms = partner_terms()
    return terms.enrollment.company_id if terms is not None else None


def _reader() -> tuple[bool, int | None]:
    """(may read, company filter): resellers see their company's, deciders all."""
    if decisions.may_decide(api_user()):
        return True, None
    company_id = _company_id()
    return company_id is not None, company_id


def deal_input(data: dict[str, Any]) -> DealInput:
    """The service's input for a loaded ``DealRequestSchema`` body."""
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
    return DealInput(
        lines=[DealLineInput(line["sku"], line["quantity"]) for line in data["lines"]],
        customer_id=end.get("id"),
        new_customer=new_customer,
        expected_value=data["expected_value"],
        expected_close=data["expected_close"],
        competitor=data["competitor"],
        note=data["note"],
        external_id=data["external_id"],
        crm_account_id=data["crm_account_id"],
        crm_opportunity_id=data["crm_opportunity_id"],
    )


def _body(deal_id: int, status: int = 200) -> Response:
    deal = db.session.get(Deal, deal_id)
    assert deal is not None
    db.session.refresh(deal)
    response = jsonify(DealSchema().dump(deal_json(deal)))
    response.status_code = status
    return response


@bp.post("/deals")
@token_required
def create_deal() -> Response:
    terms = partner_terms()
    if terms is None:
        return api_error(403, NO_DEALS)
    if api_user().role not in BUYING_ROLES:
        return api_error(403, READ_ONLY)
    query_args(NoQuerySchema())
    data = load_body(DealRequestSchema())
    if isinstance(data, Response):
        return data
    with force_locale("en"):
        try:
            deal = services.register(tenant_row(), api_user(), terms, deal_input(data))
            db.session.flush()
        except OrderInputError as exc:
            db.session.rollback()
            status = 409 if isinstance(exc, DuplicateExternalId) else 422
            return api_error(status, exc.message, {exc.field: [exc.message]})
    deal_id = deal.id
    commit_and_dispatch()
    response = _body(deal_id, 201)
    response.headers["Location"] = url_for("api.get_deal", deal_id=deal_id)
    return response


@bp.get("/deals")
@token_required
def list_deals() -> Response:
    may_read, company_id = _reader()
    if not may_read:
        return api_error(403, NO_DEALS)
    args = query_args(DealQuerySchema())
    page = listing.deal_page(company_id, args.get("status") or "", "", args["page"], PER_PAGE)
    body = {
        "items": [deal_json(deal) for deal in page.rows],
        "page": page.page,
        "pages": max(1, math.ceil(page.total / PER_PAGE)),
        "per_page": PER_PAGE,
        "total": page.total,
    }
    return jsonify(DealPageSchema().dump(body))


def _visible(deal_id: int, company_id: int | None) -> Deal | None:
    if not 0 < deal_id <= DEAL_ID_MAX:
        return None
    query = select(Deal).where(Deal.id == deal_id)
    if company_id is not None:
        query = query.where(Deal.company_id == company_id)
    return db.session.scalar(query)


@bp.get("/deals/<int:deal_id>")
@token_required
def get_deal(deal_id: int) -> Response:
    may_read, company_id = _reader()
    if not may_read:
        return api_error(403, NO_DEALS)
    query_args(NoQuerySchema())
    deal = _visible(deal_id, company_id)
    if deal is None:
        return api_error(404, NOT_FOUND)
    return _body(deal.id)


@bp.post("/deals/<int:deal_id>/decision")
@token_required
def decide_deal(deal_id: int) -> Response:
    user = api_user()
    if not decisions.may_decide(user):
        return api_error(403, STAFF_ONLY)
    deal = _visible(deal_id, None)
    if deal is None:
        return api_error(404, NOT_FOUND)
    query_args(NoQuerySchema())
    data = load_body(DealDecisionSchema())
    if isinstance(data, Response):
        return data
    with force_locale("en"):
        try:
            decisions.decide(deal, user, str(data["decision"]), data["reason"])
            db.session.flush()
        except DecisionRefused as refused:
            db.session.rollback()
            return api_error(refused.status, refused.message, {"deal": [refused.message]})
        except OrderInputError as exc:
            db.session.rollback()
            return api_error(422, exc.message, {exc.field: [exc.message]})
    commit_and_dispatch()
    return _body(deal_id)
