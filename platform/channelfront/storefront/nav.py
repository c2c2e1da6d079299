"""Template helpers of the header: the cart badge and who sees which link."""

from __future__ import annotations

from flask import g
from flask_login import current_user
from sqlalchemy import func, select

from channelfront.accounts.models import UserKind
from channelfront.extensions import db
from channelfront.orders.models import Cart, CartLine
from channelfront.orders.view_support import BUYING_ROLES


def cart_count() -> int | None:
    """Lines in the signed-in buyer's cart on this tenant (one query); None: no cart link."""
    if not current_user.is_authenticated or current_user.kind != UserKind.RESELLER:
        return None
    if current_user.role not in BUYING_ROLES:  # a viewer may not open the cart
        return None
    if "cart_count" not in g:
        g.cart_count = db.session.scalar(
            select(func.count(CartLine.id))
            .join(Cart, Cart.id == CartLine.cart_id)
            .where(Cart.user_id == current_user.id)
        )
    return int(g.cart_count or 0)
