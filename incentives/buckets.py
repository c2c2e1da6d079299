"""Statement-date conversion: a period's raw amounts in a transaction currency, kept apart
until the period is flushed, then converted and rounded once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from incentives.ledger import ZERO
from incentives.periods import Period


@dataclass(frozen=True)
class BucketKey:
    """Raw amounts are summed per these keys (earnings and clawbacks together)."""

    posting: Period
    rule_id: str
    beneficiary: str
    fund: bool
    currency: str
    rate_date: date
    origin: Period


@dataclass
class Bucket:
    """The unrounded earnings and clawbacks of one key; None when there is none of a kind."""

    earned: Decimal | None = None
    clawed: Decimal | None = None
    first_event: str | None = None

    def add(self, raw: Decimal, event_id: str, clawback: bool = False) -> None:
        """Add one raw amount (a clawback is negative)."""
        if clawback:
            self.clawed = (self.clawed or ZERO) + raw
        else:
            self.earned = (self.earned or ZERO) + raw
        if self.first_event is None:
            self.first_event = event_id

    def net(self) -> Decimal:
        """Earnings plus clawbacks, unrounded: what the period's lines must add up to."""
        return (self.earned or ZERO) + (self.clawed or ZERO)


def sort_key(key: BucketKey) -> tuple[str, str, str, date, Period]:
    """A stable order for flushing, so entries come out the same on every run."""
    return (key.rule_id, key.beneficiary, key.currency, key.rate_date, key.origin)
