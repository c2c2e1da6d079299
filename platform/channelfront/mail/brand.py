"""Who a mail is from: the storefront's brand, sender and reply address.

Mail sent for a tenant (outbox handlers run in ``tenant_scope``) carries the
distributor's name and the tenant's addresses, else the deployment defaults;
mail to an end customer names the reseller "via" the distributor. Mail with no
tenant (the vendor console) keeps ``MAIL_SENDER`` as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.headerregistry import Address
from email.utils import parseaddr

from flask import current_app

from channelfront.extensions import db
from channelfront.tenancy.models import Tenant
from channelfront.tenancy.scoping import active_tenant_id
from channelfront.theming.packs import BASE_THEME
from channelfront.theming.stored import Look, look_of


@dataclass(frozen=True)
class Brand:
    """What the headers and the HTML layout of one mail show."""

    name: str
    sender: str
    reply_to: str | None
    theme: str
    colors: dict[str, str]
    logo_url: str | None


def _colors(look: Look, tenant: Tenant | None) -> dict[str, str]:
    colors = dict(look.colors)
    if tenant is not None and tenant.primary_color:
        colors["primary"] = tenant.primary_color
    if tenant is not None and tenant.accent_color:
        colors["accent"] = tenant.accent_color
    return colors


def _logo_url(tenant: Tenant, look: Look) -> str | None:
    host = tenant.primary_host
    if host is None:
        return None
    scheme = current_app.config.get("PREFERRED_URL_SCHEME", "https")
    if tenant.logo_file:
        return f"{scheme}://{host}/brand/logo"
    if look.logo_sha256:
        return f"{scheme}://{host}/brand/logos/{look.logo_sha256}"
    return None


def _header(name: str, address: str) -> str:
    username, _, domain = address.rpartition("@")
    return str(Address(display_name=name, username=username, domain=domain))


def brand_of(reseller: str | None = None) -> Brand:
    """The brand of the mail sent now: the active tenant's, or the deployment's."""
    config = current_app.config
    default_name, default_address = parseaddr(config["MAIL_SENDER"])
    tenant_id = active_tenant_id()
    tenant = db.session.get(Tenant, tenant_id) if tenant_id is not None else None
    if tenant is None:
        return Brand(
            name=default_name or default_address,
            sender=config["MAIL_SENDER"],
            reply_to=config.get("MAIL_REPLY_TO") or None,
            theme=BASE_THEME,
            colors=_colors(look_of(config["THEMES_DIR"], BASE_THEME, None), None),
            logo_url=None,
        )
    look = look_of(config["THEMES_DIR"], tenant.theme, tenant.vendor_id)
    name = tenant.name
    if reseller and reseller.strip() and reseller.strip() != tenant.name:
        name = f"{reseller.strip()} via {tenant.name}"
    return Brand(
        name=name,
        sender=_header(name, tenant.mail_sender or default_address),
        reply_to=tenant.support_email or config.get("MAIL_REPLY_TO") or None,
        theme=look.pack.name,
        colors=_colors(look, tenant),
        logo_url=_logo_url(tenant, look),
    )
