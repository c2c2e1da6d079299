"""Order templates and re-orders: save lines under a name, put them back in a cart.

Lines go back into the cart through ``cart.set_line``, so they are checked and priced
exactly like lines a buyer adds by hand: at today's buy price, and only while the
product is still authorized. A line already in the cart takes the template's quantity
and term (so pressing the button twice does not double anything); other cart lines stay.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import and_, select
from sqlalchemy.orm import selectinload

from channelfront.accounts.models import User
from channelfront.catalog.models import Product, ProductText
from channelfront.extensions import db
from channelfront.orders.cart import set_line
from channelfront.orders.errors import OrderInputError
from channelfront.orders.lines import LineRequest, PricedLine
from channelfront.orders.models import Cart, Order
from channelfront.orders.template_models import OrderTemplate, OrderTemplateLine
from channelfront.pricing.services import PartnerTerms

MAX_NAME = 120
MAX_NUMBER = 20


@dataclass(frozen=True)
class Wanted:
    """A line to put back in a cart: the product, how many, which term."""

    product_id: int
    quantity: int
    term_months: int | None


@dataclass(frozen=True)
class CartFill:
    added: list[PricedLine]
    dropped: list[str]


def check_name(name: object) -> str:
    """A template name: 1 to 120 printable characters."""
    text = str(name or "").strip()
    if not text:
        raise OrderInputError("name", _("Give the template a name."))
    if len(text) > MAX_NAME or not text.isprintable():
        raise OrderInputError(
            "name", _("The name has at most %(max)d printable characters.", max=MAX_NAME)
        )
    return text


def _save(company_id: int, actor: User, name: object, wanted: list[Wanted]) -> OrderTemplate:
    checked = check_name(name)
    taken = db.session.scalar(
        select(OrderTemplate.id).where(
            OrderTemplate.company_id == company_id, OrderTemplate.name == checked
        )
    )
    if taken is not None:
        raise OrderInputError("name", _("Your company already has a template with this name."))
    template = OrderTemplate(
        company_id=company_id,
        created_by=actor.id,
        name=checked,
        lines=[
            OrderTemplateLine(
                product_id=w.product_id, quantity=w.quantity, term_months=w.term_months
            )
            for w in wanted
        ],
    )
    db.session.add(template)
    db.session.flush()
    return template


def save_from_order(company_id: int, actor: User, order: Order, name: object) -> OrderTemplate:
    """Save an order's lines as a named template of the company (no commit)."""
    return _save(company_id, actor, name, order_lines(order))


def save_from_cart(company_id: int, actor: User, cart: Cart, name: object) -> OrderTemplate:
    """Save the cart's lines as a named template of the company (no commit)."""
    if not cart.lines:
        raise OrderInputError("cart", _("Your cart is empty: add products before saving it."))
    wanted = [Wanted(ln.product_id, ln.quantity, ln.term_months) for ln in cart.lines]
    return _save(company_id, actor, name, wanted)


def order_lines(order: Order) -> list[Wanted]:
    return [Wanted(ln.product_id, ln.quantity, ln.term_months) for ln in order.lines]


def template_lines(template: OrderTemplate) -> list[Wanted]:
    return [Wanted(ln.product_id, ln.quantity, ln.term_months) for ln in template.lines]


def company_templates(company_id: int) -> list[OrderTemplate]:
    """The company's templates by name, with their lines (two queries)."""
    return list(
        db.session.scalars(
            select(OrderTemplate)
            .where(OrderTemplate.company_id == company_id)
            .options(selectinload(OrderTemplate.lines))
            .order_by(OrderTemplate.name, OrderTemplate.id)
        )
    )


def find_template(company_id: int, template_id: int) -> OrderTemplate | None:
    return db.session.scalar(
        select(OrderTemplate).where(
            OrderTemplate.id == template_id, OrderTemplate.company_id == company_id
        )
    )


def find_order(company_id: int, number: str) -> Order | None:
    """One of the company's orders on the active tenant by number; None for any other."""
    number = number.strip()
    if not number or len(number) > MAX_NUMBER or not number.isprintable():
        return None
    return db.session.scalar(
        select(Order)
        .where(Order.number == number, Order.company_id == company_id)
        .options(selectinload(Order.lines))
    )


def product_labels(product_ids: list[int], locale: str) -> dict[int, tuple[str, str]]:
    """Product id to (SKU, name in the locale or English) in one query."""
    rows = db.session.execute(
        select(Product.id, Product.sku, ProductText.locale, ProductText.name)
        .outerjoin(
            ProductText,
            and_(ProductText.product_id == Product.id, ProductText.locale.in_({locale, "en"})),
        )
        .where(Product.id.in_(product_ids))
    ).all()
    labels: dict[int, tuple[str, str]] = {}
    for product_id, sku, text_locale, name in rows:
        if product_id not in labels or text_locale == locale:
            labels[product_id] = (sku, name or sku)
    return labels


def fill_cart(
    cart: Cart,
    terms: PartnerTerms,
    currency: str,
    locale: str,
    wanted: list[Wanted],
) -> CartFill:
    """Put the lines in the cart at today's buy prices; name each line that cannot go in.

    A line is dropped when its product is no longer authorized, active or priced in the
    tenant's currency, or its quantity or term no longer passes the checks (no commit).
    """
    labels = product_labels([w.product_id for w in wanted], locale)
    added: list[PricedLine] = []
    dropped: list[str] = []
    for line in wanted:
        sku, name = labels.get(line.product_id, ("", ""))
        try:
            added.append(
                set_line(
                    cart,
                    terms,
                    currency,
                    locale,
                    LineRequest(sku, line.quantity, line.term_months),
                    add=False,
                )
            )
        except OrderInputError:
            dropped.append(_("%(name)s (%(sku)s)", name=name, sku=sku) if sku else name)
    return CartFill(added, dropped)


def delete_template(template: OrderTemplate) -> None:
    db.session.delete(template)
