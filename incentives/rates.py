"""The arithmetic of each rule kind, unrounded."""

from __future__ import annotations

from decimal import Decimal

from incentives.model import Event, Rule

ZERO = Decimal(0)


def transaction_rate(rule: Rule, event: Event) -> Decimal:
    """The rate a percent, MDF or renewal rule applies to this event's base."""
    if rule.renewal is None:
        return rule.rate or ZERO
    if event.event_kind != "renewal":
        return rule.renewal.first_purchase_rate
    if event.ordering_partner_id is None:
        return rule.renewal.self_service_renewal_rate
    return rule.renewal.partner_renewal_rate


def is_exclusion(rule: Rule, event: Event) -> bool:
    """A winning rule that pays nothing here: it only keeps its group from paying."""
    if rule.kind == "fixed_per_unit":
        return rule.amount_per_unit == 0
    if rule.kind == "tiered_volume":
        return all(tier.rate == 0 for tier in rule.tiers)
    return transaction_rate(rule, event) == 0


def tiered(rule: Rule, amount: Decimal, quantity: Decimal) -> Decimal:
    """A tiered_volume payout on one period's volume (settlement currency)."""
    by_quantity = rule.tier_measure == "quantity"
    measure = quantity if by_quantity else amount
    cap = rule.measure_cap
    if cap is not None and measure > cap:
        amount = amount * cap / measure if by_quantity else cap
        measure = cap
    if measure <= 0:
        return ZERO
    if rule.tier_method == "retroactive":
        reached = [tier.rate for tier in rule.tiers if tier.start <= measure]
        return reached[-1] * amount if reached else ZERO
    total = ZERO
    for index, tier in enumerate(rule.tiers):
        upper = rule.tiers[index + 1].start if index + 1 < len(rule.tiers) else measure
        part = min(measure, upper) - tier.start
        if part > 0:
            total += tier.rate * (amount * part / measure if by_quantity else part)
    return total


def growth(rule: Rule, amount: Decimal, baseline: Decimal) -> Decimal:
    """A growth payout: nothing until growth over the baseline reaches min_growth."""
    assert rule.growth is not None
    assert rule.rate is not None
    if baseline > 0:
        qualifies = (amount - baseline) / baseline >= rule.growth.min_growth
    else:
        qualifies = amount > 0
    if not qualifies:
        return ZERO
    basis = amount - baseline if rule.growth.payout_basis == "incremental" else amount
    return rule.rate * basis
