"""The rule forms as the page shows them: each field bound to its value and its errors,
and the editing buttons (add or remove a rule or a tier row) that work without script."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l

from channelfront.statements.rule_forms import (
    COMMON,
    KIND_LABELS,
    MAX_RULES,
    MAX_TIERS,
    PROGRAM,
    SCOPE_DAYS,
    SCOPE_LISTS,
    Spec,
    specs_of,
)
from channelfront.statements.rule_scopes import ScopeChoices
from incentives.model import RULE_KINDS

REMOVE_RULE = re.compile(r"^remove_rule-(\d{1,4})$")
ADD_TIER = re.compile(r"^add_tier-(\d{1,4})$")
REMOVE_TIER = re.compile(r"^remove_tier-(\d{1,4})-(\d{1,4})$")


@dataclass
class Bound:
    """One field on the page: its name (the document path with dashes), value and errors."""

    name: str
    label: Any
    help: Any
    widget: str
    value: Any
    choices: list[tuple[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass
class RuleView:
    index: int
    kind: str
    kind_label: Any
    common: list[Bound]
    own: list[Bound]
    tiers: list[tuple[Bound, Bound]] | None
    tier_errors: list[str]
    scope: list[Bound]
    errors: list[str]


def _bind(spec: Spec, name: str, values: dict[str, Any], errors: dict[str, list[str]]) -> Bound:
    return Bound(
        name,
        spec.label,
        spec.help,
        spec.widget,
        values.get(name, ""),
        list(spec.choices),
        errors.pop(name, []),
    )


def _scope(
    prefix: str, values: dict[str, Any], errors: dict[str, list[str]], choices: ScopeChoices
) -> list[Bound]:
    bound = []
    for key, label, help_text in SCOPE_LISTS:
        name = f"{prefix}scope-{key}"
        chosen = values.get(name) or []
        bound.append(
            Bound(
                name,
                label,
                help_text,
                "multi",
                chosen,
                choices.options(key, chosen),
                errors.pop(name, []),
            )
        )
        if key == "product_ids" and choices.groups:
            bound.append(
                Bound(
                    f"{prefix}scope-groups",
                    _l("Add the products of groups"),
                    _l("Saving adds each picked group's products to the products above."),
                    "multi",
                    [],
                    list(choices.groups),
                )
            )
    bound += [_bind(spec, prefix + spec.key, values, errors) for spec in SCOPE_DAYS]
    return bound


def _tiers(
    prefix: str, values: dict[str, Any], errors: dict[str, list[str]]
) -> list[tuple[Bound, Bound]]:
    rows = []
    number = 0
    while f"{prefix}tiers-{number}-from" in values or f"{prefix}tiers-{number}-rate" in values:
        start = Spec("from", _l("From"), _l("Volume where the tier starts."), "number")
        rate = Spec("rate", _l("Rate"), _l("A fraction: 0.02 is 2 %."), "number")
        rows.append(
            (
                _bind(start, f"{prefix}tiers-{number}-from", values, errors),
                _bind(rate, f"{prefix}tiers-{number}-rate", values, errors),
            )
        )
        number += 1
    return rows


def _leftovers(prefix: str, bound: list[Bound], errors: dict[str, list[str]]) -> list[str]:
    """Errors of a rule no field carries: put beside the first field of the object they
    name (``rules-0-growth`` beside the baseline), or else at the top of the rule."""
    rest: list[str] = []
    for name in [n for n in errors if n == prefix.rstrip("-") or n.startswith(prefix)]:
        messages = errors.pop(name)
        target = next((b for b in bound if b.name.startswith(name + "-")), None)
        if target is not None:
            target.errors += messages
        else:
            rest += messages
    return rest


def rule_view(
    index: int, values: dict[str, Any], errors: dict[str, list[str]], choices: ScopeChoices
) -> RuleView:
    prefix = f"rules-{index}-"
    kind = str(values.get(prefix + "kind", ""))
    common = [_bind(spec, prefix + spec.key, values, errors) for spec in COMMON]
    own = [_bind(spec, prefix + spec.key, values, errors) for spec in specs_of(kind)]
    tiers = _tiers(prefix, values, errors) if kind == "tiered_volume" else None
    tier_errors = errors.pop(prefix + "tiers", [])
    scope = _scope(prefix, values, errors, choices)
    rest = _leftovers(prefix, [*common, *own, *scope], errors)
    return RuleView(
        index, kind, KIND_LABELS.get(kind, kind), common, own, tiers, tier_errors, scope, rest
    )


def editor(
    values: dict[str, Any], errors: dict[str, list[str]], choices: ScopeChoices
) -> tuple[list[Bound], list[RuleView]]:
    """The program's fields and its rules, bound; the errors placed are taken out of `errors`."""
    program = [_bind(spec, spec.key, values, errors) for spec in PROGRAM]
    count = 0
    while f"rules-{count}-kind" in values:
        count += 1
    return program, [rule_view(i, values, errors, choices) for i in range(count)]


# -- the editing buttons ------------------------------------------------------------------------


def _starter(kind: str, number: int, beneficiary: str) -> dict[str, Any]:
    rule: dict[str, Any] = {"id": f"rule-{number}", "kind": kind, "beneficiary": beneficiary}
    if kind == "tiered_volume":
        rule["tiers"] = [{"from": "0", "rate": ""}]
    return rule


def apply_action(action: str, document: dict[str, Any], new_kind: str, beneficiary: str) -> bool:
    """Change the unsaved document as an editing button asks; False if `action` is none."""
    rules: list[dict[str, Any]] = document["rules"]
    if action == "add_rule":
        if new_kind in RULE_KINDS and len(rules) < MAX_RULES:
            rules.append(_starter(new_kind, len(rules) + 1, beneficiary))
        return True
    if match := REMOVE_RULE.match(action):
        index = int(match.group(1))
        if index < len(rules):
            rules.pop(index)
        return True
    if match := ADD_TIER.match(action):
        index = int(match.group(1))
        if index < len(rules) and len(rules[index].get("tiers", [])) < MAX_TIERS:
            rules[index].setdefault("tiers", []).append({"from": "", "rate": ""})
        return True
    if match := REMOVE_TIER.match(action):
        index, number = int(match.group(1)), int(match.group(2))
        tiers = rules[index].get("tiers", []) if index < len(rules) else []
        if number < len(tiers):
            tiers.pop(number)
        return True
    return False
