"""``/api/v1/products``: the authorized catalog with buy prices.

Order of answers: 401 without a valid token of this storefront, 403 for a user who
has no catalog here, 400 for bad query parameters, then 404 or 200. An unknown SKU
and one the reseller may not buy get the same 404, so the API reveals nothing
about the catalog beyond what the reseller is authorized for.
"""

from __future__ import annotations

from decimal import Decimal

from flask import Response, current_app, jsonify
from flask_babel import get_locale

from channelfront.api import bp
from channelfront.api.auth import token_required
from channelfront.api.context import (
    query_args,
    require_terms,
    tenant_info,
)
from channelfront.api.errors import api_error
from channelfront.api.schemas import (
    MAX_SKU_LENGTH,
    CatalogQuerySchema,
    NoQuerySchema,
    ProductPageSchema,
    ProductSchema,
)
from channelfront.catalog import services
from channelfront.catalog.services import CatalogItem

NOT_FOUND = "No product with this SKU in your catalog on this storefront."


def _product(item: CatalogItem, categories: dict[int, tuple[str, str]]) -> dict[str, object]:
    price = item.price
    return {
        "sku": item.product.sku,
        "name": item.name,
        "description": item.description,
        "category": categories.get(item.product.category_id, ("", ""))[0],
        "category_name": item.category,
        "kind": item.product.kind,
        "term_months": item.product.term_months,
        "currency": price.list_price.currency,
        "list_price": str(price.list_price.amount),
        "buy_price": str(price.buy_price.amount),
        "saving": str(price.saving.amount),
        "price_source": {
            "kind": price.source.kind,
            "discount_percent": str(Decimal(price.source.discount_bps).scaleb(-2)),
        },
    }


@bp.get("/products")
@token_required
def list_products() -> Response:
    terms = require_terms()
    args = query_args(CatalogQuerySchema())
    locale = str(get_locale())
    categories = services.category_names(locale)
    category_id = None
    if "category" in args:
        by_slug = {slug: cid for cid, (slug, _name) in categories.items()}
        category_id = by_slug.get(args["category"])
        if category_id is None:
            known = ", ".join(sorted(by_slug))
            return api_error(
                400,
                "Invalid query parameters.",
                {"category": [f"Unknown category. Known categories: {known}."]},
            )
    per_page = current_app.config["CATALOG_PAGE_SIZE"]
    page = services.browse(
        terms,
        tenant_info().currency,
        locale,
        query=args["q"].strip(),
        category_id=category_id,
        page=args["page"],
        per_page=per_page,
    )
    body = {
        "items": [_product(item, categories) for item in page.items],
        "page": page.page,
        "pages": page.pages,
        "per_page": per_page,
        "total": page.total,
    }
    return jsonify(ProductPageSchema().dump(body))


@bp.get("/products/<path:sku>")
@token_required
def get_product(sku: str) -> Response:
    terms = require_terms()
    query_args(NoQuerySchema())
    # No SKU is longer or holds control characters; such input never reaches the database.
    if len(sku) > MAX_SKU_LENGTH or not sku.isprintable():
        return api_error(404, NOT_FOUND)
    locale = str(get_locale())
    item = services.find(terms, tenant_info().currency, locale, sku)
    if item is None:
        return api_error(404, NOT_FOUND)
    return jsonify(ProductSchema().dump(_product(item, services.category_names(locale))))
