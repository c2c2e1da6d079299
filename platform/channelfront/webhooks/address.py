"""Where a webhook may be sent (SSRF): https, and only public addresses.

Checked when an endpoint is saved and again at every delivery; the sender connects to
the address that was checked, so a DNS answer that changes in between (rebinding)
cannot point a delivery at the internal network.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from flask_babel import gettext as _

IP = ipaddress.IPv4Address | ipaddress.IPv6Address
MAX_URL_LENGTH = 500


class AddressRefused(ValueError):
    """The URL may not receive webhooks; the message says why."""


@dataclass(frozen=True)
class Target:
    """A checked URL and the address to connect to."""

    scheme: str
    host: str
    port: int
    path: str
    ip: str


def _plain(ip: IP) -> IP:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def forbidden(ip: IP, allow_loopback: bool) -> bool:
    """True for loopback (unless allowed), private, link-local, multicast, reserved,
    unspecified and every other non-global address, IPv4 or IPv6 (IPv4-mapped too)."""
    ip = _plain(ip)
    if ip.is_loopback:
        return not allow_loopback
    return (
        ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def parse(url: str, allow_loopback: bool) -> SplitResult:
    """The URL's parts, or AddressRefused for one that is malformed or not https."""
    if not url or len(url) > MAX_URL_LENGTH or not url.isprintable() or " " in url:
        raise AddressRefused(
            _("Enter a URL of at most %(count)d characters, no spaces.", count=MAX_URL_LENGTH)
        )
    parts = urlsplit(url)
    allowed = ("https", "http") if allow_loopback else ("https",)
    if parts.scheme not in allowed:
        raise AddressRefused(_("The URL must start with https://."))
    if not parts.hostname or parts.username or parts.password:
        raise AddressRefused(_("The URL needs a host name and no user name or password."))
    try:
        parts.port  # noqa: B018  (raises on a bad port)
    except ValueError as exc:
        raise AddressRefused(_("The URL's port is not a number from 1 to 65535.")) from exc
    return parts


def resolve(url: str, allow_loopback: bool) -> Target:
    """Check the URL and every address its host resolves to; the first is connected to."""
    parts = parse(url, allow_loopback)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise AddressRefused(_("The host name %(host)s does not resolve.", host=host)) from exc
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in found]
    if not addresses:
        raise AddressRefused(_("The host name %(host)s does not resolve.", host=host))
    for ip in addresses:
        if forbidden(ip, allow_loopback):
            raise AddressRefused(
                _(
                    "The host %(host)s resolves to %(ip)s, a private, loopback or reserved"
                    " address: webhooks go to public addresses only.",
                    host=host,
                    ip=str(ip),
                )
            )
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(parts.scheme, host, port, path, str(addresses[0]))
