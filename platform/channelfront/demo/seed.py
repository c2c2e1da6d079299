"""Load the demo: catalog, tenants from their manifests, resellers, users and enrollments.

Every step upserts by a natural key (SKU, slug, e-mail, company name), so loading
twice leaves one copy of everything.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from channelfront.accounts.models import Company, User, UserKind
from channelfront.accounts.passwords import hash_password
from channelfront.catalog.models import (
    Category,
    CategoryName,
    ListPrice,
    Product,
    ProductGroup,
    ProductText,
)
from channelfront.demo import DEMO_TENANTS_DIR, catalog_data
from channelfront.extensions import db
from channelfront.pricing.models import Enrollment, PartnerPrice, Program
from channelfront.tenancy.manifests import sync
from channelfront.tenancy.models import Tenant

DEMO_PASSWORD = "channelfront-demo"  # noqa: S105 - documented demo credential


@dataclass(frozen=True)
class DemoUser:
    email: str
    name: str
    kind: UserKind
    role: str
    company: str | None = None
    tenant: str | None = None


COMPANIES = {
    "Bluebird IT": ("US", {"northwind": ("gold", 5_000_000), "alpenhandel": ("silver", 2_000_000)}),
    "Kirin Systems": ("JP", {"sakura": ("standard", 300_000_000)}),
}

USERS = [
    DemoUser("buyer@bluebird.example", "Blake Buyer", UserKind.RESELLER, "buyer", "Bluebird IT"),
    DemoUser(
        "approver@bluebird.example", "Avery Approver", UserKind.RESELLER, "approver", "Bluebird IT"
    ),
    DemoUser(
        "admin@bluebird.example", "Addison Admin", UserKind.RESELLER, "company_admin", "Bluebird IT"
    ),
    DemoUser("buyer@kirin.example", "Kenji Kirin", UserKind.RESELLER, "buyer", "Kirin Systems"),
    DemoUser(
        "finance@northwind.example",
        "Fran Finance",
        UserKind.DISTRIBUTOR,
        "distributor_finance",
        tenant="northwind",
    ),
    DemoUser(
        "admin@northwind.example",
        "Dana Distributor",
        UserKind.DISTRIBUTOR,
        "distributor_admin",
        tenant="northwind",
    ),
    DemoUser(
        "partners@northwind.example",
        "Pat Partner",
        UserKind.DISTRIBUTOR,
        "partner_manager",
        tenant="northwind",
    ),
    DemoUser(
        "admin@alpenhandel.example",
        "Alex Alpen",
        UserKind.DISTRIBUTOR,
        "distributor_admin",
        tenant="alpenhandel",
    ),
    DemoUser("admin@nimbus.example", "Nico Nimbus", UserKind.VENDOR, "vendor_admin"),
]

# A partner-specific override that beats Bluebird's Gold program on northwind.
OVERRIDES = [("northwind", "Bluebird IT", "SHD-ENT-1Y", 4000)]


def _get_or_add(model, **key):  # type: ignore[no-untyped-def]
    row = db.session.scalar(select(model).filter_by(**key))
    if row is None:
        row = model(**key)
        db.session.add(row)
    return row


def load_catalog() -> int:
    """Upsert categories, groups and the 60 demo products; return the product count."""
    categories = {}
    for position, (slug, names) in enumerate(catalog_data.CATEGORIES.items()):
        category = _get_or_add(Category, slug=slug)
        category.position = position
        existing = {n.locale: n for n in category.names}
        category.names = [
            existing.get(loc) or CategoryName(locale=loc, name=name) for loc, name in names.items()
        ]
        for row in category.names:
            row.name = names[row.locale]
        categories[slug] = category
    groups = {}
    for slug, name in catalog_data.GROUPS.items():
        group = _get_or_add(ProductGroup, slug=slug)
        group.name = name
        groups[slug] = group
    db.session.flush()
    items = catalog_data.products()
    for item in items:
        product = _get_or_add(Product, sku=item.sku)
        product.category = categories[item.category]
        product.kind = item.kind
        product.term_months = item.term_months
        product.groups = [groups[g] for g in item.groups]
        texts = {t.locale: t for t in product.texts}
        product.texts = [
            texts.get(loc) or ProductText(locale=loc, name=name) for loc, name in item.names.items()
        ]
        for text in product.texts:
            text.name = item.names[text.locale]
            text.description = item.descriptions.get(text.locale, "")
        prices = {p.currency: p for p in product.prices}
        product.prices = [
            prices.get(cur) or ListPrice(currency=cur, amount_minor=amount)
            for cur, amount in catalog_data.prices(item.usd_cents).items()
        ]
        for price in product.prices:
            price.amount_minor = catalog_data.prices(item.usd_cents)[price.currency]
    db.session.flush()
    return len(items)


def _tenants() -> dict[str, Tenant]:
    return {t.slug: t for t in db.session.scalars(select(Tenant))}


def load_partners() -> None:
    """Upsert reseller companies, their enrollments, overrides and all demo users."""
    tenants = _tenants()
    companies = {}
    for name, (country, enrollments) in COMPANIES.items():
        company = _get_or_add(Company, name=name)
        company.country = country
        db.session.flush()
        companies[name] = company
        for slug, (program_slug, credit_minor) in enrollments.items():
            tenant = tenants[slug]
            program = db.session.scalar(
                select(Program).where(Program.tenant_id == tenant.id, Program.slug == program_slug)
            )
            enrollment = _get_or_add(Enrollment, tenant_id=tenant.id, company_id=company.id)
            enrollment.program = program
            enrollment.credit_limit_minor = credit_minor
    for slug, company_name, sku, bps in OVERRIDES:
        product = db.session.scalar(select(Product).where(Product.sku == sku))
        override = _get_or_add(
            PartnerPrice,
            tenant_id=tenants[slug].id,
            company_id=companies[company_name].id,
            product_id=product.id,
        )
        override.discount_bps = bps
    for spec in USERS:
        user = db.session.scalar(select(User).where(User.email == spec.email))
        if user is None:
            user = User(email=spec.email, password_hash=hash_password(DEMO_PASSWORD))
            db.session.add(user)
        user.name = spec.name
        user.kind = spec.kind
        user.role = spec.role
        user.company_id = companies[spec.company].id if spec.company else None
        user.tenant_id = tenants[spec.tenant].id if spec.tenant else None
    db.session.flush()


def load_demo_tenants() -> None:
    """Tenants and their programs from the demo's own manifests."""
    sync(str(DEMO_TENANTS_DIR), current_app.config["THEMES_DIR"])


def load_demo() -> None:
    """The whole demo, in dependency order (no commit)."""
    load_catalog()
    load_demo_tenants()
    load_partners()
