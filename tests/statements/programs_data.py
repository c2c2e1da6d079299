"""Program documents and helpers shared by the statements tests."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from channelfront.accounts.models import Company
from channelfront.extensions import db
from channelfront.statements import programs
from channelfront.statements.models import IncentiveEvent, IncentiveProgram
from channelfront.tenancy.models import Tenant

DISTRIBUTOR: dict[str, Any] = {
    "id": "ignored",
    "settlement_currency": "USD",
    "timezone": "America/New_York",
    "statement_period": "monthly",
    "grace_days": 5,
    "min_payout": "0.00",
    "rules": [
        {
            "id": "com-security",
            "kind": "percent_commission",
            "beneficiary": "distributor",
            "scope": {"category_ids": ["security"]},
            "exclusive_group": "commission",
            "rate": "0.06",
            "clawback_window_days": 90,
        },
        {
            "id": "com-all",
            "kind": "percent_commission",
            "beneficiary": "distributor",
            "scope": {},
            "exclusive_group": "commission",
            "rate": "0.04",
            "clawback_window_days": 90,
        },
        {
            "id": "volume",
            "kind": "tiered_volume",
            "beneficiary": "distributor",
            "scope": {},
            "tiers": [{"from": "0", "rate": "0.01"}, {"from": "5000", "rate": "0.02"}],
            "tier_method": "retroactive",
        },
        {
            "id": "mdf",
            "kind": "mdf_accrual",
            "beneficiary": "distributor",
            "scope": {},
            "rate": "0.01",
        },
    ],
}

RESELLER: dict[str, Any] = {
    "id": "ignored",
    "settlement_currency": "USD",
    "timezone": "America/New_York",
    "statement_period": "monthly",
    "grace_days": 5,
    "rules": [
        {
            "id": "renewals",
            "kind": "renewal_commission",
            "beneficiary": "originating_partner",
            "scope": {},
            "renewal": {
                "first_purchase_rate": "0.05",
                "partner_renewal_rate": "0.03",
                "self_service_renewal_rate": "0.02",
                "max_renewals": 5,
            },
        }
    ],
}


def document(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    doc = copy.deepcopy(base)
    doc.update(changes)
    return doc


def tenant(slug: str) -> Tenant:
    row = db.session.scalar(select(Tenant).where(Tenant.slug == slug))
    assert row is not None
    return row


def live_program(
    slug: str, code: str, doc: dict[str, Any], audience: str = "distributor"
) -> IncentiveProgram:
    """A published program on the tenant `slug` (flushed, not committed)."""
    program = programs.create(tenant(slug), code, code.title(), audience, doc)
    programs.publish(program, None)
    db.session.flush()
    return program


NEW_YORK = ZoneInfo("America/New_York")


def noon(day: date) -> datetime:
    """Noon in New York on `day`, in UTC: the programs here keep New York's calendar."""
    return datetime.combine(day, time(12), NEW_YORK).astimezone(UTC)


def fact(tenant_row: Tenant, key: str, day: date, net_minor: int, **extra: Any) -> IncentiveEvent:
    """A purchase by Bluebird on `tenant_row`, recorded at noon (New York) on `day`."""
    values: dict[str, Any] = {
        "tenant_id": tenant_row.id,
        "key": key,
        "type": "purchase",
        "event_date": day,
        "recorded_at": noon(day),
        "channel": "storefront",
        "distributor_id": tenant_row.slug,
        "ordering_partner_id": f"company-{bluebird_id()}",
        "subscription_id": None,
        "event_kind": "none",
        "term_index": 0,
        "product_id": "SHD-PERP",
        "category_path": ["security"],
        "quantity": Decimal(1),
        "net_minor": net_minor,
        "currency": tenant_row.currency,
        "refund_of": None,
    }
    values.update(extra)
    return IncentiveEvent(**values)


def refund_of(bought: IncentiveEvent, day: date, net_minor: int, **extra: Any) -> IncentiveEvent:
    """A refund of `bought` recorded at noon (New York) on `day`."""
    tenant_row = db.session.get(Tenant, bought.tenant_id)
    assert tenant_row is not None
    values = {
        name: getattr(bought, name)
        for name in (
            "distributor_id",
            "ordering_partner_id",
            "subscription_id",
            "event_kind",
            "term_index",
            "product_id",
            "category_path",
            "quantity",
        )
    }
    values.update(type="refund", refund_of=bought.key, **extra)
    return fact(tenant_row, f"{bought.key}/refund", day, net_minor, **values)


def bluebird_id() -> int:
    company_id = db.session.scalar(select(Company.id).where(Company.name == "Bluebird IT"))
    assert company_id is not None
    return company_id
