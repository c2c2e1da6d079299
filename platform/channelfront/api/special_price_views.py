"""``/api/v1/special-prices``: the special price requests of the storefront's resellers,
for the distributor staff who decide them (partner managers and distributor admins).

Order of answers: 401 (token), 403 (not one of this storefront's partner managers or
distributor admins: resellers, finance staff), 404 (a request the caller may not see),
403 (it waits for the vendor's staff), 400 (query or body shape), 409 (decided already,
or its quote can no longer be ordered), 422 (a field the decision refuses: a counter
without a price, a decline without a comment, a price not below the normal one), then
200. Reseller tokens ask for special prices on ``/quotes/{number}``.
"""

from __future__ import annotations

import math
from typing import Any

from flask import Response, jsonify
from flask_babel import force_locale
from sqlalchemy import func, select

from channelfront.accounts.models import Company, User, UserKind
from channelfront.api import bp
from channelfront.api.auth import api_user, token_required
from channelfront.api.context import query_args
from channelfront.api.errors import api_error, load_body
from channelfront.api.quote_json import special_price_json
from channelfront.api.quote_output import SpecialPricePageSchema, SpecialPriceSchema
from channelfront.api.quote_queries import people, special_people
from channelfront.api.quote_schemas import (
    MAX_ID,
    SpecialDecisionSchema,
    SpecialPriceQuerySchema,
)
from channelfront.api.schemas import NoQuerySchema
from channelfront.extensions import db
from channelfront.orders.errors import OrderInputError
from channelfront.outbox.services import commit_and_dispatch
from channelfront.quotes import special_requests
from channelfront.quotes.models import Quote, SpecialPriceRequest, SpecialStatus
from channelfront.quotes.special_mail import DISTRIBUTOR_DECIDERS
from channelfront.quotes.special_requests import DecisionRefused

PER_PAGE = 50
STAFF_ONLY = (
    "Special price requests are decided by this storefront's partner managers and "
    "distributor administrators."
)
NOT_FOUND = "No special price request with this id for you on this storefront."


def _is_decider(user: User) -> bool:
    return user.kind == UserKind.DISTRIBUTOR and user.role in DISTRIBUTOR_DECIDERS


def rows_json(rows: list[SpecialPriceRequest]) -> list[dict[str, Any]]:
    """The requests with their quotes' numbers, companies and people, in a fixed number
    of statements however many there are."""
    if not rows:
        return []
    quote_ids = {row.quote_id for row in rows}
    numbers = dict(
        db.session.execute(select(Quote.id, Quote.number).where(Quote.id.in_(quote_ids))).all()
    )
    company_ids = {row.company_id for row in rows}
    companies = dict(
        db.session.execute(
            select(Company.id, Company.name).where(Company.id.in_(company_ids))
        ).all()
    )
    actors = {uid: user.name for uid, user in people(special_people(rows)).items()}
    return [
        special_price_json(row, numbers.get(row.quote_id, ""), actors, companies[row.company_id])
        for row in rows
    ]


def special_price_response(row_id: int, status: int = 200) -> Response:
    """The request as it is now (it was just written or decided)."""
    row = db.session.get(SpecialPriceRequest, row_id)
    assert row is not None
    db.session.refresh(row)
    response = jsonify(SpecialPriceSchema().dump(rows_json([row])[0]))
    response.status_code = status
    return response


@bp.get("/special-prices")
@token_required
def list_special_prices() -> Response:
    user = api_user()
    if not _is_decider(user):
        return api_error(403, STAFF_ONLY)
    args = query_args(SpecialPriceQuerySchema())
    query = special_requests.visible_to(user, args.get("status"))
    total = (
        db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    )
    pages = max(1, math.ceil(total / PER_PAGE))
    page = min(args["page"], pages)
    rows = list(db.session.scalars(query.limit(PER_PAGE).offset((page - 1) * PER_PAGE)))
    body = {
        "items": rows_json(rows),
        "page": page,
        "pages": pages,
        "per_page": PER_PAGE,
        "total": total,
    }
    return jsonify(SpecialPricePageSchema().dump(body))


def _visible(user: User, request_id: int) -> SpecialPriceRequest | None:
    if not 0 < request_id <= MAX_ID:
        return None
    query = special_requests.visible_to(user).where(SpecialPriceRequest.id == request_id)
    return db.session.scalar(query)


def _not_theirs(user: User, row: SpecialPriceRequest) -> Response | None:
    """403, before the body is read, for a waiting request the caller may not decide (it
    waits for the vendor's staff). One decided already is ``decide``'s 409."""
    if row.status != SpecialStatus.PENDING or special_requests.may_decide(user, row):
        return None
    with force_locale("en"):
        message = special_requests.why_not(user, row) or STAFF_ONLY
    return api_error(403, message, {"special_price": [message]})


@bp.post("/special-prices/<int:request_id>/decision")
@token_required
def decide_special_price(request_id: int) -> Response:
    user = api_user()
    if not _is_decider(user):
        return api_error(403, STAFF_ONLY)
    row = _visible(user, request_id)
    if row is None:
        return api_error(404, NOT_FOUND)
    refusal = _not_theirs(user, row)
    if refusal is not None:
        return refusal
    query_args(NoQuerySchema())
    data = load_body(SpecialDecisionSchema())
    if isinstance(data, Response):
        return data
    with force_locale("en"):
        try:
            special_requests.decide(
                row,
                user,
                data["decision"],
                unit_price=data["unit_price"],
                comment=data["comment"],
            )
            db.session.flush()
        except DecisionRefused as refused:
            db.session.rollback()
            return api_error(refused.status, refused.message, {"special_price": [refused.message]})
        except OrderInputError as exc:
            db.session.rollback()
            return api_error(422, exc.message, {exc.field: [exc.message]})
    commit_and_dispatch()
    return special_price_response(request_id)
