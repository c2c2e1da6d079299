"""LICENSE_SIGNING_KEY can be rotated: new license keys name the new key, keys signed
with a retired key verify while it is listed in LICENSE_SIGNING_KEYS_OLD, and keys
issued before key ids (CF1) keep verifying."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
import struct

import pytest

from channelfront.fulfillment.licenses import LicenseClaims, issue_key, verify_key
from channelfront.fulfillment.signing import Keyring, key_id, signing_keys

KEY_A = "a3f1c0de-the-key-before-the-rotation"
KEY_B = "77b2e9aa-the-key-after-the-rotation"
CLAIMS = LicenseClaims(order_line_id=12, seats=5, sku="SHD-ENT-1Y")


def keys(current: str, old: str = "") -> Keyring:
    return signing_keys(
        {
            "SECRET_KEY": "irrelevant",
            "LICENSE_SIGNING_KEY": current,
            "LICENSE_SIGNING_KEYS_OLD": old,
        }
    )


def key_issued_before_key_ids(secret: bytes, claims: LicenseClaims) -> str:
    """A key as earlier releases issued it: ``CF1-<payload>-<signature>``, no key id."""
    sku = claims.sku.encode()
    payload = struct.pack(">IIB", claims.order_line_id, claims.seats, len(sku)) + sku
    payload += secrets.token_bytes(10)
    signature = hmac.new(secret, b"CF1" + payload, hashlib.sha256).digest()[:16]

    def b32(data: bytes) -> str:
        return base64.b32encode(data).decode().rstrip("=")

    return f"CF1-{b32(payload)}-{b32(signature)}"


def test_a_key_issued_under_a_verifies_after_rotating_to_b_while_a_is_kept() -> None:
    license_key = issue_key(keys(KEY_A), CLAIMS)
    assert verify_key(keys(KEY_B, old=KEY_A), license_key) == CLAIMS
    assert verify_key(keys(KEY_B, old=f"some-older-key, {KEY_A}"), license_key) == CLAIMS
    assert verify_key(keys(KEY_B), license_key) is None, "A was dropped: the key is invalid"


def test_a_new_key_carries_the_current_key_id() -> None:
    license_key = issue_key(keys(KEY_B, old=KEY_A), CLAIMS)
    version, kid, *_ = license_key.split("-")
    assert (version, kid) == ("CF2", key_id(KEY_B.encode()))
    assert kid != key_id(KEY_A.encode())
    assert verify_key(keys(KEY_B), license_key) == CLAIMS
    assert verify_key(keys(KEY_A), license_key) is None


def test_a_key_cannot_claim_another_key_id() -> None:
    license_key = issue_key(keys(KEY_A), CLAIMS)
    version, _kid, payload, signature = license_key.split("-")
    relabelled = "-".join([version, key_id(KEY_B.encode()), payload, signature])
    assert verify_key(keys(KEY_B, old=KEY_A), relabelled) is None


def test_keys_issued_before_key_ids_verify_with_the_current_or_a_kept_key() -> None:
    legacy = key_issued_before_key_ids(KEY_A.encode(), CLAIMS)
    assert verify_key(keys(KEY_A), legacy) == CLAIMS
    assert verify_key(keys(KEY_B, old=KEY_A), legacy) == CLAIMS
    assert verify_key(keys(KEY_B), legacy) is None


def test_the_cli_follows_a_rotation(app, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    runner = app.test_cli_runner()
    monkeypatch.setitem(app.config, "LICENSE_SIGNING_KEY", KEY_A)
    monkeypatch.setitem(app.config, "LICENSE_SIGNING_KEYS_OLD", "")
    license_key = issue_key(signing_keys(app.config), CLAIMS)
    legacy = key_issued_before_key_ids(KEY_A.encode(), CLAIMS)

    monkeypatch.setitem(app.config, "LICENSE_SIGNING_KEY", KEY_B)
    monkeypatch.setitem(app.config, "LICENSE_SIGNING_KEYS_OLD", KEY_A)
    for kept in (license_key, legacy):
        result = runner.invoke(args=["licenses", "verify", kept])
        assert result.exit_code == 0, result.output
        assert "VALID: SHD-ENT-1Y, 5 seat(s)" in result.output
    listed = runner.invoke(args=["licenses", "keys"]).output.split("\n")
    assert listed[:2] == [f"current {key_id(KEY_B.encode())}", f"old {key_id(KEY_A.encode())}"]

    monkeypatch.setitem(app.config, "LICENSE_SIGNING_KEYS_OLD", "")
    dropped = runner.invoke(args=["licenses", "verify", license_key])
    assert dropped.exit_code == 1
    assert "INVALID" in dropped.output
    assert f"names signing key {key_id(KEY_A.encode())}" in dropped.output


def test_development_warns_when_license_keys_hang_on_secret_key(
    caplog: pytest.LogCaptureFixture,
) -> None:
    development = {"CHANNELFRONT_ENV": "development", "SECRET_KEY": "local"}
    with caplog.at_level(logging.WARNING, logger="channelfront.fulfillment.signing"):
        derived = signing_keys(development)
        assert "LICENSE_SIGNING_KEY is not set" in caplog.text
        assert "stops verifying when SECRET_KEY" in caplog.text
        caplog.clear()
        signing_keys({**development, "LICENSE_SIGNING_KEY": KEY_A})
        assert caplog.text == ""
    # The derived key changes with SECRET_KEY: what it signed then fails.
    license_key = issue_key(derived, CLAIMS)
    assert verify_key(signing_keys({**development, "SECRET_KEY": "rotated"}), license_key) is None
