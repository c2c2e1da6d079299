"""Program documents and helpers shared by the statements tests."""

from __future__ import annotations

import copy
from typing import Any

from sqlalchemy import select

from channelfront.extensions import db
from channelfront.statements import programs
from channelfront.statements.models import IncentiveProgram
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
