"""Tenant manifests (``tenants/<slug>/tenant.toml``), checked and upserted into the database.

A manifest needs no catalog: its partner programs are optional, and without a
``[vendor]`` table its tenant belongs to the vendor made by ``flask setup``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from channelfront.extensions import db
from channelfront.i18n.locale import SHIPPED_LOCALES
from channelfront.tenancy.hosts import InvalidHost, host_map, normalize_host
from channelfront.tenancy.models import Tenant, TenantHost, TenantStatus, Vendor
from channelfront.theming.packs import COLOR, UnknownTheme, load_theme

SLUG = re.compile(r"^[a-z][a-z0-9-]{1,39}$")
CURRENCIES = ("USD", "EUR", "JPY", "GBP")


class ManifestError(ValueError):
    """A manifest is invalid; the message names the file and the field."""


@dataclass
class Manifest:
    slug: str
    name: str
    # None: the installation's vendor (made by `flask setup`).
    vendor: str | None
    vendor_name: str | None
    status: str
    theme: str
    default_locale: str
    locales: list[str]
    currency: str
    hosts: list[str]
    primary_color: str | None = None
    accent_color: str | None = None
    logo: str | None = None
    programs: list[dict] = field(default_factory=list)
    order_prefix: str | None = None
    require_end_customer: bool = True


def _require(data: dict, key: str, where: str) -> object:
    if key not in data:
        raise ManifestError(f"{where}: missing field '{key}'")
    return data[key]


def read_manifest(path: Path, themes_dir: str) -> Manifest:
    """Parse and check one tenant.toml."""
    where = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ManifestError(f"{where}: {exc}") from exc
    slug = str(_require(data, "slug", where))
    if not SLUG.match(slug):
        raise ManifestError(f"{where}: field 'slug' must be lowercase letters, digits and dashes")
    locales = list(_require(data, "locales", where))
    default_locale = str(_require(data, "default_locale", where))
    if not locales or any(code not in SHIPPED_LOCALES for code in locales):
        raise ManifestError(f"{where}: field 'locales' may only hold {', '.join(SHIPPED_LOCALES)}")
    if default_locale not in locales:
        raise ManifestError(f"{where}: field 'default_locale' must be one of 'locales'")
    currency = str(_require(data, "currency", where))
    if currency not in CURRENCIES:
        raise ManifestError(f"{where}: field 'currency' must be one of {', '.join(CURRENCIES)}")
    status = str(data.get("status", TenantStatus.LIVE))
    if status not in {s.value for s in TenantStatus}:
        raise ManifestError(f"{where}: field 'status' must be draft, live or suspended")
    theme = str(_require(data, "theme", where))
    try:
        load_theme(themes_dir, theme)
    except UnknownTheme as exc:
        raise ManifestError(f"{where}: field 'theme': no theme named '{theme}'") from exc
    brand = data.get("brand", {})
    for key in ("primary_color", "accent_color"):
        if key in brand and not COLOR.match(str(brand[key])):
            raise ManifestError(f"{where}: field 'brand.{key}' must be #rrggbb")
    hosts = []
    for raw in _require(data, "hosts", where):
        try:
            hosts.append(normalize_host(str(raw)))
        except InvalidHost as exc:
            raise ManifestError(f"{where}: field 'hosts': '{raw}' is not a host name") from exc
    if not hosts:
        raise ManifestError(f"{where}: field 'hosts' needs at least one host name")
    logo = brand.get("logo")
    if logo is not None and (Path(logo).name != logo or not (path.parent / logo).is_file()):
        raise ManifestError(f"{where}: field 'brand.logo' must name a file beside the manifest")
    vendor = data.get("vendor", {})
    if not isinstance(vendor, dict) or ("slug" in vendor and not SLUG.match(str(vendor["slug"]))):
        raise ManifestError(
            f"{where}: field 'vendor.slug' must be lowercase letters, digits and dashes"
        )
    return Manifest(
        slug=slug,
        name=str(_require(data, "name", where)),
        vendor=str(vendor["slug"]) if "slug" in vendor else None,
        vendor_name=str(vendor["name"]) if "name" in vendor else None,
        status=status,
        theme=theme,
        default_locale=default_locale,
        locales=locales,
        currency=currency,
        hosts=hosts,
        primary_color=brand.get("primary_color"),
        accent_color=brand.get("accent_color"),
        logo=logo,
        programs=list(data.get("programs", [])),
        order_prefix=_order_prefix(data, where),
        require_end_customer=_flag(data, "require_end_customer", where, default=True),
    )


def _flag(data: dict, key: str, where: str, *, default: bool) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        raise ManifestError(f"{where}: field '{key}' must be true or false")
    return value


def _order_prefix(data: dict, where: str) -> str | None:
    prefix = data.get("order_prefix")
    if prefix is not None and not re.fullmatch(r"[A-Z]{2,6}", str(prefix)):
        raise ManifestError(f"{where}: field 'order_prefix' must be 2 to 6 capital letters")
    return prefix


def read_all(tenants_dir: str, themes_dir: str) -> list[Manifest]:
    """Every manifest under the tenants folder, all checked before any is written."""
    return [read_manifest(p, themes_dir) for p in sorted(Path(tenants_dir).glob("*/tenant.toml"))]


def _vendor(manifest: Manifest) -> Vendor:
    """The vendor the manifest names, else the installation's (the console's: the first)."""
    if manifest.vendor is None:
        vendor = db.session.scalar(select(Vendor).order_by(Vendor.id).limit(1))
        if vendor is None:
            raise ManifestError(
                f"{manifest.slug}: there is no vendor yet: run `flask setup` first "
                "(or name one under [vendor] with its slug and name)"
            )
        return vendor
    vendor = db.session.scalar(select(Vendor).where(Vendor.slug == manifest.vendor))
    if vendor is None:
        if not manifest.vendor_name:
            raise ManifestError(f"{manifest.slug}: new vendor '{manifest.vendor}' needs a 'name'")
        vendor = Vendor(slug=manifest.vendor, name=manifest.vendor_name)
        db.session.add(vendor)
    vendor.name = manifest.vendor_name or vendor.name
    return vendor


def upsert(manifest: Manifest, vendor: Vendor) -> Tenant:
    """Create or update the tenant and its hosts from a manifest (no commit)."""
    tenant = db.session.scalar(select(Tenant).where(Tenant.slug == manifest.slug))
    if tenant is None:
        tenant = Tenant(slug=manifest.slug, vendor=vendor)
        db.session.add(tenant)
    tenant.vendor = vendor
    tenant.name = manifest.name
    tenant.status = manifest.status
    tenant.theme = manifest.theme
    tenant.default_locale = manifest.default_locale
    tenant.locales_csv = ",".join(manifest.locales)
    tenant.currency = manifest.currency
    tenant.primary_color = manifest.primary_color
    tenant.accent_color = manifest.accent_color
    tenant.logo_file = manifest.logo
    tenant.order_prefix = manifest.order_prefix
    tenant.require_end_customer = manifest.require_end_customer
    taken = db.session.scalars(select(TenantHost).where(TenantHost.host.in_(manifest.hosts))).all()
    for row in taken:
        if row.tenant is not tenant:
            raise ManifestError(f"host '{row.host}' already belongs to tenant '{row.tenant.slug}'")
    existing = {h.host: h for h in tenant.hosts}
    tenant.hosts = [existing.get(h) or TenantHost(host=h) for h in manifest.hosts]
    for position, row in enumerate(tenant.hosts):
        row.is_primary = position == 0
    return tenant


def sync(tenants_dir: str, themes_dir: str) -> list[Tenant]:
    """Upsert every manifest in one transaction; safe to run again."""
    from channelfront.pricing.manifest import sync_programs

    manifests = read_all(tenants_dir, themes_dir)
    vendors = {m.vendor: _vendor(m) for m in manifests}
    db.session.flush()
    with db.session.no_autoflush:
        tenants = [upsert(m, vendors[m.vendor]) for m in manifests]
    db.session.flush()
    for manifest, tenant in zip(manifests, tenants, strict=True):
        sync_programs(tenant, manifest.programs)
    db.session.flush()
    host_map.invalidate()
    return tenants
