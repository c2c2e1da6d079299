"""The SQL ledger state answers the engine exactly as the in-memory reference does."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import Flask
from sqlalchemy import event as sa_event
from sqlalchemy import select

from channelfront.extensions import db
from channelfront.statements.facts import to_minor
from channelfront.statements.models import IncentiveEvent, LedgerEntry
from channelfront.statements.programs import engine_program
from channelfront.statements.sql_state import SqlState
from incentives import Engine, MemoryState
from incentives.model import Event
from tests.statements.programs_data import DISTRIBUTOR, RESELLER, document, live_program

ZONE = ZoneInfo("America/New_York")

PROGRAM = document(
    DISTRIBUTOR,
    rules=[
        *DISTRIBUTOR["rules"],
        *RESELLER["rules"],
        {
            "id": "spiff",
            "kind": "fixed_per_unit",
            "beneficiary": "ordering_partner",
            "scope": {"product_ids": ["SHD-STD-1Y"]},
            "amount_per_unit": "7.50",
            "caps": {"per_promotion_units": "10", "per_period": "80.00"},
        },
    ],
)


def at(day: date) -> datetime:
    return datetime.combine(day, time(12), ZONE).astimezone(UTC)


def purchase(key: str, day: date, net: str, **extra: object) -> Event:
    values: dict = {
        "id": key,
        "type": "purchase",
        "event_date": day,
        "recorded_at": at(day),
        "channel": "storefront",
        "distributor_id": "northwind",
        "ordering_partner_id": "company-1",
        "product_id": "SHD-STD-1Y",
        "category_path": ("security",),
        "quantity": Decimal(5),
        "net_amount": Decimal(net),
        "currency": "USD",
    }
    values.update(extra)
    return Event(**values)


def refund(key: str, of: Event, day: date, net: str, quantity: int, **extra: object) -> Event:
    values = {**of.__dict__, "id": key, "type": "refund", "event_date": day}
    values.update(
        recorded_at=at(day), net_amount=Decimal(net), quantity=Decimal(quantity), refund_of=of.id
    )
    values.update(extra)
    return Event(**values)


def store(event: Event, tenant_id: int) -> None:
    db.session.add(
        IncentiveEvent(
            tenant_id=tenant_id,
            key=event.id,
            type=event.type,
            event_date=event.event_date,
            recorded_at=event.recorded_at,
            channel=event.channel,
            distributor_id=event.distributor_id,
            ordering_partner_id=event.ordering_partner_id,
            subscription_id=event.subscription_id,
            event_kind=event.event_kind,
            term_index=event.term_index,
            product_id=event.product_id,
            category_path=list(event.category_path),
            quantity=event.quantity,
            net_minor=to_minor(event.net_amount, event.currency),
            currency=event.currency,
            refund_of=event.refund_of,
        )
    )


EVENTS = [
    purchase("O-1/1", date(2026, 3, 2), "1200.00"),
    purchase("O-2/1", date(2026, 3, 9), "4100.00", subscription_id="sub-9", event_kind="new"),
    purchase("O-3/1", date(2026, 3, 20), "300.00", product_id="BAK-1", category_path=("backup",)),
    purchase("O-5/1", date(2026, 3, 25), "600.00"),
    purchase(
        "T-1",
        date(2026, 4, 3),
        "380.00",
        subscription_id="sub-9",
        event_kind="renewal",
        term_index=1,
        channel="direct",
        ordering_partner_id=None,
        distributor_id=None,
    ),
    purchase(
        "O-4/1",
        date(2026, 4, 8),
        "500.00",
        subscription_id="sub-9",
        event_kind="renewal",
        term_index=2,
        ordering_partner_id="company-2",
    ),
]
EVENTS += [
    refund("R-1/1", EVENTS[0], date(2026, 3, 5), "400.00", 2),
    refund("R-2/1", EVENTS[1], date(2026, 4, 20), "4100.00", 5),  # late: March is closed
    refund("R-1/2", EVENTS[0], date(2026, 4, 21), "800.00", 3),
]


def _key(event: Event) -> tuple:
    return (event.recorded_at, event.id)


@contextmanager
def statements_run(app: Flask) -> Iterator[list[str]]:
    with app.app_context():
        engine = db.engine
    seen: list[str] = []

    def record(_c, _cur, statement, *_args):  # type: ignore[no-untyped-def]
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            seen.append(statement)

    sa_event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa_event.remove(engine, "before_cursor_execute", record)


def test_posting_and_closing_match_the_memory_state(ctx):
    row = live_program("northwind", "parity", PROGRAM)
    program = engine_program(row)
    memory = Engine(program, MemoryState())
    sql = Engine(program, SqlState(row))
    march = memory.period(date(2026, 3, 1))
    for item in sorted(EVENTS, key=_key):
        if item.event_date >= date(2026, 4, 1) and march is not None:
            assert memory.close(march) == sql.close(march)
            march = None
        assert memory.post(item).entries == sql.post(item).entries, item.id
        store(item, row.tenant_id)
    april = memory.period(date(2026, 4, 1))
    assert memory.close(april) == sql.close(april)
    stored = db.session.scalars(
        select(LedgerEntry).where(LedgerEntry.program_id == row.id).order_by(LedgerEntry.id)
    )
    assert memory.state.entries == [entry_of(e, program) for e in stored]
    kinds = {(e.rule_id, e.type, e.reason) for e in memory.state.entries}
    # The scenario went through caps, clawbacks, late volume and renewals.
    assert ("volume", "prior_period_adjustment", None) in kinds
    assert ("spiff", "earning", "cap_reached") in kinds
    assert ("renewals", "earning", None) in kinds
    assert ("com-security", "clawback", None) in kinds


def entry_of(row: LedgerEntry, program) -> object:  # type: ignore[no-untyped-def]
    from channelfront.statements.facts import from_minor
    from incentives.ledger import Entry
    from incentives.periods import period_of

    return Entry(
        row.beneficiary,
        row.rule_id,
        row.type,
        row.event_key,
        period_of(row.origin_start, program.statement_period),
        period_of(row.posting_start, program.statement_period),
        from_minor(row.amount_minor, row.currency),
        row.reason,
        row.fund,
        Decimal(row.units),
    )


def test_one_posting_costs_the_same_few_queries_however_long_the_ledger(app, ctx):
    row = live_program("northwind", "cost", PROGRAM)
    engine = Engine(engine_program(row), SqlState(row))
    costs = []
    for size in (3, 40):
        for index in range(size):
            item = purchase(f"C-{size}-{index}", date(2026, 3, 2), "10.00")
            engine.post(item)
            store(item, row.tenant_id)
        db.session.flush()
        bought = purchase(f"C-{size}-1", date(2026, 3, 2), "10.00")
        with statements_run(app) as seen:
            engine.post(purchase(f"C-{size}-last", date(2026, 3, 3), "10.00"))
            engine.post(refund(f"C-{size}-R", bought, date(2026, 3, 3), "5.00", 1))
            db.session.flush()
        costs.append([s for s in seen if s.lstrip().upper().startswith("SELECT")])
    # Sums for the caps and units, then the refunded purchase's rows: never the ledger.
    assert len(costs[0]) == len(costs[1]) < 12
