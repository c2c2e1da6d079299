"""Special price rules: per program tier, how far below the normal buy price a request
may go before a person decides it, and when the vendor's staff must decide too.

Distributor staff keep them on the storefront (``/partners/special-price-rules``); a
tier without a rule sends every request to a partner manager. Limits compare exactly
(integer arithmetic on the prices), never on a rounded percentage. Nothing commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from channelfront.accounts.models import User, UserKind
from channelfront.audit.service import record
from channelfront.extensions import db
from channelfront.i18n.formatting import Money
from channelfront.orders.errors import OrderInputError
from channelfront.pricing.models import Program
from channelfront.quotes import prices
from channelfront.quotes.models import SpecialPriceRule

#: Who keeps the rules (everyone on the distributor's staff may read them).
EDITOR_ROLES = ("distributor_admin", "partner_manager")
FIELDS = (
    "auto_max_discount_percent",
    "auto_max_line_total",
    "vendor_above_discount_percent",
    "vendor_above_line_total",
)


@dataclass(frozen=True)
class RuleInput:
    """A rule as typed: percentages ("12.5") and line totals in major units ("1500.00").

    Blank auto-approval limits are 0 (nothing is approved at once); blank vendor
    thresholds mean the vendor is never asked.
    """

    auto_max_discount_percent: object = ""
    auto_max_line_total: object = ""
    vendor_above_discount_percent: object = ""
    vendor_above_line_total: object = ""


@dataclass(frozen=True)
class RuleValues:
    auto_max_discount_bps: int
    auto_max_line_minor: int
    vendor_above_discount_bps: int | None
    vendor_above_line_minor: int | None


@dataclass(frozen=True)
class Outcome:
    """What a rule makes of a requested price: approved at once, or who must decide."""

    auto: bool
    needs_vendor: bool


def may_edit(actor: User) -> bool:
    return actor.kind == UserKind.DISTRIBUTOR and actor.role in EDITOR_ROLES


def _blank(raw: object) -> bool:
    return raw is None or str(raw).strip() == ""


def _percent(raw: object, field: str, optional: bool) -> int | None:
    if _blank(raw):
        return None if optional else 0
    return prices.parse_percent(raw, field, prices.MAX_DISCOUNT_BPS)


def _amount(raw: object, currency: str, field: str, optional: bool) -> int | None:
    if _blank(raw):
        return None if optional else 0
    return prices.parse_amount(raw, currency, field)


def validate(data: RuleInput, currency: str) -> RuleValues:
    """The rule in basis points and minor units; OrderInputError names the bad field."""
    auto_bps = _percent(data.auto_max_discount_percent, "auto_max_discount_percent", False)
    auto_line = _amount(data.auto_max_line_total, currency, "auto_max_line_total", False)
    vendor_bps = _percent(data.vendor_above_discount_percent, "vendor_above_discount_percent", True)
    vendor_line = _amount(data.vendor_above_line_total, currency, "vendor_above_line_total", True)
    assert auto_bps is not None
    assert auto_line is not None
    # A request approved at once never reaches the vendor, so a vendor threshold under
    # the auto-approval limit would say two things at once.
    if vendor_bps is not None and vendor_bps < auto_bps:
        raise OrderInputError(
            "vendor_above_discount_percent",
            _("The vendor's threshold cannot be below the auto-approval discount."),
        )
    if vendor_line is not None and vendor_line < auto_line:
        raise OrderInputError(
            "vendor_above_line_total",
            _("The vendor's threshold cannot be below the auto-approval line total."),
        )
    return RuleValues(auto_bps, auto_line, vendor_bps, vendor_line)


def rule_for(program_id: int | None) -> SpecialPriceRule | None:
    """The rule of one program tier on the active tenant."""
    if program_id is None:
        return None
    return db.session.scalar(
        select(SpecialPriceRule).where(SpecialPriceRule.program_id == program_id)
    )


def programs_with_rules() -> list[tuple[Program, SpecialPriceRule | None]]:
    """Every program tier of the active tenant, by name, with its rule if it has one."""
    programs = db.session.scalars(select(Program).order_by(Program.name, Program.id)).all()
    rules = {rule.program_id: rule for rule in db.session.scalars(select(SpecialPriceRule)).all()}
    return [(program, rules.get(program.id)) for program in programs]


def percent_text(bps: int | None) -> str:
    """Basis points as a form shows them: "12.5" for 1250, "" for none."""
    if bps is None:
        return ""
    text = f"{Decimal(bps).scaleb(-2):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def amount_text(minor: int | None, currency: str) -> str:
    """Minor units in major units as a form shows them ("1500.00", "1500" in JPY)."""
    return "" if minor is None else f"{Money(minor, currency).amount:f}"


def as_input(rule: SpecialPriceRule | None, currency: str) -> RuleInput:
    """A rule as its form shows it (blank fields for a tier without one)."""
    if rule is None:
        return RuleInput()
    return RuleInput(
        percent_text(rule.auto_max_discount_bps),
        amount_text(rule.auto_max_line_minor, currency),
        percent_text(rule.vendor_above_discount_bps),
        amount_text(rule.vendor_above_line_minor, currency),
    )


def rule_json(rule: SpecialPriceRule) -> dict[str, Any]:
    return {
        "program_id": rule.program_id,
        "auto_max_discount_bps": rule.auto_max_discount_bps,
        "auto_max_line_minor": rule.auto_max_line_minor,
        "vendor_above_discount_bps": rule.vendor_above_discount_bps,
        "vendor_above_line_minor": rule.vendor_above_line_minor,
    }


def save(program: Program, actor: User, data: RuleInput, currency: str) -> SpecialPriceRule:
    """Validate and write the program tier's rule, audited (no commit).

    Raises OrderInputError (nothing written) for a bad field and PermissionError when
    the actor may not keep rules.
    """
    if not may_edit(actor):
        raise PermissionError("only distributor administrators and partner managers keep rules")
    values = validate(data, currency)
    rule = rule_for(program.id)
    before = rule_json(rule) if rule is not None else None
    if rule is None:
        rule = SpecialPriceRule(tenant_id=program.tenant_id, program_id=program.id)
        db.session.add(rule)
    rule.auto_max_discount_bps = values.auto_max_discount_bps
    rule.auto_max_line_minor = values.auto_max_line_minor
    rule.vendor_above_discount_bps = values.vendor_above_discount_bps
    rule.vendor_above_line_minor = values.vendor_above_line_minor
    rule.updated_by = actor.id
    rule.updated_at = datetime.now(UTC)
    db.session.flush()
    record(
        "special_price_rule.created" if before is None else "special_price_rule.changed",
        rule,
        label=program.name,
        before=before,
        after=rule_json(rule),
        tenant_id=program.tenant_id,
        actor=actor,
    )
    return rule


def _cut_above(normal_minor: int, unit_minor: int, bps: int) -> bool:
    """True when ``unit_minor`` is more than ``bps`` below ``normal_minor`` (exactly)."""
    return (normal_minor - unit_minor) * 10000 > bps * normal_minor


def needs_vendor(
    rule: SpecialPriceRule | None, normal_minor: int, unit_minor: int, units: int
) -> bool:
    """True when a price this low, on this many units, must also be decided by the vendor."""
    if rule is None:
        return False
    line_minor = unit_minor * units
    by_discount = rule.vendor_above_discount_bps is not None and _cut_above(
        normal_minor, unit_minor, rule.vendor_above_discount_bps
    )
    by_total = (
        rule.vendor_above_line_minor is not None and line_minor > rule.vendor_above_line_minor
    )
    return by_discount or by_total


def evaluate(
    rule: SpecialPriceRule | None, normal_minor: int, unit_minor: int, units: int
) -> Outcome:
    """Approve at once, or route to the distributor (and the vendor above its threshold)."""
    vendor = needs_vendor(rule, normal_minor, unit_minor, units)
    if rule is None or vendor:
        return Outcome(auto=False, needs_vendor=vendor)
    within = not _cut_above(normal_minor, unit_minor, rule.auto_max_discount_bps) and (
        unit_minor * units <= rule.auto_max_line_minor
    )
    return Outcome(auto=within, needs_vendor=False)
