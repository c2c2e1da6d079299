"""The read side of statements: what a distributor or a reseller sees of its incentives.

Closed statements are `Statement` rows; an open statement is the `LedgerEntry` rows
posted to a period that has neither a statement for the beneficiary nor a period close.
Every function takes the `Viewer` (tenant and beneficiary) and runs a fixed number of
queries whatever the number of statements, lines or programs.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import aliased

from channelfront.extensions import db
from channelfront.i18n.formatting import Money
from channelfront.invoices.models import Invoice
from channelfront.orders.models import Order
from channelfront.statements.models import (
    CreditNote,
    IncentiveProgram,
    LedgerEntry,
    PeriodClose,
    Statement,
    VolumeEntry,
)
from channelfront.statements.programs import engine_program
from incentives import rates
from incentives.errors import InputError
from incentives.model import Program, Rule
from incentives.money import exponent, round_minor
from incentives.periods import Period, following, period_of, prior_year

# Which rule beneficiaries pay a distributor, and which pay a reseller.
AUDIENCE_BENEFICIARIES = {
    "distributor": ("distributor",),
    "reseller": ("ordering_partner", "originating_partner"),
}
PREVIEW_LINES = 20
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
    statement_id: int
    period: str | None = None
    program: str | None = None


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
class Accrual:
    """An aggregate rule's estimate on the open period's volume so far (not a line)."""

    rule_id: str
    kind: str
    volume: Money
    quantity: Decimal
    estimate: Money
    partial: bool  # volume in another currency was left out


@dataclass
class OpenStatement:
    statement: StatementView
    line_count: int
    lines: list[LineView] = field(default_factory=list)
    accruals: list[Accrual] = field(default_factory=list)

    @property
    def estimate(self) -> Money:
        currency = self.statement.total.currency
        return Money(sum(a.estimate.minor for a in self.accruals), currency)


@dataclass(frozen=True)
class FundBalance:
    program: ProgramInfo
    balance: Money
    entries: int


def today_in(zone: str) -> date:
    return datetime.now(UTC).astimezone(ZoneInfo(zone)).date()


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
        found[row.id] = ProgramInfo(row.id, row.code, row.name, currency, engine, kinds)
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


def _keys_filter(keys: list[tuple[int, date]]) -> Any:
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
            _keys_filter(keys),
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


def _lines(viewer: Viewer) -> Select[Any]:
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


def _line_view(row: Any, program: ProgramInfo) -> LineView:
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
        _lines(viewer)
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
    return [_line_view(row, program) for row in rows]


# -- open statements --------------------------------------------------------------------------


def _not_closed(program_id: Any, start: Any, beneficiary: str) -> list[Any]:
    return [
        ~exists().where(
            Statement.program_id == program_id,
            Statement.beneficiary == beneficiary,
            Statement.period_start == start,
        ),
        ~exists().where(PeriodClose.program_id == program_id, PeriodClose.period_start == start),
    ]


def _current_period(info: ProgramInfo, closed: set[tuple[int, date]], today: date | None) -> Period:
    assert info.engine is not None
    kind = info.engine.statement_period
    period = period_of(today or today_in(info.engine.timezone), kind)
    while (info.id, period.start) in closed:  # closed early by hand: later facts go on
        period = following(period, kind)
    return period


def open_statements(
    viewer: Viewer, programs_: dict[int, ProgramInfo], today: date | None = None
) -> list[OpenStatement]:
    """The open statements: periods with lines and no close, and each program's current one.

    Each carries its first lines (newest first) and the estimate of its aggregate rules.
    """
    posted = db.session.execute(
        select(
            LedgerEntry.program_id,
            LedgerEntry.posting_period,
            LedgerEntry.posting_start,
            func.sum(LedgerEntry.amount_minor),
            func.count(LedgerEntry.id),
        )
        .where(
            LedgerEntry.tenant_id == viewer.tenant_id,
            LedgerEntry.beneficiary == viewer.beneficiary,
            LedgerEntry.fund.is_(False),
            *_not_closed(LedgerEntry.program_id, LedgerEntry.posting_start, viewer.beneficiary),
        )
        .group_by(LedgerEntry.program_id, LedgerEntry.posting_period, LedgerEntry.posting_start)
    ).all()
    live = [p for p in programs_.values() if p.engine and p.rules_for(viewer.audience)]
    closed = _period_closes(viewer, [p.id for p in live])
    periods: dict[tuple[int, date], tuple[str, int, int]] = {
        (pid, start): (key, int(total or 0), count)
        for pid, key, start, total, count in posted
        if pid in programs_
    }
    for info in live:
        current = _current_period(info, closed, today)
        periods.setdefault((info.id, current.start), (current.key, 0, 0))
    if not periods:
        return []
    openings = _openings(viewer, periods)
    previews = _previews(viewer, programs_, list(periods))
    volumes = _volumes(viewer, programs_, periods)
    result = []
    for (pid, start), (key, total, count) in sorted(
        periods.items(), key=lambda i: (i[0][1], i[0][0])
    ):
        info = programs_[pid]
        kind = info.period_kind
        period = period_of(start, kind) if kind else Period(start, start, key)
        # A carried balance opens the earliest open statement of the program only.
        earliest = min(s for p, s in periods if p == pid)
        opening = openings.get(pid, 0) if start == earliest else 0
        view = StatementView(
            id=None,
            program=info,
            period=key,
            start=start,
            end=period.end,
            opening=Money(opening, info.currency),
            total=Money(opening + total, info.currency),
            disposition="open",
        )
        result.append(
            OpenStatement(
                view,
                count,
                previews.get((pid, start), []),
                _accruals(viewer, info, period, volumes),
            )
        )
    return result


def _period_closes(viewer: Viewer, program_ids: list[int]) -> set[tuple[int, date]]:
    if not program_ids:
        return set()
    rows = db.session.execute(
        select(PeriodClose.program_id, PeriodClose.period_start).where(
            PeriodClose.tenant_id == viewer.tenant_id, PeriodClose.program_id.in_(program_ids)
        )
    )
    return {(pid, start) for pid, start in rows}


def _openings(viewer: Viewer, periods: dict[tuple[int, date], Any]) -> dict[int, int]:
    """Per program, the total the latest closed statement carried forward (one query)."""
    latest = (
        select(Statement.program_id, func.max(Statement.period_start).label("start"))
        .where(
            Statement.tenant_id == viewer.tenant_id,
            Statement.beneficiary == viewer.beneficiary,
            Statement.program_id.in_({pid for pid, _s in periods}),
        )
        .group_by(Statement.program_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Statement.program_id, Statement.period_start, Statement.total_minor)
        .join(
            latest,
            and_(
                latest.c.program_id == Statement.program_id,
                latest.c.start == Statement.period_start,
            ),
        )
        .where(
            Statement.tenant_id == viewer.tenant_id,
            Statement.beneficiary == viewer.beneficiary,
            Statement.disposition == "carried_forward",
        )
    )
    return {
        pid: int(total)
        for pid, start, total in rows
        if start < min(s for p, s in periods if p == pid)
    }


def _previews(
    viewer: Viewer, programs_: dict[int, ProgramInfo], keys: list[tuple[int, date]]
) -> dict[tuple[int, date], list[LineView]]:
    """The newest lines of each open statement, all statements in one query."""
    ranked = (
        _lines(viewer)
        .add_columns(
            func.row_number()
            .over(
                partition_by=(LedgerEntry.program_id, LedgerEntry.posting_start),
                order_by=LedgerEntry.id.desc(),
            )
            .label("rank")
        )
        .where(_keys_filter(keys))
        .subquery()
    )
    entry = aliased(LedgerEntry, ranked)
    rows = db.session.execute(
        select(
            entry,
            ranked.c.order_number,
            ranked.c.order_company_id,
            ranked.c.invoice_number,
        )
        .where(ranked.c.rank <= PREVIEW_LINES)
        .order_by(ranked.c.id.desc())
    )
    found: dict[tuple[int, date], list[LineView]] = defaultdict(list)
    for row in rows:
        line = row[0]
        found[(line.program_id, line.posting_start)].append(
            _line_view(row, programs_[line.program_id])
        )
    return found


def open_statement(
    viewer: Viewer,
    programs_: dict[int, ProgramInfo],
    info: ProgramInfo,
    start: date,
    today: date | None = None,
) -> OpenStatement | None:
    """One open statement of the program (one with lines, or the current period); else None."""
    return next(
        (
            found
            for found in open_statements(viewer, programs_, today)
            if found.statement.program.id == info.id and found.statement.start == start
        ),
        None,
    )


# -- accruals of aggregate rules ----------------------------------------------------------------


def _volumes(
    viewer: Viewer, programs_: dict[int, ProgramInfo], periods: dict[tuple[int, date], Any]
) -> dict[tuple[int, str, date], dict[str, tuple[int, Decimal]]]:
    """Volume per (program, rule, origin period start) and currency, open periods and the
    same periods a year earlier (growth baselines), in one query."""
    starts: set[date] = set()
    for pid, start in periods:
        kind = programs_[pid].period_kind
        starts.add(start)
        if kind:
            starts.add(prior_year(period_of(start, kind), kind).start)
    rows = db.session.execute(
        select(
            VolumeEntry.program_id,
            VolumeEntry.rule_id,
            VolumeEntry.origin_start,
            VolumeEntry.currency,
            func.sum(VolumeEntry.amount_minor),
            func.sum(VolumeEntry.quantity),
        )
        .where(
            VolumeEntry.tenant_id == viewer.tenant_id,
            VolumeEntry.beneficiary == viewer.beneficiary,
            VolumeEntry.program_id.in_({pid for pid, _s in periods}),
            VolumeEntry.origin_start.in_(starts),
        )
        .group_by(
            VolumeEntry.program_id,
            VolumeEntry.rule_id,
            VolumeEntry.origin_start,
            VolumeEntry.currency,
        )
    )
    found: dict[tuple[int, str, date], dict[str, tuple[int, Decimal]]] = defaultdict(dict)
    for pid, rule_id, start, currency, amount, quantity in rows:
        found[(pid, rule_id, start)][currency] = (int(amount or 0), Decimal(quantity or 0))
    return found


def _settled(
    volumes: dict[tuple[int, str, date], dict[str, tuple[int, Decimal]]],
    key: tuple[int, str, date],
    currency: str,
) -> tuple[Decimal, Decimal, bool]:
    """Amount (settlement currency), quantity and whether other currencies were left out."""
    by_currency = volumes.get(key, {})
    minor, quantity = by_currency.get(currency, (0, Decimal(0)))
    partial = any(c != currency for c in by_currency)
    return Decimal(minor).scaleb(-exponent(currency)), quantity, partial


def _accruals(
    viewer: Viewer,
    info: ProgramInfo,
    period: Period,
    volumes: dict[tuple[int, str, date], dict[str, tuple[int, Decimal]]],
) -> list[Accrual]:
    """What each aggregate rule would pay on the period's volume so far, rounded once."""
    program = info.engine
    if program is None:
        return []
    currency = program.settlement_currency
    accruals = []
    for rule in info.rules_for(viewer.audience):
        if not rule.aggregate:
            continue
        amount, quantity, partial = _settled(volumes, (info.id, rule.id, period.start), currency)
        if rule.kind == "growth":
            assert rule.growth is not None
            if rule.growth.baseline == "fixed":
                baseline = rule.growth.baseline_amount
            else:
                prior = prior_year(period, program.statement_period)
                baseline, _q, _p = _settled(volumes, (info.id, rule.id, prior.start), currency)
            payout = rates.growth(rule, amount, baseline)
        else:
            payout = rates.tiered(rule, amount, quantity)
        estimate = round_minor(payout, currency, program.rounding)
        if rule.caps.per_period is not None:
            estimate = min(estimate, rule.caps.per_period)
        accruals.append(
            Accrual(
                rule.id,
                rule.kind,
                Money(int(amount.scaleb(exponent(currency))), currency),
                quantity,
                Money(int(estimate.scaleb(exponent(currency))), currency),
                partial,
            )
        )
    return accruals


# -- funds, credit notes and the chart -----------------------------------------------------------


def fund_balances(viewer: Viewer, programs_: dict[int, ProgramInfo]) -> list[FundBalance]:
    """The MDF balance of each program the viewer has fund entries in."""
    rows = db.session.execute(
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
        )
        .group_by(LedgerEntry.program_id, LedgerEntry.currency)
        .order_by(LedgerEntry.program_id)
    )
    return [
        FundBalance(programs_[pid], Money(int(total or 0), currency), count)
        for pid, currency, total, count in rows
        if pid in programs_
    ]


def credit_notes(viewer: Viewer, programs_: dict[int, ProgramInfo]) -> list[CreditNoteView]:
    """The viewer's credit notes, newest first, with the statement they settle."""
    rows = db.session.execute(
        select(CreditNote, Statement.period, Statement.program_id)
        .join(Statement, Statement.id == CreditNote.statement_id)
        .where(
            CreditNote.tenant_id == viewer.tenant_id,
            CreditNote.beneficiary == viewer.beneficiary,
        )
        .order_by(CreditNote.issued_at.desc(), CreditNote.id.desc())
    )
    notes = []
    for note, period, pid in rows:
        view = _credit_note(note)
        assert view is not None
        program = programs_.get(pid)
        notes.append(
            CreditNoteView(
                view.number,
                view.issued_at,
                view.amount,
                view.remaining,
                view.statement_id,
                period,
                program.name if program else None,
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
