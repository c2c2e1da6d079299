"""Incentive programs edited with forms: the fields of each rule kind, and the way between
a program document and flat form fields.

A field's name is its document path written with dashes (``rules[0].tiers[1].from`` is
``rules-0-tiers-1-from``), so an error of the schema lands beside the field it names.
The document built here goes through the same check as the JSON editor
(`programs.save_draft`); nothing here decides what is valid.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from incentives.model import RULE_KINDS

WHOLE = re.compile(r"^-?\d{1,15}$")
INDEX = re.compile(r"^rules-(\d{1,4})-kind$")
MAX_RULES = 200
MAX_TIERS = 50


@dataclass(frozen=True)
class Spec:
    """One labelled field: `widget` is text, number, whole, choice or day."""

    key: str
    label: Any
    help: Any
    widget: str = "text"
    choices: tuple[tuple[str, Any], ...] = ()


def _c(*pairs: tuple[str, Any]) -> tuple[tuple[str, Any], ...]:
    return pairs


KIND_LABELS = {
    "percent_commission": _l("Percent commission"),
    "tiered_volume": _l("Tiered volume rebate"),
    "fixed_per_unit": _l("Fixed amount per unit"),
    "mdf_accrual": _l("Market development funds"),
    "renewal_commission": _l("Renewal commission"),
    "growth": _l("Growth bonus"),
}

PROGRAM = (
    Spec("timezone", _l("Time zone"), _l("Event dates and periods follow it, e.g. Europe/Berlin.")),
    Spec(
        "statement_period",
        _l("Statement period"),
        _l("How often a statement closes."),
        "choice",
        _c(
            ("monthly", _l("Monthly")),
            ("quarterly", _l("Quarterly")),
            ("semiannual", _l("Every half year")),
            ("annual", _l("Yearly")),
        ),
    ),
    Spec("grace_days", _l("Grace days"), _l("Days after a period ends before it closes."), "whole"),
    Spec(
        "min_payout",
        _l("Minimum payout"),
        _l("A smaller balance carries to the next period. An amount such as 50.00."),
        "number",
    ),
    Spec(
        "negative_balance",
        _l("Negative balance"),
        _l("What happens when clawbacks exceed earnings in a period."),
        "choice",
        _c(("carry_forward", _l("Carry it forward")), ("debit_note", _l("Issue a debit note"))),
    ),
    Spec(
        "rounding",
        _l("Rounding"),
        _l("How each entry is rounded to the currency's minor unit."),
        "choice",
        _c(("half_even", _l("Half to even (banker's)")), ("half_up", _l("Half up"))),
    ),
    Spec(
        "fx_rate_date",
        _l("Exchange rate date"),
        _l("Which day's rate converts other currencies. Published programs use the event date."),
        "choice",
        _c(("event_date", _l("The event date")), ("statement_date", _l("The statement date"))),
    ),
)

COMMON = (
    Spec("id", _l("Rule id"), _l("Letters, digits and _ . : - ; statement lines name the rule.")),
    Spec(
        "beneficiary",
        _l("Who earns"),
        _l("The partner credited with what the rule earns."),
        "choice",
        _c(
            ("distributor", _l("The distributor")),
            ("ordering_partner", _l("The ordering reseller")),
            ("originating_partner", _l("The reseller who made the first sale")),
        ),
    ),
    Spec(
        "exclusive_group",
        _l("Exclusive group"),
        _l("Of rules sharing a group, only the first that matches a sale pays. Optional."),
    ),
    Spec("priority", _l("Priority"), _l("Higher goes first within a group. Optional."), "whole"),
    Spec(
        "clawback_window_days",
        _l("Clawback window (days)"),
        _l("A refund within this many days takes the earning back. Empty: always."),
        "whole",
    ),
    Spec(
        "refund_volume_attribution",
        _l("Refunded volume counts in"),
        _l("For volume and growth rules: the period a refund lowers."),
        "choice",
        _c(
            ("origin_period", _l("The period of the sale")),
            ("refund_period", _l("The period of the refund")),
        ),
    ),
)

RATE = Spec("rate", _l("Rate"), _l("A fraction: 0.05 is 5 %."), "number")
BY_KIND: dict[str, tuple[Spec, ...]] = {
    "percent_commission": (RATE,),
    "mdf_accrual": (RATE,),
    "fixed_per_unit": (
        Spec(
            "amount_per_unit",
            _l("Amount per unit"),
            _l("In the settlement currency, e.g. 2.50."),
            "number",
        ),
    ),
    "tiered_volume": (
        Spec(
            "tier_method",
            _l("Tier method"),
            _l(
                "Retroactive: the tier reached pays on all volume. "
                "Marginal: each slice at its own rate."
            ),
            "choice",
            _c(("retroactive", _l("Retroactive")), ("marginal", _l("Marginal"))),
        ),
        Spec(
            "tier_measure",
            _l("Volume measured as"),
            _l("Tier thresholds count sales amounts or units."),
            "choice",
            _c(("amount", _l("Sales amount")), ("quantity", _l("Units"))),
        ),
        Spec(
            "measure_cap",
            _l("Volume cap"),
            _l("Volume above this does not count. Optional."),
            "number",
        ),
    ),
    "growth": (
        RATE,
        Spec(
            "growth-baseline",
            _l("Baseline"),
            _l("What growth is measured against."),
            "choice",
            _c(
                ("fixed", _l("A fixed amount")),
                ("same_period_prior_year", _l("The same period a year earlier")),
            ),
        ),
        Spec(
            "growth-baseline_amount",
            _l("Baseline amount"),
            _l("Only for a fixed baseline, e.g. 10000.00."),
            "number",
        ),
        Spec(
            "growth-min_growth",
            _l("Minimum growth"),
            _l("A fraction: 0.10 pays only once growth reaches 10 percent. Optional."),
            "number",
        ),
        Spec(
            "growth-payout_basis",
            _l("Pay on"),
            _l("The rate applies to the growth only, or to the whole volume."),
            "choice",
            _c(("incremental", _l("The growth")), ("total", _l("The whole volume"))),
        ),
    ),
    "renewal_commission": (
        Spec(
            "renewal-first_purchase_rate",
            _l("First purchase rate"),
            _l("A fraction of the first term's sale."),
            "number",
        ),
        Spec(
            "renewal-partner_renewal_rate",
            _l("Rate when a reseller renews"),
            _l("A fraction of the renewal."),
            "number",
        ),
        Spec(
            "renewal-self_service_renewal_rate",
            _l("Rate when the customer renews alone"),
            _l("A fraction of the renewal, paid to the originating reseller."),
            "number",
        ),
        Spec(
            "renewal-max_renewals",
            _l("Renewals paid"),
            _l("How many renewals earn. Empty: every renewal."),
            "whole",
        ),
    ),
}

CAPS = (
    Spec("caps-per_line", _l("Cap per order line"), _l("An amount. Optional."), "number"),
    Spec("caps-per_period", _l("Cap per period"), _l("An amount. Optional."), "number"),
    Spec("caps-lifetime", _l("Lifetime cap"), _l("An amount. Optional."), "number"),
    Spec(
        "caps-per_promotion_units",
        _l("Units per promotion"),
        _l("Units that earn at most. Optional."),
        "number",
    ),
)

SCOPE_LISTS = (
    ("category_ids", _l("Categories"), _l("Only sales in these categories. None: all.")),
    ("product_ids", _l("Products"), _l("Only these products. None: all.")),
    ("partner_tiers", _l("Partner tiers"), _l("Only resellers in these programs. None: all.")),
    ("partner_ids", _l("Resellers"), _l("Only these resellers. None: all.")),
    ("distributor_ids", _l("Distributors"), _l("Only sales through these distributors.")),
    ("channels", _l("Channels"), _l("Storefront or direct sales. None: both.")),
    ("event_kinds", _l("Sale kinds"), _l("New, renewal, expansion. None: all.")),
    ("exclude_category_ids", _l("Except categories"), _l("Sales in these never match.")),
    ("exclude_product_ids", _l("Except products"), _l("These products never match.")),
)
SCOPE_DAYS = (
    Spec("scope-valid_from", _l("Valid from"), _l("First day of sales that count."), "day"),
    Spec("scope-valid_to", _l("Valid to"), _l("Last day of sales that count."), "day"),
)
INTEGER_KEYS = {
    "grace_days",
    "priority",
    "clawback_window_days",
    "renewal-max_renewals",
}


def field_name(path: str) -> str:
    """The form field of a document path: ``rules[0].tiers[1].from`` -> ``rules-0-tiers-1-from``."""
    return re.sub(r"\[(\d+)\]", r"-\1", path).replace(".", "-")


def specs_of(kind: str) -> tuple[Spec, ...]:
    """The kind's own fields, then the caps (common fields and scope come apart)."""
    return (*BY_KIND.get(kind, ()), *CAPS)


# -- document -> form ---------------------------------------------------------------------------


def _put(values: dict[str, Any], name: str, value: Any) -> None:
    if isinstance(value, list):
        values[name] = [str(v) for v in value]
    elif value is not None:
        values[name] = str(value)


def values_of(document: Mapping[str, Any]) -> dict[str, Any]:
    """The form's values for a program document: text per field, a list per scope list."""
    values: dict[str, Any] = {}
    for spec in PROGRAM:
        _put(values, spec.key, document.get(spec.key))
    for index, rule in enumerate(document.get("rules") or []):
        if isinstance(rule, Mapping):
            values.update(_rule_values(f"rules-{index}-", rule))
    return values


def _rule_values(prefix: str, rule: Mapping[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    _put(values, prefix + "kind", rule.get("kind"))
    for spec in (*COMMON, *specs_of(str(rule.get("kind")))):
        head, _dash, tail = spec.key.partition("-")
        value = rule.get(head)
        if tail:
            value = value.get(tail) if isinstance(value, Mapping) else None
        _put(values, prefix + spec.key, value)
    for number, tier in enumerate(rule.get("tiers") or []):
        if isinstance(tier, Mapping):
            _put(values, f"{prefix}tiers-{number}-from", tier.get("from"))
            _put(values, f"{prefix}tiers-{number}-rate", tier.get("rate"))
    scope = rule.get("scope")
    if isinstance(scope, Mapping):
        for key, _label, _help in SCOPE_LISTS:
            _put(values, f"{prefix}scope-{key}", scope.get(key))
        for spec in SCOPE_DAYS:
            _put(values, prefix + spec.key, scope.get(spec.key.removeprefix("scope-")))
    return values


# -- form -> document ---------------------------------------------------------------------------


def _text(form: Mapping[str, Any], name: str) -> str | None:
    raw = form.get(name)
    value = raw.strip() if isinstance(raw, str) else ""
    return value or None


def _typed(key: str, value: str) -> Any:
    # A whole number is a JSON integer in the contract; anything else goes through as
    # written so the schema names the field and says what is wrong.
    return int(value) if key in INTEGER_KEYS and WHOLE.match(value) else value


def rule_indexes(form: Mapping[str, Any]) -> list[int]:
    """The rules the form holds, in their order."""
    found = {int(m.group(1)) for name in form if (m := INDEX.match(name))}
    return sorted(found)[:MAX_RULES]


def tier_indexes(form: Mapping[str, Any], prefix: str) -> list[int]:
    pattern = re.compile(re.escape(prefix) + r"tiers-(\d{1,4})-(from|rate)$")
    return sorted({int(m.group(1)) for name in form if (m := pattern.match(name))})[:MAX_TIERS]


def document_of(
    form: Any, currency: str, expand: Mapping[str, list[str]], keep_blank: bool = False
) -> dict[str, Any]:
    """The program document the form describes (unchecked); `form` is a MultiDict.

    `expand` maps a product group to its products: a group picked in a scope adds them.
    Blank tier rows are left out, unless `keep_blank` (the page is shown again to edit).
    """
    document: dict[str, Any] = {"settlement_currency": currency}
    for spec in PROGRAM:
        value = _text(form, spec.key)
        if value is not None:
            document[spec.key] = _typed(spec.key, value)
    # The engine's default, written out: the simulation reads the time zone directly.
    document.setdefault("timezone", "UTC")
    document["rules"] = [
        _rule_of(form, f"rules-{index}-", expand, keep_blank) for index in rule_indexes(form)
    ]
    return document


def _rule_of(
    form: Any, prefix: str, expand: Mapping[str, list[str]], keep_blank: bool
) -> dict[str, Any]:
    kind = _text(form, prefix + "kind") or ""
    rule: dict[str, Any] = {"kind": kind}
    for spec in (*COMMON, *specs_of(kind)):
        value = _text(form, prefix + spec.key)
        if value is None:
            continue
        head, _dash, tail = spec.key.partition("-")
        if tail:
            rule.setdefault(head, {})[tail] = _typed(spec.key, value)
        else:
            rule[head] = _typed(spec.key, value)
    if kind == "tiered_volume":
        rule["tiers"] = _tiers_of(form, prefix, keep_blank)
    rule["scope"] = _scope_of(form, prefix, expand)
    return rule


def _tiers_of(form: Any, prefix: str, keep_blank: bool) -> list[dict[str, Any]]:
    tiers = []
    for number in tier_indexes(form, prefix):
        start = _text(form, f"{prefix}tiers-{number}-from")
        rate = _text(form, f"{prefix}tiers-{number}-rate")
        if keep_blank or start is not None or rate is not None:
            tiers.append({"from": start or "", "rate": rate or ""})
    return tiers


def _scope_of(form: Any, prefix: str, expand: Mapping[str, list[str]]) -> dict[str, Any]:
    scope: dict[str, Any] = {}
    for key, _label, _help in SCOPE_LISTS:
        picked = [v.strip() for v in form.getlist(f"{prefix}scope-{key}") if v.strip()]
        if key == "product_ids":
            for group in form.getlist(f"{prefix}scope-groups"):
                picked += [sku for sku in expand.get(group, []) if sku not in picked]
        if picked:
            scope[key] = list(dict.fromkeys(picked))
    for spec in SCOPE_DAYS:
        value = _text(form, prefix + spec.key)
        if value is not None:
            scope[spec.key.removeprefix("scope-")] = value
    return scope


def kind_choices() -> list[tuple[str, Any]]:
    return [(kind, KIND_LABELS[kind]) for kind in RULE_KINDS]
