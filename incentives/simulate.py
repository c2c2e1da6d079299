"""The simulation contract: a document of program, partners and events in, statements out."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import UTC, date
from decimal import Decimal
from typing import Any

from incentives import parse
from incentives.engine import Engine
from incentives.errors import InputError
from incentives.fx import FxTable
from incentives.ledger import Entry
from incentives.memory import MemoryState
from incentives.model import Event, Program
from incentives.money import text
from incentives.periods import Period, is_closed
from incentives.statements import Statement, build


def simulate(document: Mapping[str, Any], as_of: date) -> dict[str, Any]:
    """Run a program over the document's events as known on `as_of`.

    Returns the output document of the contract; raises InputError naming the field
    and event for bad input.
    """
    engine, events = load(document)
    kept = [event for event in events if event.event_date <= as_of]
    index = {event.id: i for i, event in enumerate(events)}
    try:
        _check_refunds(events, kept)
        run(engine, kept, as_of)
    except InputError as error:
        if error.event is None or error.event not in index:
            raise
        field = f"events[{index[error.event]}].{error.field}"
        raise InputError(field, error.message, error.event) from None
    assert isinstance(engine.state, MemoryState)
    entries = engine.state.entries
    return render(engine.program, build(engine.program, entries, as_of), entries)


def load(document: Mapping[str, Any]) -> tuple[Engine, list[Event]]:
    """Parse the whole document into an engine with an empty state and its events."""
    root = parse.Reader(document, "")
    program = parse.program(root.required("program"))
    partners = {p.id: p for p in root.objects("partners", parse.partner)}
    transfers = root.objects("partner_of_record_transfers", parse.transfer)
    fx = FxTable(root.objects("fx_rates", parse.fx_rate))
    raw_events = root.get("events") or []
    if not isinstance(raw_events, list):
        raise InputError("events", "must be a list")
    events = [
        parse.event(item, i, program.settlement_currency) for i, item in enumerate(raw_events)
    ]
    seen: set[str] = set()
    for index, event in enumerate(events):
        if event.id in seen:
            raise InputError(f"events[{index}].id", f"{event.id!r} is used twice", event.id)
        seen.add(event.id)
    return Engine(program, MemoryState(), partners, fx, transfers), events


def _check_refunds(events: list[Event], kept: list[Event]) -> None:
    purchases = {event.id: event for event in events if event.type == "purchase"}
    for event in kept:
        if event.type != "refund":
            continue
        bought = purchases.get(event.refund_of or "")
        if bought is None:
            raise InputError("refund_of", f"{event.refund_of!r} is not a purchase", event.id)
        if bought.event_date > event.event_date:
            raise InputError(
                "refund_of", f"{event.refund_of!r} is dated after its refund", event.id
            )


def run(engine: Engine, events: list[Event], as_of: date) -> None:
    """Post events in order, then close every period closed on `as_of`, oldest first.

    Closing reads only aggregate volume, which postings never depend on, so the
    closes can wait until every event is in: a refund recorded in a period's grace
    days still lowers that period's volume before it closes.
    """
    keys: dict[str, tuple[Any, ...]] = {}
    for event in sorted(events, key=lambda e: e.type == "refund"):
        origin = engine.period(event.event_date)
        instant = engine.recorded_instant(event).astimezone(UTC)
        key = (engine.posting_for(origin, event), event.event_date, instant, 0, event.id)
        bought = keys.get(event.refund_of or "")
        if bought is not None and bought > key:
            key = (*bought[:3], 1, event.id)
        keys[event.id] = key
    current = None
    volume_periods: set[Period] = set()
    for event in sorted(events, key=lambda e: keys[e.id]):
        posting = keys[event.id][0]
        if current is not None and posting != current:
            engine.flush(current)
        current = posting
        volume_periods.update(volume.posting for volume in engine.post(event).volumes)
    if current is not None:
        engine.flush(current)
    for period in sorted(volume_periods):
        if is_closed(period, engine.program.grace_days, as_of):
            engine.close(period)


def _line(entry: Entry, currency: str) -> dict[str, Any]:
    return {
        "rule": entry.rule_id,
        "type": entry.type,
        "event": entry.event_id,
        "origin_period": entry.origin.key,
        "amount": text(entry.amount, currency),
        "reason": entry.reason,
    }


def _statement(program: Program, statement: Statement) -> dict[str, Any]:
    currency = program.settlement_currency
    return {
        "beneficiary": statement.beneficiary,
        "program": program.id,
        "period": statement.period.key,
        "currency": currency,
        "status": "closed" if statement.closed else "open",
        "opening_balance": text(statement.opening_balance, currency),
        "lines": [_line(line, currency) for line in statement.lines],
        "total": text(statement.total, currency),
        "disposition": statement.disposition,
    }


def render(program: Program, statements: list[Statement], entries: list[Entry]) -> dict[str, Any]:
    """The output document of the contract."""
    currency = program.settlement_currency
    funds: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        if entry.fund:
            funds[entry.beneficiary].append(entry)
    return {
        "statements": [_statement(program, s) for s in statements],
        "funds": [
            {
                "beneficiary": who,
                "program": program.id,
                "currency": currency,
                "balance": text(sum((e.amount for e in funds[who]), start=Decimal(0)), currency),
                "entries": [
                    {"rule": e.rule_id, "event": e.event_id, "amount": text(e.amount, currency)}
                    for e in funds[who]
                ],
            }
            for who in sorted(funds)
        ],
    }
