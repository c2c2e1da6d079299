"""Onboarding and editing tenants from the console, with the checks a manifest gets.

The services write and flush but do not commit: the caller commits with
:func:`publish`, which also drops the cached host map so the change is served at once.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from channelfront.admin.inputs import InvalidInput
from channelfront.audit.service import record
from channelfront.extensions import db
from channelfront.i18n.locale import SHIPPED_LOCALES
from channelfront.tenancy.hosts import InvalidHost, host_map, normalize_host
from channelfront.tenancy.manifests import CURRENCIES, SLUG
from channelfront.tenancy.models import Tenant, TenantHost, TenantStatus, Vendor
from channelfront.theming.contrast import WHITE, contrast_ratio
from channelfront.theming.packs import COLOR
from channelfront.theming.stored import is_usable_theme

MAX_HOSTS = 20


@dataclass(frozen=True)
class TenantSettings:
    """What a console user may change on a tenant; hosts as typed, the first is primary."""

    name: str
    status: str
    theme: str
    default_locale: str
    locales: tuple[str, ...]
    hosts: tuple[str, ...]
    primary_color: str | None = None
    accent_color: str | None = None


@dataclass(frozen=True)
class SiteFacts:
    """Facts of the deployment the rules depend on."""

    themes_dir: str
    admin_host: str


def console_vendor() -> Vendor | None:
    """The vendor whose console this is (the first one; a deployment serves one vendor)."""
    return db.session.scalar(select(Vendor).order_by(Vendor.id).limit(1))


def _check_hosts(raw: Sequence[str], tenant: Tenant | None, site: SiteFacts) -> list[str]:
    if not raw:
        raise ValueError(_("Enter at least one host name."))
    if len(raw) > MAX_HOSTS:
        raise ValueError(_("A tenant has at most %(num)d host names.", num=MAX_HOSTS))
    hosts: list[str] = []
    for value in raw:
        try:
            host = normalize_host(value)
        except InvalidHost:
            raise ValueError(_("“%(host)s” is not a host name.", host=value[:80])) from None
        if host == site.admin_host:
            raise ValueError(_("%(host)s is the vendor console's host.", host=host))
        if host not in hosts:
            hosts.append(host)
    taken = db.session.execute(
        select(TenantHost.host, Tenant.name)
        .join(TenantHost.tenant)
        .where(TenantHost.host.in_(hosts), Tenant.id != (tenant.id if tenant else -1))
        .order_by(TenantHost.host)
    ).first()
    if taken is not None:
        raise ValueError(
            _("%(host)s is already used by tenant %(tenant)s.", host=taken.host, tenant=taken.name)
        )
    return hosts


def _check_settings(
    settings: TenantSettings, tenant: Tenant | None, site: SiteFacts, errors: dict[str, str]
) -> list[str]:
    """Check every setting, adding a message per bad field; return the normalized hosts."""
    if not settings.name.strip():
        errors["name"] = _("Enter the tenant's name.")
    elif len(settings.name.strip()) > 120:
        errors["name"] = _("Use at most %(num)d characters.", num=120)
    if settings.status not in {s.value for s in TenantStatus}:
        errors["status"] = _("Choose draft, live or suspended.")
    vendor = console_vendor()
    if vendor is None or not is_usable_theme(site.themes_dir, vendor.id, settings.theme):
        errors["theme"] = _(
            "There is no usable theme named “%(theme)s”.", theme=settings.theme[:40]
        )
    if not settings.locales or any(code not in SHIPPED_LOCALES for code in settings.locales):
        errors["locales"] = _("Offer at least one of: %(codes)s.", codes=", ".join(SHIPPED_LOCALES))
    elif settings.default_locale not in settings.locales:
        errors["default_locale"] = _("The default language must be one of the offered languages.")
    for field in ("primary_color", "accent_color"):
        value = getattr(settings, field)
        if value and not COLOR.match(value):
            errors[field] = _("Use the form #rrggbb, e.g. #0b4f6c.")
        elif value and value.lower() != (getattr(tenant, field, None) or "").lower():
            errors.update(colour_errors(field, value))
    try:
        return _check_hosts(settings.hosts, tenant, site)
    except ValueError as exc:
        errors["hosts"] = str(exc)
        return []


def colour_errors(field: str, value: str) -> dict[str, str]:
    """White text on the header (primary) or on buttons (accent) must reach WCAG AA 4.5:1."""
    ratio = contrast_ratio(WHITE, value)
    if round(ratio, 2) >= 4.5:
        return {}
    names = {"primary_color": _("primary"), "accent_color": _("accent")}
    return {
        field: _(
            "white text on %(name)s %(color)s: %(ratio)s:1, needs 4.5:1",
            name=names[field],
            color=value.upper(),
            ratio=f"{ratio:.2f}",
        )
    }


def _live_refusal(settings: TenantSettings, tenant: Tenant | None) -> str | None:
    """A draft (or new) tenant goes live only when its readiness checklist allows it."""
    from channelfront.onboarding.readiness import go_live_refusal

    if settings.status != TenantStatus.LIVE.value:
        return None
    if tenant is None:
        return _("A new tenant starts as a draft: finish its readiness checklist to go live.")
    if tenant.status != TenantStatus.DRAFT.value:
        return None  # live stays live; a suspended tenant was live before
    return go_live_refusal(tenant)


def _apply(tenant: Tenant, settings: TenantSettings, hosts: list[str]) -> None:
    tenant.name = settings.name.strip()
    tenant.status = settings.status
    tenant.theme = settings.theme
    tenant.default_locale = settings.default_locale
    tenant.locales_csv = ",".join(dict.fromkeys(settings.locales))
    tenant.primary_color = settings.primary_color or None
    tenant.accent_color = settings.accent_color or None
    existing = {row.host: row for row in tenant.hosts}
    tenant.hosts = [existing.get(host) or TenantHost(host=host) for host in hosts]
    for position, row in enumerate(tenant.hosts):
        row.is_primary = position == 0


def onboard_tenant(
    vendor: Vendor | None, slug: str, currency: str, settings: TenantSettings, site: SiteFacts
) -> Tenant:
    """Create a tenant without a manifest; raise InvalidInput naming every bad field."""
    errors: dict[str, str] = {}
    slug = slug.strip()
    if not SLUG.match(slug):
        errors["slug"] = _(
            "Use 2 to 40 lowercase letters, digits and dashes, starting with a letter."
        )
    elif db.session.scalar(select(Tenant.id).where(Tenant.slug == slug)) is not None:
        errors["slug"] = _("A tenant with the slug “%(slug)s” already exists.", slug=slug)
    if currency not in CURRENCIES:
        errors["currency"] = _("Choose one of: %(codes)s.", codes=", ".join(CURRENCIES))
    hosts = _check_settings(settings, None, site, errors)
    refusal = _live_refusal(settings, None)
    if refusal:
        errors["status"] = refusal
    if vendor is None:
        errors["slug"] = _("No vendor is set up yet: run “flask setup” first.")
    if errors:
        raise InvalidInput(errors)
    tenant = Tenant(vendor=vendor, slug=slug, currency=currency, hosts=[])
    db.session.add(tenant)
    _apply(tenant, settings, hosts)
    db.session.flush()
    return tenant


def update_tenant(tenant: Tenant, settings: TenantSettings, site: SiteFacts) -> Tenant:
    """Change a tenant's settings and hosts; raise InvalidInput naming every bad field."""
    errors: dict[str, str] = {}
    hosts = _check_settings(settings, tenant, site, errors)
    refusal = _live_refusal(settings, tenant)
    if refusal:
        errors["status"] = refusal
    if errors:
        raise InvalidInput(errors)
    _apply(tenant, settings, hosts)
    db.session.flush()
    return tenant


def publish() -> None:
    """Commit tenant changes, then drop the cached host map so they are served at once."""
    db.session.commit()
    host_map.invalidate()


def set_end_customer_rule(tenant: Tenant, rule: str) -> Tenant:
    """Whether the tenant's orders must name an end customer ("required" or "optional").

    A program's own setting wins over this one. Raises InvalidInput; the change is audited.
    """
    if rule not in ("required", "optional"):
        raise InvalidInput({"require_end_customer": _("Choose required or optional.")})
    before = tenant.require_end_customer
    tenant.require_end_customer = rule == "required"
    if tenant.require_end_customer != before:
        record(
            "tenant.end_customer_rule_changed",
            tenant,
            label=tenant.name,
            before={"require_end_customer": before},
            after={"require_end_customer": tenant.require_end_customer},
            tenant_id=tenant.id,
        )
    db.session.flush()
    return tenant


MAIL_FIELDS = ("mail_sender", "support_email")


def set_mail_addresses(tenant: Tenant, mail_sender: str, support_email: str) -> Tenant:
    """The storefront's sender and support addresses; empty: the deployment's default.

    Raises InvalidInput naming each bad field; a change is audited.
    """
    from channelfront.api.order_schemas import EMAIL

    values = {"mail_sender": mail_sender.strip(), "support_email": support_email.strip()}
    errors = {
        field: _("Enter an e-mail address like orders@example.com, or leave it empty.")
        for field, value in values.items()
        if value and (len(value) > 254 or not re.match(EMAIL, value))
    }
    if errors:
        raise InvalidInput(errors)
    before = {field: getattr(tenant, field) for field in MAIL_FIELDS}
    after = {field: values[field] or None for field in MAIL_FIELDS}
    if after != before:
        tenant.mail_sender, tenant.support_email = after["mail_sender"], after["support_email"]
        record(
            "tenant.mail_addresses_changed",
            tenant,
            label=tenant.name,
            before=before,
            after=after,
            tenant_id=tenant.id,
        )
    db.session.flush()
    return tenant
