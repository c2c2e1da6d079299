"""The keys that sign license keys: the current one, and retired ones that still verify.

``LICENSE_SIGNING_KEY`` signs every new license key; ``LICENSE_SIGNING_KEYS_OLD``
(comma-separated) lists the keys it replaced, which keep verifying the license keys
they signed. A key's id is the first 4 hex digits of its SHA-256: it is written into
each license key, so verification tries the key it names and no other. The id tells
nothing about the secret that the 16-byte signatures beside it do not already.

Without ``LICENSE_SIGNING_KEY`` (development and tests only: production refuses to
start) the key is derived from ``SECRET_KEY``, so every license key issued that way
stops verifying when ``SECRET_KEY`` changes; development says so each time it is used.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SigningKey:
    kid: str
    secret: bytes


def key_id(secret: bytes) -> str:
    """The short public name of a signing key: 4 upper-case hex digits."""
    return hashlib.sha256(secret).hexdigest()[:4].upper()


def _key(secret: bytes) -> SigningKey:
    return SigningKey(kid=key_id(secret), secret=secret)


@dataclass(frozen=True)
class Keyring:
    """The current signing key and the retired ones, newest first."""

    current: SigningKey
    old: tuple[SigningKey, ...] = ()

    @classmethod
    def of(cls, current: bytes, *old: bytes) -> Keyring:
        return cls(_key(current), tuple(_key(secret) for secret in old if secret != current))

    @property
    def all(self) -> tuple[SigningKey, ...]:
        return (self.current, *self.old)

    def named(self, kid: str) -> tuple[SigningKey, ...]:
        """The keys with this id (two secrets may share an id: both are tried)."""
        return tuple(k for k in self.all if k.kid == kid.upper())


def keyring_of(keys: Keyring | bytes) -> Keyring:
    """A keyring as given, or a lone secret as a keyring of one."""
    return keys if isinstance(keys, Keyring) else Keyring.of(keys)


def _derived(config: Mapping[str, Any]) -> bytes:
    if config.get("CHANNELFRONT_ENV") == "development" and not config.get("TESTING"):
        log.warning(
            "LICENSE_SIGNING_KEY is not set: license keys are signed with a key derived"
            " from SECRET_KEY. Every license key issued now stops verifying when"
            " SECRET_KEY (or var/dev-secret-key) changes. Set LICENSE_SIGNING_KEY before"
            " issuing licenses anyone keeps."
        )
    return hashlib.sha256(b"license-keys:" + str(config["SECRET_KEY"]).encode()).digest()


def signing_keys(config: Mapping[str, Any]) -> Keyring:
    """This deployment's keyring: LICENSE_SIGNING_KEY (or one derived from SECRET_KEY)
    and the retired keys of LICENSE_SIGNING_KEYS_OLD."""
    configured = str(config.get("LICENSE_SIGNING_KEY") or "")
    current = configured.encode("utf-8") if configured else _derived(config)
    retired = str(config.get("LICENSE_SIGNING_KEYS_OLD") or "").split(",")
    return Keyring.of(current, *(s.strip().encode("utf-8") for s in retired if s.strip()))
