"""Builders for simulation documents and readers for the engine's answer.

A test builds a small document exactly as the simulation contract spells it
(../shared/INCENTIVES.md, "The simulation contract"), runs it through
``incentives.simulate`` and reads the statements by beneficiary and period.
Defaults: program P1 settles USD, monthly statements in UTC, no grace days,
no minimum payout; purchases are storefront sales of SKU-1 (category
``software``) by distributor D1 to reseller P1.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterable
from typing import Any

import incentives

Doc = dict[str, Any]
Line = tuple[str | None, str, str | None, str, str | None]


# --- program and rules -------------------------------------------------------------------


def program(
    *rules: Doc,
    currency: str = "USD",
    period: str = "monthly",
    grace_days: int = 0,
    timezone: str = "UTC",
    min_payout: str = "0.00",
    program_id: str = "P1",
    **options: Any,
) -> Doc:
    """A program; ``options`` sets negative_balance, rounding or fx_rate_date."""
    return {
        "id": program_id,
        "settlement_currency": currency,
        "timezone": timezone,
        "statement_period": period,
        "grace_days": grace_days,
        "min_payout": min_payout,
        **options,
        "rules": list(rules),
    }


def rule(rule_id: str, kind: str, beneficiary: str, scope: Doc | None = None, **fields: Any) -> Doc:
    return {"id": rule_id, "kind": kind, "beneficiary": beneficiary, "scope": scope or {}, **fields}


def percent(
    rule_id: str = "pc", rate: str = "0.10", beneficiary: str = "distributor", **fields: Any
) -> Doc:
    return rule(rule_id, "percent_commission", beneficiary, rate=rate, **fields)


def per_unit(
    rule_id: str = "spiff",
    amount_per_unit: str = "5.00",
    beneficiary: str = "ordering_partner",
    **fields: Any,
) -> Doc:
    return rule(rule_id, "fixed_per_unit", beneficiary, amount_per_unit=amount_per_unit, **fields)


def renewal(
    rule_id: str = "ren",
    *,
    first: str = "0.20",
    partner: str = "0.10",
    self_service: str = "0.05",
    max_renewals: int = 3,
    beneficiary: str = "originating_partner",
    **fields: Any,
) -> Doc:
    terms = {
        "first_purchase_rate": first,
        "partner_renewal_rate": partner,
        "self_service_renewal_rate": self_service,
        "max_renewals": max_renewals,
    }
    return rule(rule_id, "renewal_commission", beneficiary, renewal=terms, **fields)


def mdf(
    rule_id: str = "mdf", rate: str = "0.02", beneficiary: str = "distributor", **fields: Any
) -> Doc:
    return rule(rule_id, "mdf_accrual", beneficiary, rate=rate, **fields)


def tiered(
    rule_id: str = "vol",
    tiers: Iterable[tuple[str, str]] = (("0", "0.01"), ("10000", "0.02"), ("50000", "0.03")),
    *,
    method: str = "retroactive",
    measure: str = "amount",
    beneficiary: str = "distributor",
    **fields: Any,
) -> Doc:
    return rule(
        rule_id,
        "tiered_volume",
        beneficiary,
        tiers=[{"from": start, "rate": rate} for start, rate in tiers],
        tier_method=method,
        tier_measure=measure,
        **fields,
    )


def growth(
    rule_id: str = "gr",
    rate: str = "0.05",
    *,
    baseline: str = "fixed",
    baseline_amount: str | None = None,
    min_growth: str = "0.10",
    payout_basis: str = "incremental",
    beneficiary: str = "distributor",
    **fields: Any,
) -> Doc:
    terms = {
        "baseline": baseline,
        "baseline_amount": baseline_amount,
        "min_growth": min_growth,
        "payout_basis": payout_basis,
    }
    return rule(rule_id, "growth", beneficiary, rate=rate, growth=terms, **fields)


# --- partners, events, rates --------------------------------------------------------------


def partner(
    partner_id: str,
    kind: str = "reseller",
    *,
    tiers: Iterable[tuple[str, str]] = (),
    statuses: Iterable[tuple[str, str]] = (),
) -> Doc:
    """``tiers`` and ``statuses`` are (from date, value) pairs."""
    return {
        "id": partner_id,
        "kind": kind,
        "tier_history": [{"from": start, "tier": tier} for start, tier in tiers],
        "status_history": [{"from": start, "status": status} for start, status in statuses],
    }


def transfer(subscription_id: str, start: str, partner_id: str) -> Doc:
    return {"subscription_id": subscription_id, "from": start, "partner_id": partner_id}


def fx(base: str, quote: str, date: str, rate: str) -> Doc:
    """1 ``base`` = ``rate`` ``quote`` from ``date``."""
    return {"base": base, "quote": quote, "date": date, "rate": rate}


def purchase(
    event_id: str,
    date: str,
    net_amount: str,
    quantity: str = "1",
    *,
    currency: str = "USD",
    channel: str = "storefront",
    distributor: str | None = "D1",
    partner: str | None = "P1",
    product: str = "SKU-1",
    categories: Iterable[str] = ("software",),
    kind: str = "none",
    subscription: str | None = None,
    term_index: int | None = None,
    recorded_at: str | None = None,
) -> Doc:
    return {
        "id": event_id,
        "type": "purchase",
        "event_date": date,
        "recorded_at": recorded_at,
        "channel": channel,
        "distributor_id": distributor,
        "ordering_partner_id": partner,
        "subscription_id": subscription,
        "event_kind": kind,
        "term_index": term_index,
        "product_id": product,
        "category_path": list(categories),
        "quantity": quantity,
        "net_amount": net_amount,
        "currency": currency,
        "refund_of": None,
    }


def refund(
    of: Doc,
    event_id: str,
    date: str,
    net_amount: str | None = None,
    quantity: str | None = None,
    *,
    recorded_at: str | None = None,
) -> Doc:
    """A refund repeating the purchase's line; without an amount, the whole purchase."""
    if net_amount is not None and quantity is None:
        raise ValueError("a partial refund names its quantity too")
    event = copy.deepcopy(of)
    event.update(
        id=event_id,
        type="refund",
        event_date=date,
        recorded_at=recorded_at,
        refund_of=of["id"],
        net_amount=of["net_amount"] if net_amount is None else net_amount,
        quantity=of["quantity"] if quantity is None else quantity,
    )
    return event


def adjustment(event_id: str, date: str, beneficiary: str, amount: str) -> Doc:
    return {
        "id": event_id,
        "type": "adjustment",
        "event_date": date,
        "recorded_at": None,
        "beneficiary": beneficiary,
        "amount": amount,
    }


def document(
    prog: Doc,
    events: Iterable[Doc],
    *,
    partners: Iterable[Doc] = (),
    transfers: Iterable[Doc] = (),
    fx_rates: Iterable[Doc] = (),
) -> Doc:
    return {
        "program": prog,
        "partners": list(partners),
        "partner_of_record_transfers": list(transfers),
        "events": list(events),
        "fx_rates": list(fx_rates),
    }


# --- running and reading ------------------------------------------------------------------


def simulate(doc: Doc, as_of: str) -> Doc:
    """Run the engine on a copy of ``doc`` (so a test can reuse it) as of a date."""
    return incentives.simulate(copy.deepcopy(doc), dt.date.fromisoformat(as_of))  # type: ignore[no-any-return]


def statements(out: Doc, beneficiary: str | None = None) -> list[Doc]:
    return [s for s in out["statements"] if beneficiary in (None, s["beneficiary"])]


def periods(out: Doc, beneficiary: str) -> list[str]:
    """The periods that have a statement for ``beneficiary``, sorted."""
    return sorted(s["period"] for s in statements(out, beneficiary))


def statement(out: Doc, beneficiary: str, period: str) -> Doc:
    found = [s for s in statements(out, beneficiary) if s["period"] == period]
    listed = sorted((s["beneficiary"], s["period"]) for s in out["statements"])
    assert len(found) == 1, f"no single statement {beneficiary} {period}; statements: {listed}"
    return found[0]


def _key(line: Line) -> tuple[str, ...]:
    return tuple("" if part is None else str(part) for part in line)


def expect(*rows: Line) -> list[Line]:
    """Expected lines as (rule, type, event, amount, reason), in any order."""
    return sorted(rows, key=_key)


def lines(st: Doc) -> list[Line]:
    """A statement's lines as (rule, type, event, amount, reason), sorted like ``expect``."""
    rows = [(ln["rule"], ln["type"], ln["event"], ln["amount"], ln["reason"]) for ln in st["lines"]]
    return sorted(rows, key=_key)


def fund(out: Doc, beneficiary: str) -> Doc:
    found = [f for f in out["funds"] if f["beneficiary"] == beneficiary]
    assert len(found) == 1, f"no single fund for {beneficiary}: {out['funds']}"
    return found[0]


def fund_entries(f: Doc) -> list[tuple[str, str | None, str]]:
    """A fund's entries as (rule, event, amount), sorted."""
    return sorted(
        ((e["rule"], e["event"], e["amount"]) for e in f["entries"]),
        key=lambda row: tuple("" if part is None else part for part in row),
    )
