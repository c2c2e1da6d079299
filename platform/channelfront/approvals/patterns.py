r"""A safe regular-expression subset for the ``matches`` operator, matched in linear time.

Supported: literals, ``.``, ``[...]`` and ``[^...]`` with ranges, ``\d \w \s`` and their
negations, ``\n \t`` and escaped punctuation, groups ``( )`` and ``(?: )``, ``|``,
``* + ? {n} {n,} {n,m}`` (greedy or lazy: the same yes or no), ``^`` and ``$``.
Not supported: back-references, look-around, named groups, flags, ``\b``. The pattern
becomes a Thompson automaton that is simulated state-set by state-set, so matching
costs at most (text length x states): no backtracking, no catastrophic case.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

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
