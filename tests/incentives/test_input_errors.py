"""Bad input raises ``incentives.InputError`` naming the offending field and event."""

from __future__ import annotations

import pytest

import incentives
from tests.incentives.documents import (
    document,
    fx,
    percent,
    program,
    purchase,
    refund,
    rule,
    simulate,
    tiered,
)

SALE = purchase("O-1", "2025-03-01", "100.00")


def _error(doc: dict, as_of: str = "2025-04-01") -> incentives.InputError:
    with pytest.raises(incentives.InputError) as caught:
        simulate(doc, as_of)
    return caught.value


def _assert_names(error: incentives.InputError, field: str, event: str | None) -> None:
    assert isinstance(error, Exception)
    assert error.field == field
    assert error.event == event
    assert field in str(error)
    if event is not None:
        assert event in str(error)


@pytest.mark.parametrize(
    ("currency", "amount"),
    [("USD", "10.005"), ("JPY", "100.5"), ("KWD", "1.2345"), ("EUR", "0.001")],
)
def test_an_amount_with_more_decimals_than_its_currency(currency: str, amount: str) -> None:
    doc = document(
        program(percent(), currency=currency),
        [
            purchase("O-1", "2025-03-01", "100", currency=currency),
            purchase("O-2", "2025-03-02", amount, currency=currency),
        ],
    )

    _assert_names(_error(doc), "events[1].net_amount", "O-2")


def test_three_decimals_are_fine_for_the_dinar() -> None:
    doc = document(
        program(percent(rate="0.10"), currency="KWD"),
        [purchase("O-1", "2025-03-01", "1.234", currency="KWD")],
    )

    assert simulate(doc, "2025-04-01")["statements"][0]["total"] == "0.123"  # 0.1234


def test_a_missing_exchange_rate() -> None:
    doc = document(
        program(percent()),
        [SALE, purchase("O-2", "2025-03-05", "100.00", currency="EUR")],
        fx_rates=[
            fx("USD", "EUR", "2025-01-01", "0.90"),  # the inverse pair is not derived
            fx("EUR", "USD", "2025-03-06", "1.10"),  # the day after the sale
        ],
    )
    error = _error(doc)

    assert error.event == "O-2"
    assert error.field in {"events[1].currency", "fx_rates"}
    assert "O-2" in str(error)
    assert error.field in str(error)


def test_an_unknown_rule_kind() -> None:
    doc = document(program(percent(), rule("bogus", "loyalty_bonus", "distributor")), [SALE])

    _assert_names(_error(doc), "program.rules[1].kind", None)


def test_a_refund_of_an_unknown_event() -> None:
    stray = refund(SALE, "R-1", "2025-03-05")
    stray["refund_of"] = "O-404"
    doc = document(program(percent()), [SALE, stray])

    _assert_names(_error(doc), "events[1].refund_of", "R-1")


@pytest.mark.parametrize(
    "tiers",
    [
        [("0", "0.01"), ("50000", "0.03"), ("10000", "0.02")],
        [("0", "0.01"), ("10000", "0.02"), ("10000", "0.03")],  # not ascending either
    ],
)
def test_tiers_out_of_order(tiers: list[tuple[str, str]]) -> None:
    doc = document(program(percent(), tiered(tiers=tiers), period="quarterly"), [SALE])

    _assert_names(_error(doc), "program.rules[1].tiers", None)


@pytest.mark.parametrize("date", ["2025-02-30", "10/03/2025", "2025-3-1", ""])
def test_a_bad_event_date(date: str) -> None:
    doc = document(program(percent()), [SALE, purchase("O-2", date, "10.00")])

    _assert_names(_error(doc), "events[1].event_date", "O-2")


def test_a_negative_quantity() -> None:
    doc = document(program(percent()), [SALE, purchase("O-2", "2025-03-02", "10.00", "-1")])

    _assert_names(_error(doc), "events[1].quantity", "O-2")


def test_a_refund_of_more_than_was_bought() -> None:
    sale = purchase("O-1", "2025-03-01", "100.00", "2")
    doc = document(
        program(percent()),
        [
            sale,
            refund(sale, "R-1", "2025-03-02", "60.00", "1"),
            refund(sale, "R-2", "2025-03-03", "60.00", "1"),  # 120.00 of 100.00
        ],
    )
    error = _error(doc)

    assert error.event == "R-2"
    assert error.field.startswith("events[2].")
    assert "R-2" in str(error)


def test_an_input_error_is_not_some_other_crash() -> None:
    assert issubclass(incentives.InputError, Exception)
    doc = document(program(percent()), [SALE, purchase("O-2", "2025-03-02", "ten", "1")])

    _assert_names(_error(doc), "events[1].net_amount", "O-2")


@pytest.mark.parametrize(
    ("amount", "quantity", "field"),
    [
        pytest.param("10.00", "0", "quantity"),
        pytest.param("0.00", "1", "net_amount"),
        ("10.00", "-1", "quantity"),
    ],
)
def test_a_refund_carries_a_positive_quantity_and_amount(
    amount: str, quantity: str, field: str
) -> None:
    sale = purchase("O-1", "2025-03-01", "100.00", "2")
    doc = document(program(percent()), [sale, refund(sale, "R-1", "2025-03-02", amount, quantity)])

    _assert_names(_error(doc), f"events[1].{field}", "R-1")


def test_a_missing_exchange_rate_under_the_statement_date_policy() -> None:
    doc = document(
        program(percent(), fx_rate_date="statement_date"),
        [SALE, purchase("O-2", "2025-03-05", "100.00", currency="EUR")],
        fx_rates=[fx("EUR", "USD", "2025-04-01", "1.10")],  # after March's last day
    )
    error = _error(doc)

    assert error.event == "O-2"
    assert error.field in {"events[1].currency", "fx_rates"}
    assert "O-2" in str(error)
