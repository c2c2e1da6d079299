"""Incentive engine throughput: synthetic events over a program with every rule kind.

Run from the repository root::

    .venv/bin/python benchmarks/engine.py                  # 1,000,000 events
    .venv/bin/python benchmarks/engine.py --events 100000

Builds a quarterly program with all six rule kinds (percent commission in an
exclusive group with a category override, a capped SPIFF, renewal commission, MDF,
a retroactive volume tier and growth on the prior year), 200 partners with tier
history, and events over three years: 95% purchases in USD and EUR (EUR converted
at a daily rate), 5% refunds, some late. It times, separately:

1. parsing: ``incentives.parse.event`` on the event documents (a sample of 100,000);
2. posting: ``Engine.post`` of every event into the in-memory ledger, closing each
   quarter as it ends (aggregate lines), then building the statements;
3. ``incentives.simulate`` end to end on the 100,000-event sample document.

Prints events per second for each, and the process's peak resident memory.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import incentives
from incentives import parse
from incentives.memory import MemoryState
from incentives.periods import is_closed
from incentives.statements import build

START = date(2023, 1, 1)
DAYS = 3 * 365
CATEGORIES = [["software", "security"], ["software", "backup"], ["services", "training"]]

PROGRAM: dict[str, Any] = {
    "id": "BENCH",
    "settlement_currency": "USD",
    "timezone": "America/New_York",
    "statement_period": "quarterly",
    "grace_days": 15,
    "min_payout": "100.00",
    "rules": [
        {
            "id": "com-all",
            "kind": "percent_commission",
            "beneficiary": "distributor",
            "scope": {"channels": ["storefront"]},
            "exclusive_group": "commission",
            "rate": "0.03",
            "clawback_window_days": 90,
        },
        {
            "id": "com-security",
            "kind": "percent_commission",
            "beneficiary": "distributor",
            "scope": {"category_ids": ["security"]},
            "exclusive_group": "commission",
            "rate": "0.05",
            "clawback_window_days": 90,
        },
        {
            "id": "spiff",
            "kind": "fixed_per_unit",
            "beneficiary": "ordering_partner",
            "scope": {"product_ids": ["P-7"], "valid_from": "2023-03-01", "valid_to": "2025-06-30"},
            "amount_per_unit": "5.00",
            "caps": {"per_promotion_units": "500", "per_period": "1000.00"},
        },
        {
            "id": "renewals",
            "kind": "renewal_commission",
            "beneficiary": "originating_partner",
            "scope": {},
            "renewal": {
                "first_purchase_rate": "0.08",
                "partner_renewal_rate": "0.05",
                "self_service_renewal_rate": "0.04",
                "max_renewals": 3,
            },
        },
        {
            "id": "mdf",
            "kind": "mdf_accrual",
            "beneficiary": "distributor",
            "scope": {},
            "rate": "0.01",
        },
        {
            "id": "volume",
            "kind": "tiered_volume",
            "beneficiary": "distributor",
            "scope": {},
            "tiers": [
                {"from": "0", "rate": "0"},
                {"from": "100000", "rate": "0.01"},
                {"from": "1000000", "rate": "0.02"},
            ],
            "tier_method": "retroactive",
            "tier_measure": "amount",
        },
        {
            "id": "growth",
            "kind": "growth",
            "beneficiary": "ordering_partner",
            "scope": {},
            "rate": "0.02",
            "growth": {
                "baseline": "same_period_prior_year",
                "min_growth": "0.10",
                "payout_basis": "incremental",
            },
        },
    ],
}


def partners(count: int) -> list[dict[str, Any]]:
    return [
        {
            "id": f"R{i}",
            "kind": "reseller",
            "tier_history": [{"from": "2023-01-01", "tier": "silver"}]
            + ([{"from": "2024-01-01", "tier": "gold"}] if i % 3 == 0 else []),
            "status_history": [{"from": "2023-01-01", "status": "active"}],
        }
        for i in range(count)
    ]


def fx_rates() -> list[dict[str, Any]]:
    return [
        {
            "base": "EUR",
            "quote": "USD",
            "date": (START + timedelta(days=d)).isoformat(),
            "rate": f"{1.05 + (d % 30) / 1000:.4f}",
        }
        for d in range(DAYS + 1)
    ]


def events(count: int, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    purchases: list[dict[str, Any]] = []
    for i in range(count):
        day = START + timedelta(days=DAYS * i // count)
        if purchases and rng.random() < 0.05:
            bought = purchases.pop(rng.randrange(len(purchases)))
            out.append(
                {
                    **bought,
                    "id": f"RF-{i}",
                    "type": "refund",
                    "refund_of": bought["id"],
                    "event_date": day.isoformat(),
                }
            )
            continue
        currency = "EUR" if rng.random() < 0.3 else "USD"
        partner = f"R{rng.randrange(200)}"
        kind = rng.choice(["new", "renewal", "none", "none"])
        event = {
            "id": f"O-{i}",
            "type": "purchase",
            "event_date": day.isoformat(),
            "channel": "storefront" if rng.random() < 0.95 else "direct",
            "distributor_id": "D1",
            "ordering_partner_id": partner,
            "subscription_id": f"S-{rng.randrange(20000)}" if kind != "none" else None,
            "event_kind": kind,
            "term_index": rng.randint(1, 5) if kind == "renewal" else 0,
            "product_id": f"P-{rng.randrange(40)}",
            "category_path": rng.choice(CATEGORIES),
            "quantity": str(rng.randint(1, 20)),
            "net_amount": f"{rng.randint(1000, 500000) / 100:.2f}",
            "currency": currency,
        }
        if event["channel"] == "direct" and kind == "renewal":
            event["ordering_partner_id"] = None
        if rng.random() < 0.01:
            event["recorded_at"] = f"{(day + timedelta(days=120)).isoformat()}T12:00:00+00:00"
        out.append(event)
        purchases.append(event)
    return out


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    args = parser.parse_args()

    print(f"generating {args.events:,} events ...", flush=True)
    documents = events(args.events)
    sample = documents[: min(100_000, len(documents))]

    program = parse.program(PROGRAM)
    started = time.perf_counter()
    parsed = [parse.event(doc, i, "USD") for i, doc in enumerate(sample)]
    parse_rate = len(parsed) / (time.perf_counter() - started)
    parsed = [parse.event(doc, i, "USD") for i, doc in enumerate(documents)]
    del documents

    root = parse.Reader({"partners": partners(200), "fx_rates": fx_rates()}, "")
    engine = incentives.Engine(
        program,
        MemoryState(),
        {p.id: p for p in root.objects("partners", parse.partner)},
        incentives.FxTable(root.objects("fx_rates", parse.fx_rate)),
    )
    as_of = START + timedelta(days=DAYS + 60)
    started = time.perf_counter()
    from incentives.simulate import run

    run(engine, parsed, as_of)
    assert isinstance(engine.state, MemoryState)
    statements = build(program, engine.state.entries, as_of)
    posting_seconds = time.perf_counter() - started
    closed = sum(1 for s in statements if is_closed(s.period, program.grace_days, as_of))

    document = {
        "program": PROGRAM,
        "partners": partners(200),
        "fx_rates": fx_rates(),
        "events": sample,
    }
    started = time.perf_counter()
    result = incentives.simulate(document, as_of)
    simulate_seconds = time.perf_counter() - started

    print(f"events posted:           {len(parsed):,}")
    print(f"ledger entries:          {len(engine.state.entries):,}")
    print(f"statements:              {len(statements):,} ({closed:,} closed)")
    print(f"parse:                   {parse_rate:,.0f} events/s")
    rate = len(parsed) / posting_seconds
    print(f"post + close + build:    {rate:,.0f} events/s ({posting_seconds:.1f} s)")
    print(
        f"simulate() end to end:   {len(sample) / simulate_seconds:,.0f} events/s "
        f"({len(sample):,} events, {len(result['statements']):,} statements)"
    )
    print(f"peak resident memory:    {peak_rss_mb():,.0f} MB")


if __name__ == "__main__":
    main()
