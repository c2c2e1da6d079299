"""The checkout page: end customer, PO, payment on account or by card; one order per submit key."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime

from flask import Blueprint, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from channelfront.customers.services import search
from channelfront.extensions import db
from channelfront.i18n.formatting import Money
from channelfront.orders import cart as carts
from channelfront.orders import forms, idempotency, pipeline
from channelfront.orders.checkout import (
    IDEMPOTENCY_KEY,
    end_customer_required,
    find_by_key,
    submit,
)
from channelfront.orders.credit import credit_status
from channelfront.orders.errors import OrderInputError
from channelfront.orders.lines import order_total
from channelfront.orders.models import Order, OrderStatus
from channelfront.orders.view_support import (
    actor,
    buyer_terms,
    errors_of,
    locale,
    storefront_only,
    tenant_row,
)
from channelfront.pricing.services import PartnerTerms
from channelfront.tenancy.models import Tenant
from channelfront.theming.views import render

bp = Blueprint("checkout", __name__)
bp.before_request(storefront_only)

# The select lists this many customers; the type-ahead finds the others.
CUSTOMER_CHOICES = 200
#: Session key a feature that fills the cart for one document sets (the quotes pages:
#: {"quote_number", "customer_id", "notify_end_customer"}): the checkout form starts
#: from it and carries the number, which the steps check. Cleared once an order is placed.
CHECKOUT_FOR = "checkout_for"


def _carried_defaults() -> dict[str, str]:
    """The checkout form's starting values from what ``CHECKOUT_FOR`` holds."""
    carried = session.get(CHECKOUT_FOR)
    if not isinstance(carried, dict) or not carried.get("quote_number"):
        return {}
    defaults = {"quote_number": str(carried["quote_number"])}
    if carried.get("customer_id"):
        defaults |= {"end_customer_choice": "existing", "customer_id": str(carried["customer_id"])}
    if carried.get("notify_end_customer"):
        defaults["notify_end_customer"] = "1"
    return defaults


def _page(
    terms: PartnerTerms,
    tenant: Tenant,
    cart: carts.CartView,
    values: MultiDict[str, str],
    errors: dict[str, str] | None = None,
) -> tuple[str, int] | str:
    company_id = terms.enrollment.company_id
    credit = credit_status(terms.enrollment, tenant.currency, datetime.now(UTC).date())
    customers = search(company_id, "", limit=CUSTOMER_CHOICES)
    from_steps = pipeline.checkout_page(_page_context(terms, tenant, cart))
    notes = from_steps.get("credit_notes") or Money(0, tenant.currency)
    # Checked when the page first shows; after a refused submit, as the buyer left it.
    first_show = "idempotency_key" not in values
    apply_notes = notes.minor > 0 and (first_show or values.get("apply_credit_notes") == "1")
    due = cart.total.minor - (min(notes.minor, cart.total.minor) if apply_notes else 0)
    page = render(
        "orders/checkout.html",
        cart=cart,
        credit=credit,
        credit_notes=notes,
        apply_credit_notes=apply_notes,
        over_credit=due > credit.available.minor,
        customers=customers,
        saved_cards=from_steps.get("saved_cards") or list,
        require_end_customer=end_customer_required(tenant, terms),
        values=values,
        idempotency_key=values.get("idempotency_key") or uuid.uuid4().hex,
        digest=forms.cart_digest(cart.lines),
        errors=errors or {},
    )
    return (page, 422) if errors else page


def _page_context(
    terms: PartnerTerms, tenant: Tenant, cart: carts.CartView
) -> pipeline.PageContext:
    return pipeline.PageContext(tenant, terms, cart.lines, cart.total.minor)


def _cart_view(
    terms: PartnerTerms, tenant: Tenant, quote_number: str | None = None
) -> carts.CartView:
    """The cart priced as its order would be: a quote's special prices included."""
    cart = carts.view_cart(carts.get_cart(actor()), terms, tenant.currency, locale())
    if not quote_number or not cart.lines:
        return cart
    context = pipeline.PageContext(tenant, terms, cart.lines, cart.total.minor, quote_number)
    lines = pipeline.page_lines(context)
    return replace(cart, lines=lines, total=order_total(lines, tenant.currency))


@bp.route("/checkout")
@login_required
def show() -> Response | tuple[str, int] | str:
    terms, tenant = buyer_terms(), tenant_row()
    carried = _carried_defaults()
    cart = _cart_view(terms, tenant, carried.get("quote_number"))
    if not cart.lines:
        flash(_("Your cart is empty. Add products before checking out."), "info")
        return redirect(url_for("cart.view"))
    from_steps = pipeline.checkout_page(_page_context(terms, tenant, cart))
    defaults = {**(from_steps.get("checkout_defaults") or {}), **carried}
    return _page(terms, tenant, cart, MultiDict(defaults))


def _to_order(order: Order) -> Response:
    return redirect(url_for("orders.detail", number=order.number), 303)


def _already_placed(order: Order, submitted: str) -> Response:
    """The order this form's key placed; say so plainly when the form was changed since."""
    if idempotency.conflicts(order, submitted):
        message = _(
            "Order %(number)s was already placed from this checkout page, with other "
            "details. Your changes were not applied and no new order was placed.",
            number=order.number,
        )
        flash(message, "error")
    else:
        flash(_("This order was already placed."), "info")
    return _to_order(order)


@bp.route("/checkout", methods=["POST"])
@login_required
def place() -> Response | tuple[str, int] | str:
    terms, tenant = buyer_terms(), tenant_row()
    form = request.form
    # A repeated submission (double click, retry, back button) finds the first order.
    key = form.get("idempotency_key", "").strip()
    earlier = find_by_key(terms.enrollment.company_id, key) if IDEMPOTENCY_KEY.match(key) else None
    submitted = idempotency.form_fingerprint(form)
    if earlier is not None:
        return _already_placed(earlier, submitted)
    quote_number = form.get("quote_number", "").strip()[:24] or None
    cart = _cart_view(terms, tenant, quote_number)
    if not cart.lines:
        flash(_("Your cart is empty. Add products before checking out."), "info")
        return redirect(url_for("cart.view"))
    if form.get("cart_digest") != forms.cart_digest(cart.lines):
        message = _("Your cart or its prices changed. Check the order and place it again.")
        return _page(terms, tenant, cart, form.copy(), {"lines": message})
    try:
        checkout = forms.checkout_request(form, cart.lines, end_customer_required(tenant, terms))
        checkout = replace(checkout, request_fingerprint=submitted)
        order, created = submit(tenant, actor(), terms, locale(), checkout)
    except OrderInputError as error:
        db.session.rollback()
        cart = _cart_view(terms, tenant, quote_number)
        return _page(terms, tenant, cart, form.copy(), errors_of(error))
    if not created:
        return _already_placed(order, submitted)
    carts.empty(carts.get_cart(actor()))
    session.pop(CHECKOUT_FOR, None)
    db.session.commit()
    if order.status == OrderStatus.AWAITING_APPROVAL:
        flash(_("Order %(number)s is placed and waits for approval.", number=order.number), "info")
        return _to_order(order)
    flash(_("Thank you. Order %(number)s is placed.", number=order.number), "info")
    problem = pipeline.collect(order, actor())
    if problem:
        flash(problem, "error")
    return _to_order(order)
