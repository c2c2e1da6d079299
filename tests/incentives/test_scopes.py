"""Scopes, exclusive groups, beneficiaries and partner status."""

from __future__ import annotations

from typing import Any

import pytest

from tests.incentives.documents import (
    document,
    expect,
    lines,
    partner,
    percent,
    periods,
    program,
    purchase,
    simulate,
    statement,
    statements,
    tiered,
)


def _paid(out: dict) -> list[str]:
    """Events with a non-zero line, over every statement."""
    return sorted(
        ln["event"] for st in out["statements"] for ln in st["lines"] if ln["amount"] != "0.00"
    )


def _sale(event_id: str, **details: Any) -> dict:
    details.setdefault("categories", ("software", "security", "endpoint"))
    return purchase(event_id, details.pop("date", "2025-03-10"), "100.00", **details)


@pytest.mark.parametrize(
    ("scope", "events", "paid"),
    [
        ({"channels": ["storefront"]}, [_sale("A"), _sale("B", channel="direct")], ["A"]),
        ({"distributor_ids": ["D1"]}, [_sale("A"), _sale("B", distributor="D2")], ["A"]),
        ({"partner_ids": ["P1"]}, [_sale("A"), _sale("B", partner="P2")], ["A"]),
        ({"product_ids": ["SKU-1"]}, [_sale("A"), _sale("B", product="SKU-2")], ["A"]),
        (
            {"category_ids": ["security"]},  # the category or any descendant
            [
                _sale("A"),
                _sale("B", categories=["software", "office"]),
                _sale("C", categories=["software", "security"]),
            ],
            ["A", "C"],
        ),
        ({"exclude_product_ids": ["SKU-2"]}, [_sale("A"), _sale("B", product="SKU-2")], ["A"]),
        (
            {"category_ids": ["software"], "exclude_category_ids": ["security"]},
            [_sale("A"), _sale("B", categories=["software", "office"])],
            ["B"],
        ),
        (
            {"event_kinds": ["renewal"]},
            [
                _sale("A", kind="new", term_index=0, subscription="S-1"),
                _sale("B", kind="renewal", term_index=1, subscription="S-1"),
            ],
            ["B"],
        ),
        (
            {"valid_from": "2025-03-10", "valid_to": "2025-03-20"},  # inclusive
            [
                _sale("A", date="2025-03-09"),
                _sale("B", date="2025-03-10"),
                _sale("C", date="2025-03-20"),
                _sale("D", date="2025-03-21"),
            ],
            ["B", "C"],
        ),
    ],
    ids=lambda value: next(iter(value)) if isinstance(value, dict) else None,
)
def test_scope_key(scope: dict, events: list[dict], paid: list[str]) -> None:
    doc = document(
        program(percent(rate="0.10", beneficiary="ordering_partner", scope=scope)), events
    )

    assert _paid(simulate(doc, "2025-04-01")) == paid


def test_every_scope_key_present_must_match() -> None:
    scope = {"product_ids": ["SKU-1"], "distributor_ids": ["D1"]}
    doc = document(
        program(percent(rate="0.10", scope=scope)),
        [_sale("A"), _sale("B", distributor="D2"), _sale("C", product="SKU-2")],
    )

    assert _paid(simulate(doc, "2025-04-01")) == ["A"]


def test_partner_tiers_use_the_tier_on_the_event_date() -> None:
    rule = percent(rate="0.10", beneficiary="ordering_partner", scope={"partner_tiers": ["gold"]})
    doc = document(
        program(rule),
        [
            _sale("A", date="2025-03-14"),  # P1 still silver
            _sale("B", date="2025-03-15"),  # P1 gold from that day
            _sale("C", date="2025-03-16", partner="P9"),  # unknown partner: no tier
        ],
        partners=[partner("P1", tiers=[("2025-01-01", "silver"), ("2025-03-15", "gold")])],
    )

    assert _paid(simulate(doc, "2025-04-01")) == ["B"]


def test_partner_scopes_test_the_beneficiary_not_the_ordering_partner() -> None:
    by_id = percent("by-id", rate="0.10", scope={"partner_ids": ["D1"]})
    by_tier = percent("by-tier", rate="0.05", scope={"partner_tiers": ["gold"]})
    doc = document(
        program(by_id, by_tier),
        [_sale("A", distributor="D1", partner="P1"), _sale("B", distributor="D2", partner="D1")],
        partners=[
            partner("D1", "distributor", tiers=[("2025-01-01", "gold")]),
            partner("P1", tiers=[("2025-01-01", "silver")]),
        ],
    )
    out = simulate(doc, "2025-04-01")

    assert periods(out, "D2") == []
    assert lines(statement(out, "D1", "2025-03")) == expect(
        ("by-id", "earning", "A", "10.00", None), ("by-tier", "earning", "A", "5.00", None)
    )


def test_direct_sales_earn_a_distributor_nothing() -> None:
    doc = document(
        program(percent(rate="0.10"), percent("res", rate="0.03", beneficiary="ordering_partner")),
        [_sale("A", channel="direct"), _sale("B")],
    )
    out = simulate(doc, "2025-04-01")

    assert lines(statement(out, "D1", "2025-03")) == expect(("pc", "earning", "B", "10.00", None))
    assert lines(statement(out, "P1", "2025-03")) == expect(
        ("res", "earning", "A", "3.00", None), ("res", "earning", "B", "3.00", None)
    )


# --- partner status -----------------------------------------------------------------------

P1_SUSPENDED_IN_MARCH_SECOND_HALF = partner(
    "P1", statuses=[("2025-01-01", "active"), ("2025-03-15", "suspended"), ("2025-04-01", "active")]
)


def test_an_inactive_beneficiary_earns_a_zero_line() -> None:
    doc = document(
        program(percent(rate="0.10", beneficiary="ordering_partner")),
        [
            _sale("A", date="2025-03-14"),
            _sale("B", date="2025-03-15"),
            _sale("C", date="2025-04-01"),
        ],
        partners=[P1_SUSPENDED_IN_MARCH_SECOND_HALF],
    )
    out = simulate(doc, "2025-05-01")

    assert lines(statement(out, "P1", "2025-03")) == expect(
        ("pc", "earning", "A", "10.00", None), ("pc", "earning", "B", "0.00", "partner_inactive")
    )
    assert lines(statement(out, "P1", "2025-04")) == expect(("pc", "earning", "C", "10.00", None))


def test_an_inactive_beneficiary_adds_no_volume() -> None:
    rule = tiered(tiers=[("0", "0.02"), ("10000", "0.04")], beneficiary="ordering_partner")
    doc = document(
        program(rule, period="quarterly"),
        [
            purchase("O-1", "2025-01-10", "6000.00"),
            purchase("O-2", "2025-03-20", "6000.00"),  # P1 suspended: no volume
        ],
        partners=[P1_SUSPENDED_IN_MARCH_SECOND_HALF],
    )
    st = statement(simulate(doc, "2025-04-01"), "P1", "2025-Q1")

    assert lines(st) == expect(("vol", "earning", None, "120.00", None))  # 6000 x 0.02


# --- exclusive groups ---------------------------------------------------------------------


def test_the_most_specific_rule_of_a_group_applies_product_then_deepest_category() -> None:
    doc = document(
        program(
            percent("g-global", rate="0.02", exclusive_group="base"),
            percent(
                "g-cat", rate="0.05", exclusive_group="base", scope={"category_ids": ["software"]}
            ),
            percent(
                "g-deep", rate="0.07", exclusive_group="base", scope={"category_ids": ["security"]}
            ),
            percent(
                "g-prod", rate="0.10", exclusive_group="base", scope={"product_ids": ["SKU-1"]}
            ),
        ),
        [
            _sale("E1", product="SKU-1", categories=["software", "security"]),
            _sale("E2", product="SKU-2", categories=["software", "security"]),
            _sale("E3", product="SKU-3", categories=["software", "office"]),
            _sale("E4", product="SKU-4", categories=["hardware"]),
        ],
    )
    st = statement(simulate(doc, "2025-04-01"), "D1", "2025-03")

    assert lines(st) == expect(
        ("g-prod", "earning", "E1", "10.00", None),
        ("g-deep", "earning", "E2", "7.00", None),
        ("g-cat", "earning", "E3", "5.00", None),
        ("g-global", "earning", "E4", "2.00", None),
    )


def test_within_a_level_partner_ids_beat_tiers_beat_neither() -> None:
    def rule(rule_id: str, rate: str, scope: dict) -> dict:
        return percent(
            rule_id, rate=rate, beneficiary="ordering_partner", exclusive_group="g", scope=scope
        )

    doc = document(
        program(
            rule("a-any", "0.02", {}),
            rule("b-tier", "0.03", {"partner_tiers": ["gold"]}),
            rule("c-partner", "0.04", {"partner_ids": ["P1"]}),
            rule("d-product", "0.06", {"product_ids": ["SKU-9"]}),
        ),
        [
            _sale("E1", partner="P1"),
            _sale("E2", partner="P2"),
            _sale("E3", partner="P3"),
            _sale("E4", partner="P1", product="SKU-9"),  # product beats partner ids
        ],
        partners=[
            partner("P1", tiers=[("2025-01-01", "gold")]),
            partner("P2", tiers=[("2025-01-01", "gold")]),
        ],
    )
    out = simulate(doc, "2025-04-01")

    assert lines(statement(out, "P1", "2025-03")) == expect(
        ("c-partner", "earning", "E1", "4.00", None), ("d-product", "earning", "E4", "6.00", None)
    )
    assert lines(statement(out, "P2", "2025-03")) == expect(
        ("b-tier", "earning", "E2", "3.00", None)
    )
    assert lines(statement(out, "P3", "2025-03")) == expect(
        ("a-any", "earning", "E3", "2.00", None)
    )


def test_then_higher_priority_then_lowest_rule_id_in_string_order() -> None:
    doc = document(
        program(
            percent("low", rate="0.02", exclusive_group="prio"),
            percent("high", rate="0.03", exclusive_group="prio", priority=5),
            percent("r9", rate="0.09", exclusive_group="ids", beneficiary="ordering_partner"),
            percent("r10", rate="0.01", exclusive_group="ids", beneficiary="ordering_partner"),
        ),
        [_sale("E1")],
    )
    out = simulate(doc, "2025-04-01")

    assert lines(statement(out, "D1", "2025-03")) == expect(("high", "earning", "E1", "3.00", None))
    # "r10" < "r9" as strings
    assert lines(statement(out, "P1", "2025-03")) == expect(("r10", "earning", "E1", "1.00", None))


def test_a_zero_rate_winner_excludes_and_other_groups_stack() -> None:
    doc = document(
        program(
            percent("g-all", rate="0.05", exclusive_group="base"),
            percent("g-none", rate="0", exclusive_group="base", scope={"product_ids": ["SKU-5"]}),
            percent("b-all", rate="0.01", exclusive_group="bonus"),
            percent("u-all", rate="0.02"),
        ),
        [_sale("E1"), _sale("E5", product="SKU-5")],
    )
    st = statement(simulate(doc, "2025-04-01"), "D1", "2025-03")

    assert lines(st) == expect(
        ("g-all", "earning", "E1", "5.00", None),
        ("b-all", "earning", "E1", "1.00", None),
        ("u-all", "earning", "E1", "2.00", None),
        # E5: the zero-rate winner writes nothing and keeps g-all from paying
        ("b-all", "earning", "E5", "1.00", None),
        ("u-all", "earning", "E5", "2.00", None),
    )


def test_aggregate_rules_take_part_in_exclusive_groups() -> None:
    doc = document(
        program(
            tiered("v-all", tiers=[("0", "0.01")], exclusive_group="vol"),
            tiered(
                "v-prod",
                tiers=[("0", "0.02")],
                exclusive_group="vol",
                scope={"product_ids": ["SKU-1"]},
            ),
            period="quarterly",
        ),
        [_sale("E1"), _sale("E2", product="SKU-2"), _sale("E3", product="SKU-2")],
    )
    out = simulate(doc, "2025-04-01")

    # v-prod: 100.00 x 0.02; v-all only the other 200.00 x 0.01
    assert lines(statement(out, "D1", "2025-Q1")) == expect(
        ("v-prod", "earning", None, "2.00", None), ("v-all", "earning", None, "2.00", None)
    )
    assert statements(out, "P1") == []
