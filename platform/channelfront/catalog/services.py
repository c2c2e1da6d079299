"""Reading the authorized catalog with buy prices, for pages and the API."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select

from channelfront.catalog.models import Category, CategoryName, Product, ProductText
from channelfront.extensions import db
from channelfront.pricing.services import BuyPrice, PartnerTerms, authorized_products, buy_prices

MAX_QUERY_LENGTH = 100


@dataclass(frozen=True)
class CatalogItem:
    product: Product
    name: str
    description: str
    category: str
    price: BuyPrice


@dataclass(frozen=True)
class CatalogPage:
    items: list[CatalogItem]
    page: int
    pages: int
    total: int


def texts_in(product_ids: list[int], locale: str) -> dict[int, ProductText]:
    """Each product's text in the locale, falling back to English."""
    rows = db.session.scalars(
        select(ProductText).where(
            ProductText.product_id.in_(product_ids), ProductText.locale.in_({locale, "en"})
        )
    ).all()
    chosen: dict[int, ProductText] = {}
    for row in rows:
        if row.locale == locale or row.product_id not in chosen:
            chosen[row.product_id] = row
    return chosen


def category_names(locale: str) -> dict[int, tuple[str, str]]:
    """Category id to (slug, name in the locale), in display order (one query)."""
    rows = db.session.execute(
        select(Category.id, Category.slug, CategoryName.locale, CategoryName.name)
        .outerjoin(
            CategoryName,
            and_(CategoryName.category_id == Category.id, CategoryName.locale.in_({locale, "en"})),
        )
        .order_by(Category.position, Category.id)
    ).all()
    slugs: dict[int, str] = {}
    names: dict[int, dict[str, str]] = {}
    for category_id, slug, loc, name in rows:
        slugs[category_id] = slug
        if loc is not None:
            names.setdefault(category_id, {})[loc] = name
    return {
        cid: (slug, names.get(cid, {}).get(locale) or names.get(cid, {}).get("en") or slug)
        for cid, slug in slugs.items()
    }


def _items(
    terms: PartnerTerms,
    products: list[Product],
    currency: str,
    locale: str,
    categories: dict[int, tuple[str, str]] | None = None,
) -> list[CatalogItem]:
    texts = texts_in([p.id for p in products], locale)
    prices = buy_prices(terms, products, currency)
    if categories is None:
        categories = category_names(locale)
    return [
        CatalogItem(
            product=p,
            name=texts[p.id].name if p.id in texts else p.sku,
            description=texts[p.id].description if p.id in texts else "",
            category=categories.get(p.category_id, ("", ""))[1],
            price=prices[p.id],
        )
        for p in products
        if p.id in prices
    ]


def browse(
    terms: PartnerTerms,
    currency: str,
    locale: str,
    *,
    query: str = "",
    category_id: int | None = None,
    page: int = 1,
    per_page: int = 24,
    categories: dict[int, tuple[str, str]] | None = None,
) -> CatalogPage:
    """One page of the authorized catalog, filtered by search text and category.

    ``categories`` is :func:`category_names` for the locale when the caller already has it.
    """
    stmt = authorized_products(terms, currency)
    if category_id is not None:
        stmt = stmt.where(Product.category_id == category_id)
    if query:
        escaped = query.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        matching_text = (
            select(ProductText.product_id)
            .where(
                ProductText.locale.in_({locale, "en"}),
                func.lower(ProductText.name).like(pattern, escape="\\"),
            )
            .scalar_subquery()
        )
        stmt = stmt.where(
            or_(func.lower(Product.sku).like(pattern, escape="\\"), Product.id.in_(matching_text))
        )
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    pages = max(1, -(-total // per_page))
    page = min(page, pages)
    products = list(
        db.session.scalars(stmt.order_by(Product.sku).limit(per_page).offset((page - 1) * per_page))
    )
    items = _items(terms, products, currency, locale, categories)
    return CatalogPage(items, page, pages, total)


def find(terms: PartnerTerms, currency: str, locale: str, sku: str) -> CatalogItem | None:
    """One authorized product by SKU, or None when it is unknown or not authorized."""
    product = db.session.scalar(authorized_products(terms, currency).where(Product.sku == sku))
    if product is None:
        return None
    items = _items(terms, [product], currency, locale)
    return items[0] if items else None
