"""``/api/v1/products``: the authorized catalog with buy prices."""

from __future__ import annotations

from decimal import Decimal

from flask import Response, current_app, jsonify, request
from flask_babel import get_locale
from marshmallow import ValidationError
from sqlalchemy import select

from channelfront.api import bp
from channelfront.api.auth import api_user, token_required
from channelfront.api.errors import api_error
from channelfront.api.schemas import CatalogQuerySchema, ProductPageSchema, ProductSchema
from channelfront.catalog import services
from channelfront.catalog.models import Category
from channelfront.catalog.services import CatalogItem
from channelfront.extensions import db
from channelfront.pricing.services import load_terms
from channelfront.tenancy.middleware import current_tenant


def _product(item: CatalogItem) -> dict[str, object]:
    price = item.price
    return {
        "sku": item.product.sku,
        "name": item.name,
        "description": item.description,
        "category": item.category,
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


def _terms():  # type: ignore[no-untyped-def]
    company_id = api_user().company_id
    return load_terms(company_id) if company_id else None


@bp.get("/products")
@token_required
def list_products() -> Response:
    try:
        args = CatalogQuerySchema().load(request.args)
    except ValidationError as exc:
        return api_error(400, "Invalid query parameters.", exc.normalized_messages())
    terms = _terms()
    if terms is None:
        return api_error(403, "The catalog is for reseller accounts enrolled here.")
    category_id = None
    if args["category"] is not None:
        category_id = db.session.scalar(select(Category.id).where(Category.slug == args["category"]))
        if category_id is None:
            return api_error(400, "Invalid query parameters.", {"category": ["Unknown category."]})
    page = services.browse(
        terms,
        current_tenant().currency,
        str(get_locale()),
        query=args["q"].strip(),
        category_id=category_id,
        page=args["page"],
        per_page=current_app.config["CATALOG_PAGE_SIZE"],
    )
    body = {
        "items": [_product(item) for item in page.items],
        "page": page.page,
        "pages": page.pages,
        "total": page.total,
    }
    return jsonify(ProductPageSchema().dump(body))


@bp.get("/products/<sku>")
@token_required
def get_product(sku: str) -> Response:
    terms = _terms()
    if terms is None:
        return api_error(403, "The catalog is for reseller accounts enrolled here.")
    item = services.find(terms, current_tenant().currency, str(get_locale()), sku[:40])
    if item is None:
        return api_error(404, f"No authorized product with SKU {sku[:40]!r}.")
    return jsonify(ProductSchema().dump(_product(item)))
