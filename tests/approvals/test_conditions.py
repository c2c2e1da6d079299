"""Approval conditions: every field and operator on an order's facts, the laws between the
operators, all/any, lines, and patterns that can never stall a checkout."""

from __future__ import annotations

import re
import time
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from channelfront.approvals.conditions import (
    FIELDS,
    OPERATORS,
    TYPES,
    Facts,
    describe,
    evaluate,
    field_type,
)
from channelfront.approvals.patterns import MAX_PATTERN, PatternError, compile_pattern

ORDER = Facts(
    {
        "order.total": Decimal("250.00"),
        "order.payment_method": "on_account",
        "order.po_number": "PO-Urgent-7",
        "order.currency": "USD",
        "buyer.email": "Blake.Buyer@bluebird.example",
        "buyer.role": "buyer",
        "end_customer.country": "US",
        "end_customer.is_new": True,
        "credit.utilization_after": Decimal("85.50"),
        "credit.overdue": False,
    },
    [
        {
            "line.sku": "SHD-STD-1Y",
            "line.category": "security",
            "line.product_group": ("cloud",),
            "line.quantity": 2,
            "line.term_months": 12,
            "line.total": Decimal("200.00"),
            "line.price_source": "category",
        },
        {
            "line.sku": "INS-PERP",
            "line.category": "analytics",
            "line.product_group": ("on-premises",),
            "line.quantity": 1,
            "line.term_months": None,
            "line.total": Decimal("50.00"),
            "line.price_source": "list",
        },
    ],
)


def holds(field: str, operator: str, value: object, facts: Facts = ORDER) -> bool:
    return (
        evaluate("all", [{"field": field, "operator": operator, "value": value}], facts) is not None
    )


# One row per field, each operator its type allows: what a person expects of this order.
EXPECTED = [
    ("order.total", "eq", "250", True),
    ("order.total", "ne", "250.00", False),
    ("order.total", "gt", "100.00", True),
    ("order.total", "gt", "250.00", False),
    ("order.total", "gte", "250.00", True),
    ("order.total", "lt", "250.01", True),
    ("order.total", "lte", "249.99", False),
    ("order.total", "in", ["100", "250.0"], True),
    ("order.total", "not_in", ["100"], True),
    ("order.total", "exists", True, True),
    ("order.payment_method", "eq", "ON_ACCOUNT", True),
    ("order.payment_method", "in", ["card"], False),
    ("order.po_number", "contains", "urgent", True),
    ("order.po_number", "matches", r"^po-\w+-\d$", True),
    ("order.po_number", "matches", r"^urgent", False),
    ("order.currency", "eq", "usd", True),
    ("order.currency", "not_in", ["EUR", "JPY"], True),
    ("buyer.email", "contains", "@bluebird.", True),
    ("buyer.email", "matches", r"@(?:bluebird|kirin)\.example$", True),
    ("buyer.email", "ne", "blake.buyer@bluebird.example", False),
    ("buyer.role", "in", ["approver", "company_admin"], False),
    ("end_customer.country", "eq", "us", True),
    ("end_customer.country", "in", ["DE", "FR"], False),
    ("end_customer.is_new", "eq", True, True),
    ("end_customer.is_new", "ne", True, False),
    ("end_customer.is_new", "exists", False, False),
    ("line.sku", "eq", "ins-perp", True),
    ("line.sku", "matches", "^SHD-", True),
    ("line.sku", "not_in", ["SHD-STD-1Y", "INS-PERP"], False),
    ("line.category", "eq", "analytics", True),
    ("line.category", "in", ["backup", "support"], False),
    ("line.product_group", "eq", "on-premises", True),
    ("line.product_group", "contains", "prem", True),
    ("line.quantity", "gt", 1, True),
    ("line.quantity", "gte", 3, False),
    ("line.quantity", "lt", 2, True),
    ("line.term_months", "gte", 12, True),
    ("line.term_months", "gt", 12, False),
    ("line.term_months", "exists", False, True),  # the perpetual license has no term
    ("line.total", "gt", "199.99", True),
    ("line.total", "lte", "50", True),
    ("line.total", "lt", "50", False),
    ("line.price_source", "eq", "override", False),
    ("line.price_source", "in", ["list", "override"], True),
    ("credit.utilization_after", "gt", "85", True),
    ("credit.utilization_after", "gte", 85.5, True),
    ("credit.utilization_after", "lt", "85.5", False),
    ("credit.overdue", "eq", True, False),
    ("credit.overdue", "eq", "false", True),
]


@pytest.mark.parametrize(("field", "operator", "value", "expected"), EXPECTED)
def test_each_field_answers_as_a_person_expects(field, operator, value, expected):
    assert holds(field, operator, value) is expected


def test_the_table_covers_every_field_and_every_operator():
    assert {row[0] for row in EXPECTED} == set(FIELDS)
    assert {row[1] for row in EXPECTED} == set(OPERATORS)
    assert {FIELDS[path] for path in FIELDS} <= set(TYPES)


SAMPLE = {"money": "1.00", "percent": "1", "int": 1, "text": "x", "bool": True}


def sample_value(field: str, operator: str) -> object:
    takes = OPERATORS[operator].takes
    one = SAMPLE[FIELDS[field]]
    return {"flag": True, "pattern": "x", "list": [one]}.get(takes, one)


@pytest.mark.parametrize("field", sorted(FIELDS))
@pytest.mark.parametrize("operator", sorted(OPERATORS))
def test_every_field_operator_pair_is_either_usable_or_unreadable(field, operator):
    condition = {"field": field, "operator": operator, "value": sample_value(field, operator)}
    reasons = evaluate("any", [condition], ORDER) or []
    unreadable = any(reason.startswith("unreadable") for reason in reasons)
    assert unreadable is not OPERATORS[operator].applies_to(field_type(field))


def test_ordering_applies_to_amounts_counts_and_percentages_only():
    ordered = {name for name in FIELDS if OPERATORS["gt"].applies_to(field_type(name))}
    assert ordered == {name for name, kind in FIELDS.items() if kind in ("money", "int", "percent")}


def test_reasons_say_which_conditions_held_and_with_what():
    rule = [
        {"field": "order.total", "operator": "gt", "value": "100.00"},
        {"field": "line.quantity", "operator": "gte", "value": 2},
        {"field": "end_customer.is_new", "operator": "eq", "value": True},
        {"field": "order.po_number", "operator": "exists", "value": True},
    ]
    assert evaluate("all", rule, ORDER) == [
        "order.total 250.00 > 100.00",
        "line.quantity 2 >= 2 (SHD-STD-1Y)",
        "end_customer.is_new true = true",
        "order.po_number is set: PO-Urgent-7",
    ]


def test_any_gives_only_the_conditions_that_held():
    rule = [
        {"field": "order.total", "operator": "gt", "value": "1000"},
        {"field": "buyer.role", "operator": "eq", "value": "buyer"},
    ]
    assert evaluate("any", rule, ORDER) == ["buyer.role buyer = buyer"]
    assert evaluate("all", rule, ORDER) is None


def test_a_rule_without_conditions_applies_to_every_order():
    assert evaluate("all", [], ORDER) == []
    assert evaluate("any", [], Facts()) == []


def test_a_field_without_a_value_is_only_unequal_and_empty():
    facts = Facts({"order.po_number": "  ", "order.total": Decimal("1.00")})
    assert not holds("order.po_number", "eq", "x", facts)
    assert not holds("order.po_number", "contains", "x", facts)
    assert holds("order.po_number", "ne", "x", facts)
    assert holds("order.po_number", "not_in", ["x"], facts)
    assert holds("order.po_number", "exists", False, facts)
    assert not holds("end_customer.country", "exists", True, facts)
    assert evaluate("all", [{"field": "buyer.email", "operator": "ne", "value": "a"}], facts) == [
        "buyer.email (none) != a"
    ]


def test_a_condition_that_cannot_be_read_counts_as_held():
    """A field since removed must not let orders slip past the rule."""
    broken = {"field": "order.discount", "operator": "gt", "value": "5"}
    assert evaluate("all", [broken], ORDER) == ["unreadable condition: order.discount > 5"]
    junk = [None, [], {"field": ["x"]}, {"field": "order.total", "operator": "gt", "value": [1]}]
    assert len(evaluate("all", junk, ORDER) or []) == len(junk)


def test_conditions_read_as_plain_text():
    assert describe({"field": "order.total", "operator": "gt", "value": "100.00"}) == (
        "order.total > 100.00"
    )
    assert describe({"field": "line.sku", "operator": "not_in", "value": ["A", "B"]}) == (
        "line.sku not in [A, B]"
    )
    assert describe({"field": "order.po_number", "operator": "exists", "value": False}) == (
        "order.po_number is empty"
    )
    assert describe("junk") == "junk"


# --- laws between operators ----------------------------------------------------------------

NON_LINE = sorted(path for path in FIELDS if not path.startswith("line."))
texts = st.text(alphabet="abAB -_.@1", max_size=8)
decimals = st.decimals(min_value=0, max_value=10**5, places=2)


def fact_values(kind: str) -> st.SearchStrategy[object]:
    return {
        "money": decimals,
        "percent": decimals,
        "int": st.integers(min_value=0, max_value=10**6),
        "text": texts,
        "bool": st.booleans(),
    }[kind]


def stored_values(kind: str) -> st.SearchStrategy[object]:
    return {
        "money": decimals.map(str),
        "percent": decimals.map(str),
        "int": st.integers(min_value=0, max_value=10**6),
        "text": texts.filter(str.strip),
        "bool": st.booleans(),
    }[kind]


@st.composite
def field_fact_and_value(draw):  # type: ignore[no-untyped-def]
    field = draw(st.sampled_from(NON_LINE))
    kind = FIELDS[field]
    fact = draw(st.none() | fact_values(kind))
    return field, Facts({field: fact}), draw(stored_values(kind)), kind


@given(field_fact_and_value())
def test_ne_is_the_negation_of_eq(case):
    field, facts, value, _ = case
    assert holds(field, "ne", value, facts) is not holds(field, "eq", value, facts)


@given(field_fact_and_value(), st.integers(min_value=1, max_value=3))
def test_not_in_is_the_negation_of_in(case, extra):
    field, facts, value, kind = case
    if kind == "bool":
        return
    values = [value] * extra
    assert holds(field, "not_in", values, facts) is not holds(field, "in", values, facts)


@given(
    st.sampled_from(["order.total", "credit.utilization_after"]),
    decimals,
    decimals,
    st.sampled_from(["gt", "gte", "lt", "lte", "eq"]),
)
def test_amount_comparisons_agree_with_decimal(field, fact, threshold, operator):
    compare = {
        "gt": fact > threshold,
        "gte": fact >= threshold,
        "lt": fact < threshold,
        "lte": fact <= threshold,
        "eq": fact == threshold,
    }
    assert holds(field, operator, str(threshold), Facts({field: fact})) is compare[operator]


@given(st.lists(st.booleans(), max_size=6), st.sampled_from(["all", "any"]))
def test_all_needs_every_condition_and_any_one(truths, match):
    # order.total is 250.00: "gt 1" holds, "gt 1000" does not.
    rule = [
        {"field": "order.total", "operator": "gt", "value": "1" if truth else "1000"}
        for truth in truths
    ]
    applies = evaluate(match, rule, ORDER) is not None
    if not truths:
        assert applies
    elif match == "all":
        assert applies is all(truths)
    else:
        assert applies is any(truths)


@given(
    st.lists(st.integers(min_value=1, max_value=50), max_size=6),
    st.integers(min_value=0, max_value=50),
)
def test_a_line_condition_holds_when_some_line_meets_it(quantities, threshold):
    facts = Facts({}, [{"line.sku": f"S{i}", "line.quantity": q} for i, q in enumerate(quantities)])
    assert holds("line.quantity", "gt", threshold, facts) is any(q > threshold for q in quantities)


@given(texts.filter(str.strip), texts)
def test_text_compares_without_regard_to_case(value, fact):
    facts = Facts({"buyer.email": fact})
    assert holds("buyer.email", "eq", value.swapcase(), facts) is (
        fact.strip().casefold() == value.strip().casefold() and bool(fact.strip())
    )
    assert holds("buyer.email", "contains", value.upper(), facts) is (
        bool(fact.strip()) and value.strip().casefold() in fact.strip().casefold()
    )


# --- patterns -----------------------------------------------------------------------------

SLOW = 5  # seconds: far beyond the linear worst case, far below any backtracking one
PATHOLOGICAL = [
    "(a+)+$",
    "(a*)*b",
    "(a|a)*c",
    "(a|aa)+$",
    "(.*a){12}",
    "(?:a?){50}a{50}",
    "(\\w+\\s?)+$",
    "[a-z]{1,100}[a-z]{1,100}[a-z]{1,100}[a-z]{1,100}!",
]


@pytest.mark.parametrize("pattern", PATHOLOGICAL)
def test_catastrophic_patterns_answer_at_once(pattern):
    """Backtracking would take longer than the universe has; the automaton takes at most
    a fraction of a second (bounded generously for a busy machine)."""
    compiled = compile_pattern(pattern)
    started = time.perf_counter()
    assert compiled.search("a" * 400) in (True, False)
    assert compiled.search("a" * 255 + "!") in (True, False)
    assert time.perf_counter() - started < SLOW


@pytest.mark.parametrize(
    ("pattern", "why"),
    [
        ("(a", "missing )"),
        ("a)", "unbalanced parenthesis"),
        ("[ab", "unterminated character set"),
        ("*a", "nothing to repeat"),
        ("a**", "multiple repeat"),
        ("(a)\\1", "back-references are not supported"),
        ("(?=a)", "only (?: ) groups are supported"),
        ("(?P<x>a)", "only (?: ) groups are supported"),
        ("\\bword", "\\b is not supported"),
        ("a{101}", "repeat counts go up to 100"),
        ("a{3,2}", "min repeat greater than max repeat"),
        ("[z-a]", "bad character range"),
        ("(a{100}){100}", "the pattern is too complex"),
        ("a" * (MAX_PATTERN + 1), "a pattern has at most 200 characters"),
        ("ab\\", "pattern ends with a backslash"),
    ],
)
def test_patterns_outside_the_safe_subset_are_refused_saying_why(pattern, why):
    with pytest.raises(PatternError) as refused:
        compile_pattern(pattern)
    assert str(refused.value) == why


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=MAX_PATTERN + 5), st.text(max_size=300))
def test_any_pattern_compiles_or_is_refused_and_never_stalls(pattern, text):
    try:
        compiled = compile_pattern(pattern)
    except PatternError:
        return
    started = time.perf_counter()
    assert compiled.search(text) in (True, False)
    assert time.perf_counter() - started < SLOW


ATOMS = st.sampled_from(
    ["a", "b", "B", "1", " ", ".", "[ab]", "[^a]", "[a-c]", "\\d", "\\w", "\\s", "\\."]
)
QUANTIFIERS = st.sampled_from(["", "*", "+", "?", "{2}", "{0,2}", "{1,}", "*?", "+?"])
PATTERNS = st.recursive(
    ATOMS,
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=3).map("".join),
        st.tuples(inner, inner).map(lambda pair: f"(?:{pair[0]}|{pair[1]})"),
        st.tuples(inner, QUANTIFIERS).map(lambda pair: f"(?:{pair[0]}){pair[1]}"),
        st.tuples(inner, QUANTIFIERS).map(lambda pair: f"({pair[0]}){pair[1]}"),
    ),
    max_leaves=6,
)


@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from(["", "^"]),
    PATTERNS,
    st.sampled_from(["", "$"]),
    st.text(alphabet="abAB1 .-", max_size=10),
)
def test_patterns_match_what_python_re_matches(start, body, end, text):
    """Within the subset, the same answers as ``re.search`` ignoring case."""
    pattern = f"{start}{body}{end}"
    expected = re.search(pattern, text, re.IGNORECASE) is not None
    assert compile_pattern(pattern).search(text) is expected
