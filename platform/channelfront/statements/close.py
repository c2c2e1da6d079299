"""Closing statement periods: aggregate lines, one statement per beneficiary, credit notes.

A period closes once its grace days have passed (the end of day ``end + grace_days`` in
the program's time zone), or earlier by hand once it has ended. Each period closes in
its own transaction that starts by inserting its PeriodClose row: a second run, or a
concurrent one stopped by the unique constraint, changes nothing.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from channelfront.accounts.models import User
from channelfront.extensions import db
from channelfront.orders import numbering
from channelfront.outbox.services import commit_and_dispatch
from channelfront.statements import programs
from channelfront.statements.facts import from_minor, local_date
from channelfront.statements.models import (
    CreditNote,
    FundTotal,
    IncentiveProgram,
    LedgerEntry,
    PeriodClose,
    Statement,
    VolumeEntry,
)
from channelfront.statements.partners import company_id_of
from channelfront.statements.posting import closed_periods, engine_for
from channelfront.statements.signals import statement_closed
from channelfront.tenancy.models import Tenant
from channelfront.tenancy.scoping import tenant_scope
from incentives.model import Program
from incentives.periods import MONTHS, Period, close_day, following, period_of
from incentives.statements import disposition

log = logging.getLogger(__name__)
PERIOD_KEY = re.compile(r"^(\d{4})(?:-(\d{2})|-Q([1-4])|-H([12]))?$", re.ASCII)


class CloseRefused(ValueError):
    """A close by hand that is not allowed; ``field`` names the input."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Due:
    """One period of one program to close."""

    tenant_id: int
    program_id: int
    period: Period


def parse_period(key: str, kind: str) -> Period | None:
    """The period of `kind` named `key` ("2026-03", "2026-Q1", "2026-H1", "2026")."""
    match = PERIOD_KEY.match(key or "")
    if match is None or kind not in MONTHS:
        return None
    year, month, quarter, half = match.groups()
    start_month = 1
    if month:
        start_month = int(month)
    elif quarter:
        start_month = (int(quarter) - 1) * 3 + 1
    elif half:
        start_month = (int(half) - 1) * 6 + 1
    if not 1 <= start_month <= 12:
        return None
    found = period_of(date(int(year), start_month, 1), kind)
    return found if found.key == key else None


def _first_period(row: IncentiveProgram, program: Program) -> Period | None:
    starts = [
        db.session.scalar(
            select(func.min(LedgerEntry.posting_start)).where(LedgerEntry.program_id == row.id)
        ),
        db.session.scalar(
            select(func.min(VolumeEntry.posting_start)).where(VolumeEntry.program_id == row.id)
        ),
    ]
    known = [start for start in starts if start is not None]
    return period_of(min(known), program.statement_period) if known else None


def due_periods(row: IncentiveProgram, now: datetime) -> list[Period]:
    """The program's periods whose grace has run out by `now` and that are not closed yet."""
    program = programs.engine_program(row)
    period = _first_period(row, program)
    if period is None:
        return []
    today = local_date(now, program.timezone)
    closed = closed_periods(row.id)
    due = []
    while close_day(period, program.grace_days) < today:
        if period.key not in closed:
            due.append(period)
        period = following(period, program.statement_period)
    return due


def due(now: datetime) -> list[Due]:
    """Every period of every tenant's published programs that is due to close."""
    found = []
    for tenant_id in db.session.scalars(select(Tenant.id).order_by(Tenant.id)):
        with tenant_scope(tenant_id):
            for row in programs.published(tenant_id):
                found += [Due(tenant_id, row.id, p) for p in due_periods(row, now)]
    return found


def close_due(now: datetime) -> int:
    """Close every due period (each in its own transaction); how many were closed."""
    return sum(close_one(item, now) for item in due(now))


def close_one(item: Due, now: datetime, actor: User | None = None) -> bool:
    """Close one period and commit; False when it was closed already (by anyone)."""
    with tenant_scope(item.tenant_id):
        row = db.session.get(IncentiveProgram, item.program_id)
        tenant = db.session.get(Tenant, item.tenant_id)
        assert row is not None
        assert tenant is not None
        try:
            closed = _close(tenant, row, item.period, now, actor)
            commit_and_dispatch()  # statement.closed webhooks go out with the close
        except IntegrityError:
            db.session.rollback()
            return False
    if closed:
        log.info("closed %s of program %s on %s", item.period.key, row.code, tenant.slug)
    return closed


def _close(
    tenant: Tenant, row: IncentiveProgram, period: Period, now: datetime, actor: User | None
) -> bool:
    # The close row first: a concurrent close waits on (then fails at) its unique key.
    if db.session.scalar(
        select(PeriodClose.id).where(
            PeriodClose.program_id == row.id, PeriodClose.period == period.key
        )
    ):
        return False
    db.session.add(
        PeriodClose(
            tenant_id=tenant.id,
            program_id=row.id,
            period=period.key,
            period_start=period.start,
            closed_at=now,
            closed_by=actor.id if actor is not None else None,
        )
    )
    db.session.flush()
    engine = engine_for(row, tenant)
    engine.close(period)
    for statement in _statements(tenant, row, engine.program, period, now):
        statement_closed.send(statement)
    fund_totals(row, period)
    return True


def fund_totals(row: IncentiveProgram, period: Period) -> None:
    """Sum each beneficiary's fund entries of the period as it closes (no commit)."""
    totals = db.session.execute(
        select(
            LedgerEntry.beneficiary,
            LedgerEntry.currency,
            func.sum(LedgerEntry.amount_minor),
            func.count(LedgerEntry.id),
        )
        .where(
            LedgerEntry.tenant_id == row.tenant_id,
            LedgerEntry.program_id == row.id,
            LedgerEntry.posting_start == period.start,
            LedgerEntry.fund.is_(True),
        )
        .group_by(LedgerEntry.beneficiary, LedgerEntry.currency)
    )
    db.session.add_all(
        FundTotal(
            tenant_id=row.tenant_id,
            program_id=row.id,
            beneficiary=beneficiary,
            period=period.key,
            period_start=period.start,
            currency=currency,
            total_minor=int(total),
            entries=int(count),
        )
        for beneficiary, currency, total, count in totals.all()
    )


def _statements(
    tenant: Tenant, row: IncentiveProgram, program: Program, period: Period, now: datetime
) -> list[Statement]:
    currency = program.settlement_currency
    totals = db.session.execute(
        select(LedgerEntry.beneficiary, func.sum(LedgerEntry.amount_minor))
        .where(
            LedgerEntry.tenant_id == tenant.id,
            LedgerEntry.program_id == row.id,
            LedgerEntry.posting_start == period.start,
            LedgerEntry.fund.is_(False),
        )
        .group_by(LedgerEntry.beneficiary)
        .order_by(LedgerEntry.beneficiary)
    )
    written = []
    for beneficiary, lines_total in totals.all():
        opening = _carry(row.id, beneficiary, period.start)
        total = opening + int(lines_total)
        outcome = disposition(program, from_minor(total, currency))
        statement = Statement(
            tenant_id=tenant.id,
            program_id=row.id,
            beneficiary=beneficiary,
            period=period.key,
            period_start=period.start,
            period_end=period.end,
            currency=currency,
            opening_minor=opening,
            total_minor=total,
            disposition=outcome,
            closed_at=now,
        )
        db.session.add(statement)
        written.append(statement)
        if outcome == "paid":
            db.session.flush()
            _credit_note(tenant, statement, now)
    return written


def _carry(program_id: int, beneficiary: str, before: date) -> int:
    """What the beneficiary's latest earlier statement carried forward (0 if nothing)."""
    latest = db.session.scalar(
        select(Statement)
        .where(
            Statement.program_id == program_id,
            Statement.beneficiary == beneficiary,
            Statement.period_start < before,
        )
        .order_by(Statement.period_start.desc())
        .limit(1)
    )
    if latest is None or latest.disposition != "carried_forward":
        return 0
    return latest.total_minor


def credit_note_number(tenant: Tenant, value: int) -> str:
    return f"CN-{tenant.document_prefix}-{value:06d}"


def _credit_note(tenant: Tenant, statement: Statement, now: datetime) -> CreditNote:
    note = CreditNote(
        tenant_id=tenant.id,
        number=credit_note_number(tenant, numbering.next_value(tenant.id, "credit_note")),
        statement_id=statement.id,
        beneficiary=statement.beneficiary,
        company_id=company_id_of(statement.beneficiary),
        currency=statement.currency,
        amount_minor=statement.total_minor,
        remaining_minor=statement.total_minor,
        issued_at=now,
    )
    db.session.add(note)
    return note


def close_period(
    row: IncentiveProgram, period_key: str, actor: User | None, now: datetime | None = None
) -> Period:
    """Close a period by hand once it has ended, even within its grace days (commits).

    Facts recorded later go to the next open period. Earlier periods must be closed
    first, so every statement opens with what the one before it carried.
    """
    now = now or datetime.now(UTC)
    program = programs.engine_program(row)
    period = parse_period(period_key, program.statement_period)
    if period is None:
        raise CloseRefused(
            "period", _("“%(period)s” is not a period of this program.", period=period_key[:20])
        )
    if local_date(now, program.timezone) <= period.end:
        raise CloseRefused("period", _("%(period)s has not ended yet.", period=period.key))
    closed = closed_periods(row.id)
    if period.key in closed:
        raise CloseRefused("period", _("%(period)s is closed already.", period=period.key))
    first = _first_period(row, program)
    earlier = first
    while earlier is not None and earlier < period:
        if earlier.key not in closed:
            raise CloseRefused("period", _("Close %(period)s first.", period=earlier.key))
        earlier = following(earlier, program.statement_period)
    if not close_one(Due(row.tenant_id, row.id, period), now, actor):
        raise CloseRefused("period", _("%(period)s is closed already.", period=period.key))
    return period
