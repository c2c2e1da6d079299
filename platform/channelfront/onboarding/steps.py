"""The wizard's steps: a draft tenant is built one saved step at a time and resumed later.

Each step goes through the console's tenant rules (``admin.tenant_services``); the
furthest step reached is kept in ``Tenant.onboarding["step"]``. The caller commits.
"""

from __future__ import annotations

from dataclasses import replace

from babel.numbers import list_currencies
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm.attributes import flag_modified

from channelfront.admin.inputs import InvalidInput
from channelfront.admin.tenant_services import SiteFacts, TenantSettings, update_tenant
from channelfront.audit.service import record
from channelfront.extensions import db
from channelfront.tenancy.manifests import SLUG
from channelfront.tenancy.models import Tenant, TenantStatus, Vendor

STEPS = ("name", "hosts", "theme", "languages", "prices", "programs", "staff", "checklist")


def step_of(tenant: Tenant) -> str:
    """The furthest step reached (where "resume" opens)."""
    step = (tenant.onboarding or {}).get("step")
    return step if step in STEPS else STEPS[0]


def next_step(step: str) -> str:
    return STEPS[min(STEPS.index(step) + 1, len(STEPS) - 1)]


def reach(tenant: Tenant, step: str) -> None:
    """Remember that ``step`` was reached, unless a later one already was."""
    if STEPS.index(step) > STEPS.index(step_of(tenant)):
        tenant.onboarding = {**(tenant.onboarding or {}), "step": step}
        flag_modified(tenant, "onboarding")


def drafts() -> list[Tenant]:
    """Tenants still being onboarded, by name."""
    return list(
        db.session.scalars(
            select(Tenant).where(Tenant.status == TenantStatus.DRAFT.value).order_by(Tenant.name)
        )
    )


def _check_name(name: str, errors: dict[str, str]) -> str:
    name = " ".join((name or "").split())
    if not name:
        errors["name"] = _("Enter the tenant's name.")
    elif len(name) > 120:
        errors["name"] = _("Use at most %(num)d characters.", num=120)
    return name


def start(vendor: Vendor | None, name: str, slug: str) -> Tenant:
    """Step 1 for a new tenant: a draft with a name and a slug; InvalidInput per field."""
    errors: dict[str, str] = {}
    name = _check_name(name, errors)
    slug = (slug or "").strip()
    if not SLUG.match(slug):
        errors["slug"] = _(
            "Use 2 to 40 lowercase letters, digits and dashes, starting with a letter."
        )
    elif db.session.scalar(select(Tenant.id).where(Tenant.slug == slug)) is not None:
        errors["slug"] = _("A tenant with the slug “%(slug)s” already exists.", slug=slug)
    if vendor is None:
        errors["slug"] = _("No vendor is set up yet: run “flask setup” first.")
    if errors:
        raise InvalidInput(errors)
    tenant = Tenant(
        vendor=vendor,
        slug=slug,
        name=name,
        status=TenantStatus.DRAFT.value,
        currency="USD",
        theme="base",
        default_locale="en",
        locales_csv="en",
        hosts=[],
        onboarding={"step": "hosts"},
    )
    db.session.add(tenant)
    db.session.flush()
    record(
        "tenant.onboarding_started", tenant, label=name, after={"slug": slug}, tenant_id=tenant.id
    )
    return tenant


def settings_of(tenant: Tenant) -> TenantSettings:
    """The tenant's current settings, as the console's tenant form would send them."""
    hosts = sorted(tenant.hosts, key=lambda h: (not h.is_primary, h.host))
    return TenantSettings(
        name=tenant.name,
        status=tenant.status,
        theme=tenant.theme,
        default_locale=tenant.default_locale,
        locales=tuple(tenant.locales),
        hosts=tuple(h.host for h in hosts),
        primary_color=tenant.primary_color,
        accent_color=tenant.accent_color,
    )


def save(tenant: Tenant, site: SiteFacts, step: str, **changes: object) -> Tenant:
    """Save one step's settings through the tenant rules and mark the next step reached.

    A tenant without hosts yet (steps before "hosts") keeps an empty host list.
    """
    settings = replace(settings_of(tenant), **changes)  # type: ignore[arg-type]
    if settings.hosts:
        update_tenant(tenant, settings, site)
    elif step == "name":
        errors: dict[str, str] = {}
        tenant.name = _check_name(settings.name, errors)
        if errors:
            raise InvalidInput(errors)
    else:
        raise InvalidInput({"hosts": _("Enter the tenant's host names first (step 2).")})
    reach(tenant, next_step(step))
    db.session.flush()
    return tenant


def set_currency(tenant: Tenant, currency: str) -> None:
    """A draft tenant's currency (ISO 4217, as Babel knows it); it cannot change once live."""
    code = (currency or "").strip().upper()
    if code not in list_currencies():
        raise InvalidInput(
            {"currency": _("“%(code)s” is not an ISO 4217 currency code.", code=code[:3])}
        )
    if tenant.status != TenantStatus.DRAFT.value and code != tenant.currency:
        raise InvalidInput({"currency": _("The currency of a live tenant cannot change.")})
    tenant.currency = code
