"""The engine's inputs as frozen dataclasses; parse.py builds them from documents."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

TRANSACTION_KINDS = ("percent_commission", "fixed_per_unit", "renewal_commission", "mdf_accrual")
AGGREGATE_KINDS = ("tiered_volume", "growth")
RULE_KINDS = TRANSACTION_KINDS + AGGREGATE_KINDS
BENEFICIARIES = ("distributor", "ordering_partner", "originating_partner")


@dataclass(frozen=True)
class Scope:
    """What a rule matches; an empty tuple or None means 'any'."""

    channels: tuple[str, ...] | None = None
    distributor_ids: tuple[str, ...] | None = None
    partner_ids: tuple[str, ...] | None = None
    partner_tiers: tuple[str, ...] | None = None
    product_ids: tuple[str, ...] | None = None
    category_ids: tuple[str, ...] | None = None
    exclude_product_ids: tuple[str, ...] | None = None
    exclude_category_ids: tuple[str, ...] | None = None
    event_kinds: tuple[str, ...] | None = None
    valid_from: date | None = None
    valid_to: date | None = None


@dataclass(frozen=True)
class Tier:
    start: Decimal
    rate: Decimal


@dataclass(frozen=True)
class Caps:
    per_line: Decimal | None = None
    per_period: Decimal | None = None
    lifetime: Decimal | None = None
    per_promotion_units: Decimal | None = None


@dataclass(frozen=True)
class Growth:
    baseline: str
    baseline_amount: Decimal
    min_growth: Decimal
    payout_basis: str


@dataclass(frozen=True)
class Renewal:
    first_purchase_rate: Decimal
    partner_renewal_rate: Decimal
    self_service_renewal_rate: Decimal
    max_renewals: int | None


@dataclass(frozen=True)
class Rule:
    """One rule of a program; the fields of other kinds stay None."""

    id: str
    kind: str
    beneficiary: str
    scope: Scope = field(default_factory=Scope)
    exclusive_group: str | None = None
    priority: int = 0
    rate: Decimal | None = None
    amount_per_unit: Decimal | None = None
    tiers: tuple[Tier, ...] = ()
    tier_method: str = "retroactive"
    tier_measure: str = "amount"
    measure_cap: Decimal | None = None
    growth: Growth | None = None
    renewal: Renewal | None = None
    caps: Caps = field(default_factory=Caps)
    clawback_window_days: int | None = None
    refund_volume_attribution: str = "origin_period"

    @property
    def aggregate(self) -> bool:
        return self.kind in AGGREGATE_KINDS

    @property
    def fund(self) -> bool:
        return self.kind == "mdf_accrual"


@dataclass(frozen=True)
class Program:
    id: str
    settlement_currency: str
    timezone: str
    statement_period: str
    grace_days: int
    min_payout: Decimal
    negative_balance: str
    rounding: str
    fx_rate_date: str
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class Partner:
    """A partner's dated tier and status changes, oldest first."""

    id: str
    kind: str | None = None
    tiers: tuple[tuple[date, str], ...] = ()
    statuses: tuple[tuple[date, str], ...] = ()

    def tier_on(self, day: date) -> str | None:
        """The tier on `day`: the latest change on or before it."""
        return _latest(self.tiers, day)

    def active_on(self, day: date) -> bool:
        """Whether the partner is active on `day` (no history means active)."""
        return (_latest(self.statuses, day) or "active") == "active"


def _latest(history: tuple[tuple[date, str], ...], day: date) -> str | None:
    value = None
    for start, item in history:
        if start <= day:
            value = item
    return value


@dataclass(frozen=True)
class Transfer:
    subscription_id: str
    start: date
    partner_id: str


@dataclass(frozen=True)
class Event:
    """A purchase, a refund (of `refund_of`) or a manual adjustment."""

    id: str
    type: str
    event_date: date
    recorded_at: datetime | None = None
    channel: str = "storefront"
    distributor_id: str | None = None
    ordering_partner_id: str | None = None
    subscription_id: str | None = None
    event_kind: str = "none"
    term_index: int = 0
    product_id: str | None = None
    category_path: tuple[str, ...] = ()
    quantity: Decimal = Decimal(0)
    net_amount: Decimal = Decimal(0)
    currency: str = ""
    refund_of: str | None = None
    beneficiary: str | None = None
    amount: Decimal = Decimal(0)
