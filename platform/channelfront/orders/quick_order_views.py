"""The quick order page (``/cart/quick``): paste or upload lines, all checked, then carted.

Its routes sit on the cart blueprint: the same storefront-only guard, the same buyers.
"""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import ngettext
from flask_login import login_required
from werkzeug.wrappers import Response

from channelfront.extensions import db
from channelfront.orders import cart as carts
from channelfront.orders import quick_order
from channelfront.orders.cart_views import bp
from channelfront.orders.quick_order import LineError, QuickOrderError
from channelfront.orders.view_support import actor, buyer_terms, locale, tenant_row
from channelfront.theming.views import render


def _page(text: str = "", errors: list[LineError] | None = None) -> tuple[str, int] | str:
    page = render(
        "orders/quick_order.html",
        text=text,
        errors=errors or [],
        max_lines=quick_order.MAX_LINES,
        max_kb=quick_order.MAX_BYTES // 1024,
    )
    return (page, 422) if errors else page


def _submitted_text() -> str:
    """The uploaded file's text when one was chosen, else the pasted lines."""
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        return quick_order.decode(upload.read(quick_order.MAX_BYTES + 1))
    return request.form.get("lines", "")


@bp.route("/cart/quick")
@login_required
def quick() -> tuple[str, int] | str:
    buyer_terms()
    return _page()


@bp.route("/cart/quick", methods=["POST"])
@login_required
def quick_add() -> Response | tuple[str, int] | str:
    terms, tenant = buyer_terms(), tenant_row()
    text = ""
    try:
        text = _submitted_text()
        lines = quick_order.check(quick_order.parse(text), terms, tenant.currency)
        cart = carts.get_cart(actor())
        count = quick_order.add_to_cart(cart, lines, terms, tenant.currency, locale())
    except QuickOrderError as error:
        db.session.rollback()
        return _page(text[: quick_order.MAX_BYTES], error.errors)
    db.session.commit()
    flash(
        ngettext("%(num)d product is in your cart.", "%(num)d products are in your cart.", count),
        "info",
    )
    return redirect(url_for("cart.view"), 303)
