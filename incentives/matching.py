"""Which rules an event meets: beneficiaries, scopes and exclusive groups."""

from __future__ import annotations

from incentives.model import Event, Partner, Rule, Scope


def beneficiary(rule: Rule, event: Event, partner_of_record: str | None) -> str | None:
    """Who a rule pays for this event, or None (a direct sale pays no distributor)."""
    if rule.beneficiary == "distributor":
        return event.distributor_id if event.channel == "storefront" else None
    if rule.beneficiary == "ordering_partner":
        return event.ordering_partner_id
    if event.subscription_id is None:
        return event.ordering_partner_id
    return partner_of_record


def takes_record(event: Event, partner_of_record: str | None) -> str | None:
    """The partner a purchase makes its subscription's partner of record, or None.

    The ordering partner of a renewal, or of the first sale (new or expansion) of a
    subscription that has no partner of record yet.
    """
    if not (event.subscription_id and event.ordering_partner_id):
        return None
    first = event.event_kind in ("new", "expansion") and partner_of_record is None
    return event.ordering_partner_id if first or event.event_kind == "renewal" else None


def _within(values: tuple[str, ...] | None, value: str | None) -> bool:
    return values is None or value in values


def matches(scope: Scope, event: Event, beneficiary: str, partner: Partner | None) -> bool:
    """True when every key present in the scope matches the event and beneficiary."""
    day = event.event_date
    tier = partner.tier_on(day) if partner else None
    path = set(event.category_path)
    return (
        _within(scope.channels, event.channel)
        and _within(scope.distributor_ids, event.distributor_id)
        and _within(scope.partner_ids, beneficiary)
        and _within(scope.partner_tiers, tier)
        and _within(scope.product_ids, event.product_id)
        and (scope.category_ids is None or bool(path.intersection(scope.category_ids)))
        and not (scope.exclude_product_ids and event.product_id in scope.exclude_product_ids)
        and not (scope.exclude_category_ids and path.intersection(scope.exclude_category_ids))
        and _within(scope.event_kinds, event.event_kind)
        and (scope.valid_from is None or day >= scope.valid_from)
        and (scope.valid_to is None or day <= scope.valid_to)
    )


def _specificity(rule: Rule, event: Event) -> tuple[int, int, int, int]:
    scope = rule.scope
    if scope.product_ids:
        product, depth = 2, 0
    elif scope.category_ids:
        depth = max(i for i, c in enumerate(event.category_path) if c in scope.category_ids)
        product = 1
    else:
        product, depth = 0, 0
    partner = 2 if scope.partner_ids else 1 if scope.partner_tiers else 0
    return product, depth, partner, rule.priority


def winners(candidates: list[tuple[Rule, str]], event: Event) -> list[tuple[Rule, str]]:
    """Keep, per exclusive group, only the most specific matching rule; others stack."""
    best: dict[str, int] = {}
    for index, (rule, _) in enumerate(candidates):
        group = rule.exclusive_group
        if group is not None and (
            group not in best or _beats(rule, candidates[best[group]][0], event)
        ):
            best[group] = index
    keep = set(best.values())
    return [
        pair
        for index, pair in enumerate(candidates)
        if pair[0].exclusive_group is None or index in keep
    ]


def _beats(rule: Rule, other: Rule, event: Event) -> bool:
    mine, theirs = _specificity(rule, event), _specificity(other, event)
    return mine > theirs or (mine == theirs and rule.id < other.id)
