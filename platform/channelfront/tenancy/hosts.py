"""Host name normalisation and the cached host-to-tenant map."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from channelfront.extensions import db
from channelfront.tenancy.models import Tenant, TenantHost

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
MAX_HOST_LENGTH = 253
# Short enough that a suspension reaches every web process within seconds.
CACHE_SECONDS = 5.0


class InvalidHost(ValueError):
    """The Host header is not a usable host name."""


def normalize_host(raw: str) -> str:
    """Lowercase, strip the port and IDNA-encode a Host header; raise InvalidHost."""
    value = (raw or "").strip().lower()
    if not value or len(value) > MAX_HOST_LENGTH + 6:
        raise InvalidHost("Host header is missing or too long")
    if value.startswith("["):
        raise InvalidHost("IP literal hosts have no storefront")
    host, _, port = value.partition(":")
    if port and not port.isdigit():
        raise InvalidHost("Host header has an invalid port")
    try:
        host = host.rstrip(".").encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise InvalidHost("Host header is not a valid host name") from exc
    if len(host) > MAX_HOST_LENGTH or not all(_LABEL.match(p) for p in host.split(".")):
        raise InvalidHost("Host header is not a valid host name")
    return host


@dataclass(frozen=True)
class TenantInfo:
    """An immutable snapshot of what a request needs to know about its tenant."""

    id: int
    slug: str
    name: str
    status: str
    theme: str
    default_locale: str
    locales: tuple[str, ...]
    currency: str
    primary_color: str | None
    accent_color: str | None
    logo_file: str | None
    vendor_name: str
    vendor_id: int

    @classmethod
    def of(cls, tenant: Tenant) -> TenantInfo:
        return cls(
            id=tenant.id,
            slug=tenant.slug,
            name=tenant.name,
            status=tenant.status,
            theme=tenant.theme,
            default_locale=tenant.default_locale,
            locales=tuple(tenant.locales),
            currency=tenant.currency,
            primary_color=tenant.primary_color,
            accent_color=tenant.accent_color,
            logo_file=tenant.logo_file,
            vendor_name=tenant.vendor.name,
            vendor_id=tenant.vendor_id,
        )


class HostMap:
    """Host name to tenant snapshot, reloaded from the database at most every few seconds.

    ``clock`` gives seconds (``time.monotonic`` by default); tests set their own so the
    map expires only when they move the clock, never because a run was slow.
    """

    def __init__(self, ttl: float = CACHE_SECONDS, clock: Callable[[], float] = time.monotonic):
        self._ttl = ttl
        self.clock = clock
        self._lock = threading.Lock()
        self._loaded_at = -1.0e9
        self._hosts: dict[str, TenantInfo] = {}

    def invalidate(self) -> None:
        with self._lock:
            self._loaded_at = -1.0e9

    def lookup(self, host: str) -> TenantInfo | None:
        if self.clock() - self._loaded_at > self._ttl:
            self._reload()
        return self._hosts.get(host)

    def _reload(self) -> None:
        rows = db.session.execute(select(TenantHost.host, Tenant).join(TenantHost.tenant)).all()
        hosts = {host: TenantInfo.of(tenant) for host, tenant in rows}
        with self._lock:
            self._hosts = hosts
            self._loaded_at = self.clock()


host_map = HostMap()
