"""What the engine writes (entries, volume) and what it must remember (the State)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Protocol

from incentives.model import Event
from incentives.periods import Period

ZERO = Decimal(0)


@dataclass(frozen=True)
class Entry:
    """One append-only ledger entry, rounded once, in the settlement currency."""

    beneficiary: str
    rule_id: str | None
    type: str
    event_id: str | None
    origin: Period
    posting: Period
    amount: Decimal
    reason: str | None = None
    fund: bool = False
    units: Decimal = ZERO


@dataclass(frozen=True)
class Volume:
    """A purchase's (or refund's, negative) contribution to an aggregate rule."""

    rule_id: str
    beneficiary: str
    event_id: str
    origin: Period
    posting: Period
    amount: Decimal
    currency: str
    rate_date: date
    quantity: Decimal


@dataclass(frozen=True)
class Earned:
    """What one purchase earned under one rule, for its clawbacks (amount None: summed later)."""

    rule_id: str
    beneficiary: str
    fund: bool
    amount: Decimal | None
    raw: Decimal
    currency: str


@dataclass
class Purchase:
    """A posted purchase with what it earned and what its refunds took back so far."""

    event: Event
    origin: Period
    rate_date: date
    earned: list[Earned] = field(default_factory=list)
    volumes: list[Volume] = field(default_factory=list)
    refunded_amount: Decimal = ZERO
    refunded_quantity: Decimal = ZERO
    clawed: dict[tuple[str, str, bool], Decimal] = field(default_factory=dict)
    clawed_raw: dict[tuple[str, str, bool], Decimal] = field(default_factory=dict)


@dataclass
class Posting:
    """Everything posting one event produced."""

    event: Event
    entries: list[Entry] = field(default_factory=list)
    volumes: list[Volume] = field(default_factory=list)
    purchase: Purchase | None = None
    refunded: Purchase | None = None
    partner_of_record: str | None = None


class State(Protocol):
    """The ledger's memory; the simulator keeps it in memory, the product in SQL."""

    def earned(self, rule_id: str, beneficiary: str, posting: Period | None) -> Decimal:
        """Positive earnings and adjustments of a rule (in one posting period, or ever)."""

    def units_earned(self, rule_id: str, beneficiary: str) -> Decimal:
        """Units a per-unit rule has paid for."""

    def purchase(self, event_id: str) -> Purchase | None:
        """The posted purchase `event_id`, with its earnings and refunds so far."""

    def partner_of_record(self, subscription_id: str, on: date) -> tuple[date, str] | None:
        """The latest (date, partner) of record on or before `on` from past postings."""

    def volumes(
        self, rule_id: str, beneficiary: str, origin: Period, through: Period
    ) -> list[Volume]:
        """Volume of `origin` known by the close of `through` (posting <= through).

        The engine only sums them (each at its currency and rate date), so a state may
        return them already summed per currency and rate date.
        """

    def volume_keys(self, posting: Period) -> set[tuple[str, str, Period]]:
        """(rule, beneficiary, origin) of every volume posted to `posting`."""

    def aggregate_posted(self, rule_id: str, beneficiary: str, origin: Period) -> Decimal:
        """What an aggregate rule has posted for one origin period so far."""

    def save(self, posting: Posting) -> None:
        """Remember everything one event's posting produced."""

    def save_entries(self, entries: list[Entry]) -> None:
        """Remember entries written when a statement closes."""
