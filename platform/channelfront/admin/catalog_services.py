"""Adding products to the shared vendor catalog."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from channelfront.admin.inputs import InvalidInput, amount_to_minor
from channelfront.catalog.models import (
    Category,
    ListPrice,
    Product,
    ProductGroup,
    ProductKind,
    ProductText,
)
from channelfront.extensions import db
from channelfront.tenancy.manifests import CURRENCIES

SKU = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,39}$")
MAX_TERM_MONTHS = 120
MAX_NAME = 200
MAX_DESCRIPTION = 5000


@dataclass(frozen=True)
class ProductSpec:
    """A new product as typed: list prices are decimal text per currency, blank for none."""

    sku: str
    category_id: int | None
    kind: str
    term_months: int | None
    name: str
    description: str = ""
    group_ids: tuple[int, ...] = ()
    prices: Mapping[str, str] = field(default_factory=dict)


def _check_prices(prices: Mapping[str, str], errors: dict[str, str]) -> dict[str, int]:
    minor: dict[str, int] = {}
    for currency, text in prices.items():
        if currency not in CURRENCIES:
            errors[f"price_{currency.lower()}"] = _(
                "%(currency)s is not a currency of the catalog.", currency=currency
            )
        elif text and text.strip():
            try:
                minor[currency] = amount_to_minor(text, currency)
            except ValueError as exc:
                errors[f"price_{currency.lower()}"] = str(exc)
    if not minor and not errors:
        errors[f"price_{CURRENCIES[0].lower()}"] = _("Enter a list price in at least one currency.")
    return minor


def _check_kind(spec: ProductSpec, errors: dict[str, str]) -> None:
    if spec.kind not in {k.value for k in ProductKind}:
        errors["kind"] = _("Choose perpetual license, subscription or service.")
    elif spec.kind == ProductKind.SUBSCRIPTION:
        if spec.term_months is None:
            errors["term_months"] = _("A subscription needs a term in months.")
        elif not 1 <= spec.term_months <= MAX_TERM_MONTHS:
            errors["term_months"] = _("Use 1 to %(num)d months.", num=MAX_TERM_MONTHS)
    elif spec.term_months is not None:
        errors["term_months"] = _("Only subscriptions have a term: leave it empty.")


def create_product(spec: ProductSpec) -> Product:
    """Add a product with its English text and list prices; raise InvalidInput on bad fields."""
    errors: dict[str, str] = {}
    sku = spec.sku.strip().upper()
    if not SKU.match(sku):
        errors["sku"] = _("Use 2 to 40 capital letters, digits and dashes, e.g. SHD-STD-1Y.")
    elif db.session.scalar(select(Product.id).where(Product.sku == sku)) is not None:
        errors["sku"] = _("A product with SKU %(sku)s already exists.", sku=sku)
    category = db.session.get(Category, spec.category_id) if spec.category_id else None
    if category is None:
        errors["category"] = _("Choose a category.")
    _check_kind(spec, errors)
    name = " ".join(spec.name.split())
    if not name:
        errors["name"] = _("Enter the product's English name.")
    elif len(name) > MAX_NAME:
        errors["name"] = _("Use at most %(num)d characters.", num=MAX_NAME)
    if len(spec.description) > MAX_DESCRIPTION:
        errors["description"] = _("Use at most %(num)d characters.", num=MAX_DESCRIPTION)
    groups = list(
        db.session.scalars(select(ProductGroup).where(ProductGroup.id.in_(spec.group_ids)))
    )
    if len(groups) != len(set(spec.group_ids)):
        errors["groups"] = _("Choose product groups from the list.")
    prices = _check_prices(spec.prices, errors)
    if errors:
        raise InvalidInput(errors)
    product = Product(
        sku=sku,
        category=category,
        kind=spec.kind,
        term_months=spec.term_months,
        groups=groups,
        texts=[ProductText(locale="en", name=name, description=spec.description.strip())],
        prices=[ListPrice(currency=cur, amount_minor=amount) for cur, amount in prices.items()],
    )
    db.session.add(product)
    db.session.flush()
    return product
