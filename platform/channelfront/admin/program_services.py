"""Partner programs of a tenant and their rules.

Programs and rules are tenant-owned; the console runs unscoped, so each new row
takes its ``tenant_id`` from the program or tenant it belongs to. The caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from channelfront.admin.inputs import InvalidInput, percent_to_bps
from channelfront.audit.service import record
from channelfront.catalog.models import Category, Product, ProductGroup
from channelfront.extensions import db
from channelfront.pricing.models import Program, ProgramRule
from channelfront.tenancy.manifests import SLUG
from channelfront.tenancy.models import Tenant
from channelfront.web.params import parse_whole

MAX_NAME = 120
MAX_PROTECTION_DAYS = 730
END_CUSTOMER_CHOICES: dict[str, bool | None] = {"": None, "required": True, "optional": False}


@dataclass(frozen=True)
class RuleTarget:
    """Exactly one of a category, a product group or a SKU."""

    category_id: int | None = None
    group_id: int | None = None
    sku: str | None = None


def create_program(tenant: Tenant, slug: str, name: str) -> Program:
    """Add a partner program (e.g. Gold) to a tenant."""
    errors: dict[str, str] = {}
    slug = slug.strip()
    name = " ".join(name.split())
    if not SLUG.match(slug):
        errors["slug"] = _(
            "Use 2 to 40 lowercase letters, digits and dashes, starting with a letter."
        )
    elif (
        db.session.scalar(
            select(Program.id).where(Program.tenant_id == tenant.id, Program.slug == slug)
        )
        is not None
    ):
        errors["slug"] = _(
            "%(tenant)s already has a program “%(slug)s”.", tenant=tenant.name, slug=slug
        )
    if not name:
        errors["name"] = _("Enter the program's name.")
    elif len(name) > MAX_NAME:
        errors["name"] = _("Use at most %(num)d characters.", num=MAX_NAME)
    if errors:
        raise InvalidInput(errors)
    program = Program(tenant_id=tenant.id, slug=slug, name=name)
    db.session.add(program)
    db.session.flush()
    return program


def _resolve_target(target: RuleTarget, errors: dict[str, str]) -> dict[str, int]:
    """The rule's one target column and id, or an error on the field that was wrong."""
    sku = (target.sku or "").strip().upper()
    chosen = [t for t in (target.category_id, target.group_id) if t is not None]
    if len(chosen) + bool(sku) != 1:
        errors["target"] = _("Choose a category or a product group, or enter a SKU: exactly one.")
        return {}
    if sku:
        product_id = db.session.scalar(select(Product.id).where(Product.sku == sku))
        if product_id is None:
            errors["sku"] = _("There is no product with SKU %(sku)s.", sku=sku[:40])
            return {}
        return {"product_id": product_id}
    if target.category_id is not None:
        if db.session.get(Category, target.category_id) is None:
            errors["target"] = _("Choose a category or a product group from the list.")
            return {}
        return {"category_id": target.category_id}
    if db.session.get(ProductGroup, target.group_id) is None:
        errors["target"] = _("Choose a category or a product group from the list.")
        return {}
    return {"group_id": target.group_id}  # type: ignore[dict-item]


def _rule_target(rule: ProgramRule) -> str:
    if rule.product_id is not None:
        return db.session.get_one(Product, rule.product_id).sku
    if rule.category_id is not None:
        return db.session.get_one(Category, rule.category_id).slug
    return db.session.get_one(ProductGroup, rule.group_id).name


def _rule_values(rule: ProgramRule) -> dict[str, object]:
    program = db.session.get_one(Program, rule.program_id)
    return {
        "program": program.name,
        "target": _rule_target(rule),
        "discount_bps": rule.discount_bps,
    }


def _record_rule(action: str, rule: ProgramRule, before: dict | None, after: dict | None) -> None:
    values = before or after or {}
    label = f"{values.get('program')}: {values.get('target')}"
    record(action, rule, label=label, before=before, after=after, tenant_id=rule.tenant_id)


def add_rule(program: Program, target: RuleTarget, discount: str) -> ProgramRule:
    """Authorize a category, product group or product in a program at a discount in percent."""
    errors: dict[str, str] = {}
    column = _resolve_target(target, errors)
    bps = 0
    try:
        bps = percent_to_bps(discount)
    except ValueError as exc:
        errors["discount"] = str(exc)
    if column:
        ((key, value),) = column.items()
        duplicate = select(ProgramRule.id).where(
            ProgramRule.program_id == program.id, getattr(ProgramRule, key) == value
        )
        if db.session.scalar(duplicate) is not None:
            errors["target"] = _(
                "%(program)s already has a rule for this; remove it first.", program=program.name
            )
    if errors:
        raise InvalidInput(errors)
    rule = ProgramRule(
        tenant_id=program.tenant_id, program_id=program.id, discount_bps=bps, **column
    )
    db.session.add(rule)
    db.session.flush()
    _record_rule("program_rule.added", rule, None, _rule_values(rule))
    return rule


def remove_rule(rule: ProgramRule) -> None:
    """Withdraw one rule from its program."""
    _record_rule("program_rule.removed", rule, _rule_values(rule), None)
    db.session.delete(rule)
    db.session.flush()


def _settings_values(program: Program) -> dict[str, object]:
    return {
        "require_end_customer": program.require_end_customer,
        "deal_protection_days": program.deal_protection_days,
    }


def update_program_settings(program: Program, end_customer: str, protection_days: str) -> Program:
    """Set whether the program's orders must name an end customer ("" = as the tenant,
    "required", "optional") and how many days an approved deal protects the reseller.

    Raises InvalidInput naming every bad field; the change is audited.
    """
    errors: dict[str, str] = {}
    if end_customer not in END_CUSTOMER_CHOICES:
        errors["require_end_customer"] = _("Choose as the tenant, required or optional.")
    days = parse_whole(protection_days, minimum=1, maximum=MAX_PROTECTION_DAYS)
    if days is None:
        errors["deal_protection_days"] = _(
            "Enter a whole number of days from 1 to %(max)d.", max=MAX_PROTECTION_DAYS
        )
    if errors:
        raise InvalidInput(errors)
    before = _settings_values(program)
    program.require_end_customer = END_CUSTOMER_CHOICES[end_customer]
    program.deal_protection_days = days  # type: ignore[assignment]
    after = _settings_values(program)
    if after != before:
        label = f"{program.name} ({program.slug})"
        record(
            "program.settings_changed",
            program,
            label=label,
            before=before,
            after=after,
            tenant_id=program.tenant_id,
        )
    db.session.flush()
    return program
