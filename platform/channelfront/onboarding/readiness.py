"""The readiness checklist a draft tenant passes (or waives) before it goes live.

Services flush but do not commit; the caller commits (``admin.tenant_services.publish``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select
from sqlalchemy.orm.attributes import flag_modified

from channelfront.accounts.models import User, UserKind
from channelfront.admin.inputs import InvalidInput
from channelfront.audit.service import record
from channelfront.catalog.models import ListPrice, Product
from channelfront.extensions import db
from channelfront.pricing.models import Program
from channelfront.tenancy.models import Tenant, TenantStatus
from channelfront.theming.contrast import failing_pairs
from channelfront.theming.stored import look_of

CHECKS = ("prices", "program", "staff", "contrast")
MAX_REASON = 500


@dataclass(frozen=True)
class Check:
    """One line of the checklist: passed, waived (with its reason) or failing."""

    key: str
    label: str
    passed: bool
    detail: str
    waiver: dict | None = None

    @property
    def ok(self) -> bool:
        return self.passed or self.waiver is not None


def tenant_colors(tenant: Tenant) -> dict[str, str]:
    """The tenant's theme colours with its own primary/accent overrides."""
    themes_dir = current_app.config["THEMES_DIR"]
    colors = dict(look_of(themes_dir, tenant.theme, tenant.vendor_id).colors)
    if tenant.primary_color:
        colors["primary"] = tenant.primary_color
    if tenant.accent_color:
        colors["accent"] = tenant.accent_color
    return colors


def unpriced_count(tenant: Tenant) -> int:
    """How many active products have no list price in the tenant's currency."""
    priced = select(ListPrice.product_id).where(ListPrice.currency == tenant.currency)
    return (
        db.session.scalar(
            select(func.count(Product.id)).where(
                Product.active.is_(True), Product.id.not_in(priced)
            )
        )
        or 0
    )


def _prices(tenant: Tenant) -> tuple[bool, str]:
    missing = unpriced_count(tenant)
    if not missing:
        return True, _(
            "Every active product has a list price in %(currency)s.", currency=tenant.currency
        )
    return False, ngettext(
        "%(num)d active product has no list price in %(currency)s.",
        "%(num)d active products have no list price in %(currency)s.",
        missing,
        currency=tenant.currency,
    )


def _program(tenant: Tenant) -> tuple[bool, str]:
    count = (
        db.session.scalar(select(func.count(Program.id)).where(Program.tenant_id == tenant.id)) or 0
    )
    if count:
        return True, ngettext("%(num)d program.", "%(num)d programs.", count)
    return False, _("No partner program yet.")


def _staff(tenant: Tenant) -> tuple[bool, str]:
    count = (
        db.session.scalar(
            select(func.count(User.id)).where(
                User.tenant_id == tenant.id, User.kind == UserKind.DISTRIBUTOR.value
            )
        )
        or 0
    )
    if count:
        return True, ngettext(
            "%(num)d distributor staff member invited.",
            "%(num)d distributor staff members invited.",
            count,
        )
    return False, _("Nobody of the distributor's staff is invited yet.")


def contrast_messages(colors: dict[str, str]) -> list[str]:
    """One message per failing pair, naming the pair and its ratio."""
    return [
        _(
            "%(fg)s text on %(bg)s %(color)s: %(ratio)s:1, needs 4.5:1",
            fg=pair.foreground_name,
            bg=pair.background_name,
            color=pair.background.upper(),
            ratio=f"{pair.ratio:.2f}",
        )
        for pair in failing_pairs(colors)
    ]


def _contrast(tenant: Tenant) -> tuple[bool, str]:
    messages = contrast_messages(tenant_colors(tenant))
    if messages:
        return False, "; ".join(messages)
    return True, _("Text and button colours pass WCAG AA (4.5:1).")


def checklist(tenant: Tenant) -> list[Check]:
    """The readiness checks of a tenant, in the order the wizard shows them."""
    labels = {
        "prices": _("Products priced"),
        "program": _("A partner program"),
        "staff": _("A staff invitation"),
        "contrast": _("Colour contrast"),
    }
    runs = {"prices": _prices, "program": _program, "staff": _staff, "contrast": _contrast}
    waivers = (tenant.onboarding or {}).get("waivers", {})
    checks = []
    for key in CHECKS:
        passed, detail = runs[key](tenant)
        checks.append(Check(key, labels[key], passed, detail, waivers.get(key)))
    return checks


def failing(tenant: Tenant) -> list[Check]:
    """The checks neither passed nor waived."""
    return [check for check in checklist(tenant) if not check.ok]


def waive(tenant: Tenant, check: str, reason: str, actor: User | None) -> None:
    """Waive one check with a recorded reason (audited); raise InvalidInput naming the field."""
    reason = " ".join((reason or "").split())
    errors: dict[str, str] = {}
    if check not in CHECKS:
        errors["check"] = _("Choose one of the checks.")
    if not reason:
        errors["reason"] = _("Say why this check is waived.")
    elif len(reason) > MAX_REASON:
        errors["reason"] = _("Use at most %(num)d characters.", num=MAX_REASON)
    if errors:
        raise InvalidInput(errors)
    state = dict(tenant.onboarding or {})
    waivers = dict(state.get("waivers", {}))
    waivers[check] = {
        "reason": reason,
        "by": actor.email if actor else "system",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    state["waivers"] = waivers
    tenant.onboarding = state
    flag_modified(tenant, "onboarding")
    record(
        "tenant.check_waived",
        tenant,
        label=tenant.name,
        after={"check": check, "reason": reason},
        tenant_id=tenant.id,
        actor=actor,
    )
    db.session.flush()


def go_live_refusal(tenant: Tenant) -> str | None:
    """Why the tenant may not go live (naming the failing checks), or None."""
    bad = failing(tenant)
    if not bad:
        return None
    return _(
        "The tenant stays a draft until these checks pass or are waived: %(checks)s.",
        checks=", ".join(check.label for check in bad),
    )


def go_live(tenant: Tenant, actor: User | None) -> None:
    """Set the tenant live when every check passes or is waived; else raise InvalidInput."""
    refusal = go_live_refusal(tenant)
    if refusal:
        raise InvalidInput({"status": refusal})
    if tenant.status != TenantStatus.LIVE.value:
        record(
            "tenant.went_live",
            tenant,
            label=tenant.name,
            before={"status": tenant.status},
            after={"status": TenantStatus.LIVE.value},
            tenant_id=tenant.id,
            actor=actor,
        )
        tenant.status = TenantStatus.LIVE.value
    db.session.flush()
