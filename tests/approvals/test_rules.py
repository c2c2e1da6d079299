"""Checking approval rules as people send them: every refusal names its path, every step
form is normalized, escalation goes only forward, and no JSON raises anything else."""

from __future__ import annotations

import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from channelfront.approvals import deciders
from channelfront.approvals.conditions import FIELDS, OPERATORS
from channelfront.approvals.rules import (
    MAX_CONDITIONS,
    STEP_ROLES,
    RuleError,
    ValidRule,
    describe_condition,
    validate_rule,
)

RULE = {
    "name": "Large orders",
    "conditions": [{"field": "order.total", "operator": "gt", "value": "1000.00"}],
    "steps": [{"role": "approver"}],
}


def rule(**changes: object) -> dict:
    body = copy.deepcopy(RULE)
    body.update(changes)
    return body


def refusal(body: object, **options: object) -> str:
    with pytest.raises(RuleError) as refused:
        validate_rule(body, **options)  # type: ignore[arg-type]
    return str(refused.value)


def condition(field: str, operator: str, value: object) -> dict:
    return {"field": field, "operator": operator, "value": value}


def test_a_rule_is_normalized_with_every_default_filled_in():
    valid = validate_rule(
        {
            "name": "  Large orders ",
            "conditions": [
                condition("order.total", "gt", 1000),
                condition("line.quantity", "gte", "10"),
            ],
            "steps": [{"role": "approver"}, {"users": [7, "8"], "required": "2", "name": "Owners"}],
        }
    )
    assert valid == ValidRule(
        name="Large orders",
        match="all",
        conditions=[
            {"field": "order.total", "operator": "gt", "value": "1000"},
            {"field": "line.quantity", "operator": "gte", "value": 10},
        ],
        steps=[
            {
                "role": "approver",
                "name": None,
                "required": 1,
                "due_hours": None,
                "on_expiry": "reject",
                "escalate_to": None,
            },
            {
                "users": [7, 8],
                "name": "Owners",
                "required": 2,
                "due_hours": None,
                "on_expiry": "reject",
                "escalate_to": None,
            },
        ],
    )


def test_the_stored_form_checks_again_unchanged():
    valid = validate_rule(rule(match="any"))
    body = {
        "name": valid.name,
        "match": valid.match,
        "conditions": valid.conditions,
        "steps": valid.steps,
    }
    assert validate_rule(body) == valid


def test_a_rule_without_conditions_is_allowed():
    assert validate_rule(rule(conditions=[])).conditions == []
    body = rule()
    del body["conditions"]
    assert validate_rule(body).conditions == []


def test_the_error_names_the_path_and_the_problem():
    conditions = [
        condition("order.total", "gt", "100"),
        condition("buyer.email", "contains", "@"),
        condition("order.totl", "gt", "100"),
    ]
    with pytest.raises(RuleError) as refused:
        validate_rule(rule(conditions=conditions))
    assert str(refused.value) == "conditions[2].field: unknown field 'order.totl'"
    assert refused.value.path == "conditions[2].field"
    assert refused.value.message == "unknown field 'order.totl'"


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"name": ""}, "name: enter a name"),
        ({"name": None}, "name: enter a name"),
        ({"name": "x" * 121}, "name: at most 120 characters"),
        ({"name": 5}, "name: enter plain text"),
        ({"name": "a\nb"}, "name: enter plain text"),
        ({"match": "some"}, "match: choose all or any"),
        ({"colour": "red"}, "colour: unknown key"),
        ({"conditions": {}}, "conditions: must be a list"),
        ({"conditions": [{}] * (MAX_CONDITIONS + 1)}, "conditions: at most 20"),
        ({"conditions": [None]}, "conditions[0]: must be an object"),
        ({"conditions": [{"field": "order.total", "op": "gt"}]}, "conditions[0].op: unknown key"),
        ({"conditions": [{"operator": "gt", "value": "1"}]}, "conditions[0].field: choose a field"),
        ({"conditions": [{"field": 3}]}, "conditions[0].field: unknown field '3'"),
        (
            {"conditions": [{"field": "order.total", "value": "1"}]},
            "conditions[0].operator: choose an operator",
        ),
        (
            {"conditions": [condition("order.total", "over", "1")]},
            "conditions[0].operator: unknown operator 'over'",
        ),
        (
            {"conditions": [condition("buyer.email", "gt", "a")]},
            "conditions[0].operator: gt does not apply to buyer.email, which is text",
        ),
        (
            {"conditions": [condition("credit.overdue", "in", [True])]},
            "conditions[0].operator: in does not apply to credit.overdue, which is true or false",
        ),
        (
            {"conditions": [condition("order.total", "contains", "1")]},
            "conditions[0].operator: contains does not apply to order.total, which is an amount",
        ),
        (
            {"conditions": [{"field": "order.total", "operator": "gt"}]},
            "conditions[0].value: enter a value",
        ),
        ({"steps": []}, "steps: add at least one step"),
        ({"steps": None}, "steps: must be a list"),
        ({"steps": [{"role": "approver"}] * 11}, "steps: at most 10"),
        ({"steps": ["approver"]}, "steps[0]: must be an object"),
    ],
)
def test_refusals_name_what_is_wrong(changes, expected):
    assert refusal(rule(**changes)) == expected


def test_a_rule_without_steps_is_refused():
    body = rule()
    del body["steps"]
    assert refusal(body) == "steps: add at least one step"


@pytest.mark.parametrize("body", [None, [], "rule", 3, True, [RULE]])
def test_a_body_that_is_not_an_object_is_refused(body):
    assert refusal(body) == "rule: must be an object"


MONEY_HELP = "enter an amount of 0 or more with at most 2 decimals, like 100.00"


@pytest.mark.parametrize(
    ("field", "operator", "value", "stored"),
    [
        ("order.total", "gt", "100", "100"),
        ("order.total", "gt", " 99.50 ", "99.50"),
        ("order.total", "gte", 100, "100"),
        ("order.total", "lt", 99.5, "99.5"),
        ("line.total", "eq", "0", "0"),
        ("credit.utilization_after", "gt", "85.5", "85.5"),
        ("credit.utilization_after", "lte", 120, "120"),
        ("line.quantity", "gt", "10", 10),
        ("line.term_months", "in", [12, "24", 12], [12, 24]),
        ("order.payment_method", "eq", "On_Account", "on_account"),
        ("buyer.role", "in", ["Approver", "buyer", "approver"], ["approver", "buyer"]),
        ("end_customer.country", "in", ["US", "us", "CA"], ["US", "CA"]),
        ("end_customer.is_new", "eq", "true", True),
        ("credit.overdue", "ne", False, False),
        ("order.po_number", "exists", False, False),
        ("order.po_number", "contains", " urgent ", "urgent"),
        ("buyer.email", "matches", r"@(?:a|b)\.example$", r"@(?:a|b)\.example$"),
    ],
)
def test_values_are_stored_in_their_field_type(field, operator, value, stored):
    valid = validate_rule(rule(conditions=[condition(field, operator, value)]))
    assert valid.conditions == [{"field": field, "operator": operator, "value": stored}]


@pytest.mark.parametrize(
    ("field", "operator", "value", "expected"),
    [
        ("order.total", "gt", "1.001", MONEY_HELP),
        ("order.total", "gt", "-1", MONEY_HELP),
        ("order.total", "gt", "1e3", MONEY_HELP),
        ("order.total", "gt", "ten", MONEY_HELP),
        ("order.total", "gt", True, MONEY_HELP),
        ("order.total", "gt", None, MONEY_HELP),
        ("order.total", "gt", 0.001, MONEY_HELP),
        ("order.total", "gt", float("nan"), MONEY_HELP),
        ("order.total", "gt", "1" * 13, MONEY_HELP),
        (
            "credit.utilization_after",
            "gt",
            "85.555",
            "enter a percentage of 0 or more with at most 2 decimals, like 85.5",
        ),
        ("line.quantity", "gt", 2.5, "enter a whole number from 0 to 1000000000"),
        ("line.quantity", "gt", -1, "enter a whole number from 0 to 1000000000"),
        ("line.quantity", "gt", False, "enter a whole number from 0 to 1000000000"),
        ("buyer.email", "eq", "", "enter text of 1 to 200 characters"),
        ("buyer.email", "eq", "x" * 201, "enter text of 1 to 200 characters"),
        ("buyer.email", "eq", 5, "enter text of 1 to 200 characters"),
        ("credit.overdue", "eq", "yes", "enter true or false"),
        ("order.payment_method", "eq", "cash", "'cash' is not one of: card, on_account"),
        ("order.po_number", "exists", "yes", "exists takes true or false"),
        ("order.po_number", "matches", "", "enter a pattern"),
        ("order.po_number", "matches", 5, "enter a pattern"),
        ("order.po_number", "matches", "(a", "this pattern cannot be used: missing )"),
        (
            "order.po_number",
            "matches",
            "(a+)\\1",
            "this pattern cannot be used: back-references are not supported",
        ),
        (
            "order.po_number",
            "matches",
            "a" * 201,
            "this pattern cannot be used: a pattern has at most 200 characters",
        ),
        ("order.po_number", "in", [], "enter at least one value"),
        ("order.po_number", "in", "PO-1", "must be a list"),
        ("order.po_number", "in", ["a"] * 101, "at most 100"),
    ],
)
def test_values_must_suit_the_field_and_the_operator(field, operator, value, expected):
    body = rule(conditions=[condition("order.total", "gt", "1"), condition(field, operator, value)])
    assert refusal(body) == f"conditions[1].value: {expected}"


def test_a_bad_item_of_a_list_is_named_by_its_index():
    body = rule(conditions=[condition("order.total", "in", ["1", "2", "x"])])
    assert refusal(body) == f"conditions[0].value[2]: {MONEY_HELP}"


# --- steps --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", STEP_ROLES)
def test_a_step_may_name_any_role_that_can_decide(role):
    assert validate_rule(rule(steps=[{"role": role}])).steps[0]["role"] == role


def test_the_step_roles_are_the_roles_that_decide():
    assert set(STEP_ROLES) == set(deciders.STEP_ROLES)


def test_a_step_may_name_users_who_can_approve():
    valid = validate_rule(
        rule(steps=[{"users": [4, 5], "required": 2}]), allowed_user_ids={4, 5, 6}
    )
    assert valid.steps[0]["users"] == [4, 5]


@pytest.mark.parametrize(
    ("step", "expected"),
    [
        ({}, "steps[0]: choose a role or name the users who approve"),
        ({"name": "First"}, "steps[0]: choose a role or name the users who approve"),
        ({"role": "approver", "users": [1]}, "steps[0]: a step names a role or users, not both"),
        ({"role": "buyer"}, "steps[0].role: unknown role 'buyer'"),
        ({"role": ["approver"]}, "steps[0].role: unknown role '[approver]'"),
        ({"users": []}, "steps[0].users: choose at least one person"),
        ({"users": 4}, "steps[0].users: must be a list"),
        ({"users": list(range(1, 22))}, "steps[0].users: at most 20"),
        ({"users": [4, 0]}, "steps[0].users[1]: enter a whole number from 1 to 2147483647"),
        ({"users": [4, True]}, "steps[0].users[1]: enter a whole number from 1 to 2147483647"),
        ({"users": [4, "4"]}, "steps[0].users[1]: user 4 is named twice"),
        ({"users": [4, 99]}, "steps[0].users[1]: user 99 cannot approve here"),
        ({"users": [4], "required": 2}, "steps[0].required: 2 approvals but 1 users"),
        (
            {"role": "approver", "required": 0},
            "steps[0].required: enter a whole number from 1 to 10",
        ),
        (
            {"role": "approver", "required": 11},
            "steps[0].required: enter a whole number from 1 to 10",
        ),
        (
            {"role": "approver", "due_hours": 0},
            "steps[0].due_hours: enter a whole number from 1 to 720",
        ),
        (
            {"role": "approver", "due_hours": 721},
            "steps[0].due_hours: enter a whole number from 1 to 720",
        ),
        (
            {"role": "approver", "due_hours": "2.5"},
            "steps[0].due_hours: enter a whole number from 1 to 720",
        ),
        (
            {"role": "approver", "on_expiry": "ignore"},
            "steps[0].on_expiry: choose reject or escalate",
        ),
        ({"role": "approver", "name": ""}, "steps[0].name: enter a name"),
        ({"role": "approver", "name": "x" * 61}, "steps[0].name: at most 60 characters"),
        ({"role": "approver", "when": 1}, "steps[0].when: unknown key"),
        ({"role": "approver", "x" * 1000: 1}, f"steps[0].'{'x' * 40}': unknown key"),
    ],
)
def test_step_refusals_name_what_is_wrong(step, expected):
    assert refusal(rule(steps=[step]), allowed_user_ids={4, 5}) == expected


def test_step_names_are_unique_in_the_rule_whatever_their_case():
    steps = [{"role": "approver", "name": "Finance"}, {"role": "company_admin", "name": "finance"}]
    assert refusal(rule(steps=steps)) == "steps[1].name: another step is already called 'finance'"


def test_an_escalating_step_goes_to_the_next_step_by_default():
    steps = [
        {"role": "approver", "due_hours": 24, "on_expiry": "escalate"},
        {"role": "company_admin", "name": "Admins", "due_hours": 48, "on_expiry": "escalate"},
        {"role": "distributor_finance"},
    ]
    first, second, third = validate_rule(rule(steps=steps)).steps
    assert first["escalate_to"] == "Admins"
    assert second["escalate_to"] is None  # the next step has no name: the chain takes the next
    assert (third["on_expiry"], third["escalate_to"], third["due_hours"]) == ("reject", None, None)


def test_an_escalating_step_may_skip_to_a_later_step_by_name():
    steps = [
        {"role": "approver", "due_hours": 8, "on_expiry": "escalate", "escalate_to": " FINANCE "},
        {"role": "company_admin"},
        {"role": "distributor_finance", "name": "Finance"},
    ]
    assert validate_rule(rule(steps=steps)).steps[0]["escalate_to"] == "Finance"


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        (
            [{"role": "approver", "on_expiry": "escalate"}, {"role": "company_admin"}],
            "steps[0].on_expiry: set due_hours for the step to escalate",
        ),
        (
            [{"role": "approver", "due_hours": 4, "on_expiry": "escalate"}],
            "steps[0].on_expiry: the last step has no later step to escalate to",
        ),
        (
            [
                {"role": "approver", "name": "First"},
                {
                    "role": "company_admin",
                    "due_hours": 4,
                    "on_expiry": "escalate",
                    "escalate_to": "First",
                },
                {"role": "vendor_ops"},
            ],
            "steps[1].escalate_to: 'First' is not a later step",
        ),
        (
            [
                {
                    "role": "approver",
                    "name": "Self",
                    "due_hours": 4,
                    "on_expiry": "escalate",
                    "escalate_to": "Self",
                },
                {"role": "vendor_ops"},
            ],
            "steps[0].escalate_to: 'Self' is not a later step",
        ),
        (
            [
                {
                    "role": "approver",
                    "due_hours": 4,
                    "on_expiry": "escalate",
                    "escalate_to": "Nobody",
                },
                {"role": "vendor_ops"},
            ],
            "steps[0].escalate_to: no step is called 'Nobody'",
        ),
        (
            [
                {"role": "approver", "due_hours": 4, "on_expiry": "escalate", "escalate_to": 1},
                {"role": "vendor_ops"},
            ],
            "steps[0].escalate_to: no step is called '1'",
        ),
        (
            [{"role": "approver", "escalate_to": "Later"}, {"role": "vendor_ops", "name": "Later"}],
            "steps[0].escalate_to: only a step that escalates names one",
        ),
    ],
)
def test_escalation_goes_only_forward_to_a_step_that_exists(steps, expected):
    assert refusal(rule(steps=steps)) == expected


def test_conditions_are_described_for_pages():
    assert describe_condition(condition("order.total", "gte", "100.00")) == "order.total >= 100.00"
    assert describe_condition(condition("end_customer.country", "in", ["US", "CA"])) == (
        "end_customer.country in [US, CA]"
    )
    assert describe_condition(condition("buyer.email", "exists", True)) == "buyer.email is set"


# --- junk never raises anything but RuleError ---------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)


def near(keys: list[str], known: st.SearchStrategy) -> st.SearchStrategy[dict]:
    """Objects whose keys are mostly the ones expected, with known or junk values."""
    key = st.sampled_from(keys) | st.text(max_size=6)
    return st.dictionaries(key, known | JSON, max_size=len(keys) + 1)


CONDITIONS = near(
    ["field", "operator", "value"],
    st.sampled_from(sorted(FIELDS))
    | st.sampled_from(sorted(OPERATORS))
    | st.sampled_from(["1.00", 5, True, ["a"], "x"]),
)
STEPS = near(
    ["role", "users", "name", "required", "due_hours", "on_expiry", "escalate_to"],
    st.sampled_from([*STEP_ROLES, "escalate", "reject", "A", "B", 1, 2, 24, [1, 2], "3"]),
)
BODIES = near(
    ["name", "match", "conditions", "steps"],
    st.sampled_from(["Rule", "all", "any"])
    | st.lists(CONDITIONS, max_size=3)
    | st.lists(STEPS, min_size=1, max_size=3),
)


def checked(body: object) -> ValidRule | None:
    """The rule, or None after checking the RuleError is well formed."""
    refused = None
    try:
        return validate_rule(body, allowed_user_ids={1, 2, 3})
    except RuleError as error:
        refused = error
    assert refused.path
    assert str(refused) == f"{refused.path}: {refused.message}"
    return None


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(JSON)
def test_any_json_is_a_rule_or_a_rule_error(body):
    checked(body)


@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow])
@given(BODIES)
def test_near_misses_are_a_rule_or_a_rule_error_and_a_rule_checks_again_unchanged(body):
    valid = checked(body)
    if valid is not None:
        again = {
            "name": valid.name,
            "match": valid.match,
            "conditions": valid.conditions,
            "steps": valid.steps,
        }
        assert validate_rule(again, allowed_user_ids={1, 2, 3}) == valid


def test_huge_and_deep_input_is_refused_not_crashed():
    deep: list = []
    for _level in range(5000):
        deep = [deep]
    assert refusal(rule(conditions=[condition("order.total", "in", deep)])).startswith(
        "conditions[0].value"
    )
    assert refusal(rule(name="x" * 1_000_000)) == "name: at most 120 characters"
    assert refusal(rule(conditions=[condition("x" * 100_000, "eq", 1)])).startswith(
        "conditions[0].field: unknown field 'xxx"
    )
