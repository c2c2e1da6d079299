"""Partner programs declared in a tenant manifest, upserted for that tenant."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from channelfront.catalog.models import Category, Product, ProductGroup
from channelfront.extensions import db
from channelfront.pricing.models import Program, ProgramRule
from channelfront.tenancy.manifests import ManifestError
from channelfront.tenancy.models import Tenant

TARGETS = {"category": Category.slug, "group": ProductGroup.slug, "sku": Product.sku}


def percent_to_bps(value: object, where: str) -> int:
    """'12.5' -> 1250; refuse anything that is not 0 to 100 with at most two decimals."""
    try:
        number = Decimal(str(value))
    except InvalidOperation as exc:
        raise ManifestError(f"{where}: discount '{value}' is not a number") from exc
    bps = number * 100
    if not number.is_finite() or bps != bps.to_integral_value() or not 0 <= number <= 100:
        raise ManifestError(f"{where}: discount must be 0 to 100 with at most two decimals")
    return int(bps)


def _target_id(rule: dict, where: str) -> tuple[str, int]:
    keys = [k for k in TARGETS if k in rule]
    if len(keys) != 1:
        raise ManifestError(f"{where}: a rule names exactly one of category, group or sku")
    key = keys[0]
    column = TARGETS[key]
    target = db.session.scalar(select(column.class_.id).where(column == str(rule[key])))
    if target is None:
        raise ManifestError(f"{where}: unknown {key} '{rule[key]}'")
    return key, target


def sync_programs(tenant: Tenant, programs: list[dict]) -> None:
    """Replace the rules of each declared program of the tenant (no commit)."""
    for index, data in enumerate(programs):
        where = f"{tenant.slug} programs[{index}]"
        slug = str(data.get("slug", ""))
        if not slug:
            raise ManifestError(f"{where}: missing field 'slug'")
        program = db.session.scalar(
            select(Program).where(Program.tenant_id == tenant.id, Program.slug == slug)
        )
        if program is None:
            program = Program(tenant_id=tenant.id, slug=slug)
            db.session.add(program)
        program.name = str(data.get("name", slug))
        rules = []
        for number, rule in enumerate(data.get("rules", [])):
            rule_where = f"{where}.rules[{number}]"
            key, target = _target_id(rule, rule_where)
            column = {"category": "category_id", "group": "group_id", "sku": "product_id"}[key]
            bps = percent_to_bps(rule.get("discount", 0), rule_where)
            rules.append(ProgramRule(tenant_id=tenant.id, discount_bps=bps, **{column: target}))
        program.rules = rules
