"""Who earns: partner ids of the engine for distributors (tenants) and resellers (companies).

A distributor is its tenant's slug; a reseller is ``company-<id>``. A reseller's tier on
a tenant is the slug of the pricing program it is enrolled in there (its enrollment has
no date, so the tier holds from ``date.min``); every enrolled partner is active.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from channelfront.accounts.models import Company
from channelfront.extensions import db
from channelfront.pricing.models import Enrollment, Program
from channelfront.tenancy.models import Tenant
from channelfront.web.params import parse_whole
from incentives.model import Partner

COMPANY_PREFIX = "company-"


def distributor_id(tenant: Tenant) -> str:
    return tenant.slug


def reseller_id(company_id: int) -> str:
    return f"{COMPANY_PREFIX}{company_id}"


def company_id_of(partner_id: str | None) -> int | None:
    """The company id in a reseller's partner id, or None for anything else."""
    if not partner_id or not partner_id.startswith(COMPANY_PREFIX):
        return None
    number = partner_id.removeprefix(COMPANY_PREFIX)
    return parse_whole(number, minimum=1)


def company_for(partner_id: str | None) -> Company | None:
    """The reseller company a partner id names, if it is one."""
    company_id = company_id_of(partner_id)
    return db.session.get(Company, company_id) if company_id is not None else None


def partners_for(tenant: Tenant) -> dict[str, Partner]:
    """The distributor and every reseller enrolled with the tenant, with their tiers."""
    partners = {
        tenant.slug: Partner(id=tenant.slug, kind="distributor", statuses=((date.min, "active"),))
    }
    rows = db.session.execute(
        select(Enrollment.company_id, Program.slug)
        .join(Program, Program.id == Enrollment.program_id)
        .where(Enrollment.tenant_id == tenant.id)
    )
    for company_id, tier in rows:
        pid = reseller_id(company_id)
        partners[pid] = Partner(
            id=pid,
            kind="reseller",
            tiers=((date.min, tier),),
            statuses=((date.min, "active"),),
        )
    return partners


def display_name(partner_id: str, tenant: Tenant | None = None) -> str:
    """A beneficiary as people know it: the company's or the distributor's name."""
    company = company_for(partner_id)
    if company is not None:
        return company.name
    if tenant is not None and partner_id == tenant.slug:
        return tenant.name
    found = db.session.scalar(select(Tenant.name).where(Tenant.slug == partner_id))
    return found or partner_id
