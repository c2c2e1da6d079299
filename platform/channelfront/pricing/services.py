"""Authorization and buy prices for a reseller company on one tenant.

A buy price resolves, first match wins: a partner-specific override, the program's
discount for the product, for one of its product groups (largest discount), for its
category, else the list price. An approved special price for a reseller's quote (one end
customer, product and quantity) beats them all; the quotes checkout step applies it to
the order of that quote (``quotes.checkout_step``). Each price carries its source.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from sqlalchemy import Select, or_, select

from channelfront.catalog.models import ListPrice, Product, product_group_member
from channelfront.extensions import db
from channelfront.i18n.formatting import Money
from channelfront.pricing.models import Enrollment, PartnerPrice, ProgramRule


@dataclass(frozen=True)
class PriceSource:
    """Where a buy price came from: override, product, group, category or list."""

    kind: str
    discount_bps: int
    ref: str | None = None


@dataclass(frozen=True)
class BuyPrice:
    list_price: Money
    buy_price: Money
    source: PriceSource

    @property
    def saving(self) -> Money:
        return Money(self.list_price.minor - self.buy_price.minor, self.list_price.currency)


@dataclass(frozen=True)
class PartnerTerms:
    """A company's program rules and overrides on a tenant, loaded once per request."""

    enrollment: Enrollment
    categories: dict[int, int]
    groups: dict[int, int]
    products: dict[int, int]
    overrides: dict[int, int]


def load_terms(company_id: int) -> PartnerTerms | None:
    """The company's terms on the active tenant, or None when it is not enrolled."""
    # The enrollment and its program's rules in one query: this runs on every catalog request.
    rows = db.session.execute(
        select(Enrollment, ProgramRule)
        .outerjoin(ProgramRule, ProgramRule.program_id == Enrollment.program_id)
        .where(Enrollment.company_id == company_id)
    ).all()
    if not rows:
        return None
    enrollment = rows[0][0]
    rules = [rule for _enrollment, rule in rows if rule is not None]
    overrides = db.session.execute(
        select(PartnerPrice.product_id, PartnerPrice.discount_bps).where(
            PartnerPrice.company_id == company_id
        )
    ).all()
    return PartnerTerms(
        enrollment=enrollment,
        categories={r.category_id: r.discount_bps for r in rules if r.category_id},
        groups={r.group_id: r.discount_bps for r in rules if r.group_id},
        products={r.product_id: r.discount_bps for r in rules if r.product_id},
        overrides=dict(overrides),
    )


def authorized_products(terms: PartnerTerms, currency: str) -> Select[tuple[Product]]:
    """A query of the active products the company may buy in the tenant's currency.

    Overrides set a price; they do not authorize a product on their own.
    """
    # Uncorrelated IN subqueries: far cheaper than EXISTS per row on a large catalog.
    priced = Product.id.in_(select(ListPrice.product_id).where(ListPrice.currency == currency))
    in_group = Product.id.in_(
        select(product_group_member.c.product_id).where(
            product_group_member.c.group_id.in_(list(terms.groups))
        )
    )
    return select(Product).where(
        Product.active.is_(True),
        priced,
        or_(
            Product.category_id.in_(list(terms.categories)),
            Product.id.in_(list(terms.products)),
            in_group,
        ),
    )


def resolve_source(terms: PartnerTerms, product: Product, group_ids: list[int]) -> PriceSource:
    """The rule that sets this product's buy price for the company."""
    if product.id in terms.overrides:
        return PriceSource("override", terms.overrides[product.id])
    if product.id in terms.products:
        return PriceSource("product", terms.products[product.id])
    matching = [(terms.groups[g], g) for g in group_ids if g in terms.groups]
    if matching:
        bps, group_id = max(matching)
        return PriceSource("group", bps, str(group_id))
    if product.category_id in terms.categories:
        return PriceSource("category", terms.categories[product.category_id])
    return PriceSource("list", 0)


def apply_discount(list_minor: int, discount_bps: int) -> int:
    """List price less a discount, rounded half-even to whole minor units."""
    value = Decimal(list_minor) * (Decimal(10000 - discount_bps) / Decimal(10000))
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def buy_prices(terms: PartnerTerms, products: list[Product], currency: str) -> dict[int, BuyPrice]:
    """Buy prices of several products at once (two queries, whatever the count)."""
    ids = [p.id for p in products]
    if not ids:
        return {}
    list_minor = dict(
        db.session.execute(
            select(ListPrice.product_id, ListPrice.amount_minor).where(
                ListPrice.product_id.in_(ids), ListPrice.currency == currency
            )
        ).all()
    )
    groups: dict[int, list[int]] = {pid: [] for pid in ids}
    for product_id, group_id in db.session.execute(
        select(product_group_member.c.product_id, product_group_member.c.group_id).where(
            product_group_member.c.product_id.in_(ids)
        )
    ):
        groups[product_id].append(group_id)
    prices = {}
    for product in products:
        if product.id not in list_minor:
            continue
        source = resolve_source(terms, product, groups[product.id])
        listed = list_minor[product.id]
        prices[product.id] = BuyPrice(
            list_price=Money(listed, currency),
            buy_price=Money(apply_discount(listed, source.discount_bps), currency),
            source=source,
        )
    return prices
