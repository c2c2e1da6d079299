"""License keys: unguessable, and signed so they can be checked offline.

A key is ``CF1-<payload>-<signature>`` in base32. The payload holds the order line id,
the seat count, the SKU and 10 random bytes; the signature is HMAC-SHA256 over the
payload with the signing key, cut to 16 bytes. Changing any character breaks it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
from dataclasses import dataclass

VERSION = "CF1"
NONCE_BYTES = 10
SIGNATURE_BYTES = 16


@dataclass(frozen=True)
class LicenseClaims:
    order_line_id: int
    seats: int
    sku: str


def _b32(data: bytes) -> str:
    return base64.b32encode(data).decode("ascii").rstrip("=")


def _unb32(text: str) -> bytes:
    return base64.b32decode(text + "=" * (-len(text) % 8))


def _sign(secret: bytes, payload: bytes) -> bytes:
    return hmac.new(secret, VERSION.encode() + payload, hashlib.sha256).digest()[:SIGNATURE_BYTES]


def issue_key(secret: bytes, claims: LicenseClaims) -> str:
    """A new signed key for one order line."""
    sku = claims.sku.encode("utf-8")
    payload = (
        struct.pack(">IIB", claims.order_line_id, claims.seats, len(sku))
        + sku
        + secrets.token_bytes(NONCE_BYTES)
    )
    return f"{VERSION}-{_b32(payload)}-{_b32(_sign(secret, payload))}"


def verify_key(secret: bytes, key: str) -> LicenseClaims | None:
    """The claims of a genuine key, or None for a forged, altered or malformed one."""
    parts = key.strip().upper().split("-")
    if len(parts) != 3 or parts[0] != VERSION or len(key) > 300:
        return None
    try:
        payload, signature = _unb32(parts[1]), _unb32(parts[2])
    except ValueError:
        return None
    if _b32(payload) != parts[1] or _b32(signature) != parts[2]:
        return None  # only the canonical spelling is genuine: no spare bits to play with
    if not hmac.compare_digest(signature, _sign(secret, payload)):
        return None
    if len(payload) < 9:
        return None
    line_id, seats, sku_length = struct.unpack(">IIB", payload[:9])
    sku = payload[9 : 9 + sku_length].decode("utf-8", errors="replace")
    return LicenseClaims(order_line_id=line_id, seats=seats, sku=sku)


def signing_key(config: dict) -> bytes:
    """LICENSE_SIGNING_KEY, or one derived from SECRET_KEY."""
    configured = config.get("LICENSE_SIGNING_KEY")
    if configured:
        return str(configured).encode("utf-8")
    return hashlib.sha256(b"license-keys:" + str(config["SECRET_KEY"]).encode()).digest()
