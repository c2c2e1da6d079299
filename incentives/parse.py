"""Documents of the simulation contract into the engine's dataclasses, or InputError."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from incentives.errors import InputError
from incentives.model import (
    BENEFICIARIES,
    RULE_KINDS,
    Caps,
    Event,
    Growth,
    Partner,
    Program,
    Renewal,
    Rule,
    Scope,
    Tier,
    Transfer,
)
from incentives.money import amount, check_currency, decimal
from incentives.periods import MONTHS

T = TypeVar("T")
SCOPE_LISTS = [
    "channels",
    "distributor_ids",
    "partner_ids",
    "partner_tiers",
    "product_ids",
    "category_ids",
    "exclude_product_ids",
    "exclude_category_ids",
    "event_kinds",
]
EVENT_TYPES = ("purchase", "refund", "adjustment")
EVENT_KINDS = ("new", "renewal", "expansion", "none")
CHANNELS = ("storefront", "direct")


class Reader:
    """Reads typed values out of one JSON object, naming the field on error."""

    def __init__(self, data: object, path: str, event: str | None = None) -> None:
        if not isinstance(data, Mapping):
            raise InputError(path, "must be an object", event)
        self.data = data
        self.path = path
        self.event = event

    def field(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def fail(self, name: str, message: str) -> InputError:
        return InputError(self.field(name), message, self.event)

    def get(self, name: str) -> Any:
        return self.data.get(name)

    def required(self, name: str) -> Any:
        value = self.data.get(name)
        if value is None:
            raise self.fail(name, "is required")
        return value

    def text(self, name: str, default: str | None = None) -> str:
        value = self.data.get(name)
        if value is None:
            if default is None:
                raise self.fail(name, "is required")
            return default
        if not isinstance(value, str) or not value:
            raise self.fail(name, f"{value!r} must be a non-empty string")
        return value

    def optional_text(self, name: str) -> str | None:
        return None if self.data.get(name) is None else self.text(name)

    def choice(self, name: str, choices: tuple[str, ...], default: str | None = None) -> str:
        value = self.text(name, default)
        if value not in choices:
            raise self.fail(name, f"{value!r} is not one of {', '.join(choices)}")
        return value

    def integer(self, name: str, default: int | None = None, minimum: int = 0) -> int:
        value = self.data.get(name)
        if value is None:
            if default is None:
                raise self.fail(name, "is required")
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(name, f"{value!r} must be an integer")
        if value < minimum:
            raise self.fail(name, f"{value} is below {minimum}")
        return value

    def optional_integer(self, name: str) -> int | None:
        return None if self.data.get(name) is None else self.integer(name)

    def number(self, name: str, minimum: Decimal | None = None) -> Decimal:
        value = decimal(self.required(name), self.field(name), self.event)
        if minimum is not None and value < minimum:
            raise self.fail(name, f"{value} is below {minimum}")
        return value

    def optional_number(self, name: str) -> Decimal | None:
        return None if self.data.get(name) is None else self.number(name, Decimal(0))

    def money(self, name: str, currency: str) -> Decimal:
        return amount(self.required(name), currency, self.field(name), self.event)

    def optional_money(self, name: str, currency: str) -> Decimal | None:
        return None if self.data.get(name) is None else self.money(name, currency)

    def day(self, name: str) -> date:
        value = self.required(name)
        try:
            if not isinstance(value, str) or len(value) != 10:
                raise ValueError
            return date.fromisoformat(value)
        except ValueError:
            raise self.fail(name, f"{value!r} is not a date (YYYY-MM-DD)") from None

    def optional_day(self, name: str) -> date | None:
        return None if self.data.get(name) is None else self.day(name)

    def strings(self, name: str) -> tuple[str, ...] | None:
        value = self.data.get(name)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(name, "must be a list of strings")
        return tuple(value)

    def objects(self, name: str, build: Callable[[Reader], T], required: bool = False) -> list[T]:
        value = self.data.get(name)
        if value is None and not required:
            return []
        if not isinstance(value, list):
            raise self.fail(name, "must be a list")
        return [
            build(Reader(item, f"{self.field(name)}[{i}]", self.event))
            for i, item in enumerate(value)
        ]


def program(data: object) -> Program:
    """The `program` object of the contract."""
    r = Reader(data, "program")
    currency = check_currency(r.required("settlement_currency"), r.field("settlement_currency"))
    zone = r.text("timezone", "UTC")
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise r.fail("timezone", f"{zone!r} is not a known time zone") from None
    rules = r.objects("rules", lambda rr: _rule(rr, currency), required=True)
    seen: set[str] = set()
    for index, rule in enumerate(rules):
        if rule.id in seen:
            raise InputError(f"program.rules[{index}].id", f"{rule.id!r} is used twice")
        seen.add(rule.id)
    return Program(
        id=r.text("id"),
        settlement_currency=currency,
        timezone=zone,
        statement_period=r.choice("statement_period", tuple(MONTHS), "quarterly"),
        grace_days=r.integer("grace_days", 0),
        min_payout=r.optional_money("min_payout", currency) or Decimal(0),
        negative_balance=r.choice(
            "negative_balance", ("carry_forward", "debit_note"), "carry_forward"
        ),
        rounding=r.choice("rounding", ("half_even", "half_up"), "half_even"),
        fx_rate_date=r.choice("fx_rate_date", ("event_date", "statement_date"), "event_date"),
        rules=tuple(rules),
    )


def _scope(r: Reader) -> Scope:
    known = set(SCOPE_LISTS) | {"valid_from", "valid_to"}
    for name in r.data:
        if name not in known:
            raise r.fail(str(name), "is not a scope key")
    lists = {name: r.strings(name) for name in SCOPE_LISTS}
    return Scope(
        **lists, valid_from=r.optional_day("valid_from"), valid_to=r.optional_day("valid_to")
    )


def _tiers(r: Reader) -> tuple[Tier, ...]:
    tiers = r.objects(
        "tiers",
        lambda t: Tier(t.number("from", Decimal(0)), t.number("rate", Decimal(0))),
        required=True,
    )
    if not tiers:
        raise r.fail("tiers", "needs at least one tier")
    for before, after in itertools.pairwise(tiers):
        if after.start <= before.start:
            raise r.fail("tiers", f"are out of order: {after.start} follows {before.start}")
    return tuple(tiers)


def _rule(r: Reader, currency: str) -> Rule:
    rule_id = r.text("id")
    kind = r.text("kind")
    if kind not in RULE_KINDS:
        raise r.fail("kind", f"{kind!r} is not a rule kind ({', '.join(RULE_KINDS)})")
    scope = r.get("scope")
    fields: dict[str, Any] = {
        "id": rule_id,
        "kind": kind,
        "beneficiary": r.choice("beneficiary", BENEFICIARIES),
        "scope": _scope(Reader(scope, r.field("scope"))) if scope is not None else Scope(),
        "exclusive_group": r.optional_text("exclusive_group"),
        "priority": r.integer("priority", 0, minimum=-(10**9)),
        "caps": _caps(Reader(r.get("caps"), r.field("caps")), currency)
        if r.get("caps") is not None
        else Caps(),
        "clawback_window_days": r.optional_integer("clawback_window_days"),
        "refund_volume_attribution": r.choice(
            "refund_volume_attribution", ("origin_period", "refund_period"), "origin_period"
        ),
    }
    if kind in ("percent_commission", "mdf_accrual", "growth"):
        fields["rate"] = r.number("rate", Decimal(0))
    if kind == "fixed_per_unit":
        fields["amount_per_unit"] = r.money("amount_per_unit", currency)
    if kind == "tiered_volume":
        fields["tiers"] = _tiers(r)
        fields["tier_method"] = r.choice("tier_method", ("retroactive", "marginal"), "retroactive")
        fields["tier_measure"] = r.choice("tier_measure", ("amount", "quantity"), "amount")
        fields["measure_cap"] = r.optional_number("measure_cap")
    if kind == "growth":
        fields["growth"] = _growth(Reader(r.required("growth"), r.field("growth")), currency)
    if kind == "renewal_commission":
        fields["renewal"] = _renewal(Reader(r.required("renewal"), r.field("renewal")))
    return Rule(**fields)


def _caps(r: Reader, currency: str) -> Caps:
    return Caps(
        per_line=r.optional_money("per_line", currency),
        per_period=r.optional_money("per_period", currency),
        lifetime=r.optional_money("lifetime", currency),
        per_promotion_units=r.optional_number("per_promotion_units"),
    )


def _growth(r: Reader, currency: str) -> Growth:
    baseline = r.choice("baseline", ("fixed", "same_period_prior_year"))
    return Growth(
        baseline=baseline,
        baseline_amount=r.money("baseline_amount", currency) if baseline == "fixed" else Decimal(0),
        min_growth=r.number("min_growth") if r.get("min_growth") is not None else Decimal(0),
        payout_basis=r.choice("payout_basis", ("incremental", "total"), "incremental"),
    )


def _renewal(r: Reader) -> Renewal:
    return Renewal(
        first_purchase_rate=r.number("first_purchase_rate", Decimal(0)),
        partner_renewal_rate=r.number("partner_renewal_rate", Decimal(0)),
        self_service_renewal_rate=r.number("self_service_renewal_rate", Decimal(0)),
        max_renewals=r.optional_integer("max_renewals"),
    )


def _history(r: Reader, name: str, key: str) -> tuple[tuple[date, str], ...]:
    items = r.objects(name, lambda h: (h.day("from"), h.text(key)))
    return tuple(sorted(items, key=lambda item: item[0]))


def partner(r: Reader) -> Partner:
    """One entry of `partners`."""
    return Partner(
        id=r.text("id"),
        kind=r.optional_text("kind"),
        tiers=_history(r, "tier_history", "tier"),
        statuses=_history(r, "status_history", "status"),
    )


def transfer(r: Reader) -> Transfer:
    """One entry of `partner_of_record_transfers`."""
    return Transfer(r.text("subscription_id"), r.day("from"), r.text("partner_id"))


def recorded_at(r: Reader) -> datetime | None:
    value = r.get("recorded_at")
    if value is None:
        return None
    try:
        if not isinstance(value, str):
            raise ValueError
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise r.fail("recorded_at", f"{value!r} is not an ISO 8601 date-time") from None
    if moment.tzinfo is None:
        raise r.fail("recorded_at", f"{value!r} needs a UTC offset")
    return moment


def event(data: object, index: int, settlement_currency: str) -> Event:
    """One entry of `events`."""
    r = Reader(data, f"events[{index}]")
    event_id = r.text("id")
    r = Reader(data, r.path, event_id)
    kind = r.choice("type", EVENT_TYPES)
    common: dict[str, Any] = {
        "id": event_id,
        "type": kind,
        "event_date": r.day("event_date"),
        "recorded_at": recorded_at(r),
    }
    if kind == "adjustment":
        return Event(
            **common,
            beneficiary=r.text("beneficiary"),
            amount=r.money("amount", settlement_currency),
            currency=settlement_currency,
        )
    currency = check_currency(r.required("currency"), r.field("currency"), event_id)
    event_kind = r.choice("event_kind", EVENT_KINDS, "none")
    term_index = r.integer("term_index", 0)
    if event_kind == "renewal" and term_index < 1:
        raise r.fail("term_index", "a renewal needs a term_index of 1 or more")
    quantity = r.number("quantity", Decimal(0))
    net_amount = r.money("net_amount", currency)
    if net_amount < 0:
        raise r.fail("net_amount", f"{net_amount} is negative (a refund carries a positive amount)")
    if kind == "refund" and quantity <= 0:
        raise r.fail("quantity", "a refund carries the positive quantity it refunds")
    if kind == "refund" and net_amount <= 0:
        raise r.fail("net_amount", "a refund carries the positive amount it refunds")
    categories = r.strings("category_path")
    return Event(
        **common,
        channel=r.choice("channel", CHANNELS, "storefront"),
        distributor_id=r.optional_text("distributor_id"),
        ordering_partner_id=r.optional_text("ordering_partner_id"),
        subscription_id=r.optional_text("subscription_id"),
        event_kind=event_kind,
        term_index=term_index,
        product_id=r.optional_text("product_id"),
        category_path=categories or (),
        quantity=quantity,
        net_amount=net_amount,
        currency=currency,
        refund_of=r.text("refund_of") if kind == "refund" else None,
    )


def fx_rate(r: Reader) -> tuple[str, str, date, Decimal]:
    """One entry of `fx_rates`: 1 base = rate quote from that date."""
    rate = r.number("rate")
    if rate <= 0:
        raise r.fail("rate", f"{rate} must be positive")
    return (
        check_currency(r.required("base"), r.field("base")),
        check_currency(r.required("quote"), r.field("quote")),
        r.day("date"),
        rate,
    )
