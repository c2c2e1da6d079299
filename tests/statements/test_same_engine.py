"""The product's ledger is the simulator's output on the same facts: one engine.

Facts are posted as they are recorded (orders, a self-service renewal, late refunds)
and periods close when their grace runs out; then the stored events are written as
the simulation contract's document and `incentives.simulate` must print exactly the
statements and funds the database holds.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select

from channelfront.extensions import db
from channelfront.statements import close, posting
from channelfront.statements.facts import from_minor, to_event
from channelfront.statements.models import IncentiveEvent, LedgerEntry, Statement
from channelfront.statements.partners import partners_for
from channelfront.statements.replay import contract_event, contract_partner
from incentives import simulate
from incentives.money import text
from tests.statements.programs_data import (
    DISTRIBUTOR,
    RESELLER,
    bluebird_id,
    document,
    fact,
    live_program,
    noon,
    refund_of,
    tenant,
)

PROGRAM = document(
    DISTRIBUTOR,
    min_payout="150.00",
    rules=[
        *DISTRIBUTOR["rules"],
        *RESELLER["rules"],
        {
            "id": "spiff",
            "kind": "fixed_per_unit",
            "beneficiary": "ordering_partner",
            "scope": {"product_ids": ["SHD-STD-1Y"], "valid_to": "2026-04-30"},
            "amount_per_unit": "7.50",
            "caps": {"per_promotion_units": "8"},
        },
    ],
)
AS_OF = date(2026, 5, 10)


def scenario() -> list[IncentiveEvent]:
    northwind = tenant("northwind")
    sub = {"subscription_id": "sub-S1", "product_id": "SHD-STD-1Y"}
    first = fact(northwind, "S-1", date(2026, 3, 2), 120_000, quantity=5, event_kind="new", **sub)
    backup = fact(
        northwind, "S-2", date(2026, 3, 9), 410_000, product_id="BKP-PERP", category_path=["backup"]
    )
    alone = fact(
        northwind,
        "S-3",
        date(2026, 4, 3),
        38_000,
        quantity=5,
        channel="direct",
        ordering_partner_id=None,
        event_kind="renewal",
        term_index=1,
        **sub,
    )
    partner = fact(
        northwind,
        "S-4",
        date(2026, 4, 8),
        50_000,
        quantity=5,
        event_kind="renewal",
        term_index=2,
        **sub,
    )
    return [
        first,
        backup,
        fact(northwind, "S-5", date(2026, 3, 25), 60_000, product_id="SHD-STD-1Y", quantity=3),
        alone,
        partner,
        refund_of(backup, date(2026, 4, 20), 410_000),  # after March closed
        refund_of(first, date(2026, 4, 21), 40_000, quantity=2),
        fact(northwind, "S-6", date(2026, 5, 2), 70_000),
    ]


def contract_document(row, keys: list[str]) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The stored facts `keys` as the simulator's input, written by the console's replay."""
    zone = row.document["timezone"]
    rows = db.session.scalars(select(IncentiveEvent).where(IncentiveEvent.key.in_(keys)))
    events = [
        contract_event(to_event(stored, zone))
        for stored in sorted(rows, key=lambda r: keys.index(r.key))
    ]
    partners = [contract_partner(p) for p in partners_for(tenant("northwind")).values()]
    return {"program": row.document, "partners": partners, "events": events}


def from_database(row) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The database's statements and funds, written like the simulator's output."""
    currency = row.document["settlement_currency"]
    closed = {
        (s.beneficiary, s.period): s
        for s in db.session.scalars(select(Statement).where(Statement.program_id == row.id))
    }
    grouped: dict[tuple[str, date, str], list[LedgerEntry]] = defaultdict(list)
    funds: dict[str, list[LedgerEntry]] = defaultdict(list)
    for entry in db.session.scalars(
        select(LedgerEntry).where(LedgerEntry.program_id == row.id).order_by(LedgerEntry.id)
    ):
        if entry.fund:
            funds[entry.beneficiary].append(entry)
        else:
            grouped[(entry.beneficiary, entry.posting_start, entry.posting_period)].append(entry)

    def amount(minor: int) -> str:
        return text(from_minor(minor, currency), currency)

    statements = []
    for who, start, period in sorted(grouped):
        lines = grouped[(who, start, period)]
        found = closed.get((who, period))
        if found is not None:
            opening, total, outcome = found.opening_minor, found.total_minor, found.disposition
        else:
            opening = close._carry(row.id, who, start)
            total, outcome = opening + sum(e.amount_minor for e in lines), "open"
        statements.append(
            {
                "beneficiary": who,
                "program": row.code,
                "period": period,
                "currency": currency,
                "status": "closed" if found is not None else "open",
                "opening_balance": amount(opening),
                "lines": [
                    {
                        "rule": e.rule_id,
                        "type": e.type,
                        "event": e.event_key,
                        "origin_period": e.origin_period,
                        "amount": amount(e.amount_minor),
                        "reason": e.reason,
                    }
                    for e in lines
                ],
                "total": amount(total),
                "disposition": outcome,
            }
        )
    return {
        "statements": statements,
        "funds": [
            {
                "beneficiary": who,
                "program": row.code,
                "currency": currency,
                "balance": amount(sum(e.amount_minor for e in funds[who])),
                "entries": [
                    {"rule": e.rule_id, "event": e.event_key, "amount": amount(e.amount_minor)}
                    for e in funds[who]
                ],
            }
            for who in sorted(funds)
        ],
    }


def test_the_product_ledger_equals_the_simulator_on_the_same_events(ctx):
    row = live_program("northwind", "same-engine", PROGRAM)
    db.session.commit()
    facts = scenario()
    northwind = tenant("northwind")
    for item in sorted(facts, key=lambda f: f.recorded_at):
        close.close_due(item.recorded_at)  # what beat would have closed by then
        posting.post(northwind, [item])
        db.session.commit()
    close.close_due(noon(AS_OF))

    expected = simulate(contract_document(row, [f.key for f in facts]), AS_OF)
    assert from_database(row) == expected
    # The scenario covers what the product must get right.
    closed = [s for s in expected["statements"] if s["status"] == "closed"]
    assert {s["disposition"] for s in closed} >= {"paid", "carried_forward"}
    kinds = {(line["rule"], line["type"]) for s in expected["statements"] for line in s["lines"]}
    assert ("volume", "prior_period_adjustment") in kinds
    assert ("renewals", "earning") in kinds
    assert ("spiff", "clawback") in kinds
    reseller = f"company-{bluebird_id()}"
    renewal_lines = [
        line
        for s in expected["statements"]
        if s["beneficiary"] == reseller
        for line in s["lines"]
        if line["event"] == "S-3"
    ]
    assert renewal_lines == [
        {
            "rule": "renewals",
            "type": "earning",
            "event": "S-3",
            "origin_period": "2026-04",
            "amount": "7.60",  # 2 % of 380.00, the customer renewing alone
            "reason": None,
        }
    ]
    assert datetime.now(UTC).date() > AS_OF  # the scenario is in the past
