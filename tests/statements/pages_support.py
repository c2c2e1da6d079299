"""Rows for the statement page tests: programs, ledger lines, volume, closed statements.

The pages only read, so the tests write ledger rows directly (as the engine and the
period close would) and look at what a distributor or reseller is shown.
"""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from channelfront.accounts.models import User
from channelfront.accounts.passwords import hash_password
from channelfront.demo.seed import DEMO_PASSWORD
from channelfront.extensions import db
from channelfront.statements import programs
from channelfront.statements.close import fund_totals
from channelfront.statements.models import (
    CreditNote,
    IncentiveProgram,
    LedgerEntry,
    PeriodClose,
    Statement,
    VolumeEntry,
)
from channelfront.tenancy.models import Tenant
from incentives.periods import Period, following, period_of

QUARTERLY: dict[str, Any] = {
    "id": "ignored",
    "settlement_currency": "USD",
    "timezone": "UTC",
    "statement_period": "quarterly",
    "grace_days": 10,
    "min_payout": "100.00",
    "rules": [
        {
            "id": "com",
            "kind": "percent_commission",
            "beneficiary": "distributor",
            "scope": {},
            "rate": "0.05",
        },
        {
            "id": "vol",
            "kind": "tiered_volume",
            "beneficiary": "distributor",
            "scope": {},
            "tiers": [{"from": "0", "rate": "0.01"}, {"from": "10000", "rate": "0.02"}],
            "tier_method": "retroactive",
        },
        {
            "id": "grow",
            "kind": "growth",
            "beneficiary": "distributor",
            "scope": {},
            "rate": "0.01",
            "growth": {
                "baseline": "fixed",
                "baseline_amount": "5000.00",
                "min_growth": "0.1",
                "payout_basis": "incremental",
            },
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

RESELLER_QUARTERLY: dict[str, Any] = {
    "id": "ignored",
    "settlement_currency": "USD",
    "timezone": "UTC",
    "statement_period": "quarterly",
    "grace_days": 10,
    "rules": [
        {
            "id": "renew",
            "kind": "renewal_commission",
            "beneficiary": "originating_partner",
            "scope": {},
            "renewal": {
                "first_purchase_rate": "0.05",
                "partner_renewal_rate": "0.03",
                "self_service_renewal_rate": "0.02",
                "max_renewals": 5,
            },
        },
        {
            "id": "sell",
            "kind": "percent_commission",
            "beneficiary": "ordering_partner",
            "scope": {},
            "rate": "0.02",
        },
    ],
}


def tenant(slug: str) -> Tenant:
    row = db.session.scalar(select(Tenant).where(Tenant.slug == slug))
    assert row is not None
    return row


def program(
    slug: str, code: str, doc: dict[str, Any], audience: str = "distributor", currency: str = "USD"
) -> IncentiveProgram:
    """A published program on tenant `slug`, in `currency` (committed)."""
    document = copy.deepcopy(doc)
    document["settlement_currency"] = currency
    if currency != "USD":
        document.pop("min_payout", None)
        for rule in document["rules"]:
            if rule["kind"] == "growth":
                rule["growth"]["baseline_amount"] = "5000" if currency == "JPY" else "5000.00"
    row = programs.create(tenant(slug), code, code.replace("-", " ").title(), audience, document)
    programs.publish(row, None)
    db.session.commit()
    return row


def quarter(year: int, number: int) -> Period:
    return period_of(date(year, (number - 1) * 3 + 1, 1), "quarterly")


def current_quarter() -> Period:
    return period_of(datetime.now(UTC).date(), "quarterly")


def quarters(first: Period, count: int) -> list[Period]:
    found = [first]
    while len(found) < count:
        found.append(following(found[-1], "quarterly"))
    return found


def line(
    row: IncentiveProgram,
    who: str,
    posting: Period,
    amount_minor: int,
    *,
    rule: str | None = "com",
    type_: str = "earning",
    origin: Period | None = None,
    reason: str | None = None,
    order_id: int | None = None,
    fund: bool = False,
    currency: str | None = None,
) -> LedgerEntry:
    origin = origin or posting
    entry = LedgerEntry(
        tenant_id=row.tenant_id,
        program_id=row.id,
        beneficiary=who,
        rule_id=rule,
        type=type_,
        event_key=None,
        order_id=order_id,
        origin_period=origin.key,
        origin_start=origin.start,
        posting_period=posting.key,
        posting_start=posting.start,
        amount_minor=amount_minor,
        currency=currency or row.document["settlement_currency"],
        reason=reason,
        fund=fund,
        units=Decimal(0),
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def volume(
    row: IncentiveProgram,
    rule: str,
    who: str,
    period: Period,
    amount_minor: int,
    currency: str = "USD",
) -> VolumeEntry:
    entry = VolumeEntry(
        tenant_id=row.tenant_id,
        program_id=row.id,
        rule_id=rule,
        beneficiary=who,
        event_key=f"test-{rule}-{period.key}-{amount_minor}",
        origin_start=period.start,
        posting_start=period.start,
        amount_minor=amount_minor,
        currency=currency,
        rate_date=period.start,
        quantity=Decimal(1),
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def close(
    row: IncentiveProgram,
    who: str,
    period: Period,
    total_minor: int,
    *,
    opening_minor: int = 0,
    disposition: str = "paid",
    note: str | None = None,
    remaining_minor: int | None = None,
    company_id: int | None = None,
) -> Statement:
    """A closed statement (and its period close with its fund totals, and a credit note
    when `note` is given)."""
    currency = row.document["settlement_currency"]
    closed_at = datetime(period.end.year, period.end.month, period.end.day, 23, tzinfo=UTC)
    statement = Statement(
        tenant_id=row.tenant_id,
        program_id=row.id,
        beneficiary=who,
        period=period.key,
        period_start=period.start,
        period_end=period.end,
        currency=currency,
        opening_minor=opening_minor,
        total_minor=total_minor,
        disposition=disposition,
        closed_at=closed_at,
    )
    db.session.add(statement)
    exists = db.session.scalar(
        select(PeriodClose.id).where(
            PeriodClose.program_id == row.id, PeriodClose.period_start == period.start
        )
    )
    if not exists:
        db.session.add(
            PeriodClose(
                tenant_id=row.tenant_id,
                program_id=row.id,
                period=period.key,
                period_start=period.start,
                closed_at=closed_at,
            )
        )
        db.session.flush()
        fund_totals(row, period)
    db.session.flush()
    if note:
        db.session.add(
            CreditNote(
                tenant_id=row.tenant_id,
                number=note,
                statement_id=statement.id,
                beneficiary=who,
                company_id=company_id,
                currency=currency,
                amount_minor=total_minor,
                remaining_minor=total_minor if remaining_minor is None else remaining_minor,
                issued_at=closed_at,
            )
        )
        db.session.flush()
    return statement


def staff(
    slug: str, email: str, role: str = "distributor_finance", locale: str | None = None
) -> User:
    """A distributor staff account on tenant `slug` (password: the demo password)."""
    user = User(
        email=email,
        name=email.split("@")[0].title(),
        password_hash=hash_password(DEMO_PASSWORD),
        kind="distributor",
        role=role,
        tenant_id=tenant(slug).id,
        locale=locale,
    )
    db.session.add(user)
    db.session.commit()
    return user


def signed_in(client, email: str):  # type: ignore[no-untyped-def]
    response = client.login(email)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client
