"""License keys verify offline; forged or altered keys are refused by the CLI."""

from datetime import date

import pytest

from channelfront.fulfillment.licenses import LicenseClaims, issue_key, verify_key
from channelfront.subscriptions.dates import add_months

SECRET = b"test-signing-key"


def test_a_key_carries_its_claims_and_is_unguessable():
    claims = LicenseClaims(order_line_id=42, seats=5, sku="SHD-ENT-1Y")
    first, second = issue_key(SECRET, claims), issue_key(SECRET, claims)
    assert first != second
    assert verify_key(SECRET, first) == claims
    assert verify_key(SECRET, first.lower()) == claims
    assert verify_key(b"another-key", first) is None


def test_changing_any_character_breaks_the_key():
    key = issue_key(SECRET, LicenseClaims(7, 1, "INS-PERP"))
    for position, char in enumerate(key):
        if char == "-":
            continue
        replacement = "A" if char != "A" else "B"
        altered = key[:position] + replacement + key[position + 1 :]
        assert verify_key(SECRET, altered) is None, position


@pytest.mark.parametrize("garbage", ["", "CF1", "CF1--", "XX1-AAAA-BBBB", "CF1-!!!-???", "C" * 400])
def test_garbage_is_refused(garbage):
    assert verify_key(SECRET, garbage) is None


def test_cli_verifies_genuine_and_refuses_forged_keys(app):
    from channelfront.fulfillment.licenses import signing_key

    with app.app_context():
        key = issue_key(signing_key(app.config), LicenseClaims(3, 2, "BKP-PERP"))
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["licenses", "verify", key])
    assert ok.exit_code == 0
    assert "BKP-PERP" in ok.output
    forged = runner.invoke(
        args=["licenses", "verify", issue_key(b"forger", LicenseClaims(3, 2, "X"))]
    )
    assert forged.exit_code == 1
    assert "INVALID" in forged.output
    altered = runner.invoke(
        args=["licenses", "verify", key[:-2] + ("AA" if key[-2:] != "AA" else "BB")]
    )
    assert altered.exit_code == 1


def test_terms_end_on_the_same_day_months_later():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 25), 12) == date(2027, 11, 25)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2026, 12, 1), 1) == date(2027, 1, 1)
