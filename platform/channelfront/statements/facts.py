"""Incentive event rows as the engine's events, and money between minor units and Decimal.

An event's date is the date it was recorded on, in the program's time zone (so each
program sees a sale on its own calendar day); a refund is dated when it is recorded,
which is what makes a late refund a late fact.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from channelfront.statements.models import IncentiveEvent
from incentives.model import Event
from incentives.money import exponent


def to_minor(amount: Decimal, currency: str) -> int:
    """An exact amount in the currency's minor units (the engine rounds every entry)."""
    minor = amount.scaleb(exponent(currency))
    if minor != minor.to_integral_value():
        raise ValueError(f"{amount} is not exact in {currency}")
    return int(minor)


def from_minor(minor: int, currency: str) -> Decimal:
    return Decimal(int(minor)).scaleb(-exponent(currency))


def aware(moment: datetime) -> datetime:
    """SQLite gives naive date-times back; they were stored in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def local_date(moment: datetime, zone: str) -> date:
    return aware(moment).astimezone(ZoneInfo(zone)).date()


def to_event(row: IncentiveEvent, zone: str) -> Event:
    """The engine's event for a stored fact, dated in the program's time zone `zone`."""
    recorded = aware(row.recorded_at)
    common: dict[str, Any] = {
        "id": row.key,
        "type": row.type,
        "event_date": local_date(recorded, zone),
        "recorded_at": recorded,
        "currency": row.currency,
    }
    if row.type == "adjustment":
        return Event(
            **common,
            beneficiary=row.beneficiary,
            amount=from_minor(row.net_minor, row.currency),
        )
    return Event(
        **common,
        channel=row.channel,
        distributor_id=row.distributor_id,
        ordering_partner_id=row.ordering_partner_id,
        subscription_id=row.subscription_id,
        event_kind=row.event_kind,
        term_index=row.term_index,
        product_id=row.product_id,
        category_path=tuple(row.category_path or ()),
        quantity=Decimal(row.quantity),
        net_amount=from_minor(row.net_minor, row.currency),
        refund_of=row.refund_of,
    )
