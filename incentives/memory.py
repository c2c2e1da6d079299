"""The ledger's state kept in memory, for the simulator and the tests."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from incentives.ledger import ZERO, Entry, Posting, Purchase, Volume
from incentives.periods import Period

EARNING_TYPES = ("earning", "prior_period_adjustment")


class MemoryState:
    """Every entry in posting order, with the sums the engine asks for."""

    def __init__(self) -> None:
        self.entries: list[Entry] = []
        self._earned: dict[tuple[str, str, Period | None], Decimal] = defaultdict(Decimal)
        self._units: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
        self._posted: dict[tuple[str, str, Period], Decimal] = defaultdict(Decimal)
        self._purchases: dict[str, Purchase] = {}
        self._records: dict[str, list[tuple[date, str]]] = defaultdict(list)
        self._volumes: dict[tuple[str, str, Period], list[Volume]] = defaultdict(list)
        self._volume_keys: dict[Period, set[tuple[str, str, Period]]] = defaultdict(set)

    def earned(self, rule_id: str, beneficiary: str, posting: Period | None) -> Decimal:
        return self._earned.get((rule_id, beneficiary, posting), ZERO)

    def units_earned(self, rule_id: str, beneficiary: str) -> Decimal:
        return self._units.get((rule_id, beneficiary), ZERO)

    def purchase(self, event_id: str) -> Purchase | None:
        return self._purchases.get(event_id)

    def partner_of_record(self, subscription_id: str, on: date) -> tuple[date, str] | None:
        known = [item for item in self._records.get(subscription_id, []) if item[0] <= on]
        return max(known, key=lambda item: item[0]) if known else None

    def volumes(
        self, rule_id: str, beneficiary: str, origin: Period, through: Period
    ) -> list[Volume]:
        return [
            v for v in self._volumes.get((rule_id, beneficiary, origin), []) if v.posting <= through
        ]

    def volume_keys(self, posting: Period) -> set[tuple[str, str, Period]]:
        return set(self._volume_keys.get(posting, set()))

    def aggregate_posted(self, rule_id: str, beneficiary: str, origin: Period) -> Decimal:
        return self._posted.get((rule_id, beneficiary, origin), ZERO)

    def save(self, posting: Posting) -> None:
        self.save_entries(posting.entries)
        for volume in posting.volumes:
            self._volumes[(volume.rule_id, volume.beneficiary, volume.origin)].append(volume)
            self._volume_keys[volume.posting].add(
                (volume.rule_id, volume.beneficiary, volume.origin)
            )
        if posting.purchase is not None:
            self._purchases[posting.event.id] = posting.purchase
        if posting.partner_of_record is not None and posting.event.subscription_id:
            self._records[posting.event.subscription_id].append(
                (posting.event.event_date, posting.partner_of_record)
            )

    def save_entries(self, entries: list[Entry]) -> None:
        for entry in entries:
            self.entries.append(entry)
            if entry.rule_id is None:
                continue
            if entry.type in EARNING_TYPES and entry.amount > 0:
                self._earned[(entry.rule_id, entry.beneficiary, entry.posting)] += entry.amount
                self._earned[(entry.rule_id, entry.beneficiary, None)] += entry.amount
            if entry.type == "earning":
                self._units[(entry.rule_id, entry.beneficiary)] += entry.units
            if entry.event_id is None and entry.type in EARNING_TYPES:
                self._posted[(entry.rule_id, entry.beneficiary, entry.origin)] += entry.amount
