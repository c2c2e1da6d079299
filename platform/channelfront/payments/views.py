"""Pages of card payments: the company's saved cards, and refunds for distributor staff."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.routing import BuildError
from werkzeug.wrappers import Response

from channelfront.accounts.models import UserKind
from channelfront.catalog.views import current_terms
from channelfront.extensions import db
from channelfront.i18n.formatting import Money
from channelfront.invoices.models import Invoice
from channelfront.orders.models import Order
from channelfront.payments import cards, refunds
from channelfront.payments.errors import PaymentInputError, PaymentUnavailable
from channelfront.payments.stripe_client import configured, elements_mode, local_mode
from channelfront.tenancy.middleware import current_tenant, is_admin_site
from channelfront.theming.views import render
from channelfront.web.redirects import safe_next

bp = Blueprint("payments", __name__)
CARD_MANAGERS = ("buyer", "approver", "company_admin")
REFUNDERS = ("distributor_admin", "distributor_finance")


@bp.before_request
@login_required
def _storefront_only() -> None:
    if is_admin_site() or current_tenant() is None:
        abort(404)


def may_manage_cards() -> bool:
    return current_user.kind == UserKind.RESELLER and current_user.role in CARD_MANAGERS


def _company_id() -> int:
    if current_user.kind != UserKind.RESELLER:
        abort(403, description=_("Saved cards belong to reseller companies."))
    return current_terms().enrollment.company_id


def _cards_page(status: int = 200, errors: dict[str, str] | None = None) -> tuple[str, int]:
    company_id = _company_id()
    try:
        saved, unavailable = cards.saved_cards(company_id), False
    except PaymentUnavailable:
        saved, unavailable = [], True
    page = render(
        "payments/cards.html",
        cards=saved,
        unavailable=unavailable or not configured(),
        form=FlaskForm(),
        errors=errors or {},
        values=request.form if errors else {},
        may_manage=may_manage_cards(),
        mode="local" if local_mode() else "elements" if elements_mode() else None,
        next=safe_next(request.values.get("next")),
    )
    return page, status


@bp.get("/account/cards")
def card_list() -> tuple[str, int]:
    return _cards_page()


def _back(default: str) -> Response:
    return redirect(safe_next(request.form.get("next")) or default)


@bp.post("/account/cards")
def add_card() -> Response | tuple[str, int]:
    company_id = _company_id()
    if not FlaskForm().validate_on_submit():
        abort(400)
    if not may_manage_cards():
        abort(403, description=_("Your role cannot change the company's cards."))
    try:
        if local_mode():
            card_input = cards.parse_card(
                request.form.get("card_number", ""),
                request.form.get("expiry", ""),
                request.form.get("cvc", ""),
            )
            card = cards.add_card(company_id, card_input)
        elif elements_mode():
            card = cards.add_payment_method(company_id, request.form.get("payment_method"))
        else:
            raise PaymentUnavailable("Stripe is not configured")
    except PaymentInputError as exc:
        return _cards_page(422, {exc.field: exc.message})
    except PaymentUnavailable:
        return _cards_page(503, {"card": _("Card payments are not available right now.")})
    flash(_("The card ending in %(last4)s is saved for your company.", last4=card["last4"]), "info")
    return _back(url_for("payments.card_list"))


@bp.post("/account/cards/<payment_method_id>/remove")
def remove_card(payment_method_id: str) -> Response | tuple[str, int]:
    company_id = _company_id()
    if not FlaskForm().validate_on_submit():
        abort(400)
    if not may_manage_cards():
        abort(403, description=_("Your role cannot change the company's cards."))
    try:
        card = cards.remove_card(company_id, payment_method_id)
    except PaymentInputError:
        abort(404)
    except PaymentUnavailable:
        return _cards_page(503, {"card": _("Card payments are not available right now.")})
    flash(_("The card ending in %(last4)s is removed.", last4=card["last4"]), "info")
    return redirect(url_for("payments.card_list"))


def _after_refund(order: Order) -> str:
    """Back to the page the refund came from, else the order's invoice (staff see those)."""
    back = safe_next(request.form.get("next"))
    if back:
        return back
    number = db.session.scalar(select(Invoice.number).where(Invoice.order_id == order.id))
    try:
        if number:
            return url_for("invoices.detail", number=number)
    except BuildError:
        pass
    return url_for("storefront.home")


@bp.post("/payments/orders/<number>/refund")
def refund(number: str) -> Response:
    if current_user.kind != UserKind.DISTRIBUTOR or current_user.role not in REFUNDERS:
        abort(403, description=_("Only the distributor's staff can refund orders."))
    if not FlaskForm().validate_on_submit():
        abort(400)
    order = db.session.scalar(select(Order).where(Order.number == number[:20]))
    if order is None:
        abort(404)
    try:
        done = refunds.refund_order(order, current_user, request.form.get("reason", ""))
    except PaymentInputError as exc:
        abort(422, description=exc.message)
    except PaymentUnavailable:
        abort(503, description=_("Card payments are not available right now."))
    if done:
        flash(_("Order %(number)s is refunded.", number=order.number), "info")
    else:
        flash(_("Order %(number)s was already refunded.", number=order.number), "info")
    return redirect(_after_refund(order))


@bp.app_context_processor
def _card_payment_context() -> dict[str, Any]:
    def card_payment() -> dict[str, bool]:
        """What a card section says about the mode: available, and test mode (localstripe)."""
        return {"available": configured(), "test_mode": local_mode()}

    def refund_allowed(order: Order) -> bool:
        """True for distributor staff looking at a card-paid order not yet refunded."""
        user = current_user
        return (
            getattr(user, "kind", None) == UserKind.DISTRIBUTOR
            and getattr(user, "role", None) in REFUNDERS
            and refunds.refundable(order)
        )

    def order_total(order: Order) -> Money:
        """What the refund button gives back to the card."""
        return Money(refunds.refund_amount(order), order.currency)

    return {
        "card_payment": card_payment,
        "refund_allowed": refund_allowed,
        "order_total": order_total,
    }
