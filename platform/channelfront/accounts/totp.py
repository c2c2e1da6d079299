"""Time-based one-time passwords (RFC 6238, HMAC-SHA1): 160-bit base32 secrets,
6 digits, a 30-second step.

A code is accepted one step early or late, for clocks that drift and codes typed at
the turn of a step. Nothing is stored per use: the schema keeps no last-used step, so
within that 90-second window a code could be replayed by someone who saw it; the
password is needed first, and sign-in attempts are throttled.
"""

from __future__ import annotations

import base64
import hmac
import secrets
import struct
import time
from urllib.parse import quote, urlencode

DIGITS = 6
STEP_SECONDS = 30
SECRET_BYTES = 20  # 160 bits, as RFC 4226 recommends
DRIFT_STEPS = 1


def new_secret() -> str:
    """A random secret, base32 without padding (32 characters)."""
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii").rstrip("=")


def _key(secret: str) -> bytes:
    cleaned = secret.replace(" ", "").upper()
    return base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))


def hotp(key: bytes, counter: int, digits: int = DIGITS, digest: str = "sha1") -> str:
    """RFC 4226's HOTP value of ``counter`` with ``key``."""
    mac = hmac.new(key, struct.pack(">Q", counter), digest).digest()
    offset = mac[-1] & 0x0F
    number = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def step_at(moment: float) -> int:
    """The time step a Unix time falls in."""
    return int(moment // STEP_SECONDS)


def code_at(secret: str, moment: float, digits: int = DIGITS) -> str:
    """The code a base32 secret gives at a Unix time."""
    return hotp(_key(secret), step_at(moment), digits)


def verify(secret: str, code: str, moment: float | None = None) -> bool:
    """Whether ``code`` is the secret's code now, one step before or one step after."""
    typed = "".join(code.split())
    if len(typed) != DIGITS or not typed.isascii() or not typed.isdigit():
        return False
    now = step_at(time.time() if moment is None else moment)
    key = _key(secret)
    matches = [
        hmac.compare_digest(hotp(key, now + delta), typed)
        for delta in range(-DRIFT_STEPS, DRIFT_STEPS + 1)
    ]
    return any(matches)


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    """The ``otpauth://`` URI authenticator apps read from a QR code."""
    label = quote(f"{issuer}:{account}", safe="@:")
    query = urlencode(
        {
            "secret": secret,
            "issuer": issuer,
            "algorithm": "SHA1",
            "digits": DIGITS,
            "period": STEP_SECONDS,
        },
        quote_via=quote,
    )
    return f"otpauth://totp/{label}?{query}"
