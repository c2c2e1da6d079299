"""Checking requested lines (SKU, quantity, term) and pricing them at today's buy price."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from channelfront.catalog.models import Product, ProductKind, ProductText
from channelfront.extensions import db
from channelfront.i18n.formatting import Money
from channelfront.orders.errors import OrderInputError
from channelfront.pricing.services import BuyPrice, PartnerTerms, authorized_products, buy_prices
from channelfront.web.params import whole_number

MAX_QUANTITY = 10_000
MAX_TERM_MONTHS = 60


@dataclass(frozen=True)
class LineRequest:
    sku: str
    quantity: object
    term_months: object = None
    renews_subscription_id: int | None = None


@dataclass(frozen=True)
class PricedLine:
    product: Product
    name: str
    quantity: int
    term_months: int | None
    price: BuyPrice
    renews_subscription_id: int | None = None

    @property
    def periods(self) -> int:
        """How many billing periods the line buys (1 for licenses and services)."""
        if self.product.kind != ProductKind.SUBSCRIPTION or not self.term_months:
            return 1
        return self.term_months // (self.product.term_months or self.term_months)

    @property
    def total(self) -> Money:
        unit = self.price.buy_price
        return Money(unit.minor * self.quantity * self.periods, unit.currency)


def parse_quantity(raw: object, field: str = "quantity") -> int:
    """A whole number from 1 to MAX_QUANTITY; anything else is refused by name."""
    return whole_number(
        raw,
        field,
        _("The quantity must be a whole number from 1 to %(max)d.", max=MAX_QUANTITY),
        minimum=1,
        maximum=MAX_QUANTITY,
        error=OrderInputError,
    )


def parse_term(product: Product, raw: object, field: str = "term") -> int | None:
    """Subscriptions: a multiple of the product's billing period, default one period."""
    if product.kind != ProductKind.SUBSCRIPTION:
        if raw not in (None, ""):
            raise OrderInputError(field, _("Only subscriptions take a term."))
        return None
    period = product.term_months or 12
    if raw in (None, ""):
        return period
    months = whole_number(
        raw, field, _("The term must be a whole number of months."), error=OrderInputError
    )
    if months < period or months % period or months > MAX_TERM_MONTHS:
        raise OrderInputError(
            field,
            _(
                "The term must be a multiple of %(period)d months, at most %(max)d.",
                period=period,
                max=MAX_TERM_MONTHS,
            ),
        )
    return months


def _names(product_ids: list[int], locale: str) -> dict[int, str]:
    rows = db.session.execute(
        select(ProductText.product_id, ProductText.locale, ProductText.name).where(
            ProductText.product_id.in_(product_ids), ProductText.locale.in_({locale, "en"})
        )
    ).all()
    names: dict[int, str] = {}
    for product_id, row_locale, name in rows:
        if row_locale == locale or product_id not in names:
            names[product_id] = name
    return names


def price_lines(
    terms: PartnerTerms,
    currency: str,
    locale: str,
    requests: list[LineRequest],
    field: str = "lines",
) -> list[PricedLine]:
    """Check every requested line and price it; refuse the first bad one by its position."""
    if not requests:
        raise OrderInputError(field, _("Add at least one product."))
    if len(requests) > 200:
        raise OrderInputError(field, _("An order has at most 200 lines."))
    # A SKU with control characters cannot exist; keep it out of the query (PostgreSQL
    # refuses NUL bytes) and let it be reported as not buyable below.
    skus = {str(r.sku) for r in requests if str(r.sku).isprintable() and len(str(r.sku)) <= 40}
    products = {
        p.sku: p
        for p in db.session.scalars(
            authorized_products(terms, currency).where(Product.sku.in_(skus))
        )
    }
    prices = buy_prices(terms, list(products.values()), currency)
    names = _names([p.id for p in products.values()], locale)
    priced: list[PricedLine] = []
    seen: set[str] = set()
    for index, request in enumerate(requests):
        where = f"{field}[{index}]"
        product = products.get(str(request.sku))
        if product is None:
            raise OrderInputError(
                f"{where}.sku",
                _("%(sku)s is not a product you can buy here.", sku=str(request.sku)[:40]),
            )
        if product.sku in seen:
            raise OrderInputError(f"{where}.sku", _("%(sku)s appears twice.", sku=product.sku))
        seen.add(product.sku)
        quantity = parse_quantity(request.quantity, f"{where}.quantity")
        term = parse_term(product, request.term_months, f"{where}.term")
        priced.append(
            PricedLine(
                product,
                names.get(product.id, product.sku),
                quantity,
                term,
                prices[product.id],
                request.renews_subscription_id,
            )
        )
    return priced


def order_total(lines: list[PricedLine], currency: str) -> Money:
    return Money(sum(line.total.minor for line in lines), currency)
