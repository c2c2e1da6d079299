"""``POST /api/v1/orders/<number>/withdraw``: the buyer (or a company admin, as on the
order page) takes back an order that waits for approval; its steps are cancelled and
what it reserved on the credit line is released.

Order of answers: 401 (token), 403 (no catalog here), 404 (not an order of the company
here), 403 (neither its buyer nor a company admin), 400 (a query parameter), 409 (the
order does not wait for approval, or stopped waiting meanwhile), then 200 with the
order as it is now.
"""

from __future__ import annotations

from flask import Response
from flask_babel import force_locale
from sqlalchemy import select

from channelfront.api import bp
from channelfront.api.auth import api_user, token_required
from channelfront.api.context import query_args, require_terms
from channelfront.api.errors import api_error
from channelfront.api.order_schemas import valid_order_number
from channelfront.api.order_views import ORDER_NOT_FOUND, order_response
from channelfront.api.schemas import NoQuerySchema
from channelfront.extensions import db
from channelfront.orders import lifecycle
from channelfront.orders.errors import OrderInputError
from channelfront.orders.models import Order
from channelfront.orders.order_views import WITHDRAWING_ROLES
from channelfront.outbox.services import commit_and_dispatch

NOT_YOURS = "Only the buyer who placed this order or a company administrator can withdraw it."


def _company_order(company_id: int, number: str) -> Order | None:
    if not valid_order_number(number):
        return None
    return db.session.scalar(
        select(Order).where(Order.company_id == company_id, Order.number == number.upper())
    )


@bp.post("/orders/<number>/withdraw")
@token_required
def withdraw_order(number: str) -> Response:
    company_id = require_terms().enrollment.company_id
    order = _company_order(company_id, number)
    if order is None:
        return api_error(404, ORDER_NOT_FOUND)
    actor = api_user()
    if order.buyer_id != actor.id and actor.role not in WITHDRAWING_ROLES:
        return api_error(403, NOT_YOURS, {"order": [NOT_YOURS]})
    query_args(NoQuerySchema())
    found = order.number
    with force_locale("en"):
        try:
            lifecycle.withdraw(order, actor.id)
        except OrderInputError as exc:
            db.session.rollback()
            return api_error(409, exc.message, {"order": [exc.message]})
    commit_and_dispatch()
    return order_response(company_id, found)
