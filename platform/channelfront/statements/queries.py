"""The read side of statements: what a distributor or a reseller sees of its incentives.

Closed statements are `Statement` rows (open ones: `open_period`). Every function takes
the `Viewer` (tenant and beneficiary) and runs a fixed number of queries whatever the
number of statements, lines or programs.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Select, and_, false, func, or_, select

from channelfront.extensions import db
from channelfront.i18n.formatting import Money
from channelfront.invoices.models import Invoice
from channelfront.orders.models import Order, OrderStatus
from channelfront.statements.labels import program_label
from channelfront.statements.models import (
    CreditNote,
    FundTotal,
    IncentiveProgram,
    LedgerEntry,
    PeriodClose,
    Statement,
)
from channelfront.statements.programs import engine_program
from incentives.errors import InputError
from incentives.model import Program, Rule

# Which rule beneficiaries pay a distributor, and which pay a reseller.
AUDIENCE_BENEFICIARIES = {
    "distributor": ("distributor",),
    "reseller": ("ordering_partner", "originating_partner"),
}
MAX_ID = 2**63 - 1


@dataclass(frozen=True)
class Viewer:
    """Whose incentives a page shows: a tenant's distributor or one reseller company."""

    tenant_id: int
    beneficiary: str
    audience: str  # distributor | reseller
    company_id: int | None = None


@dataclass(frozen=True)
class ProgramInfo:
    id: int
    code: str
    name: str
    currency: str
    engine: Program | None  # None for a program never published (or unreadable)
    kinds: dict[str, str]  # rule id -> rule kind

    @property
    def period_kind(self) -> str | None:
        return self.engine.statement_period if self.engine else None

    def rules_for(self, audience: str) -> list[Rule]:
        if self.engine is None:
            return []
        wanted = AUDIENCE_BENEFICIARIES[audience]
        return [rule for rule in self.engine.rules if rule.beneficiary in wanted]


@dataclass(frozen=True)
class CreditNoteView:
    number: str
    issued_at: datetime
    amount: Money
    remaining: Money
    statement_id: int | None  # None for a quote's margin (``order_number``)
    period: str | None = None
    program: str | None = None
    order_number: str | None = None
    order_refunded: bool = False


@dataclass(frozen=True)
class StatementView:
    """A closed statement (`id` set) or an open one (`id` None, disposition `open`)."""

    id: int | None
    program: ProgramInfo
    period: str
    start: date
    end: date
    opening: Money
    total: Money
    disposition: str
    credit_note: CreditNoteView | None = None
    closed_at: datetime | None = None
    renewal_commissions: Money | None = None

    @property
    def lines_total(self) -> Money:
        return Money(self.total.minor - self.opening.minor, self.total.currency)


@dataclass(frozen=True)
class LineView:
    id: int
    rule_id: str | None
    kind: str | None
    type: str
    reason: str | None
    origin_period: str
    amount: Money
    order_number: str | None
    order_company_id: int | None
    invoice_number: str | None


@dataclass(frozen=True)
class FundBalance:
    program: ProgramInfo
    balance: Money
    entries: int


# -- programs -------------------------------------------------------------------------------


def programs(viewer: Viewer) -> dict[int, ProgramInfo]:
    """Every program of the tenant by id (one query); unpublished ones have no engine."""
    found = {}
    rows = db.session.scalars(
        select(IncentiveProgram)
        .where(IncentiveProgram.tenant_id == viewer.tenant_id)
        .order_by(IncentiveProgram.id)
    )
    for row in rows:
        engine = None
        if row.version > 0 and row.document:
            try:
                engine = engine_program(row)
            except (InputError, TypeError, ValueError, json.JSONDecodeError):
                engine = None
        kinds = {rule.id: rule.kind for rule in engine.rules} if engine else {}
        currency = (
            engine.settlement_currency
            if engine
            else str(row.document.get("settlement_currency", ""))
        )
        name = program_label(row.name)
        found[row.id] = ProgramInfo(row.id, row.code, name, currency, engine, kinds)
    return found


def by_code(programs_: dict[int, ProgramInfo], code: str) -> ProgramInfo | None:
    return next((p for p in programs_.values() if p.code == code), None)


# -- closed statements ----------------------------------------------------------------------


def _credit_note(note: CreditNote | None) -> CreditNoteView | None:
    if note is None:
        return None
    return CreditNoteView(
        note.number,
        note.issued_at,
        Money(note.amount_minor, note.currency),
        Money(note.remaining_minor, note.currency),
        note.statement_id,
    )


def _statement_view(
    row: Statement, program: ProgramInfo, note: CreditNote | None, renewal: int | None = None
) -> StatementView:
    return StatementView(
        id=row.id,
        program=program,
        period=row.period,
        start=row.period_start,
        end=row.period_end,
        opening=Money(row.opening_minor, row.currency),
        total=Money(row.total_minor, row.currency),
        disposition=row.disposition,
        credit_note=_credit_note(note),
        closed_at=row.closed_at,
        renewal_commissions=Money(renewal, row.currency) if renewal is not None else None,
    )


def _closed(viewer: Viewer, program_id: int | None) -> Select[Any]:
    stmt = select(Statement).where(
        Statement.tenant_id == viewer.tenant_id, Statement.beneficiary == viewer.beneficiary
    )
    if program_id is not None:
        stmt = stmt.where(Statement.program_id == program_id)
    return stmt


def closed_count(viewer: Viewer, program_id: int | None = None) -> int:
    subquery = _closed(viewer, program_id).subquery()
    return db.session.scalar(select(func.count()).select_from(subquery)) or 0


def closed_page(
    viewer: Viewer,
    programs_: dict[int, ProgramInfo],
    page: int,
    per_page: int,
    program_id: int | None = None,
) -> list[StatementView]:
    """One page of closed statements, newest first, with credit notes and renewal sums."""
    rows = db.session.execute(
        _closed(viewer, program_id)
        .add_columns(CreditNote)
        .outerjoin(CreditNote, CreditNote.statement_id == Statement.id)
        .order_by(Statement.period_start.desc(), Statement.program_id, Statement.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    renewal = _renewal_sums(viewer, programs_, [(s.program_id, s.period_start) for s, _n in rows])
    return [
        _statement_view(
            statement,
            programs_[statement.program_id],
            note,
            renewal.get((statement.program_id, statement.period_start), 0)
            if viewer.audience == "reseller"
            else None,
        )
        for statement, note in rows
    ]


def keys_filter(keys: list[tuple[int, date]]) -> Any:
    return or_(
        *(
            and_(LedgerEntry.program_id == pid, LedgerEntry.posting_start == start)
            for pid, start in sorted(set(keys))
        )
    )


def _renewal_sums(
    viewer: Viewer, programs_: dict[int, ProgramInfo], keys: list[tuple[int, date]]
) -> dict[tuple[int, date], int]:
    """Renewal commission lines per statement (program, period start), in one query."""
    renewal_rules = {
        (pid, rule_id)
        for pid, info in programs_.items()
        for rule_id, kind in info.kinds.items()
        if kind == "renewal_commission"
    }
    if not keys or not renewal_rules or viewer.audience != "reseller":
        return {}
    rows = db.session.execute(
        select(
            LedgerEntry.program_id,
            LedgerEntry.posting_start,
            LedgerEntry.rule_id,
            func.sum(LedgerEntry.amount_minor),
        )
        .where(
            LedgerEntry.tenant_id == viewer.tenant_id,
            LedgerEntry.beneficiary == viewer.beneficiary,
            LedgerEntry.fund.is_(False),
            keys_filter(keys),
        )
        .group_by(LedgerEntry.program_id, LedgerEntry.posting_start, LedgerEntry.rule_id)
    )
    sums: dict[tuple[int, date], int] = defaultdict(int)
    for pid, start, rule_id, total in rows:
        if (pid, rule_id) in renewal_rules:
            sums[(pid, start)] += int(total or 0)
    return sums


def statement(
    viewer: Viewer, programs_: dict[int, ProgramInfo], statement_id: int
) -> StatementView | None:
    """The viewer's own closed statement by id; None for anyone else's or none."""
    if not 0 < statement_id <= MAX_ID:
        return None
    row = db.session.execute(
        _closed(viewer, None)
        .add_columns(CreditNote)
        .outerjoin(CreditNote, CreditNote.statement_id == Statement.id)
        .where(Statement.id == statement_id)
    ).first()
    if row is None or row[0].program_id not in programs_:
        return None
    found, note = row
    renewal = _renewal_sums(viewer, programs_, [(found.program_id, found.period_start)])
    return _statement_view(
        found,
        programs_[found.program_id],
        note,
        renewal.get((found.program_id, found.period_start), 0)
        if viewer.audience == "reseller"
        else None,
    )


def closed_id(viewer: Viewer, program_id: int, start: date) -> int | None:
    """The id of the viewer's closed statement of one program and period, if any."""
    return db.session.scalar(
        _closed(viewer, program_id)
        .where(Statement.period_start == start)
        .with_only_columns(Statement.id)
    )


# -- lines ------------------------------------------------------------------------------------


def lines_select(viewer: Viewer) -> Select[Any]:
    stmt = (
        select(
            LedgerEntry,
            Order.number.label("order_number"),
            Order.company_id.label("order_company_id"),
            Invoice.number.label("invoice_number"),
        )
        .outerjoin(Order, Order.id == LedgerEntry.order_id)
        .outerjoin(Invoice, Invoice.order_id == LedgerEntry.order_id)
        .where(
            LedgerEntry.tenant_id == viewer.tenant_id,
            LedgerEntry.beneficiary == viewer.beneficiary,
            LedgerEntry.fund.is_(False),
        )
    )
    return cast("Select[Any]", stmt)


def line_view(row: Any, program: ProgramInfo) -> LineView:
    entry: LedgerEntry = row[0]
    return LineView(
        id=entry.id,
        rule_id=entry.rule_id,
        kind=program.kinds.get(entry.rule_id or ""),
        type=entry.type,
        reason=entry.reason,
        origin_period=entry.origin_period,
        amount=Money(entry.amount_minor, entry.currency),
        order_number=row.order_number,
        order_company_id=row.order_company_id,
        invoice_number=row.invoice_number,
    )


def lines_query(viewer: Viewer, program_id: int, start: date) -> Select[Any]:
    """Every line of one statement (program and period start), in posting order."""
    return (
        lines_select(viewer)
        .where(LedgerEntry.program_id == program_id, LedgerEntry.posting_start == start)
        .order_by(LedgerEntry.id)
    )


def line_count(viewer: Viewer, program_id: int, start: date) -> int:
    stmt = (
        select(func.count(LedgerEntry.id))
        .where(
            LedgerEntry.tenant_id == viewer.tenant_id,
            LedgerEntry.beneficiary == viewer.beneficiary,
            LedgerEntry.fund.is_(False),
        )
        .where(LedgerEntry.program_id == program_id, LedgerEntry.posting_start == start)
    )
    return db.session.scalar(stmt) or 0


def lines_page(
    viewer: Viewer, program: ProgramInfo, start: date, page: int, per_page: int
) -> list[LineView]:
    rows = db.session.execute(
        lines_query(viewer, program.id, start).limit(per_page).offset((page - 1) * per_page)
    )
    return [line_view(row, program) for row in rows]


# -- funds, credit notes and the chart -----------------------------------------------------------


def open_posting(program_ids: Iterable[int], tenant_id: int | None = None) -> Any:
    """A condition on ledger entries of these programs: posted to a period not closed yet.

    Periods close in order, so these are the periods after each program's latest close:
    one index range a program, whatever the history's length. `tenant_id` None is the
    vendor console, across tenants.
    """
    ids = sorted(set(program_ids))
    closes = select(PeriodClose.program_id, func.max(PeriodClose.period_start)).where(
        PeriodClose.program_id.in_(ids)
    )
    if tenant_id is not None:
        closes = closes.where(PeriodClose.tenant_id == tenant_id)
    latest = dict(db.session.execute(closes.group_by(PeriodClose.program_id)).all())
    return or_(
        false(),
        *(
            and_(LedgerEntry.program_id == pid, LedgerEntry.posting_start > latest[pid])
            if pid in latest
            else LedgerEntry.program_id == pid
            for pid in ids
        ),
    )


def fund_balances(viewer: Viewer, programs_: dict[int, ProgramInfo]) -> list[FundBalance]:
    """The MDF balance of each program the viewer has fund entries in: the totals of the
    closed periods plus the fund entries of the open ones."""
    closed = (
        select(
            FundTotal.program_id,
            FundTotal.currency,
            func.sum(FundTotal.total_minor),
            func.sum(FundTotal.entries),
        )
        .where(FundTotal.tenant_id == viewer.tenant_id, FundTotal.beneficiary == viewer.beneficiary)
        .group_by(FundTotal.program_id, FundTotal.currency)
    )
    still_open = (
        select(
            LedgerEntry.program_id,
            LedgerEntry.currency,
            func.sum(LedgerEntry.amount_minor),
            func.count(LedgerEntry.id),
        )
        .where(
            LedgerEntry.tenant_id == viewer.tenant_id,
            LedgerEntry.beneficiary == viewer.beneficiary,
            LedgerEntry.fund.is_(True),
            open_posting(programs_, viewer.tenant_id),
        )
        .group_by(LedgerEntry.program_id, LedgerEntry.currency)
    )
    balances: dict[tuple[int, str], tuple[int, int]] = defaultdict(lambda: (0, 0))
    for query in (closed, still_open):
        for pid, currency, total, count in db.session.execute(query):
            minor, entries = balances[(pid, currency)]
            balances[(pid, currency)] = (minor + int(total or 0), entries + int(count or 0))
    return [
        FundBalance(programs_[pid], Money(minor, currency), entries)
        for (pid, currency), (minor, entries) in sorted(balances.items())
        if pid in programs_
    ]


def credit_notes(viewer: Viewer, programs_: dict[int, ProgramInfo]) -> list[CreditNoteView]:
    """The viewer's credit notes, newest first, with the statement they settle or, for a
    quote's margin, the order its end customer paid."""
    rows = db.session.execute(
        select(CreditNote, Statement.period, Statement.program_id, Order.number, Order.status)
        .outerjoin(Statement, Statement.id == CreditNote.statement_id)
        .outerjoin(Order, Order.id == CreditNote.order_id)
        .where(
            CreditNote.tenant_id == viewer.tenant_id,
            CreditNote.beneficiary == viewer.beneficiary,
        )
        .order_by(CreditNote.issued_at.desc(), CreditNote.id.desc())
    )
    notes = []
    for note, period, pid, order_number, order_status in rows:
        view = _credit_note(note)
        assert view is not None
        program = programs_.get(pid) if pid is not None else None
        notes.append(
            CreditNoteView(
                view.number,
                view.issued_at,
                view.amount,
                view.remaining,
                view.statement_id,
                period,
                program.name if program else None,
                order_number,
                order_status == OrderStatus.REFUNDED,
            )
        )
    return notes


def recent_totals(
    viewer: Viewer, count: int = 8, program_id: int | None = None
) -> list[tuple[str, Money]]:
    """The totals of the last `count` closed periods, oldest first: of one program, or of
    all programs summed."""
    rows = db.session.execute(
        select(
            Statement.period_start,
            Statement.period,
            Statement.currency,
            func.sum(Statement.total_minor),
        )
        .where(
            Statement.tenant_id == viewer.tenant_id,
            Statement.beneficiary == viewer.beneficiary,
            *([Statement.program_id == program_id] if program_id is not None else []),
        )
        .group_by(Statement.period_start, Statement.period, Statement.currency)
        .order_by(Statement.period_start.desc(), Statement.period)
        .limit(count)
    ).all()
    return [(key, Money(int(total or 0), currency)) for _s, key, currency, total in reversed(rows)]
