"""Buy price resolution: override, then product, group, category rule, then list price."""

from channelfront.i18n.formatting import Money
from channelfront.pricing.services import PartnerTerms, apply_discount, resolve_source


class FakeProduct:
    def __init__(self, product_id: int, category_id: int) -> None:
        self.id = product_id
        self.category_id = category_id


TERMS = PartnerTerms(
    enrollment=None,
    categories={10: 1000},
    groups={20: 1500, 21: 2500},
    products={2: 3000},
    overrides={1: 4000},
)


def test_first_matching_rule_wins_in_order():
    assert resolve_source(TERMS, FakeProduct(1, 10), [20]).kind == "override"
    assert resolve_source(TERMS, FakeProduct(2, 10), [20]).kind == "product"
    group = resolve_source(TERMS, FakeProduct(3, 10), [20, 21])
    assert (group.kind, group.discount_bps, group.ref) == ("group", 2500, "21")
    assert resolve_source(TERMS, FakeProduct(4, 10), []).kind == "category"
    listed = resolve_source(TERMS, FakeProduct(5, 99), [])
    assert (listed.kind, listed.discount_bps) == ("list", 0)


def test_discounts_round_half_even_to_whole_minor_units():
    assert apply_discount(10_000, 3000) == 7000
    assert apply_discount(125, 1000) == 112  # 112.5 -> 112 (even)
    assert apply_discount(135, 1000) == 122  # 121.5 -> 122 (even)
    assert apply_discount(1235, 0) == 1235
    assert apply_discount(999, 10_000) == 0


def test_money_is_exact_decimal_in_major_units():
    assert str(Money(123450, "EUR").amount) == "1234.50"
    assert str(Money(1235, "JPY").amount) == "1235"
