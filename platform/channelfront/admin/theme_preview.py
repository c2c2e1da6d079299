"""A theme version previewed in the console: real storefront templates with sample content.

The page is painted in the version's look (``g.theme_preview``), so a draft can be seen
before it is published; storefronts only ever resolve the published version. Sample rows
come from the catalog's active products at list price; nothing is written. These pages
may be framed by the console itself (the editor's preview), nothing else may frame them.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, current_app, g, make_response, request, url_for
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from channelfront.admin.blueprint import bp
from channelfront.admin.themes import PREVIEW_PAGES, theme_of
from channelfront.catalog.models import ListPrice, Product
from channelfront.catalog.services import CatalogItem, CatalogPage, category_names, texts_in
from channelfront.extensions import db
from channelfront.i18n.formatting import Money
from channelfront.i18n.locale import SHIPPED_LOCALES
from channelfront.mail.brand import Brand
from channelfront.mail.compose import html_body
from channelfront.pricing.services import BuyPrice, PriceSource
from channelfront.security import CSP
from channelfront.tenancy.models import Tenant
from channelfront.theming import listing
from channelfront.theming.models import StoreTheme
from channelfront.theming.stored import Look, featured_products, look_of_version
from channelfront.theming.views import render

# Framed by the console only; no form in a preview submits anywhere.
PREVIEW_CSP = CSP.replace("frame-ancestors 'none'", "frame-ancestors 'self'").replace(
    "form-action 'self'", "form-action 'none'"
)
SAMPLE_PRODUCTS = 6
SAMPLE_CART_LINES = 3


@dataclass(frozen=True)
class SampleTenant:
    """What the storefront templates read of a tenant; no own logo, so the theme's shows."""

    name: str
    vendor_name: str
    currency: str
    logo_file: None = None


@dataclass(frozen=True)
class SampleArgs:
    query: str = ""
    category: str = ""


@dataclass(frozen=True)
class SampleLine:
    product: Product
    name: str
    quantity: int
    term_months: int | None
    price: BuyPrice
    total: Money
    renews_subscription_id: None = None


@dataclass(frozen=True)
class SampleCart:
    lines: list[SampleLine]
    total: Money
    dropped: tuple[str, ...] = ()


def _sample_tenant(theme: StoreTheme) -> SampleTenant:
    """The first tenant using the theme, else the vendor's first tenant."""
    tenant = db.session.scalars(
        select(Tenant)
        .where(Tenant.vendor_id == theme.vendor_id)
        .order_by((Tenant.theme == theme.slug).desc(), Tenant.id)
        .limit(1)
    ).first()
    if tenant is None:
        return SampleTenant(name=theme.name, vendor_name="", currency="USD")
    return SampleTenant(name=tenant.name, vendor_name=tenant.vendor.name, currency=tenant.currency)


def _items(currency: str, locale: str) -> list[CatalogItem]:
    rows = db.session.execute(
        select(Product, ListPrice.amount_minor)
        .join(ListPrice, ListPrice.product_id == Product.id)
        .where(Product.active.is_(True), ListPrice.currency == currency)
        .order_by(Product.sku)
        .limit(SAMPLE_PRODUCTS)
    ).all()
    texts = texts_in([product.id for product, _amount in rows], locale)
    categories = category_names(locale)
    items = []
    for product, amount in rows:
        price = Money(amount, currency)
        text = texts.get(product.id)
        items.append(
            CatalogItem(
                product=product,
                name=text.name if text else product.sku,
                description=text.description if text else "",
                category=categories.get(product.category_id, ("", ""))[1],
                price=BuyPrice(price, price, PriceSource("list", 0)),
            )
        )
    return items


def _cart(items: list[CatalogItem], currency: str) -> SampleCart:
    lines = []
    for quantity, item in enumerate(items[:SAMPLE_CART_LINES], start=1):
        term = item.product.term_months if item.product.kind == "subscription" else None
        total = Money(item.price.list_price.minor * quantity, currency)
        lines.append(SampleLine(item.product, item.name, quantity, term, item.price, total))
    return SampleCart(lines=lines, total=Money(sum(line.total.minor for line in lines), currency))


def _mail(look: Look, tenant: SampleTenant, locale: str) -> str:
    logo = url_for("theming.stored_logo", sha256=look.logo_sha256) if look.logo_sha256 else None
    brand = Brand(tenant.name, "", None, look.pack.name, dict(look.colors), logo)
    text = _(
        "Hello,\n\nthank you for your order %(number)s at %(shop)s. We will send the "
        "license keys as soon as the order is fulfilled.\n\nYour order: https://example.com/orders",
        number="NW-1001",
        shop=tenant.name,
    )
    return html_body(text, _("Your order %(number)s", number="NW-1001"), brand, locale)


def _page(page: str, look: Look, tenant: SampleTenant, locale: str) -> str:
    common = {"tenant": tenant, "site_name": tenant.name, "hide_nav": True}
    if page == "mail":
        return _mail(look, tenant, locale)
    if page == "home":
        return render(
            "storefront/home.html",
            categories=category_names(locale),
            recent_orders=None,
            banner=look.banner.get(locale) or look.banner.get("en"),
            featured=featured_products(look.featured, locale),
            **common,
        )
    items = _items(tenant.currency, locale)
    if page == "catalog":
        catalog = CatalogPage(items=items, page=1, pages=1, total=len(items))
        return render(
            "catalog/index.html",
            page=catalog,
            args=SampleArgs(),
            categories=category_names(locale),
            **common,
        )
    return render("orders/cart.html", cart=_cart(items, tenant.currency), errors={}, **common)


@bp.route("/themes/<int:theme_id>/versions/<int:number>/preview/<page>")
def theme_preview(theme_id: int, number: int, page: str) -> Response:
    """A storefront page (home, catalog, cart) or a mail in the version's look."""
    theme = theme_of(theme_id)
    version = listing.version_of(theme, number)
    if version is None or page not in PREVIEW_PAGES:
        abort(404)
    look = look_of_version(current_app.config["THEMES_DIR"], theme.parent, version)
    g.theme_preview = look
    g.pop("brand", None)
    asked = request.args.get("lang", "")
    locale = asked if asked in SHIPPED_LOCALES else str(get_locale())
    with force_locale(locale):
        body = _page(page, look, _sample_tenant(theme), locale)
    response = make_response(body)
    response.headers["Content-Security-Policy"] = PREVIEW_CSP
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response
