"""Partner-specific prices of a tenant: list, add, remove, and a ``company, sku,
discount_percent`` CSV import checked whole before anything is written.

Only companies enrolled with the tenant get a partner price; a company is named by its
id or its exact name. The caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from channelfront.accounts.models import Company, User
from channelfront.admin.inputs import InvalidInput, percent_to_bps
from channelfront.audit.service import record
from channelfront.catalog.models import Product
from channelfront.extensions import db
from channelfront.onboarding.csv_table import RowError, read_table
from channelfront.pricing.models import Enrollment, PartnerPrice
from channelfront.tenancy.models import Tenant

COLUMNS = ("company", "sku", "discount_percent")


@dataclass(frozen=True)
class Listed:
    id: int
    company: str
    sku: str
    discount_bps: int


@dataclass
class Checked:
    """Discounts by (company id, product id), or the errors that refuse the file."""

    prices: dict[tuple[int, int], int] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)


def listing(tenant: Tenant) -> list[Listed]:
    """The tenant's partner prices by company and SKU."""
    rows = db.session.execute(
        select(PartnerPrice.id, Company.name, Product.sku, PartnerPrice.discount_bps)
        .join(Company, Company.id == PartnerPrice.company_id)
        .join(Product, Product.id == PartnerPrice.product_id)
        .where(PartnerPrice.tenant_id == tenant.id)
        .order_by(Company.name, Product.sku)
    )
    return [Listed(*row) for row in rows]


def enrolled_companies(tenant: Tenant) -> list[Company]:
    """Companies enrolled with the tenant, by name."""
    return list(
        db.session.scalars(
            select(Company)
            .join(Enrollment, Enrollment.company_id == Company.id)
            .where(Enrollment.tenant_id == tenant.id)
            .order_by(Company.name)
        )
    )


def _company_id(tenant: Tenant, text: str) -> int | None:
    for company in enrolled_companies(tenant):
        if text == str(company.id) or text.casefold() == company.name.casefold():
            return company.id
    return None


def _check(tenant: Tenant, company: str, sku: str, percent: str) -> tuple[dict[str, str], tuple]:
    errors: dict[str, str] = {}
    company_id = _company_id(tenant, company.strip())
    if company_id is None:
        errors["company"] = _(
            "“%(company)s” is not a company enrolled with %(tenant)s.",
            company=company.strip()[:80],
            tenant=tenant.name,
        )
    sku = sku.strip().upper()
    product_id = db.session.scalar(select(Product.id).where(Product.sku == sku))
    if product_id is None:
        errors["sku"] = _("There is no product with SKU “%(sku)s”.", sku=sku[:40])
    try:
        bps = percent_to_bps(percent)
    except ValueError as exc:
        errors["discount_percent"] = str(exc)
        bps = 0
    return errors, (company_id, product_id, bps)


def _put(tenant: Tenant, company_id: int, product_id: int, bps: int, actor: User | None) -> None:
    row = db.session.scalar(
        select(PartnerPrice).where(
            PartnerPrice.tenant_id == tenant.id,
            PartnerPrice.company_id == company_id,
            PartnerPrice.product_id == product_id,
        )
    )
    before = {"discount_bps": row.discount_bps} if row else None
    if row is None:
        row = PartnerPrice(tenant_id=tenant.id, company_id=company_id, product_id=product_id)
        db.session.add(row)
    row.discount_bps = bps
    record(
        "partner_price.saved",
        row,
        label=f"{company_id}/{product_id}",
        before=before,
        after={"discount_bps": bps},
        tenant_id=tenant.id,
        company_id=company_id,
        actor=actor,
    )


def add(tenant: Tenant, company: str, sku: str, percent: str, actor: User | None) -> None:
    """Set one partner's discount on one product; raise InvalidInput naming each field."""
    errors, (company_id, product_id, bps) = _check(tenant, company, sku, percent)
    if errors:
        raise InvalidInput(errors)
    _put(tenant, company_id, product_id, bps, actor)
    db.session.flush()


def remove(tenant: Tenant, price_id: int, actor: User | None) -> bool:
    """Delete one of the tenant's partner prices; False when it has no such price."""
    row = db.session.scalar(
        select(PartnerPrice).where(PartnerPrice.id == price_id, PartnerPrice.tenant_id == tenant.id)
    )
    if row is None:
        return False
    record(
        "partner_price.removed",
        row,
        label=f"{row.company_id}/{row.product_id}",
        before={"discount_bps": row.discount_bps},
        tenant_id=tenant.id,
        company_id=row.company_id,
        actor=actor,
    )
    db.session.delete(row)
    db.session.flush()
    return True


def check_file(tenant: Tenant, data: bytes) -> Checked:
    """Check a whole ``company, sku, discount_percent`` file; nothing is written."""
    checked = Checked()
    table = read_table(data, COLUMNS)
    checked.errors += table.errors
    first_row: dict[tuple[int, int], int] = {}
    for number, row in table.rows:
        errors, (company_id, product_id, bps) = _check(
            tenant, row["company"], row["sku"], row["discount_percent"]
        )
        checked.errors += [RowError(number, name, message) for name, message in errors.items()]
        if errors:
            continue
        key = (company_id, product_id)
        if first_row.setdefault(key, number) != number:
            message = _("Row %(row)d already has this company and SKU.", row=first_row[key])
            checked.errors.append(RowError(number, "sku", message))
        checked.prices[key] = bps
    return checked


def import_file(tenant: Tenant, checked: Checked, actor: User | None) -> int:
    """Write a valid file's partner prices (the caller commits); the number written."""
    if checked.errors:
        raise ValueError("a file with errors is never written")
    for (company_id, product_id), bps in checked.prices.items():
        _put(tenant, company_id, product_id, bps, actor)
    db.session.flush()
    return len(checked.prices)
