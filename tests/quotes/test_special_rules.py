"""The rule per program tier: limits in basis points and minor units, compared exactly;
blank vendor thresholds never ask the vendor; a tier without a rule approves nothing."""

from __future__ import annotations

import pytest

from channelfront.audit.models import AuditEvent
from channelfront.extensions import db
from channelfront.orders.errors import OrderInputError
from channelfront.quotes import special_rules
from channelfront.quotes.models import SpecialPriceRule
from channelfront.quotes.special_rules import RuleInput, evaluate, validate
from tests.quotes.special_world import FINANCE, PARTNER_MANAGER, tier_rule
from tests.quotes.world import Shop


def rule(auto_bps: int = 1000, auto_line: int = 50_000, vendor_bps=None, vendor_line=None):  # type: ignore[no-untyped-def]
    return SpecialPriceRule(
        auto_max_discount_bps=auto_bps,
        auto_max_line_minor=auto_line,
        vendor_above_discount_bps=vendor_bps,
        vendor_above_line_minor=vendor_line,
    )


def test_limits_compare_exactly_at_their_edges() -> None:
    tier = rule(auto_bps=1000, auto_line=16_000)
    assert evaluate(tier, 10_000, 9_000, 1).auto  # exactly 10 % off
    assert not evaluate(tier, 10_000, 8_999, 1).auto  # 10.01 %
    assert evaluate(tier, 10_000, 8_000, 2).auto is False  # 20 % off
    assert evaluate(tier, 8_400, 8_000, 2).auto  # 16,000 line total, at the limit
    assert not evaluate(tier, 8_400, 8_001, 2).auto  # 16,002: above it
    # 1 cent off 1,000,000.00 rounds to 0.00 %, but it is still above a 0 % limit.
    assert not evaluate(rule(auto_bps=0, auto_line=10**12), 100_000_000, 99_999_999, 1).auto


def test_vendor_thresholds_and_no_rule() -> None:
    assert evaluate(None, 10_000, 9_999, 1) == special_rules.Outcome(auto=False, needs_vendor=False)
    never = rule(auto_bps=0, auto_line=0)
    assert evaluate(never, 10_000, 1, 1) == special_rules.Outcome(False, False)
    by_discount = rule(auto_bps=500, auto_line=10**9, vendor_bps=1500)
    assert evaluate(by_discount, 10_000, 8_500, 1) == special_rules.Outcome(False, False)
    assert evaluate(by_discount, 10_000, 8_499, 1) == special_rules.Outcome(False, True)
    by_total = rule(auto_bps=5000, auto_line=1_000, vendor_line=2_000)
    assert evaluate(by_total, 1_000, 900, 3) == special_rules.Outcome(False, True)
    assert evaluate(by_total, 1_000, 900, 1) == special_rules.Outcome(True, False)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (RuleInput("abc"), "auto_max_discount_percent"),
        (RuleInput("100.5"), "auto_max_discount_percent"),
        (RuleInput("1.234"), "auto_max_discount_percent"),
        (RuleInput("5", "-1"), "auto_max_line_total"),
        (RuleInput("5", "10", "-2"), "vendor_above_discount_percent"),
        (RuleInput("5", "10", "4"), "vendor_above_discount_percent"),
        (RuleInput("5", "10", "", "9.99"), "vendor_above_line_total"),
        (RuleInput("5", "10", "", "1.001"), "vendor_above_line_total"),
    ],
)
def test_a_bad_field_is_named(data: RuleInput, field: str) -> None:
    with pytest.raises(OrderInputError) as refused:
        validate(data, "USD")
    assert refused.value.field == field


def test_blank_means_zero_for_auto_and_never_for_the_vendor() -> None:
    values = validate(RuleInput(), "JPY")
    assert values == special_rules.RuleValues(0, 0, None, None)
    assert validate(RuleInput("2.5", "1500", "", "20000"), "JPY").auto_max_line_minor == 1500


def test_saving_audits_the_change_and_only_keepers_may(shop: Shop) -> None:
    first = tier_rule(shop, auto="5", auto_line="100")
    tier_rule(shop, auto="6", auto_line="100")
    db.session.expire_all()
    assert first.auto_max_discount_bps == 600
    events = (
        db.session.query(AuditEvent).filter(AuditEvent.subject_type == "special_price_rule").all()
    )
    assert [e.action for e in events] == [
        "special_price_rule.created",
        "special_price_rule.changed",
    ]
    assert events[1].before == {"auto_max_discount_bps": 500}
    assert events[1].after == {"auto_max_discount_bps": 600}
    assert events[1].actor_label == PARTNER_MANAGER
    [(program, found)] = [(p, r) for p, r in special_rules.programs_with_rules() if r is not None]
    assert found is first
    with pytest.raises(PermissionError):
        special_rules.save(program, shop.user(FINANCE), RuleInput("9"), "USD")
    assert special_rules.as_input(first, "USD") == RuleInput("6", "100.00", "", "")
