"""Properties that hold for any small valid document (Hypothesis)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.incentives.documents import (
    adjustment,
    document,
    fx,
    mdf,
    per_unit,
    percent,
    program,
    purchase,
    refund,
    simulate,
    tiered,
)

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FIRST_DAY = dt.date(2025, 1, 1)
LAST_DAY = dt.date(2025, 4, 30)
AS_OF = "2025-09-30"  # every statement an event can reach has closed


RATES = [
    fx("EUR", "USD", "2024-12-01", "1.0837"),
    fx("EUR", "USD", "2025-02-01", "1.1203"),
    fx("EUR", "USD", "2025-03-15", "0.9871"),
    fx("EUR", "USD", "2025-05-01", "1.05"),
]


def money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


@st.composite
def split(draw: st.DrawFn, total: int, parts: int) -> list[int]:
    """``total`` cut into ``parts`` positive integers."""
    if parts == 1:
        return [total]
    cuts = draw(
        st.lists(st.integers(1, total - 1), min_size=parts - 1, max_size=parts - 1, unique=True)
    )
    bounds = [0, *sorted(cuts), total]
    return [b - a for a, b in itertools.pairwise(bounds)]


@st.composite
def sales(
    draw: st.DrawFn,
    *,
    refunds: str = "any",
    late: bool = True,
    max_sales: int = 6,
    currencies: tuple[str, ...] = ("USD", "USD", "EUR"),
) -> list[dict[str, Any]]:
    """Purchases and refunds of them; ``refunds`` is "any", "full" or "none".

    A refund is dated on or after its purchase and recorded after it, as in life.
    """
    events: list[dict[str, Any]] = []
    for i in range(draw(st.integers(1, max_sales))):
        day = draw(st.dates(FIRST_DAY, LAST_DAY))
        cents = draw(st.integers(1, 300_000))
        quantity = draw(st.integers(1, 6))
        lag = draw(st.sampled_from([0, 0, 0, 3, 12, 40])) if late else 0
        recorded = dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.UTC) + dt.timedelta(
            days=lag
        )
        sale = purchase(
            f"E{i:02d}",
            day.isoformat(),
            money(cents),
            str(quantity),
            distributor=draw(st.sampled_from(["D1", "D2"])),
            partner=draw(st.sampled_from(["P1", "P2"])),
            recorded_at=recorded.isoformat(),
            currency=draw(st.sampled_from(currencies)),
        )
        events.append(sale)
        if refunds == "none":
            continue
        full = refunds == "full" or draw(st.booleans())
        room = min(quantity, cents) if full else min(quantity, cents) - 1
        parts = draw(st.integers(1 if refunds == "full" else 0, min(3, room))) if room else 0
        if not parts:
            continue
        if full:
            amounts = draw(split(cents, parts))
            quantities = draw(split(quantity, parts))
        else:
            amounts = draw(split(draw(st.integers(parts, cents - 1)), parts))
            quantities = draw(split(draw(st.integers(parts, quantity - 1)), parts))
        when, known = day, recorded
        for k, (part, units) in enumerate(zip(amounts, quantities, strict=True)):
            when += dt.timedelta(days=draw(st.integers(0, 45)))
            start = dt.datetime(when.year, when.month, when.day, 13, tzinfo=dt.UTC)
            known = max(start, known + dt.timedelta(hours=1))
            known += dt.timedelta(days=draw(st.sampled_from([0, 0, 0, 5, 30])) if late else 0)
            events.append(
                refund(
                    sale,
                    f"E{i:02d}R{k}",
                    when.isoformat(),
                    money(part),
                    str(units),
                    recorded_at=known.isoformat(),
                )
            )
    return events


CAP_AMOUNTS = st.sampled_from(["15.00", "40.00", "100.00", "250.00"])


@st.composite
def caps(draw: st.DrawFn) -> dict[str, str]:
    chosen = {
        "per_line": draw(st.none() | CAP_AMOUNTS),
        "per_period": draw(st.none() | CAP_AMOUNTS),
        "lifetime": draw(st.none() | st.sampled_from(["100.00", "300.00", "900.00"])),
    }
    return {key: value for key, value in chosen.items() if value is not None}


@st.composite
def programs(draw: st.DrawFn, *, windows: bool = True) -> dict[str, Any]:
    window = draw(st.none() | st.sampled_from([0, 10, 30])) if windows else None
    rules = [
        percent(
            rate=draw(st.sampled_from(["0.05", "0.075", "0.1", "0.125", "0.0333"])),
            caps=draw(caps()),
            clawback_window_days=window,
        ),
        per_unit(
            amount_per_unit=draw(st.sampled_from(["2.50", "3.33", "10.00"])),
            caps={"per_promotion_units": draw(st.sampled_from(["4", "9", "1000"]))},
        ),
        mdf(rate=draw(st.sampled_from(["0.02", "0.015"]))),
        tiered(
            tiers=[("0", "0.01"), ("1000", "0.02"), ("5000", "0.035")],
            method=draw(st.sampled_from(["retroactive", "marginal"])),
        ),
    ]
    options = {
        "negative_balance": draw(st.sampled_from([None, "carry_forward", "debit_note"])),
        "rounding": draw(st.sampled_from([None, "half_even", "half_up"])),
    }
    return program(
        *rules,
        grace_days=draw(st.sampled_from([0, 5])),
        min_payout=draw(st.sampled_from(["0.00", "50.00"])),
        **options,
    )


@st.composite
def adjustments(draw: st.DrawFn) -> list[dict[str, Any]]:
    count = draw(st.integers(0, 2))
    return [
        adjustment(
            f"A{i}",
            draw(st.dates(FIRST_DAY, LAST_DAY)).isoformat(),
            draw(st.sampled_from(["D1", "P1"])),
            money(draw(st.integers(-5000, 5000))),
        )
        for i in range(count)
    ]


def _by_rule_and_event(out: dict[str, Any]) -> dict[tuple[str, str], Decimal]:
    """Statement lines and fund entries summed per (rule, event)."""
    sums: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for statement in out["statements"]:
        for line in statement["lines"]:
            if line["rule"] is not None and line["event"] is not None:
                sums[line["rule"], line["event"]] += Decimal(line["amount"])
    for f in out["funds"]:
        for entry in f["entries"]:
            sums[entry["rule"], entry["event"]] += Decimal(entry["amount"])
    return sums


def _refunds_of(events: list[dict[str, Any]]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    for event in events:
        if event["type"] == "refund":
            found[event["refund_of"]].append(event["id"])
    return found


TRANSACTION_RULES = ("pc", "spiff", "mdf")


@SETTINGS
@given(prog=programs(windows=False), events=sales(refunds="full"))
def test_a_fully_refunded_line_nets_to_zero(prog: dict, events: list[dict]) -> None:
    out = simulate(document(prog, events, fx_rates=RATES), AS_OF)
    sums = _by_rule_and_event(out)

    for sale_id, refund_ids in _refunds_of(events).items():
        for rule_id in TRANSACTION_RULES:
            net = sums[rule_id, sale_id] + sum(sums[rule_id, r] for r in refund_ids)
            assert net == 0, f"{rule_id} on {sale_id} and its refunds {refund_ids} nets {net}"


@SETTINGS
@given(prog=programs(), events=sales())
def test_clawbacks_never_exceed_what_was_earned(prog: dict, events: list[dict]) -> None:
    out = simulate(document(prog, events, fx_rates=RATES), AS_OF)
    sums = _by_rule_and_event(out)

    for sale_id, refund_ids in _refunds_of(events).items():
        for rule_id in TRANSACTION_RULES:
            earned = sums[rule_id, sale_id]
            clawed = [sums[rule_id, r] for r in refund_ids]
            assert earned >= 0
            assert all(c <= 0 for c in clawed), (rule_id, sale_id, clawed)
            assert earned + sum(clawed) >= 0, (rule_id, sale_id, earned, clawed)


@st.composite
def rising_tiers(draw: st.DrawFn, measure: str) -> list[tuple[str, str]]:
    """Tiers from 0 with strictly rising rates; bounds in cents or in units."""
    top = 400_000 if measure == "amount" else 30
    bounds = sorted(draw(st.lists(st.integers(1, top), min_size=1, max_size=4, unique=True)))
    count = len(bounds) + 1
    rates = sorted(draw(st.lists(st.integers(1, 900), min_size=count, max_size=count, unique=True)))
    starts = ["0", *(money(b) if measure == "amount" else str(b) for b in bounds)]
    return [(start, f"0.{rate:04d}") for start, rate in zip(starts, rates, strict=True)]


@SETTINGS
@given(data=st.data(), events=sales(refunds="none", late=False, max_sales=8, currencies=("USD",)))
def test_retroactive_never_pays_less_than_marginal_for_rising_rates(
    data: st.DataObject, events: list[dict]
) -> None:
    measure = data.draw(st.sampled_from(["amount", "quantity"]))
    tiers = data.draw(rising_tiers(measure))

    def payouts(method: str) -> dict[tuple[str, str], Decimal]:
        rule = tiered(tiers=tiers, method=method, measure=measure)
        out = simulate(document(program(rule), events), AS_OF)
        return {
            (s["beneficiary"], s["period"]): Decimal(line["amount"])
            for s in out["statements"]
            for line in s["lines"]
        }

    retro, marginal = payouts("retroactive"), payouts("marginal")
    assert retro.keys() == marginal.keys()
    for key, amount in retro.items():
        assert amount >= marginal[key], (key, amount, marginal[key])


@SETTINGS
@given(data=st.data(), prog=programs(), events=sales(), extra=adjustments())
def test_no_cap_is_exceeded_and_the_order_of_the_input_list_changes_nothing(
    data: st.DataObject, prog: dict, events: list[dict], extra: list[dict]
) -> None:
    events = events + extra
    out = simulate(document(prog, events, fx_rates=RATES), AS_OF)
    shuffled = data.draw(st.permutations(events))
    assert simulate(document(prog, shuffled, fx_rates=RATES), AS_OF) == out

    pc, spiff = prog["rules"][0], prog["rules"][1]
    per_period: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    lifetime: dict[str, Decimal] = defaultdict(Decimal)
    units: dict[str, Decimal] = defaultdict(Decimal)
    for s in out["statements"]:
        for line in s["lines"]:
            if line["type"] != "earning":
                continue
            amount = Decimal(line["amount"])
            if line["rule"] == "pc":
                if "per_line" in pc["caps"]:
                    assert amount <= Decimal(pc["caps"]["per_line"])
                per_period[s["beneficiary"], s["period"]] += amount
                lifetime[s["beneficiary"]] += amount
            elif line["rule"] == "spiff":
                units[s["beneficiary"]] += amount / Decimal(spiff["amount_per_unit"])
    if "per_period" in pc["caps"]:
        assert max(per_period.values(), default=0) <= Decimal(pc["caps"]["per_period"])
    if "lifetime" in pc["caps"]:
        assert max(lifetime.values(), default=0) <= Decimal(pc["caps"]["lifetime"])
    limit = Decimal(spiff["caps"]["per_promotion_units"])
    assert max(units.values(), default=0) <= limit


@SETTINGS
@given(prog=programs(), events=sales(), extra=adjustments())
def test_a_statements_total_is_its_opening_balance_plus_its_lines(
    prog: dict, events: list[dict], extra: list[dict]
) -> None:
    out = simulate(document(prog, events + extra, fx_rates=RATES), AS_OF)

    for s in out["statements"]:
        amounts = [s["opening_balance"], s["total"], *(line["amount"] for line in s["lines"])]
        for amount in amounts:
            assert Decimal(amount).as_tuple().exponent == -2, amount  # USD: exactly 2 places
        lines_sum = sum(Decimal(line["amount"]) for line in s["lines"])
        assert Decimal(s["total"]) == Decimal(s["opening_balance"]) + lines_sum, s
        assert s["lines"], "a statement is listed only when it has a line"
        if s["status"] == "open":
            assert s["disposition"] == "open"
        else:
            total = Decimal(s["total"])
            paid = total > 0 and total >= Decimal(prog["min_payout"])
            if paid:
                assert s["disposition"] == "paid"
            elif total < 0 and prog.get("negative_balance") == "debit_note":
                assert s["disposition"] == "debit_note"
            else:
                assert s["disposition"] == "carried_forward"
    for f in out["funds"]:
        assert Decimal(f["balance"]) == sum(Decimal(e["amount"]) for e in f["entries"])


@SETTINGS
@given(
    prog=programs(),
    events=sales(),
    extra=adjustments(),
    first=st.dates(dt.date(2025, 1, 15), dt.date(2025, 7, 31)),
)
def test_a_later_as_of_leaves_every_closed_statement_as_it_was(
    prog: dict, events: list[dict], extra: list[dict], first: dt.date
) -> None:
    doc = document(prog, events + extra, fx_rates=RATES)
    earlier = simulate(doc, first.isoformat())
    later = simulate(doc, AS_OF)

    def closed(out: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
        return {
            (s["beneficiary"], s["period"]): s for s in out["statements"] if s["status"] == "closed"
        }

    then, now = closed(earlier), closed(later)
    for key, statement in then.items():
        assert now.get(key) == statement, key


GRACE_DAYS_REFUND = [
    purchase("E00", "2025-03-20", "12000.00", "4"),
    refund(purchase("E00", "2025-03-20", "12000.00", "4"), "E00R0", "2025-04-03", "3000.00", "1"),
]


@SETTINGS
@example(events=GRACE_DAYS_REFUND, grace_days=5, period="monthly")
@given(
    events=sales(currencies=("USD",)),
    grace_days=st.sampled_from([0, 5, 20, 40]),
    period=st.sampled_from(["monthly", "quarterly"]),
)
def test_no_volume_is_lost_once_every_statement_has_closed(
    events: list[dict], grace_days: int, period: str
) -> None:
    # One flat 1 % tier: whatever the periods, the aggregate lines (earnings and prior-period
    # adjustments) add up to 1 % of purchases minus refunds, give or take each line's rounding.
    rule = tiered(tiers=[("0", "0.01")])
    out = simulate(
        document(program(rule, period=period, grace_days=grace_days), events), "2026-06-30"
    )
    volume = sum(
        (Decimal(e["net_amount"]) * (1 if e["type"] == "purchase" else -1) for e in events),
        Decimal(0),
    )
    paid = [Decimal(line["amount"]) for s in out["statements"] for line in s["lines"]]

    assert all(s["status"] == "closed" for s in out["statements"])
    assert abs(sum(paid) - volume / 100) <= Decimal("0.005") * len(paid), (sum(paid), volume)
