"""What the vendor console lists of incentives: every tenant's statements, open and closed.

A closed statement is a `Statement` row; an open one is the lines of a beneficiary's
period that has none yet (the same split as the partner pages). Each function runs a
fixed number of queries whatever the number of rows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Integer,
    cast,
    exists,
    func,
    literal,
    null,
    select,
    union,
    union_all,
)

from channelfront.accounts.models import Company, User
from channelfront.extensions import db
from channelfront.i18n.formatting import Money
from channelfront.invoices.models import Invoice
from channelfront.orders.models import Order
from channelfront.statements.facts import local_date
from channelfront.statements.models import (
    CreditNote,
    IncentiveProgram,
    LedgerEntry,
    PeriodClose,
    Statement,
    VolumeEntry,
)
from channelfront.statements.partners import company_id_of
from channelfront.statements.posting import closed_periods
from channelfront.statements.programs import engine_program
from channelfront.statements.queries import open_posting
from channelfront.statements.replay import names
from channelfront.tenancy.models import Tenant
from incentives.periods import Period, following, period_of

STATUSES = ("open", "paid", "carried_forward", "debit_note")


@dataclass(frozen=True)
class Filters:
    tenant_id: int | None = None
    program_id: int | None = None
    period: str | None = None
    beneficiary: str | None = None
    status: str | None = None


@dataclass(frozen=True)
class Listed:
    """One statement in the console's list (`statement_id` None while it is open)."""

    tenant: Tenant
    program: IncentiveProgram
    beneficiary: str
    name: str
    period: str
    start: date
    status: str
    total: Money
    statement_id: int | None
    credit_note: str | None


def _closed(filters: Filters) -> Any:
    stmt = select(
        Statement.tenant_id,
        Statement.program_id,
        Statement.beneficiary,
        Statement.period,
        Statement.period_start,
        Statement.currency,
        Statement.total_minor.label("total"),
        Statement.disposition.label("status"),
        Statement.id.label("statement_id"),
    )
    if filters.status == "open":
        stmt = stmt.where(literal(False))
    elif filters.status:
        stmt = stmt.where(Statement.disposition == filters.status)
    return _narrow(stmt, filters, Statement, Statement.period)


def _open(filters: Filters) -> Any:
    has_statement = exists().where(
        Statement.tenant_id == LedgerEntry.tenant_id,
        Statement.program_id == LedgerEntry.program_id,
        Statement.beneficiary == LedgerEntry.beneficiary,
        Statement.period == LedgerEntry.posting_period,
    )
    stmt = (
        select(
            LedgerEntry.tenant_id,
            LedgerEntry.program_id,
            LedgerEntry.beneficiary,
            LedgerEntry.posting_period.label("period"),
            LedgerEntry.posting_start.label("period_start"),
            LedgerEntry.currency,
            cast(func.sum(LedgerEntry.amount_minor), BigInteger).label("total"),
            literal("open").label("status"),
            cast(null(), Integer).label("statement_id"),
        )
        .where(LedgerEntry.fund.is_(False), _open_periods(filters), ~has_statement)
        .group_by(
            LedgerEntry.tenant_id,
            LedgerEntry.program_id,
            LedgerEntry.beneficiary,
            LedgerEntry.posting_period,
            LedgerEntry.posting_start,
            LedgerEntry.currency,
        )
    )
    if filters.status and filters.status != "open":
        stmt = stmt.where(literal(False))
    return _narrow(stmt, filters, LedgerEntry, LedgerEntry.posting_period)


def _program_ids(filters: Filters) -> list[int]:
    if filters.program_id is not None:
        return [filters.program_id]
    programs = select(IncentiveProgram.id)
    if filters.tenant_id is not None:
        programs = programs.where(IncentiveProgram.tenant_id == filters.tenant_id)
    return list(db.session.scalars(programs))


def _open_periods(filters: Filters) -> Any:
    """Entries in periods after their program's latest close (a range a program)."""
    return open_posting(_program_ids(filters), filters.tenant_id)


def _narrow(stmt: Any, filters: Filters, model: Any, period: Any) -> Any:
    if filters.tenant_id is not None:
        stmt = stmt.where(model.tenant_id == filters.tenant_id)
    if filters.program_id is not None:
        stmt = stmt.where(model.program_id == filters.program_id)
    if filters.period:
        stmt = stmt.where(period == filters.period)
    if filters.beneficiary:
        stmt = stmt.where(model.beneficiary == filters.beneficiary)
    return stmt


def _all(filters: Filters) -> Any:
    return union_all(_closed(filters), _open(filters)).subquery()


def statement_count(filters: Filters) -> int:
    listed = _all(filters)
    return db.session.scalar(select(func.count()).select_from(listed)) or 0


def statements_page(filters: Filters, page: int, per_page: int) -> list[Listed]:
    """One page of statements, newest period first."""
    listed = _all(filters)
    rows = db.session.execute(
        select(listed)
        .order_by(
            listed.c.period_start.desc(),
            listed.c.tenant_id,
            listed.c.program_id,
            listed.c.beneficiary,
        )
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    if not rows:
        return []
    tenants = {t.id: t for t in db.session.scalars(select(Tenant))}
    programs = {
        p.id: p
        for p in db.session.scalars(
            select(IncentiveProgram).where(IncentiveProgram.id.in_({r.program_id for r in rows}))
        )
    }
    notes = dict(
        db.session.execute(
            select(CreditNote.statement_id, CreditNote.number).where(
                CreditNote.statement_id.in_({r.statement_id for r in rows if r.statement_id})
            )
        ).all()
    )
    carry = _carries([r for r in rows if r.statement_id is None])
    known: dict[str, str] = {}
    for tenant_id in {r.tenant_id for r in rows}:
        known.update(
            names({r.beneficiary for r in rows if r.tenant_id == tenant_id}, tenants[tenant_id])
        )
    return [
        Listed(
            tenant=tenants[r.tenant_id],
            program=programs[r.program_id],
            beneficiary=r.beneficiary,
            name=known.get(r.beneficiary, r.beneficiary),
            period=r.period,
            start=r.period_start,
            status=r.status,
            total=Money(
                int(r.total) + carry.get((r.program_id, r.beneficiary, r.period_start), 0),
                r.currency,
            ),
            statement_id=r.statement_id,
            credit_note=notes.get(r.statement_id),
        )
        for r in rows
    ]


def _carries(open_rows: list[Any]) -> dict[tuple[int, str, date], int]:
    """What each open statement opens with: its beneficiary's latest earlier statement's
    total when that was carried forward (as a close would take it)."""
    if not open_rows:
        return {}
    pairs = {(r.program_id, r.beneficiary) for r in open_rows}
    earlier: dict[tuple[int, str], list[Statement]] = defaultdict(list)
    for row in db.session.scalars(
        select(Statement)
        .where(Statement.program_id.in_({p for p, _who in pairs}))
        .order_by(Statement.period_start)
    ):
        if (row.program_id, row.beneficiary) in pairs:
            earlier[(row.program_id, row.beneficiary)].append(row)
    found = {}
    for r in open_rows:
        before = [
            s for s in earlier[(r.program_id, r.beneficiary)] if s.period_start < r.period_start
        ]
        if before and before[-1].disposition == "carried_forward":
            found[(r.program_id, r.beneficiary, r.period_start)] = before[-1].total_minor
    return found


# -- filter choices ----------------------------------------------------------------------------


def program_choices() -> list[tuple[IncentiveProgram, Tenant]]:
    """Every program with its tenant, by tenant and program name."""
    return [
        (program, tenant)
        for program, tenant in db.session.execute(
            select(IncentiveProgram, Tenant)
            .join(Tenant, Tenant.id == IncentiveProgram.tenant_id)
            .order_by(Tenant.name, IncentiveProgram.name, IncentiveProgram.id)
        )
    ]


def beneficiary_choices() -> list[tuple[str, str]]:
    """Everyone with a statement line anywhere: (partner id, name), by name: those with a
    closed statement, and those with lines in an open period."""
    closed = select(Statement.tenant_id, Statement.beneficiary)
    still_open = select(LedgerEntry.tenant_id, LedgerEntry.beneficiary).where(
        LedgerEntry.fund.is_(False), _open_periods(Filters())
    )
    rows = db.session.execute(union(closed, still_open)).all()
    tenants = {t.id: t for t in db.session.scalars(select(Tenant))}
    found: dict[str, str] = {}
    companies = {company_id_of(who) for _tid, who in rows} - {None}
    company_names = dict(
        db.session.execute(select(Company.id, Company.name).where(Company.id.in_(companies))).all()
    )
    slugs = {t.slug: t.name for t in tenants.values()}
    for _tid, who in rows:
        company_id = company_id_of(who)
        company = company_names.get(company_id) if company_id is not None else None
        found[who] = company or slugs.get(who) or who
    return sorted(found.items(), key=lambda item: (item[1].casefold(), item[0]))


# -- one statement ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    rule_id: str | None
    type: str
    reason: str | None
    origin_period: str
    amount: Money
    event_key: str | None
    order_number: str | None
    order_date: datetime | None
    company_id: int | None
    company_name: str | None
    invoice_number: str | None


def line_count(program_id: int, beneficiary: str, start: date) -> int:
    return (
        db.session.scalar(
            select(func.count(LedgerEntry.id)).where(*_line_filter(program_id, beneficiary, start))
        )
        or 0
    )


def _line_filter(program_id: int, beneficiary: str, start: date) -> list[Any]:
    return [
        LedgerEntry.program_id == program_id,
        LedgerEntry.beneficiary == beneficiary,
        LedgerEntry.posting_start == start,
        LedgerEntry.fund.is_(False),
    ]


def lines(program_id: int, beneficiary: str, start: date, page: int, per_page: int) -> list[Line]:
    """A statement's lines in posting order, with the order each came from."""
    rows = db.session.execute(
        select(
            LedgerEntry,
            Order.number,
            Order.created_at,
            Order.company_id,
            Company.name,
            Invoice.number,
        )
        .outerjoin(Order, Order.id == LedgerEntry.order_id)
        .outerjoin(Company, Company.id == Order.company_id)
        .outerjoin(Invoice, Invoice.order_id == LedgerEntry.order_id)
        .where(*_line_filter(program_id, beneficiary, start))
        .order_by(LedgerEntry.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return [
        Line(
            rule_id=entry.rule_id,
            type=entry.type,
            reason=entry.reason,
            origin_period=entry.origin_period,
            amount=Money(entry.amount_minor, entry.currency),
            event_key=entry.event_key,
            order_number=number,
            order_date=created,
            company_id=company_id,
            company_name=company,
            invoice_number=invoice,
        )
        for entry, number, created, company_id, company, invoice in rows
    ]


def lines_sum(program_id: int, beneficiary: str, start: date) -> int:
    return int(
        db.session.scalar(
            select(func.coalesce(func.sum(LedgerEntry.amount_minor), 0)).where(
                *_line_filter(program_id, beneficiary, start)
            )
        )
        or 0
    )


def credit_note(statement_id: int) -> CreditNote | None:
    return db.session.scalar(select(CreditNote).where(CreditNote.statement_id == statement_id))


def carried_into(program_id: int, beneficiary: str, start: date) -> int:
    """What an open statement starting on `start` opens with."""
    latest = db.session.scalar(
        select(Statement)
        .where(
            Statement.program_id == program_id,
            Statement.beneficiary == beneficiary,
            Statement.period_start < start,
        )
        .order_by(Statement.period_start.desc())
        .limit(1)
    )
    return latest.total_minor if latest and latest.disposition == "carried_forward" else 0


def open_start(program_id: int, beneficiary: str, period: str) -> date | None:
    """The start of an open statement (lines, no Statement row), or None."""
    if db.session.scalar(
        select(Statement.id).where(
            Statement.program_id == program_id,
            Statement.beneficiary == beneficiary,
            Statement.period == period,
        )
    ):
        return None
    return db.session.scalar(
        select(LedgerEntry.posting_start)
        .where(
            LedgerEntry.program_id == program_id,
            LedgerEntry.beneficiary == beneficiary,
            LedgerEntry.posting_period == period,
            LedgerEntry.fund.is_(False),
        )
        .limit(1)
    )


# -- closing by hand ---------------------------------------------------------------------------


def closable_periods(program: IncentiveProgram, now: datetime | None = None) -> list[Period]:
    """The program's ended periods that are not closed yet, oldest first.

    They start with the first period that has an entry or a volume; a program never
    published, or with nothing posted yet, has none.
    """
    if program.version == 0:
        return []
    engine = engine_program(program)
    starts = [
        db.session.scalar(
            select(func.min(model.posting_start)).where(model.program_id == program.id)
        )
        for model in (LedgerEntry, VolumeEntry)
    ]
    known = [start for start in starts if start is not None]
    if not known:
        return []
    today = local_date(now or datetime.now(UTC), engine.timezone)
    closed = closed_periods(program.id)
    period = period_of(min(known), engine.statement_period)
    found = []
    while period.end < today:
        if period.key not in closed:
            found.append(period)
        period = following(period, engine.statement_period)
    return found


def closes(program_id: int) -> list[tuple[PeriodClose, str | None]]:
    """The program's closed periods, newest first, with who closed them by hand."""
    return [
        (row, email)
        for row, email in db.session.execute(
            select(PeriodClose, User.email)
            .outerjoin(User, User.id == PeriodClose.closed_by)
            .where(PeriodClose.program_id == program_id)
            .order_by(PeriodClose.period_start.desc())
        )
    ]
