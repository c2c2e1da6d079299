"""Entries grouped into statements per beneficiary and period, with their disposition."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from incentives.ledger import ZERO, Entry
from incentives.model import Program
from incentives.periods import Period, is_closed


@dataclass(frozen=True)
class Statement:
    """One beneficiary's lines of one period; `total` is opening plus lines, unrounded again."""

    beneficiary: str
    period: Period
    closed: bool
    opening_balance: Decimal
    lines: tuple[Entry, ...]
    total: Decimal
    disposition: str


def disposition(program: Program, total: Decimal) -> str:
    """What a closed statement's total becomes."""
    if total > 0 and total >= program.min_payout:
        return "paid"
    if total < 0 and program.negative_balance == "debit_note":
        return "debit_note"
    return "carried_forward"


def build(program: Program, entries: Iterable[Entry], as_of: date) -> list[Statement]:
    """Every statement with at least one line, in beneficiary and period order.

    A closed statement carried forward opens the beneficiary's next statement that
    has a line; an open statement does not pass anything on yet.
    """
    grouped: dict[str, dict[Period, list[Entry]]] = defaultdict(lambda: defaultdict(list))
    for entry in entries:
        if not entry.fund:
            grouped[entry.beneficiary][entry.posting].append(entry)
    statements = []
    for who in sorted(grouped):
        carry = ZERO
        for period in sorted(grouped[who]):
            lines = tuple(grouped[who][period])
            closed = is_closed(period, program.grace_days, as_of)
            total = carry + sum((line.amount for line in lines), ZERO)
            outcome = disposition(program, total) if closed else "open"
            statements.append(Statement(who, period, closed, carry, lines, total, outcome))
            carry = total if outcome == "carried_forward" else ZERO
    return statements
