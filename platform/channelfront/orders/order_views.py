"""The order page: lines, timeline, licenses and invoice, updated live; buyers' updates."""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from channelfront.extensions import db
from channelfront.orders import lifecycle, parties, pipeline
from channelfront.orders import party_mail as _party_mail  # noqa: F401  (registers its handler)
from channelfront.orders.cancel import cancel_unpaid, cancellable
from channelfront.orders.detail import OrderDetail, find_order, load_detail
from channelfront.orders.errors import OrderInputError
from channelfront.orders.forms import card_choice
from channelfront.orders.models import Order
from channelfront.orders.view_support import (
    actor,
    errors_of,
    has_endpoint,
    may_buy,
    storefront_only,
)
from channelfront.outbox.services import commit_and_dispatch
from channelfront.theming.views import render

bp = Blueprint("orders", __name__)
bp.before_request(storefront_only)
bp.add_app_template_global(has_endpoint, "has_endpoint")
bp.add_app_template_global(cancellable, "order_cancellable")

LIVE_REGIONS = ("status", "approval", "licenses", "invoice", "timeline")
#: Besides the buyer who placed it, who may withdraw a waiting order of the company.
WITHDRAWING_ROLES = frozenset({"company_admin"})


def _order(number: str) -> Order:
    """One of the signed-in user's company's orders; 404 for anyone else's or none."""
    company_id = getattr(current_user, "company_id", None)
    order = find_order(company_id, number) if company_id else None
    if order is None:
        abort(404)
    return order


def may_withdraw(order: Order) -> bool:
    """The signed-in user placed the order, or administers the company's buying."""
    if not may_buy():
        return False
    return current_user.id == order.buyer_id or current_user.role in WITHDRAWING_ROLES


def _context(detail: OrderDetail) -> dict[str, object]:
    """What the page and its live regions share, with what each checkout step shows."""
    return {
        "saved_cards": list,
        **pipeline.order_page(detail.order),
        "detail": detail,
        "may_update": may_buy(),
        "may_withdraw": detail.waiting and may_withdraw(detail.order),
    }


def _page(
    number: str, errors: dict[str, str] | None = None, values: object = None
) -> tuple[str, int] | str:
    detail = load_detail(_order(number))
    page = render("orders/order.html", **_context(detail), errors=errors or {}, values=values or {})
    return (page, 422) if errors else page


@bp.route("/orders/<number>")
@login_required
def detail(number: str) -> tuple[str, int] | str:
    return _page(number)


@bp.route("/orders/<number>/status")
@login_required
def status(number: str) -> Response:
    """The parts of the page that change while the order is fulfilled, for order-live.js."""
    detail = load_detail(_order(number))
    context = {**_context(detail), "errors": {}, "values": {}}
    regions = {name: render(f"orders/partials/{name}.html", **context) for name in LIVE_REGIONS}
    response = jsonify(
        {
            "number": detail.order.number,
            "status": detail.order.status,
            "live": detail.live,
            "regions": regions,
        }
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _updater(number: str) -> Order:
    order = _order(number)
    if not may_buy():
        abort(403, description=_("Your role can see orders but not change them."))
    return order


def _back(number: str) -> Response:
    return redirect(url_for("orders.detail", number=number), 303)


@bp.route("/orders/<number>/licenses", methods=["POST"])
@login_required
def update_licenses(number: str) -> Response | tuple[str, int] | str:
    order = _updater(number)
    form = request.form
    picked = form.getlist("license")
    try:
        if form.get("action") == "deliver":
            done = parties.mark_delivered(order, picked, actor())
            message = ngettext(
                "%(num)d license is marked delivered.",
                "%(num)d licenses are marked delivered.",
                len(done),
            )
        elif form.get("action") == "assign":
            email = form.get("assignee_email", "")
            done = parties.assign_licenses(
                order, picked, email, actor(), form.get("assignee_name", "")
            )
            message = ngettext(
                "%(num)d license is assigned to %(email)s.",
                "%(num)d licenses are assigned to %(email)s.",
                len(done),
                email=email.strip(),
            )
        else:
            raise OrderInputError("action", _("Choose what to do with the licenses."))
    except OrderInputError as error:
        db.session.rollback()
        return _page(number, errors_of(error), form)
    if not done:
        message = _("Nothing changed: the licenses were already in that state.")
    commit_and_dispatch()
    flash(message, "info")
    return _back(number)


@bp.route("/orders/<number>/cancel", methods=["POST"])
@login_required
def cancel(number: str) -> Response | tuple[str, int] | str:
    order = _updater(number)
    try:
        cancel_unpaid(order, actor().id)
    except OrderInputError as error:
        db.session.rollback()
        return _page(number, errors_of(error), request.form)
    db.session.commit()
    flash(_("Order %(number)s is cancelled.", number=order.number), "info")
    return _back(number)


@bp.route("/orders/<number>/withdraw", methods=["POST"])
@login_required
def withdraw(number: str) -> Response | tuple[str, int] | str:
    """The buyer (or a company admin) takes back an order that waits for approval."""
    order = _updater(number)
    if not may_withdraw(order):
        abort(
            403,
            description=_(
                "Only the buyer who placed this order or a company administrator can withdraw it."
            ),
        )
    try:
        lifecycle.withdraw(order, actor().id)
    except OrderInputError as error:
        db.session.rollback()
        return _page(number, errors_of(error), request.form)
    commit_and_dispatch()
    flash(_("Order %(number)s is withdrawn.", number=number), "info")
    return _back(number)


@bp.route("/orders/<number>/notes", methods=["POST"])
@login_required
def add_note(number: str) -> Response | tuple[str, int] | str:
    order = _updater(number)
    try:
        parties.add_note(order, request.form.get("note", "")[:10_000], actor())
    except OrderInputError as error:
        db.session.rollback()
        return _page(number, errors_of(error), request.form)
    commit_and_dispatch()
    flash(_("Your note is on the timeline."), "info")
    return _back(number)


@bp.route("/orders/<number>/pay", methods=["POST"])
@login_required
def pay(number: str) -> Response | tuple[str, int] | str:
    order = _updater(number)
    detail = load_detail(order)
    if not detail.payable:
        flash(_("This order does not wait for a card payment."), "info")
        return _back(number)
    try:
        card_id = card_choice(request.form)
    except OrderInputError as error:
        return _page(number, errors_of(error), request.form)
    order.card_payment_method = card_id
    db.session.commit()
    problem = pipeline.collect(order, actor())
    if problem:
        flash(problem, "error")
    return _back(number)
