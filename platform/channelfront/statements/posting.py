"""Posting stored facts to every published program of their tenant, in the caller's session.

The facts (IncentiveEvent rows) are stored whether or not a program is live, so a
program published later can be tried on real history in the simulator.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select

from channelfront import row_locks
from channelfront.extensions import db
from channelfront.statements import programs
from channelfront.statements.facts import aware, local_date, to_event
from channelfront.statements.models import (
    IncentiveEvent,
    IncentiveProgram,
    PartnerOfRecord,
    PeriodClose,
)
from channelfront.statements.partners import partners_for
from channelfront.statements.sql_state import SqlState
from channelfront.tenancy.models import Tenant
from incentives import Engine
from incentives.matching import takes_record


def closed_periods(program_id: int) -> set[str]:
    """Keys of the program's closed periods: later facts never post to them."""
    return set(
        db.session.scalars(select(PeriodClose.period).where(PeriodClose.program_id == program_id))
    )


def engine_for(row: IncentiveProgram, tenant: Tenant, partners=None) -> Engine:  # type: ignore[no-untyped-def]
    """An engine over the program's SQL ledger, with the tenant's partners."""
    state = SqlState(row)
    return Engine(
        state.program,
        state,
        partners if partners is not None else partners_for(tenant),
        closed_early=closed_periods(row.id),
    )


def fact_date(tenant_id: int, moment: datetime) -> date:
    """The date stored on a fact: its recording date in the zone of the tenant's first
    published program (each program dates it again in its own zone when posting)."""
    live = programs.published(tenant_id)
    zone = programs.engine_program(live[0]).timezone if live else "UTC"
    return local_date(moment, zone)


def post(tenant: Tenant, rows: Sequence[IncentiveEvent], order_id: int | None = None) -> None:
    """Post facts in order to each published program, storing each once posted (no commit).

    A fact is stored after it is posted, so a refund's purchase counts only the refunds
    posted before it. Each program's row stays locked until the caller commits, so two
    postings never both spend the same room under a cap.
    """
    live = programs.published(tenant.id)
    # Caps and tiers read what each program paid so far: one posting at a time.
    row_locks.hold(IncentiveProgram, *(row.id for row in live))
    partners = partners_for(tenant) if live else {}
    engines = [engine_for(row, tenant, partners) for row in live]
    for engine in engines:
        engine.state.order_id = order_id  # type: ignore[attr-defined]
    for fact in rows:
        for engine in engines:
            engine.post(to_event(fact, engine.program.timezone))
        if not engines:
            _record_partner(fact)
        db.session.add(fact)


EARLIEST_ZONE = timezone(timedelta(hours=-12))


def _record_partner(fact: IncentiveEvent) -> None:
    """With no live program, still note who sold (or renewed) a subscription, as the
    engine would: a program published later pays its renewals to that partner."""
    if fact.type != "purchase" or not fact.subscription_id:
        return
    # With no program there is no time zone: take the instant's earliest calendar date
    # anywhere (UTC-12), so a program in any zone finds the record on its local date.
    day = aware(fact.recorded_at).astimezone(EARLIEST_ZONE).date()
    known = db.session.scalar(
        select(PartnerOfRecord.partner_id)
        .where(
            PartnerOfRecord.tenant_id == fact.tenant_id,
            PartnerOfRecord.subscription_id == fact.subscription_id,
            PartnerOfRecord.effective_on <= day,
        )
        .order_by(PartnerOfRecord.effective_on.desc(), PartnerOfRecord.id)
        .limit(1)
    )
    taken = takes_record(to_event(fact, "UTC"), known)
    if taken is not None:
        db.session.add(
            PartnerOfRecord(
                tenant_id=fact.tenant_id,
                subscription_id=fact.subscription_id,
                effective_on=day,
                partner_id=taken,
            )
        )
