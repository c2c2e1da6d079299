"""What a console user may type as an amount or a percentage."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from channelfront.admin.inputs import (
    amount_to_minor,
    bps_to_percent,
    minor_to_text,
    percent_to_bps,
    split_hosts,
)


@pytest.fixture
def page(app):
    """A console request, for the translated messages."""
    with app.test_request_context("/", base_url="http://admin.localhost"):
        yield


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [
        ("1250.50", "USD", 125050),
        ("1250.5", "USD", 125050),
        (" 7 ", "EUR", 700),
        ("0", "GBP", 0),
        ("0.01", "USD", 1),
        ("300000000", "JPY", 300_000_000),
        ("1.", "USD", 100),
        ("-0", "USD", 0),
    ],
)
def test_amounts_become_minor_units(page, text, currency, minor):
    assert amount_to_minor(text, currency) == minor


@pytest.mark.parametrize(
    ("text", "currency"),
    [
        ("1.001", "USD"),
        ("5.5", "JPY"),
        ("5.0", "JPY"),
        ("-1", "USD"),
        ("", "USD"),
        ("1 000", "USD"),
    ],
)
def test_bad_amounts_are_refused(page, text, currency):
    with pytest.raises(ValueError, match=r"decimals|negative|not a number|Enter a number"):
        amount_to_minor(text, currency)


@given(
    minor=st.integers(min_value=0, max_value=10**12 - 1),
    currency=st.sampled_from(["USD", "EUR", "JPY", "GBP"]),
)
def test_an_amount_shown_for_editing_reads_back_unchanged(app, minor, currency):
    with app.test_request_context("/", base_url="http://admin.localhost"):
        assert amount_to_minor(minor_to_text(minor, currency), currency) == minor


@given(bps=st.integers(min_value=0, max_value=10_000))
def test_a_percentage_shown_reads_back_unchanged(app, bps):
    with app.test_request_context("/", base_url="http://admin.localhost"):
        assert percent_to_bps(bps_to_percent(bps)) == bps


def test_percent_display_has_no_needless_zeros():
    assert [bps_to_percent(b) for b in (0, 1250, 3000, 10000, 1)] == [
        "0",
        "12.5",
        "30",
        "100",
        "0.01",
    ]


def test_hosts_may_be_typed_on_lines_or_with_commas():
    assert split_hosts(" a.example\r\nb.example, c.example  d.example\n\n") == [
        "a.example",
        "b.example",
        "c.example",
        "d.example",
    ]
