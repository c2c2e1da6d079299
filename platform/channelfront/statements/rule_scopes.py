"""What a rule's scope may be picked from: the catalog, the tenant's partner programs
(the engine's partner tiers) and resellers, its distributor, the channels and sale kinds.

Product groups are not a scope key of the engine: a group picked on the form adds its
products to the rule's products when the form is saved.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from channelfront.accounts.models import Company
from channelfront.catalog.models import Category, Product, ProductGroup, ProductText
from channelfront.extensions import db
from channelfront.pricing.models import Enrollment, Program
from channelfront.statements.partners import reseller_id
from channelfront.tenancy.models import Tenant

CHANNEL_LABELS = (("storefront", _l("Storefront")), ("direct", _l("Direct")))
EVENT_KIND_LABELS = (
    ("new", _l("New sale")),
    ("renewal", _l("Renewal")),
    ("expansion", _l("Expansion")),
    ("none", _l("Other")),
)


@dataclass(frozen=True)
class ScopeChoices:
    """Options per scope key (value, label), the groups, and each group's products."""

    lists: dict[str, list[tuple[str, Any]]] = field(default_factory=dict)
    groups: list[tuple[str, Any]] = field(default_factory=list)
    expand: dict[str, list[str]] = field(default_factory=dict)

    def options(self, key: str, chosen: Iterable[str]) -> list[tuple[str, Any]]:
        """The key's options, plus values already in the document that are not among them."""
        known = list(self.lists.get(key, []))
        values = {value for value, _label in known}
        return known + [(value, value) for value in chosen if value not in values]


def _products(locale: str) -> list[tuple[str, str]]:
    names: dict[int, dict[str, str]] = {}
    for product_id, text_locale, name in db.session.execute(
        select(ProductText.product_id, ProductText.locale, ProductText.name)
    ):
        names.setdefault(product_id, {})[text_locale] = name
    options = []
    for product_id, sku in db.session.execute(
        select(Product.id, Product.sku).order_by(Product.sku)
    ):
        by_locale = names.get(product_id, {})
        name = by_locale.get(locale) or by_locale.get("en") or ""
        options.append((sku, f"{name} ({sku})" if name else sku))
    return options


def _groups() -> tuple[list[tuple[str, Any]], dict[str, list[str]]]:
    groups = list(db.session.scalars(select(ProductGroup).order_by(ProductGroup.name)))
    expand = {group.slug: [] for group in groups}
    rows = db.session.execute(
        select(ProductGroup.slug, Product.sku)
        .join(ProductGroup, Product.groups)
        .order_by(Product.sku)
    )
    for slug, sku in rows:
        expand[slug].append(sku)
    return [(g.slug, g.name) for g in groups], expand


def scope_choices(tenant: Tenant, locale: str) -> ScopeChoices:
    """Everything a scope of this tenant's program can name."""
    categories = [
        (c.slug, c.name_in(locale))
        for c in db.session.scalars(select(Category).order_by(Category.position, Category.slug))
    ]
    products = _products(locale)
    tiers = [
        (slug, name)
        for slug, name in db.session.execute(
            select(Program.slug, Program.name)
            .where(Program.tenant_id == tenant.id)
            .order_by(Program.name)
        )
    ]
    resellers = [
        (reseller_id(company_id), name)
        for company_id, name in db.session.execute(
            select(Enrollment.company_id, Company.name)
            .join(Company, Company.id == Enrollment.company_id)
            .where(Enrollment.tenant_id == tenant.id)
            .order_by(Company.name)
        )
    ]
    groups, expand = _groups()
    lists: dict[str, list[tuple[str, Any]]] = {
        "category_ids": list(categories),
        "exclude_category_ids": list(categories),
        "product_ids": list(products),
        "exclude_product_ids": list(products),
        "partner_tiers": list(tiers),
        "partner_ids": list(resellers),
        "distributor_ids": [(tenant.slug, tenant.name)],
        "channels": list(CHANNEL_LABELS),
        "event_kinds": list(EVENT_KIND_LABELS),
    }
    return ScopeChoices(lists, groups, expand)
