"""The cart page: add, change and remove lines, each priced live at the buy price."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.wrappers import Response

from channelfront.extensions import db
from channelfront.orders import cart as carts
from channelfront.orders.errors import OrderInputError
from channelfront.orders.forms import line_request, sku_text
from channelfront.orders.lines import MAX_QUANTITY, MAX_TERM_MONTHS
from channelfront.orders.view_support import (
    actor,
    buyer_terms,
    errors_of,
    locale,
    storefront_only,
    tenant_row,
)
from channelfront.theming.views import render

bp = Blueprint("cart", __name__)
bp.before_request(storefront_only)


def order_limits() -> dict[str, int]:
    """Bounds the forms announce to the browser; the services enforce them."""
    return {"max_quantity": MAX_QUANTITY, "max_term": MAX_TERM_MONTHS}


bp.add_app_template_global(order_limits, "order_limits")


def _page(errors: dict[str, str] | None = None, sku: str = "") -> tuple[str, int] | str:
    terms = buyer_terms()
    tenant = tenant_row()
    view = carts.view_cart(carts.get_cart(actor()), terms, tenant.currency, locale())
    page = render("orders/cart.html", cart=view, errors=errors or {}, error_sku=sku)
    return (page, 422) if errors else page


@bp.route("/cart")
@login_required
def view() -> tuple[str, int] | str:
    return _page()


def _set(add: bool) -> Response | tuple[str, int] | str:
    terms = buyer_terms()
    tenant = tenant_row()
    line = line_request(request.form)
    try:
        priced = carts.set_line(
            carts.get_cart(actor()), terms, tenant.currency, locale(), line, add=add
        )
    except OrderInputError as error:
        db.session.rollback()
        return _page(errors_of(error, "line[0]."), sku=line.sku)
    db.session.commit()
    if add:
        flash(_("%(name)s is in your cart.", name=priced.name), "info")
    else:
        flash(_("%(name)s is updated.", name=priced.name), "info")
    return redirect(url_for("cart.view"), 303)


@bp.route("/cart/add", methods=["POST"])
@login_required
def add() -> Response | tuple[str, int] | str:
    return _set(add=True)


@bp.route("/cart/update", methods=["POST"])
@login_required
def update() -> Response | tuple[str, int] | str:
    return _set(add=False)


@bp.route("/cart/remove", methods=["POST"])
@login_required
def remove() -> Response:
    buyer_terms()
    sku = sku_text(request.form.get("sku", ""))
    if carts.remove_line(carts.get_cart(actor()), sku):
        db.session.commit()
        flash(_("%(sku)s is removed from your cart.", sku=sku), "info")
    return redirect(url_for("cart.view"), 303)
