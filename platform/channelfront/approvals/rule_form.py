"""The rule form of the company and Partners pages: a name, all or any, up to five
condition rows and three step rows, as typed. ``RuleEntry.body()`` makes the API's rule
body of the rows filled in; ``field_errors`` puts a ``RuleError`` on the input it names,
the path counted in the rows the person sees (``conditions[3].value`` is the fourth row
even when the third was left empty)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from werkzeug.datastructures import MultiDict

from channelfront.approvals.conditions import FIELDS, OPERATORS
from channelfront.approvals.rules import RuleError

CONDITION_ROWS = 5
STEP_ROWS = 3
LIST_OPERATORS = ("in", "not_in")
NAMED_USERS = "users"  # the step's "who" when it names people instead of a role
TEXT_LIMIT = 2000  # characters of one input kept; the rule's own limits are smaller

FIELD_LABELS: dict[str, LazyString] = {
    "order.total": _l("Order total"),
    "order.payment_method": _l("Payment method"),
    "order.po_number": _l("PO number"),
    "order.currency": _l("Currency"),
    "buyer.email": _l("Buyer's e-mail"),
    "buyer.role": _l("Buyer's role"),
    "end_customer.country": _l("End customer's country"),
    "end_customer.is_new": _l("End customer is new"),
    "line.sku": _l("A line's SKU"),
    "line.category": _l("A line's category"),
    "line.product_group": _l("A line's product group"),
    "line.quantity": _l("A line's quantity"),
    "line.term_months": _l("A line's term in months"),
    "line.total": _l("A line's total"),
    "line.price_source": _l("A line's price source"),
    "credit.utilization_after": _l("Credit used after the order (%)"),
    "credit.overdue": _l("An invoice is overdue"),
}
OPERATOR_LABELS: dict[str, LazyString] = {
    "eq": _l("is"),
    "ne": _l("is not"),
    "gt": _l("is more than"),
    "gte": _l("is at least"),
    "lt": _l("is less than"),
    "lte": _l("is at most"),
    "in": _l("is one of"),
    "not_in": _l("is none of"),
    "contains": _l("contains"),
    "matches": _l("matches the pattern"),
    "exists": _l("is set (true) or empty (false)"),
}
EXPIRY_LABELS: dict[str, LazyString] = {
    "reject": _l("reject the order"),
    "escalate": _l("go to the next step"),
}
PATH = re.compile(r"^(conditions|steps)\[(\d+)\]")
KEY = re.compile(r"^\.(\w+)")
# Inputs a path's last key is shown under, when it is not an input of its own.
STEP_INPUTS = {
    "role": "who",
    "users": "users",
    "required": "required",
    "due_hours": "due_hours",
    "on_expiry": "on_expiry",
    "escalate_to": "on_expiry",
}


def field_label(path: str) -> str:
    return str(FIELD_LABELS.get(path, path))


def operator_label(name: str) -> str:
    return str(OPERATOR_LABELS.get(name, name))


def field_choices() -> list[tuple[str, str]]:
    return [(path, f"{field_label(path)} ({path})") for path in FIELDS]


def operator_choices() -> list[tuple[str, str]]:
    return [(name, operator_label(name)) for name in OPERATORS]


@dataclass
class ConditionRow:
    field: str = ""
    operator: str = "eq"
    value: str = ""

    @property
    def empty(self) -> bool:
        return not self.field and not self.value.strip()

    def body(self) -> dict[str, Any]:
        return {"field": self.field or None, "operator": self.operator, "value": self._value()}

    def _value(self) -> object:
        text = self.value.strip()
        if self.operator == "exists":
            flags = {"": True, "true": True, "yes": True, "false": False, "no": False}
            return flags.get(text.lower(), text)
        if self.operator in LIST_OPERATORS:
            return [part.strip() for part in text.split(",") if part.strip()] or [text]
        return self.value


@dataclass
class StepRow:
    who: str = ""  # a role, NAMED_USERS, or empty: no step
    users: list[str] = field(default_factory=list)
    required: str = "1"
    due_hours: str = ""
    on_expiry: str = "reject"

    @property
    def empty(self) -> bool:
        return not self.who

    def body(self, path: str) -> dict[str, Any]:
        if self.who == NAMED_USERS:
            if not self.users:
                raise RuleError(f"{path}.users", _("choose at least one person"))
            step: dict[str, Any] = {"users": list(self.users)}
        else:
            step = {"role": self.who}
        if self.required.strip():
            step["required"] = self.required
        if self.due_hours.strip():
            step["due_hours"] = self.due_hours
        step["on_expiry"] = self.on_expiry
        return step


@dataclass
class RuleEntry:
    """What the form holds: every row, filled in or not."""

    name: str = ""
    match: str = "all"
    scope: str = "tenant"  # Partners: "tenant" or "program:<id>"
    conditions: list[ConditionRow] = field(default_factory=list)
    steps: list[StepRow] = field(default_factory=list)

    @classmethod
    def blank(cls) -> RuleEntry:
        conditions = [ConditionRow() for _row in range(CONDITION_ROWS)]
        steps = [StepRow(who="approver")] + [StepRow() for _row in range(STEP_ROWS - 1)]
        return cls(conditions=conditions, steps=steps)

    @classmethod
    def from_form(cls, form: MultiDict[str, str]) -> RuleEntry:
        def text(key: str, default: str = "") -> str:
            return form.get(key, default)[:TEXT_LIMIT]

        conditions = [
            ConditionRow(
                text(f"conditions-{i}-field"),
                text(f"conditions-{i}-operator", "eq"),
                text(f"conditions-{i}-value"),
            )
            for i in range(CONDITION_ROWS)
        ]
        steps = [
            StepRow(
                text(f"steps-{i}-who"),
                [uid[:20] for uid in form.getlist(f"steps-{i}-users")][:50],
                text(f"steps-{i}-required"),
                text(f"steps-{i}-due_hours"),
                text(f"steps-{i}-on_expiry", "reject"),
            )
            for i in range(STEP_ROWS)
        ]
        return cls(text("name"), text("match", "all"), text("scope"), conditions, steps)

    def condition_rows(self) -> list[int]:
        """The rows that are filled in, in order: the body's conditions."""
        return [i for i, row in enumerate(self.conditions) if not row.empty]

    def step_rows(self) -> list[int]:
        return [i for i, row in enumerate(self.steps) if not row.empty]

    def body(self) -> dict[str, Any]:
        """The rule as the API takes it; RuleError for a step naming no one."""
        steps = [self.steps[i].body(f"steps[{n}]") for n, i in enumerate(self.step_rows())]
        return {
            "name": self.name,
            "match": self.match,
            "conditions": [self.conditions[i].body() for i in self.condition_rows()],
            "steps": steps,
        }

    def row_path(self, path: str) -> str:
        """A body path in the rows the person sees: ``conditions[0]`` of a form whose first
        filled row is the third is ``conditions[2]``."""
        found = PATH.match(path)
        if found is None:
            return path
        rows = self.condition_rows() if found.group(1) == "conditions" else self.step_rows()
        index = int(found.group(2))
        row = rows[index] if index < len(rows) else index
        return f"{found.group(1)}[{row}]{path[found.end() :]}"

    def field_errors(self, error: RuleError) -> dict[str, str]:
        """``{input name: "path: message"}`` for the template; the input the path names,
        or the nearest one (a step's escalation under its expiry choice)."""
        path = self.row_path(error.path)
        return {_input_of(path): f"{path}: {error.message}"}


def _input_of(path: str) -> str:
    found = PATH.match(path)
    if found is None:
        return {"program": "scope"}.get(path.split("[")[0], path.split("[")[0])
    kind, row = found.group(1), found.group(2)
    named = KEY.match(path[found.end() :])
    key = named.group(1) if named else ""
    if kind == "conditions":
        return f"{kind}-{row}-{key if key in ('field', 'operator', 'value') else 'field'}"
    return f"{kind}-{row}-{STEP_INPUTS.get(key, 'who')}"
