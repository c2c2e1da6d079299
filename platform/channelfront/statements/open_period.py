"""Open statements: what a period still open holds for the viewer, and what its volume
rules would pay on the purchases so far.

An open statement is never stored: it is the `LedgerEntry` rows posted to a period that
has neither a statement for the beneficiary nor a period close, plus each live
program's current period. Aggregate rules (`tiered_volume`, `growth`) write their line
only when the period closes, so the page shows an estimate beside the lines, computed
with the engine's own rate functions on the period's volume so far.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import aliased

from channelfront.extensions import db
from channelfront.i18n.formatting import Money
from channelfront.statements.models import LedgerEntry, PeriodClose, Statement, VolumeEntry
from channelfront.statements.queries import (
    LineView,
    ProgramInfo,
    StatementView,
    Viewer,
    keys_filter,
    line_view,
    lines_select,
    open_posting,
)
from incentives import rates
from incentives.money import exponent, round_minor
from incentives.periods import Period, following, period_of, prior_year

PREVIEW_LINES = 20


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


def today_in(zone: str) -> date:
    return datetime.now(UTC).astimezone(ZoneInfo(zone)).date()


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
            open_posting(programs_, viewer.tenant_id),
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
        lines_select(viewer)
        .add_columns(
            func.row_number()
            .over(
                partition_by=(LedgerEntry.program_id, LedgerEntry.posting_start),
                order_by=LedgerEntry.id.desc(),
            )
            .label("rank")
        )
        .where(keys_filter(keys))
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
            line_view(row, programs_[line.program_id])
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
    rule_ids: set[str] = set()
    for pid, start in periods:
        info = programs_[pid]
        kind = info.period_kind
        starts.add(start)
        if kind:
            starts.add(prior_year(period_of(start, kind), kind).start)
        if info.engine is not None:
            rule_ids.update(rule.id for rule in info.engine.rules if rule.aggregate)
    if not rule_ids:
        return {}
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
            VolumeEntry.rule_id.in_(rule_ids),
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
