"""Template helpers of the header: the cart badge."""

from __future__ import annotations

from flask import g
from flask_login import current_user
from sqlalchemy import func, select

from channelfront.accounts.models import UserKind
from channelfront.extensions import db
from channelfront.orders.models import Cart, CartLine
from channelfront.orders.view_support import BUYING_ROLES


def cart_count(known: int | None = None) -> int | None:
    """Lines in the signed-in buyer's cart on this tenant; None: no cart for this user.

    ``known``: the count a page already has (the cart and checkout pages show the
    cart), so the header adds no query there; elsewhere it costs one query.
    """
    if not current_user.is_authenticated or current_user.kind != UserKind.RESELLER:
        return None
    if current_user.role not in BUYING_ROLES:  # a viewer may not open the cart
        return None
    if known is not None:
        return known
    if "cart_count" not in g:
        g.cart_count = db.session.scalar(
            select(func.count(CartLine.id))
            .join(Cart, Cart.id == CartLine.cart_id)
            .where(Cart.user_id == current_user.id)
        )
    return int(g.cart_count or 0)
