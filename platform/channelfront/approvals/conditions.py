"""What approval rules test: the facts of an order, the fields, the operators, and whether
a rule applies. Pure: no database, no Flask (``approvals.facts`` gathers the facts,
``approvals.rules`` checks what people type).

Facts. ``Facts.values`` maps each non-line field by its full path (``"order.total"``) to
its value; ``Facts.lines`` holds one such mapping per order line (``"line.sku"``). Money
and percentages are ``Decimal`` in major units, counts ``int``, flags ``bool``, text
``str``; a field may hold a tuple of values (a product in several groups). A path that
is absent, None, ``""`` or ``()`` has no value.

Fields. ``FIELDS`` maps each path to its type; adding a field is one line here and one
value in ``approvals.facts``. ``CHOICES`` lists the values a closed field can take.

A condition is ``{"field", "operator", "value"}`` as stored (JSON). How it holds:

- ``eq``, ``in``, ``contains``, ``matches`` and the orderings hold when some value of the
  field does; text compares case-insensitively. ``ne`` and ``not_in`` are exactly their
  negations, so a field without a value is ``ne`` anything and ``not_in`` any list.
- ``exists`` (true or false) says whether the field has a value.
- A ``line.`` condition holds when at least one line meets it; under ``all`` two line
  conditions may be met by different lines.
- ``matches`` is a regular expression of a safe subset (see ``compile_pattern``), run in
  time linear in the text, so no pattern can stall a checkout.

``evaluate`` combines them by ``match`` (``all`` or ``any``): a rule without conditions
applies to every order. A stored condition that cannot be read (a field since removed)
counts as held: the order waits for a person rather than slipping through.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from channelfront.approvals.patterns import Pattern, compile_pattern

Condition = Mapping[str, object]

FIELDS: dict[str, str] = {
    "order.total": "money",
    "order.payment_method": "text",
    "order.po_number": "text",
    "order.currency": "text",
    "buyer.email": "text",
    "buyer.role": "text",
    "end_customer.country": "text",
    "end_customer.is_new": "bool",
    "line.sku": "text",
    "line.category": "text",
    "line.product_group": "text",
    "line.quantity": "int",
    "line.term_months": "int",
    "line.total": "money",
    "line.price_source": "text",
    "credit.utilization_after": "percent",
    "credit.overdue": "bool",
}

#: Closed fields: ``eq``, ``ne``, ``in`` and ``not_in`` compare with one of these.
CHOICES: dict[str, tuple[str, ...]] = {
    "order.payment_method": ("card", "on_account"),
    "buyer.role": ("buyer", "approver", "company_admin", "viewer"),
}

LINE = "line."
MAX_TEXT = 200
SHOWN = 60  # characters of a value shown in a reason


@dataclass(frozen=True)
class Facts:
    """The facts of one order, by field path (see the module docstring)."""

    values: Mapping[str, object] = field(default_factory=dict)
    lines: Sequence[Mapping[str, object]] = ()


# --- field types: what a value may be, how it compares, how it reads ---------------------


class FieldType:
    """One kind of field value. ``parse`` turns what a rule stores (JSON) into its
    normalized JSON form or raises ValueError; ``key`` makes values comparable."""

    name = ""
    ordered = False

    def parse(self, raw: object) -> object:
        raise NotImplementedError

    def fact(self, raw: object) -> object | None:
        """A fact's value, or None when it has none."""
        return raw

    def key(self, value: object) -> object:
        return value

    def show(self, value: object) -> str:
        return str(value)


class DecimalType(FieldType):
    ordered = True

    def __init__(self, name: str, digits: int) -> None:
        self.name = name
        self.text = re.compile(rf"\d{{1,{digits}}}(\.\d{{1,2}})?")

    def parse(self, raw: object) -> str:
        if isinstance(raw, bool) or not isinstance(raw, int | float | str | Decimal):
            raise ValueError(raw)
        text = repr(raw) if isinstance(raw, float) else str(raw).strip()
        if not self.text.fullmatch(text):
            raise ValueError(raw)
        return str(Decimal(text))

    def fact(self, raw: object) -> Decimal | None:
        if isinstance(raw, bool) or not isinstance(raw, int | Decimal):
            return None
        amount = Decimal(raw)
        return amount if amount.is_finite() else None

    def key(self, value: object) -> Decimal:
        return Decimal(value)  # type: ignore[arg-type]


class IntType(FieldType):
    name = "int"
    ordered = True
    MAX = 10**9

    def parse(self, raw: object) -> int:
        if isinstance(raw, str) and raw.strip().isascii() and raw.strip().isdigit():
            raw = int(raw.strip()) if len(raw.strip()) <= 10 else -1
        if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw <= self.MAX:
            raise ValueError(raw)
        return raw

    def fact(self, raw: object) -> int | None:
        return raw if isinstance(raw, int) and not isinstance(raw, bool) else None


class TextType(FieldType):
    name = "text"

    def parse(self, raw: object) -> str:
        if not isinstance(raw, str) or not 0 < len(raw.strip()) <= MAX_TEXT:
            raise ValueError(raw)
        if not raw.isprintable():
            raise ValueError(raw)
        return raw.strip()

    def fact(self, raw: object) -> str | None:
        text = raw.strip() if isinstance(raw, str) else ""
        return text or None

    def key(self, value: object) -> str:
        return str(value).casefold()

    def show(self, value: object) -> str:
        text = str(value)
        return text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"


class BoolType(FieldType):
    name = "bool"

    def parse(self, raw: object) -> bool:
        if isinstance(raw, str) and raw.strip().lower() in ("true", "false"):
            return raw.strip().lower() == "true"
        if not isinstance(raw, bool):
            raise ValueError(raw)
        return raw

    def fact(self, raw: object) -> bool | None:
        return raw if isinstance(raw, bool) else None

    def show(self, value: object) -> str:
        return "true" if value else "false"


TYPES: dict[str, FieldType] = {
    "money": DecimalType("money", 12),
    "percent": DecimalType("percent", 6),
    "int": IntType(),
    "text": TextType(),
    "bool": BoolType(),
}


def field_type(path: str) -> FieldType:
    """The type of a field (KeyError for an unknown one)."""
    return TYPES[FIELDS[path]]


# --- operators: one class each ------------------------------------------------------------


class Operator:
    """How a condition compares. ``takes`` is what its value is: ``one`` value of the
    field's type, a ``list`` of them, a ``flag`` (true/false) or a ``pattern``."""

    name = ""
    symbol = ""
    takes = "one"

    def applies_to(self, ftype: FieldType) -> bool:
        return True

    def read(self, ftype: FieldType, stored: object) -> object:
        """The stored value ready to compare; ValueError when it cannot be."""
        return ftype.key(ftype.parse(stored))

    def holds(self, ftype: FieldType, values: tuple[object, ...], wanted: object) -> bool:
        raise NotImplementedError


class Eq(Operator):
    name, symbol = "eq", "="

    def holds(self, ftype: FieldType, values: tuple[object, ...], wanted: object) -> bool:
        return any(ftype.key(value) == wanted for value in values)


class Ne(Eq):
    name, symbol = "ne", "!="

    def holds(self, ftype: FieldType, values: tuple[object, ...], wanted: object) -> bool:
        return not super().holds(ftype, values, wanted)


class Ordering(Operator):
    def applies_to(self, ftype: FieldType) -> bool:
        return ftype.ordered

    def compare(self, value: Any, wanted: Any) -> bool:
        raise NotImplementedError

    def holds(self, ftype: FieldType, values: tuple[object, ...], wanted: object) -> bool:
        return any(self.compare(ftype.key(value), wanted) for value in values)


class Gt(Ordering):
    name, symbol = "gt", ">"

    def compare(self, value: Any, wanted: Any) -> bool:
        return bool(value > wanted)


class Gte(Ordering):
    name, symbol = "gte", ">="

    def compare(self, value: Any, wanted: Any) -> bool:
        return bool(value >= wanted)


class Lt(Ordering):
    name, symbol = "lt", "<"

    def compare(self, value: Any, wanted: Any) -> bool:
        return bool(value < wanted)


class Lte(Ordering):
    name, symbol = "lte", "<="

    def compare(self, value: Any, wanted: Any) -> bool:
        return bool(value <= wanted)


class In(Operator):
    name, symbol, takes = "in", "in", "list"

    def applies_to(self, ftype: FieldType) -> bool:
        return ftype.name != "bool"

    def read(self, ftype: FieldType, stored: object) -> frozenset[object]:
        if not isinstance(stored, list | tuple) or not stored:
            raise ValueError(stored)
        return frozenset(ftype.key(ftype.parse(item)) for item in stored)

    def holds(self, ftype: FieldType, values: tuple[object, ...], wanted: object) -> bool:
        return any(ftype.key(value) in wanted for value in values)  # type: ignore[operator]


class NotIn(In):
    name, symbol = "not_in", "not in"

    def holds(self, ftype: FieldType, values: tuple[object, ...], wanted: object) -> bool:
        return not super().holds(ftype, values, wanted)


class Contains(Operator):
    name, symbol = "contains", "contains"

    def applies_to(self, ftype: FieldType) -> bool:
        return ftype.name == "text"

    def holds(self, ftype: FieldType, values: tuple[object, ...], wanted: object) -> bool:
        return any(wanted in ftype.key(value) for value in values)  # type: ignore[operator]


class Matches(Operator):
    name, symbol, takes = "matches", "matches", "pattern"

    def applies_to(self, ftype: FieldType) -> bool:
        return ftype.name == "text"

    def read(self, ftype: FieldType, stored: object) -> Pattern:
        if not isinstance(stored, str):
            raise ValueError(stored)
        return compile_pattern(stored)

    def holds(self, ftype: FieldType, values: tuple[object, ...], wanted: object) -> bool:
        return any(wanted.search(str(value)) for value in values)  # type: ignore[attr-defined]


class Exists(Operator):
    name, symbol, takes = "exists", "exists", "flag"

    def read(self, ftype: FieldType, stored: object) -> bool:
        if not isinstance(stored, bool):
            raise ValueError(stored)
        return stored

    def holds(self, ftype: FieldType, values: tuple[object, ...], wanted: object) -> bool:
        return bool(values) == wanted


_ALL = (Eq, Ne, Gt, Gte, Lt, Lte, In, NotIn, Contains, Matches, Exists)
OPERATORS: dict[str, Operator] = {kind.name: kind() for kind in _ALL}


# --- evaluating ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """A stored condition, read once: field, type, operator and the value to compare."""

    path: str
    ftype: FieldType
    operator: Operator
    stored: object
    wanted: object

    def values(self, facts: Mapping[str, object]) -> tuple[object, ...]:
        raw = facts.get(self.path)
        items = raw if isinstance(raw, tuple | list) else (raw,)
        read = (self.ftype.fact(item) for item in items)
        return tuple(value for value in read if value is not None)

    def reason(self, values: tuple[object, ...], line: Mapping[str, object] | None) -> str:
        shown = ", ".join(self.ftype.show(value) for value in values) or "(none)"
        if self.operator.name == "exists":
            text = f"{self.path} is set: {shown}" if self.wanted else f"{self.path} is empty"
        else:
            text = f"{self.path} {shown} {self.operator.symbol} {show_value(self.stored)}"
        sku = line.get("line.sku") if line is not None else None
        return f"{text} ({sku})" if sku and self.path != "line.sku" else text


def read_condition(condition: object) -> Check:
    """A stored condition ready to evaluate; ValueError (or KeyError) when it is not one."""
    if not isinstance(condition, Mapping):
        raise ValueError(condition)
    path, name = condition.get("field"), condition.get("operator")
    ftype = field_type(path)  # type: ignore[arg-type]
    operator = OPERATORS[name]  # type: ignore[index]
    if not operator.applies_to(ftype):
        raise ValueError(name)
    stored = condition.get("value")
    return Check(path, ftype, operator, stored, operator.read(ftype, stored))  # type: ignore[arg-type]


def _held(condition: object, facts: Facts) -> str | None:
    """The reason the condition holds for these facts, or None when it does not."""
    try:
        check = read_condition(condition)
    except (ValueError, KeyError, TypeError):
        return f"unreadable condition: {describe(condition)}"
    rows: Sequence[Mapping[str, object] | None]
    rows = facts.lines if check.path.startswith(LINE) else [None]
    for row in rows:
        values = check.values(facts.values if row is None else row)
        if check.operator.holds(check.ftype, values, check.wanted):
            return check.reason(values, row)
    return None


def evaluate(match: str, conditions: Sequence[Condition], facts: Facts) -> list[str] | None:
    """The reasons a rule applies to an order (the conditions that held, as people read
    them: ``order.total 250.00 > 100.00``), or None when it does not.

    ``match`` is ``any`` (one condition is enough) or ``all`` (anything else). A rule
    without conditions applies to every order, with no reasons.
    """
    reasons = [_held(condition, facts) for condition in conditions or ()]
    held = [reason for reason in reasons if reason is not None]
    if match == "any" and reasons:
        return held or None
    return held if len(held) == len(reasons) else None


def show_value(value: object) -> str:
    """A stored value as plain text, shortened; never walks into nested containers."""
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_show_item(item) for item in value[:20]) + "]"
    return _show_item(value)


def _show_item(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple | dict | set | frozenset):
        return "[…]" if isinstance(value, list | tuple) else "{…}"
    text = str(value)
    return text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"


def describe(condition: object) -> str:
    """A condition as one line of plain text, ``order.total > 100.00``; any stored JSON."""
    if not isinstance(condition, Mapping):
        return show_value(condition)
    path = show_value(condition.get("field"))
    name, value = condition.get("operator"), condition.get("value")
    if name == "exists":
        return f"{path} is set" if value is True else f"{path} is empty"
    operator = OPERATORS.get(name) if isinstance(name, str) else None
    symbol = operator.symbol if operator else show_value(name)
    return f"{path} {symbol} {show_value(value)}"
