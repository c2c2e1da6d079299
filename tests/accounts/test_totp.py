"""RFC 6238's TOTP against the RFC's own SHA-1 test vectors, and the ±1 step window."""

from __future__ import annotations

import base64

import pytest

from channelfront.accounts import totp

# RFC 6238 appendix B: the ASCII key "12345678901234567890", 8 digits, SHA-1.
RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()
RFC_VECTORS = [
    (59, "94287082"),
    (1111111109, "07081804"),
    (1111111111, "14050471"),
    (1234567890, "89005924"),
    (2000000000, "69279037"),
    (20000000000, "65353130"),
]


@pytest.mark.parametrize(("moment", "expected"), RFC_VECTORS)
def test_rfc_6238_sha1_vectors(moment: int, expected: str) -> None:
    assert totp.code_at(RFC_SECRET, moment, digits=8) == expected


def test_six_digit_codes_are_the_last_six_of_the_rfc_values() -> None:
    assert totp.code_at(RFC_SECRET, 59) == "287082"
    assert totp.verify(RFC_SECRET, "287082", moment=59)


def test_a_code_is_accepted_one_step_early_or_late_and_not_two() -> None:
    now = 1_111_111_111
    assert totp.verify(RFC_SECRET, totp.code_at(RFC_SECRET, now - 30), moment=now)
    assert totp.verify(RFC_SECRET, totp.code_at(RFC_SECRET, now + 30), moment=now)
    assert not totp.verify(RFC_SECRET, totp.code_at(RFC_SECRET, now - 60), moment=now)
    assert not totp.verify(RFC_SECRET, totp.code_at(RFC_SECRET, now + 60), moment=now)


def test_a_secret_has_160_bits_in_base32() -> None:
    secret = totp.new_secret()
    assert len(secret) == 32
    assert len(base64.b32decode(secret)) == 20
    assert totp.new_secret() != secret


@pytest.mark.parametrize("typed", ["", "12345", "1234567", "abcdef", "١٢٣٤٥٦", "12 34 5"])
def test_malformed_codes_are_refused(typed: str) -> None:
    assert not totp.verify(RFC_SECRET, typed, moment=59)


def test_the_otpauth_uri_names_the_site_and_account() -> None:
    uri = totp.provisioning_uri("ABCD", "finance@northwind.example", "Northwind Supply")
    assert uri.startswith("otpauth://totp/Northwind%20Supply:finance@northwind.example?")
    assert "secret=ABCD" in uri
    assert "issuer=Northwind%20Supply" in uri
    assert "digits=6" in uri
    assert "period=30" in uri
