"""License keys: unguessable, and signed so they can be checked offline.

A key is ``CF2-<kid>-<payload>-<signature>`` in base32. The payload holds the order
line id, the seat count, the SKU and 10 random bytes; the signature is HMAC-SHA256
over the version, the kid and the payload with the signing key, cut to 16 bytes.
Changing any character breaks it.

The kid names the signing key (the first 4 hex digits of its SHA-256), so a
deployment can sign with a new key while keys signed with a retired one still
verify (see :mod:`channelfront.fulfillment.signing`). Keys issued before key ids,
``CF1-<payload>-<signature>``, name no key: they verify with any known key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import struct
from dataclasses import dataclass

from channelfront.fulfillment.signing import Keyring, keyring_of, signing_keys

__all__ = ["LicenseClaims", "issue_key", "key_id_of", "signing_key", "verify_key"]

VERSION = "CF2"
LEGACY_VERSION = "CF1"
NONCE_BYTES = 10
SIGNATURE_BYTES = 16
_KID = re.compile(r"[0-9A-F]{4}")
# The older name of signing_keys, kept for callers that pass its result along.
signing_key = signing_keys


@dataclass(frozen=True)
class LicenseClaims:
    order_line_id: int
    seats: int
    sku: str


def _b32(data: bytes) -> str:
    return base64.b32encode(data).decode("ascii").rstrip("=")


def _unb32(text: str) -> bytes:
    return base64.b32decode(text + "=" * (-len(text) % 8))


def _sign(secret: bytes, version: str, kid: str, payload: bytes) -> bytes:
    message = version.encode() + kid.encode() + payload
    return hmac.new(secret, message, hashlib.sha256).digest()[:SIGNATURE_BYTES]


def issue_key(keys: Keyring | bytes, claims: LicenseClaims) -> str:
    """A new key for one order line, signed with the current key and naming it."""
    current = keyring_of(keys).current
    sku = claims.sku.encode("utf-8")
    payload = (
        struct.pack(">IIB", claims.order_line_id, claims.seats, len(sku))
        + sku
        + secrets.token_bytes(NONCE_BYTES)
    )
    signature = _sign(current.secret, VERSION, current.kid, payload)
    return f"{VERSION}-{current.kid}-{_b32(payload)}-{_b32(signature)}"


def _parts(key: str) -> tuple[str, str, str, str] | None:
    """(version, kid, payload, signature) in canonical spelling; kid is "" for CF1."""
    if len(key) > 300:
        return None
    parts = key.strip().upper().split("-")
    if len(parts) == 3 and parts[0] == LEGACY_VERSION:
        return LEGACY_VERSION, "", parts[1], parts[2]
    if len(parts) == 4 and parts[0] == VERSION and _KID.fullmatch(parts[1]):
        return VERSION, parts[1], parts[2], parts[3]
    return None


def key_id_of(key: str) -> str | None:
    """The id of the signing key a key names (None for a CF1 key or garbage)."""
    parts = _parts(key)
    return parts[1] or None if parts else None


def verify_key(keys: Keyring | bytes, key: str) -> LicenseClaims | None:
    """The claims of a genuine key, or None for a forged, altered or malformed one,
    or for one signed with a key this deployment no longer knows."""
    parts = _parts(key)
    if parts is None:
        return None
    version, kid, payload_text, signature_text = parts
    try:
        payload, signature = _unb32(payload_text), _unb32(signature_text)
    except ValueError:
        return None
    if _b32(payload) != payload_text or _b32(signature) != signature_text:
        return None  # only the canonical spelling is genuine: no spare bits to play with
    ring = keyring_of(keys)
    # A CF1 key names no key: it was signed with whatever key was current then.
    candidates = ring.named(kid) if kid else ring.all
    if not any(
        hmac.compare_digest(signature, _sign(k.secret, version, kid, payload)) for k in candidates
    ):
        return None
    if len(payload) < 9:
        return None
    line_id, seats, sku_length = struct.unpack(">IIB", payload[:9])
    sku = payload[9 : 9 + sku_length].decode("utf-8", errors="replace")
    return LicenseClaims(order_line_id=line_id, seats=seats, sku=sku)
