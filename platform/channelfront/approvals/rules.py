"""Checking an approval rule as people send it (the rule pages, the API) before it is
stored: every refusal is a ``RuleError`` naming the path of what is wrong
(``conditions[2].field: unknown field 'order.totl'``), whatever JSON arrives.

A rule is ``{"name", "match", "conditions", "steps"}``:

- ``name``: 1 to 120 characters; ``match``: ``all`` (default) or ``any``.
- ``conditions``: up to 20 ``{"field", "operator", "value"}`` (``approvals.conditions``
  lists the fields and operators); the value must suit both.
- ``steps``: 1 to 10, each ``{"role": ...}`` or ``{"users": [ids]}`` with optional
  ``name`` (unique in the rule), ``required`` (approvals needed, default 1),
  ``due_hours``, ``on_expiry`` (``reject`` by default, or ``escalate`` with
  ``due_hours``) and ``escalate_to`` (the name of a later step; by default the next).

``ValidRule`` holds the normalized rule, as ``ApprovalRule`` stores it: every step has
all its keys, ``None`` where unset; ``escalate_to`` is None for "the next step" when
that step has no name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from channelfront.approvals import conditions as cond
from channelfront.approvals.conditions import show_value
from channelfront.approvals.patterns import PatternError, compile_pattern

MAX_NAME = 120
MAX_STEP_NAME = 60
MAX_CONDITIONS = 20
MAX_STEPS = 10
MAX_LIST = 100
MAX_STEP_USERS = 20
MAX_REQUIRED = 10
MAX_DUE_HOURS = 720
MAX_ID = 2**31 - 1
#: Who a step may name by role (``approvals.deciders`` decides who holds each).
STEP_ROLES = (
    "approver",
    "company_admin",
    "partner_manager",
    "distributor_finance",
    "distributor_admin",
    "vendor_admin",
    "vendor_ops",
)
RULE_KEYS = ("name", "match", "conditions", "steps")
CONDITION_KEYS = ("field", "operator", "value")
STEP_KEYS = ("role", "users", "name", "required", "due_hours", "on_expiry", "escalate_to")
PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,39}")

TYPE_HELP = {
    "money": _l("enter an amount of 0 or more with at most 2 decimals, like 100.00"),
    "percent": _l("enter a percentage of 0 or more with at most 2 decimals, like 85.5"),
    "int": _l("enter a whole number from 0 to 1000000000"),
    "text": _l("enter text of 1 to 200 characters"),
    "bool": _l("enter true or false"),
}
TYPE_NAMES = {
    "money": _l("an amount"),
    "percent": _l("a percentage"),
    "int": _l("a whole number"),
    "text": _l("text"),
    "bool": _l("true or false"),
}


class RuleError(ValueError):
    """A rule refused before anything was written: ``path`` names what is wrong
    (``steps[0].users[1]``), ``message`` says why; ``str()`` gives both."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


@dataclass(frozen=True)
class ValidRule:
    """A checked rule, normalized as it is stored."""

    name: str
    match: str
    conditions: list[dict[str, Any]]
    steps: list[dict[str, Any]]


def describe_condition(condition: object) -> str:
    """A stored condition as plain text for pages: ``order.total > 100.00``."""
    return cond.describe(condition)


def validate_rule(body: object, *, allowed_user_ids: set[int] | None = None) -> ValidRule:
    """Check a rule as sent and normalize it; raises RuleError naming the first problem.

    With ``allowed_user_ids``, a step naming users may name only these (the people who
    could decide for the rule's orders).
    """
    rule = _object(body, "rule", "", RULE_KEYS)
    name = _text(rule.get("name"), "name", MAX_NAME)
    match = rule.get("match", "all")
    if match not in ("all", "any"):
        raise RuleError("match", _("choose all or any"))
    raw_conditions = _list(rule.get("conditions", []), "conditions", 0, MAX_CONDITIONS)
    conditions = [_condition(c, f"conditions[{i}]") for i, c in enumerate(raw_conditions)]
    if "steps" not in rule:
        raise RuleError("steps", _("add at least one step"))
    raw_steps = _list(rule["steps"], "steps", 1, MAX_STEPS, _("add at least one step"))
    return ValidRule(name, str(match), conditions, _steps(raw_steps, allowed_user_ids))


# --- shapes -------------------------------------------------------------------------------


def _key(key: object) -> str:
    if isinstance(key, str) and PLAIN_KEY.fullmatch(key):
        return key
    return repr(key if not isinstance(key, str) else key[:40])


def _object(value: object, path: str, prefix: str, keys: tuple[str, ...]) -> Mapping[str, Any]:
    """An object with only these keys; ``prefix`` starts the path of its keys."""
    if not isinstance(value, Mapping):
        raise RuleError(path, _("must be an object"))
    for key in value:
        if key not in keys:
            raise RuleError(f"{prefix}{_key(key)}", _("unknown key"))
    return value


def _list(value: object, path: str, low: int, high: int, empty: str = "") -> list[Any]:
    """A list of low to high items; ``empty`` says what to add when it has none."""
    if not isinstance(value, list | tuple):
        raise RuleError(path, _("must be a list"))
    if low and not value:
        raise RuleError(path, empty)
    if len(value) > high:
        raise RuleError(path, _("at most %(max)d", max=high))
    return list(value)


def _text(value: object, path: str, most: int) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise RuleError(path, _("enter a name"))
    if not isinstance(value, str) or not value.isprintable():
        raise RuleError(path, _("enter plain text"))
    if len(value.strip()) > most:
        raise RuleError(path, _("at most %(max)d characters", max=most))
    return value.strip()


def _whole(value: object, path: str, low: int, high: int) -> int:
    """A whole number (or its digits as text) from low to high."""
    number = value
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        number = int(value.strip()) if len(value.strip()) <= 10 else None
    if isinstance(number, bool) or not isinstance(number, int) or not low <= number <= high:
        raise RuleError(
            path, _("enter a whole number from %(low)d to %(high)d", low=low, high=high)
        )
    return number


# --- conditions ---------------------------------------------------------------------------


def _condition(raw: object, path: str) -> dict[str, Any]:
    condition = _object(raw, path, f"{path}.", CONDITION_KEYS)
    field = condition.get("field")
    if field is None:
        raise RuleError(f"{path}.field", _("choose a field"))
    if not isinstance(field, str) or field not in cond.FIELDS:
        raise RuleError(f"{path}.field", _("unknown field '%(field)s'", field=show_value(field)))
    ftype = cond.field_type(field)
    operator = _operator(condition.get("operator"), f"{path}.operator", field, ftype)
    if "value" not in condition:
        raise RuleError(f"{path}.value", _("enter a value"))
    value = _value(condition["value"], f"{path}.value", field, ftype, operator)
    return {"field": field, "operator": operator.name, "value": value}


def _operator(name: object, path: str, field: str, ftype: cond.FieldType) -> cond.Operator:
    if name is None:
        raise RuleError(path, _("choose an operator"))
    operator = cond.OPERATORS.get(name) if isinstance(name, str) else None
    if operator is None:
        raise RuleError(path, _("unknown operator '%(operator)s'", operator=show_value(name)))
    if not operator.applies_to(ftype):
        raise RuleError(
            path,
            _(
                "%(operator)s does not apply to %(field)s, which is %(kind)s",
                operator=operator.name,
                field=field,
                kind=TYPE_NAMES[ftype.name],
            ),
        )
    return operator


def _value(
    raw: object, path: str, field: str, ftype: cond.FieldType, operator: cond.Operator
) -> object:
    if operator.takes == "flag":
        if not isinstance(raw, bool):
            raise RuleError(path, _("%(operator)s takes true or false", operator=operator.name))
        return raw
    if operator.takes == "pattern":
        return _pattern(raw, path)
    if operator.takes == "one":
        return _one(raw, path, field, ftype)
    items = _list(raw, path, 1, MAX_LIST, _("enter at least one value"))
    values: dict[object, object] = {}  # by key: "US" and "us", "1.0" and "1.00" are one
    for index, item in enumerate(items):
        value = _one(item, f"{path}[{index}]", field, ftype)
        values.setdefault(ftype.key(value), value)
    return list(values.values())


def _one(raw: object, path: str, field: str, ftype: cond.FieldType) -> object:
    try:
        value = ftype.parse(raw)
    except ValueError:
        raise RuleError(path, str(TYPE_HELP[ftype.name])) from None
    choices = cond.CHOICES.get(field)
    if not choices:
        return value
    for choice in choices:
        if ftype.key(choice) == ftype.key(value):
            return choice
    raise RuleError(
        path,
        _(
            "'%(value)s' is not one of: %(choices)s",
            value=show_value(value),
            choices=", ".join(choices),
        ),
    )


def _pattern(raw: object, path: str) -> str:
    if not isinstance(raw, str) or not raw:
        raise RuleError(path, _("enter a pattern"))
    try:
        compile_pattern(raw)
    except PatternError as error:
        raise RuleError(path, _("this pattern cannot be used: %(why)s", why=str(error))) from None
    return raw


# --- steps --------------------------------------------------------------------------------


def _steps(raw_steps: list[Any], allowed_user_ids: set[int] | None) -> list[dict[str, Any]]:
    steps = [_step(raw, f"steps[{i}]", allowed_user_ids) for i, raw in enumerate(raw_steps)]
    names: dict[str, int] = {}
    for index, step in enumerate(steps):
        name = step["name"]
        if name is not None:
            if name.casefold() in names:
                message = _("another step is already called '%(name)s'", name=name)
                raise RuleError(f"steps[{index}].name", message)
            names[name.casefold()] = index
    for index, raw in enumerate(raw_steps):
        _escalation(steps, index, names, raw)
    return steps


def _step(raw: object, path: str, allowed_user_ids: set[int] | None) -> dict[str, Any]:
    spec = _object(raw, path, f"{path}.", STEP_KEYS)
    if "role" in spec and "users" in spec:
        raise RuleError(path, _("a step names a role or users, not both"))
    if "role" in spec:
        approvers: dict[str, Any] = {"role": _role(spec["role"], f"{path}.role")}
    elif "users" in spec:
        approvers = {"users": _users(spec["users"], f"{path}.users", allowed_user_ids)}
    else:
        raise RuleError(path, _("choose a role or name the users who approve"))
    name = spec.get("name")
    required = _required(spec.get("required", 1), f"{path}.required", approvers)
    due = spec.get("due_hours")
    due_hours = None if due is None else _whole(due, f"{path}.due_hours", 1, MAX_DUE_HOURS)
    on_expiry = spec.get("on_expiry", "reject")
    if on_expiry not in ("reject", "escalate"):
        raise RuleError(f"{path}.on_expiry", _("choose reject or escalate"))
    if on_expiry == "escalate" and due_hours is None:
        raise RuleError(f"{path}.on_expiry", _("set due_hours for the step to escalate"))
    return {
        **approvers,
        "name": None if name is None else _text(name, f"{path}.name", MAX_STEP_NAME),
        "required": required,
        "due_hours": due_hours,
        "on_expiry": str(on_expiry),
        "escalate_to": None,
    }


def _role(raw: object, path: str) -> str:
    if not isinstance(raw, str) or raw not in STEP_ROLES:
        raise RuleError(path, _("unknown role '%(role)s'", role=show_value(raw)))
    return raw


def _users(raw: object, path: str, allowed_user_ids: set[int] | None) -> list[int]:
    users: list[int] = []
    for index, item in enumerate(
        _list(raw, path, 1, MAX_STEP_USERS, _("choose at least one person"))
    ):
        user_id = _whole(item, f"{path}[{index}]", 1, MAX_ID)
        if user_id in users:
            raise RuleError(f"{path}[{index}]", _("user %(id)d is named twice", id=user_id))
        if allowed_user_ids is not None and user_id not in allowed_user_ids:
            message = _("user %(id)d cannot approve here", id=user_id)
            raise RuleError(f"{path}[{index}]", message)
        users.append(user_id)
    return users


def _required(raw: object, path: str, approvers: dict[str, Any]) -> int:
    required = _whole(raw, path, 1, MAX_REQUIRED)
    named = len(approvers.get("users", ()))
    if named and required > named:
        raise RuleError(
            path, _("%(required)d approvals but %(named)d users", required=required, named=named)
        )
    return required


def _escalation(
    steps: list[dict[str, Any]], index: int, names: dict[str, int], raw: Mapping[str, Any]
) -> None:
    """Fill in ``escalate_to``: a later step's name, by default the next step's."""
    step, path = steps[index], f"steps[{index}]"
    target = raw.get("escalate_to")
    if step["on_expiry"] != "escalate":
        if target is not None:
            raise RuleError(f"{path}.escalate_to", _("only a step that escalates names one"))
        return
    if index == len(steps) - 1:
        raise RuleError(f"{path}.on_expiry", _("the last step has no later step to escalate to"))
    if target is None:
        step["escalate_to"] = steps[index + 1]["name"]
        return
    found = names.get(target.strip().casefold()) if isinstance(target, str) else None
    if found is None:
        message = _("no step is called '%(name)s'", name=show_value(target))
        raise RuleError(f"{path}.escalate_to", message)
    if found <= index:
        raise RuleError(f"{path}.escalate_to", _("'%(name)s' is not a later step", name=target))
    step["escalate_to"] = steps[found]["name"]
