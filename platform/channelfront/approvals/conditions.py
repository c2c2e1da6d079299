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

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

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


# --- patterns: a safe regular-expression subset, matched in linear time --------------------
#
# Supported: literals, ``.``, ``[...]`` and ``[^...]`` with ranges, ``\d \w \s`` and their
# negations, ``\n \t`` and escaped punctuation, groups ``( )`` and ``(?: )``, ``|``,
# ``* + ? {n} {n,} {n,m}`` (greedy or lazy: the same yes or no), ``^`` and ``$``.
# Not supported: back-references, look-around, named groups, flags, ``\b``. The pattern
# becomes a Thompson automaton that is simulated state-set by state-set, so matching
# costs at most (text length x states): no backtracking, no catastrophic case.

MAX_PATTERN = 200
MAX_REPEAT = 100
MAX_STATES = 1000
MAX_SUBJECT = 256  # characters of a text a pattern reads

CHAR, SPLIT, BEGIN, END, MATCH = range(5)
REPEAT = re.compile(r"\{(\d*)(,(\d*))?\}")
CATEGORIES: dict[str, Callable[[str], bool]] = {
    "d": str.isdecimal,
    "w": lambda c: c.isalnum() or c == "_",
    "s": str.isspace,
}
CONTROL = {"n": "\n", "r": "\r", "t": "\t", "f": "\f", "v": "\v"}


Node = tuple[Any, ...]  # the parsed pattern: ("char", CharSet), ("seq", [...]), ...


class PatternError(ValueError):
    """Why a pattern cannot be used (plain English, for the rule's error)."""


@dataclass(frozen=True)
class CharSet:
    negate: bool = False
    chars: frozenset[str] = frozenset()
    ranges: tuple[tuple[str, str], ...] = ()
    categories: tuple[tuple[str, bool], ...] = ()  # (d/w/s, negated)

    def _has(self, c: str) -> bool:
        return (
            c in self.chars
            or any(low <= c <= high for low, high in self.ranges)
            or any(CATEGORIES[name](c) != negated for name, negated in self.categories)
        )

    def matches(self, c: str) -> bool:
        variants = {v for v in (c, c.lower(), c.upper()) if len(v) == 1}
        return any(self._has(v) for v in variants) != self.negate


ANY = CharSet(negate=True, chars=frozenset("\n"))


class _Parser:
    """Recursive descent over the subset, into nested tuples:
    ("char", CharSet), ("seq", [..]), ("alt", [..]), ("rep", node, low, high), ("begin",),
    ("end",)."""

    def __init__(self, source: str) -> None:
        self.s, self.i = source, 0

    def peek(self, ahead: int = 0) -> str:
        at = self.i + ahead
        return self.s[at] if at < len(self.s) else ""

    def parse(self) -> Node:
        node = self.alternatives()
        if self.i < len(self.s):
            raise PatternError("unbalanced parenthesis")
        return node

    def alternatives(self) -> Node:
        branches = [self.sequence()]
        while self.peek() == "|":
            self.i += 1
            branches.append(self.sequence())
        return ("alt", branches) if len(branches) > 1 else branches[0]

    def sequence(self) -> Node:
        items = []
        while self.peek() not in ("", "|", ")"):
            items.append(self.quantified(self.atom()))
        return ("seq", items)

    def atom(self) -> Node:
        c = self.peek()
        self.i += 1
        if c == "(":
            return self.group()
        if c == "[":
            return ("char", self.char_set())
        if c == "\\":
            return self.escape(in_set=False)
        if c in "*+?" or (c == "{" and self.repeat_at(self.i - 1)):
            raise PatternError("nothing to repeat")
        simple = {".": ("char", ANY), "^": ("begin",), "$": ("end",)}
        return simple.get(c) or ("char", CharSet(chars=frozenset(c)))

    def group(self) -> Node:
        if self.peek() == "?":
            if self.peek(1) != ":":
                raise PatternError("only (?: ) groups are supported")
            self.i += 2
        node = self.alternatives()
        if self.peek() != ")":
            raise PatternError("missing )")
        self.i += 1
        return node

    def repeat_at(self, at: int) -> re.Match[str] | None:
        found = REPEAT.match(self.s, at)
        if found and (found.group(1) or found.group(2)):
            return found
        return None

    def quantifier(self) -> tuple[int, int | None] | None:
        c = self.peek()
        if c in ("*", "+", "?"):
            self.i += 1
            return {"*": (0, None), "+": (1, None), "?": (0, 1)}[c]
        found = self.repeat_at(self.i) if c == "{" else None
        if found is None:
            return None
        self.i = found.end()
        low = int(found.group(1) or 0)
        high = low if found.group(2) is None else int(found.group(3)) if found.group(3) else None
        if max(low, high or 0) > MAX_REPEAT:
            raise PatternError(f"repeat counts go up to {MAX_REPEAT}")
        if high is not None and low > high:
            raise PatternError("min repeat greater than max repeat")
        return low, high

    def quantified(self, node: Node) -> Node:
        bounds = self.quantifier()
        if bounds is None:
            return node
        if node[0] in ("begin", "end"):
            raise PatternError("nothing to repeat")
        if self.peek() == "?":
            self.i += 1  # lazy: the same yes or no
        if self.peek() in ("*", "+", "?") or self.repeat_at(self.i):
            raise PatternError("multiple repeat")
        return ("rep", node, *bounds)

    def escape(self, in_set: bool) -> Node:
        c = self.peek()
        self.i += 1
        if not c:
            raise PatternError("pattern ends with a backslash")
        if c.lower() in CATEGORIES:
            item = (c.lower(), c.isupper())
            return ("cat", item) if in_set else ("char", CharSet(categories=(item,)))
        if c.isascii() and c.isdigit():
            raise PatternError("back-references are not supported")
        if c.isascii() and c.isalpha() and c not in CONTROL:
            raise PatternError(f"\\{c} is not supported")
        literal = CONTROL.get(c, c)
        return ("lit", literal) if in_set else ("char", CharSet(chars=frozenset(literal)))

    def set_item(self) -> Node:
        c = self.peek()
        self.i += 1
        return self.escape(in_set=True) if c == "\\" else ("lit", c)

    def char_set(self) -> CharSet:
        negate = self.peek() == "^"
        self.i += int(negate)
        chars: set[str] = set()
        ranges: list[tuple[str, str]] = []
        categories: list[tuple[str, bool]] = []
        first = True
        while first or self.peek() != "]":
            if not self.peek():
                raise PatternError("unterminated character set")
            first = False
            kind, item = self.set_item()
            if kind == "cat":
                categories.append(item)
            elif self.peek() == "-" and self.peek(1) not in ("", "]"):
                self.i += 1
                high_kind, high = self.set_item()
                if high_kind == "cat" or high < item:
                    raise PatternError("bad character range")
                ranges.append((item, high))
            else:
                chars.add(item)
        self.i += 1
        return CharSet(negate, frozenset(chars), tuple(ranges), tuple(categories))


class _Builder:
    """Compiles the parsed tree backwards into states: build(node, next) is the state
    that matches ``node`` and goes on to ``next``."""

    def __init__(self) -> None:
        self.kinds: list[int] = []
        self.sets: list[CharSet | None] = []
        self.first: list[int] = []
        self.second: list[int] = []

    def add(
        self, kind: int, charset: CharSet | None = None, first: int = -1, second: int = -1
    ) -> int:
        if len(self.kinds) >= MAX_STATES:
            raise PatternError("the pattern is too complex")
        self.kinds.append(kind)
        self.sets.append(charset)
        self.first.append(first)
        self.second.append(second)
        return len(self.kinds) - 1

    def build(self, node: Node, after: int) -> int:
        kind = node[0]
        if kind == "char":
            return self.add(CHAR, node[1], after)
        if kind in ("begin", "end"):
            return self.add(BEGIN if kind == "begin" else END, None, after)
        if kind == "seq":
            for child in reversed(node[1]):
                after = self.build(child, after)
            return after
        if kind == "alt":
            state = self.build(node[1][-1], after)
            for branch in reversed(node[1][:-1]):
                state = self.add(SPLIT, None, self.build(branch, after), state)
            return state
        return self.repeat(node[1], node[2], node[3], after)

    def repeat(self, node: Node, low: int, high: int | None, after: int) -> int:
        tail = after
        if high is None:
            tail = self.add(SPLIT, None, -1, after)
            self.first[tail] = self.build(node, tail)
        else:
            for _ in range(high - low):
                tail = self.add(SPLIT, None, self.build(node, tail), after)
        for _ in range(low):
            tail = self.build(node, tail)
        return tail


@dataclass(frozen=True)
class Pattern:
    """A compiled pattern: ``search(text)`` says whether it occurs anywhere in the text
    (case-insensitively; ``^`` and ``$`` are the text's start and end)."""

    source: str
    kinds: tuple[int, ...]
    first: tuple[int, ...]
    second: tuple[int, ...]
    set_of: tuple[int, ...]  # a CHAR state's index in ``charsets``, else -1
    charsets: tuple[CharSet, ...]  # each distinct set once: repeats share theirs
    start: int

    def _closure(self, stack: list[int], at: int, length: int) -> set[int]:
        """Every state reachable from these without reading a character."""
        kinds, first, second = self.kinds, self.first, self.second
        into: set[int] = set()
        while stack:
            state = stack.pop()
            if state in into:
                continue
            into.add(state)
            kind = kinds[state]
            if kind == SPLIT:
                stack.append(first[state])
                stack.append(second[state])
            elif (kind == BEGIN and at == 0) or (kind == END and at == length):
                stack.append(first[state])
        return into

    def search(self, text: str) -> bool:
        text = text[:MAX_SUBJECT]
        length = len(text)
        current = self._closure([self.start], 0, length)
        for at, c in enumerate(text, start=1):
            if 0 in current:  # state 0 is MATCH
                return True
            hits: list[bool | None] = [None] * len(self.charsets)
            stack = [self.start]  # a match may also begin at the next character
            for state in current:
                index = self.set_of[state]
                if index < 0:
                    continue
                hit = hits[index]
                if hit is None:
                    hit = hits[index] = self.charsets[index].matches(c)
                if hit:
                    stack.append(self.first[state])
            current = self._closure(stack, at, length)
        return 0 in current


@functools.lru_cache(maxsize=512)
def compile_pattern(source: str) -> Pattern:
    """Compile a ``matches`` pattern (at most MAX_PATTERN characters); PatternError says
    why one cannot be used."""
    if len(source) > MAX_PATTERN:
        raise PatternError(f"a pattern has at most {MAX_PATTERN} characters")
    tree = _Parser(source).parse()
    builder = _Builder()
    builder.add(MATCH)
    start = builder.build(tree, 0)
    distinct: dict[CharSet, int] = {}
    set_of = tuple(
        -1 if charset is None else distinct.setdefault(charset, len(distinct))
        for charset in builder.sets
    )
    return Pattern(
        source,
        tuple(builder.kinds),
        tuple(builder.first),
        tuple(builder.second),
        set_of,
        tuple(distinct),
        start,
    )
