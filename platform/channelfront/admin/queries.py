"""What the console pages list, each in a fixed number of queries whatever the row count."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from channelfront.accounts.models import Company
from channelfront.catalog.models import Product, ProductGroup, ProductText
from channelfront.catalog.services import category_names
from channelfront.extensions import db
from channelfront.i18n.formatting import Money
from channelfront.pricing.models import Enrollment, Program, ProgramRule
from channelfront.tenancy.models import Tenant


def tenants() -> list[Tenant]:
    """Every tenant with its hosts, by name."""
    return list(
        db.session.scalars(select(Tenant).options(selectinload(Tenant.hosts)).order_by(Tenant.name))
    )


def programs_by_tenant(*, with_rules: bool = True) -> dict[int, list[Program]]:
    """Each tenant's programs by name, their rules loaded unless asked not to."""
    stmt = select(Program).order_by(Program.name, Program.id)
    if with_rules:
        stmt = stmt.options(selectinload(Program.rules))
    rows = db.session.scalars(stmt)
    grouped: dict[int, list[Program]] = defaultdict(list)
    for program in rows:
        grouped[program.tenant_id].append(program)
    return grouped


@dataclass(frozen=True)
class EnrollmentRow:
    enrollment: Enrollment
    tenant: Tenant
    program: Program
    credit_limit: Money


def enrollment_rows(company_id: int | None = None) -> dict[int, list[EnrollmentRow]]:
    """Enrollments by company id (of one company, or all), with tenant, program and credit."""
    stmt = select(Enrollment).options(selectinload(Enrollment.program))
    if company_id is not None:
        stmt = stmt.where(Enrollment.company_id == company_id)
    enrollments = db.session.scalars(stmt).all()
    by_id = {t.id: t for t in db.session.scalars(select(Tenant))}
    rows: dict[int, list[EnrollmentRow]] = defaultdict(list)
    for e in enrollments:
        tenant = by_id[e.tenant_id]
        rows[e.company_id].append(
            EnrollmentRow(e, tenant, e.program, Money(e.credit_limit_minor, tenant.currency))
        )
    for company_rows in rows.values():
        company_rows.sort(key=lambda row: row.tenant.name)
    return rows


def companies() -> list[Company]:
    return list(db.session.scalars(select(Company).order_by(Company.name, Company.id)))


@dataclass(frozen=True)
class ProductRow:
    product: Product
    name: str
    category: str
    prices: dict[str, Money]


def product_rows(locale: str) -> list[ProductRow]:
    """Every product by SKU with its English name, category name and list prices."""
    products = db.session.scalars(
        select(Product).options(selectinload(Product.prices)).order_by(Product.sku)
    ).all()
    names = dict(
        db.session.execute(
            select(ProductText.product_id, ProductText.name).where(ProductText.locale == "en")
        ).all()
    )
    categories = category_names(locale)
    return [
        ProductRow(
            product=p,
            name=names.get(p.id, p.sku),
            category=categories.get(p.category_id, ("", ""))[1],
            prices={
                price.currency: Money(price.amount_minor, price.currency) for price in p.prices
            },
        )
        for p in products
    ]


@dataclass(frozen=True)
class Targets:
    """Names of everything a program rule can point at, loaded in three queries."""

    categories: dict[int, tuple[str, str]]
    groups: dict[int, str]
    skus: dict[int, str]

    def describe(self, rule: ProgramRule) -> tuple[str, str]:
        """(kind, name) of the rule's target."""
        if rule.category_id is not None:
            return "category", self.categories.get(rule.category_id, ("", "?"))[1]
        if rule.group_id is not None:
            return "group", self.groups.get(rule.group_id, "?")
        return "sku", self.skus.get(rule.product_id or 0, "?")


def rule_targets(locale: str, rules: list[ProgramRule]) -> Targets:
    product_ids = {r.product_id for r in rules if r.product_id is not None}
    skus = dict(
        db.session.execute(select(Product.id, Product.sku).where(Product.id.in_(product_ids))).all()
    )
    groups = dict(
        db.session.execute(
            select(ProductGroup.id, ProductGroup.name).order_by(ProductGroup.name)
        ).all()
    )
    return Targets(categories=category_names(locale), groups=groups, skus=skus)


def categories(locale: str) -> list[tuple[int, str]]:
    """(id, name) of every category in display order."""
    return [(cid, name) for cid, (_slug, name) in category_names(locale).items()]


def groups() -> list[ProductGroup]:
    return list(db.session.scalars(select(ProductGroup).order_by(ProductGroup.name)))
