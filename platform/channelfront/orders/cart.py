"""A user's cart on the current tenant: add, change and remove lines, priced live."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from channelfront.accounts.models import User
from channelfront.catalog.models import Product
from channelfront.extensions import db
from channelfront.i18n.formatting import Money
from channelfront.orders.errors import OrderInputError
from channelfront.orders.lines import LineRequest, PricedLine, order_total, price_lines
from channelfront.orders.models import Cart, CartLine
from channelfront.pricing.services import PartnerTerms

MAX_CART_LINES = 200


@dataclass(frozen=True)
class CartView:
    lines: list[PricedLine]
    dropped: list[str]
    total: Money


def get_cart(user: User) -> Cart:
    """The user's cart on the active tenant, created when first needed."""
    cart = db.session.scalar(
        select(Cart).where(Cart.user_id == user.id).options(selectinload(Cart.lines))
    )
    if cart is None:
        cart = Cart(user_id=user.id)
        db.session.add(cart)
        db.session.flush()
    return cart


def _requests(cart: Cart) -> list[tuple[CartLine, LineRequest]]:
    products = {
        p.id: p.sku
        for p in db.session.scalars(
            select(Product).where(Product.id.in_([line.product_id for line in cart.lines]))
        )
    }
    return [
        (
            line,
            LineRequest(
                products[line.product_id],
                line.quantity,
                line.term_months,
                line.renews_subscription_id,
            ),
        )
        for line in cart.lines
    ]


def view_cart(cart: Cart, terms: PartnerTerms, currency: str, locale: str) -> CartView:
    """Price every line at today's buy price; lines no longer buyable are listed as dropped."""
    requests = [request for _line, request in _requests(cart)]
    if not requests:
        return CartView([], [], Money(0, currency))
    try:
        priced = price_lines(terms, currency, locale, requests)
        return CartView(priced, [], order_total(priced, currency))
    except OrderInputError:
        pass  # some line is no longer buyable: price them one by one to name it
    priced = []
    dropped: list[str] = []
    for request in requests:
        try:
            priced.extend(price_lines(terms, currency, locale, [request]))
        except OrderInputError:
            dropped.append(request.sku)
    return CartView(priced, dropped, order_total(priced, currency))


def set_line(
    cart: Cart, terms: PartnerTerms, currency: str, locale: str, request: LineRequest, *, add: bool
) -> PricedLine:
    """Add to (``add=True``) or set a line's quantity and term; refuse unbuyable products."""
    [priced] = price_lines(terms, currency, locale, [request], field="line")
    line = next((ln for ln in cart.lines if ln.product_id == priced.product.id), None)
    if line is None:
        if len(cart.lines) >= MAX_CART_LINES:
            raise OrderInputError("sku", _("A cart holds at most 200 products."))
        line = CartLine(product_id=priced.product.id, quantity=0)
        cart.lines.append(line)
    elif add and line.renews_subscription_id is not None:
        raise OrderInputError(
            "sku",
            _(
                "%(sku)s is in your cart as a renewal. Order the renewal first.",
                sku=priced.product.sku,
            ),
        )
    quantity = line.quantity + priced.quantity if add else priced.quantity
    [checked] = price_lines(
        terms,
        currency,
        locale,
        [LineRequest(priced.product.sku, quantity, priced.term_months)],
        "line",
    )
    line.quantity = checked.quantity
    line.term_months = checked.term_months
    return checked


def remove_line(cart: Cart, sku: str) -> bool:
    """Remove a product from the cart; False when it was not in it."""
    product_id = db.session.scalar(select(Product.id).where(Product.sku == sku))
    line = next((ln for ln in cart.lines if ln.product_id == product_id), None)
    if line is None:
        return False
    cart.lines.remove(line)
    return True


def empty(cart: Cart) -> None:
    cart.lines.clear()
