"""Money: exact minor units, one rounding per entry, currencies and exchange rates."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.incentives.documents import (
    document,
    expect,
    fx,
    lines,
    percent,
    program,
    purchase,
    refund,
    simulate,
    statement,
    tiered,
)

# --- rounding -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rounding", "first", "second"),
    [
        # 10.10 x 0.05 = 0.505 and 10.30 x 0.05 = 0.515: ties at the cent
        (None, "0.50", "0.52"),  # default half-even: to the even cent
        ("half_even", "0.50", "0.52"),
        ("half_up", "0.51", "0.52"),
    ],
)
def test_each_entry_is_rounded_once_to_the_cent(
    rounding: str | None, first: str, second: str
) -> None:
    options = {} if rounding is None else {"rounding": rounding}
    doc = document(
        program(percent(rate="0.05"), **options),
        [purchase("O-1", "2025-03-01", "10.10"), purchase("O-2", "2025-03-02", "10.30")],
    )
    st = statement(simulate(doc, "2025-04-01"), "D1", "2025-03")

    assert lines(st) == expect(
        ("pc", "earning", "O-1", first, None), ("pc", "earning", "O-2", second, None)
    )
    assert st["total"] == str(Decimal(first) + Decimal(second))


def test_rounding_null_means_the_half_even_default() -> None:
    doc = document(
        program(percent(rate="0.05"), rounding=None), [purchase("O-1", "2025-03-01", "10.10")]
    )
    st = statement(simulate(doc, "2025-04-01"), "D1", "2025-03")

    assert lines(st) == expect(("pc", "earning", "O-1", "0.50", None))  # 0.505 -> 0.50


@pytest.mark.parametrize(
    ("rounding", "expected"),
    [
        # 50 x 0.05 = 2.5 yen; 30 x 0.05 = 1.5 yen
        ("half_even", {"O-1": "2", "O-2": "2"}),
        ("half_up", {"O-1": "3", "O-2": "2"}),
    ],
)
def test_yen_has_no_minor_unit_and_ties_follow_the_rounding(
    rounding: str, expected: dict[str, str]
) -> None:
    doc = document(
        program(percent(rate="0.05"), currency="JPY", rounding=rounding),
        [
            purchase("O-1", "2025-03-01", "50", currency="JPY"),
            purchase("O-2", "2025-03-02", "30", currency="JPY"),
        ],
    )
    st = statement(simulate(doc, "2025-04-01"), "D1", "2025-03")

    assert {ln["event"]: ln["amount"] for ln in st["lines"]} == expected
    assert st["currency"] == "JPY"
    assert st["opening_balance"] == "0"
    assert st["total"] == str(sum(int(a) for a in expected.values()))


@pytest.mark.parametrize(("rounding", "amount"), [("half_even", "0"), ("half_up", "1")])
def test_half_a_yen(rounding: str, amount: str) -> None:
    doc = document(
        program(percent(rate="0.05"), currency="JPY", rounding=rounding),
        [purchase("O-1", "2025-03-01", "10", currency="JPY")],  # 10 x 0.05 = 0.5 yen
    )
    st = statement(simulate(doc, "2025-04-01"), "D1", "2025-03")

    # the entry is written even when it rounds to nothing (ledger entries are append-only)
    assert lines(st) == expect(("pc", "earning", "O-1", amount, None))
    assert st["total"] == amount


@pytest.mark.parametrize(("rounding", "amount"), [("half_even", "0.500"), ("half_up", "0.501")])
def test_kuwaiti_dinar_has_three_decimals(rounding: str, amount: str) -> None:
    doc = document(
        program(percent(rate="0.05"), currency="KWD", rounding=rounding),
        [purchase("O-1", "2025-03-01", "10.010", currency="KWD")],  # 0.5005 KWD
    )
    st = statement(simulate(doc, "2025-04-01"), "D1", "2025-03")

    assert lines(st) == expect(("pc", "earning", "O-1", amount, None))
    assert st["opening_balance"] == "0.000"
    assert st["total"] == amount


def test_an_aggregate_rule_rounds_once_per_period_not_per_event() -> None:
    rule = tiered(tiers=[("0", "0.025")])
    doc = document(
        program(rule),
        [
            purchase("O-1", "2025-03-01", "10.10"),
            purchase("O-2", "2025-03-02", "10.10"),
            purchase("O-3", "2025-03-03", "10.10"),
        ],
    )
    st = statement(simulate(doc, "2025-04-01"), "D1", "2025-03")

    # 30.30 x 0.025 = 0.7575 -> 0.76 (rounding each 0.2525 first would give 0.75)
    assert lines(st) == expect(("vol", "earning", None, "0.76", None))


# --- exchange rates -----------------------------------------------------------------------

EUR_USD = [
    fx("EUR", "USD", "2025-03-01", "1.10"),
    fx("EUR", "USD", "2025-03-10", "1.20"),
    fx("EUR", "USD", "2025-03-11", "1.50"),
    fx("EUR", "USD", "2025-04-01", "1.30"),
]


def test_conversion_uses_the_latest_quote_on_or_before_the_event_date() -> None:
    doc = document(
        program(percent(rate="0.10")),
        [
            purchase("O-1", "2025-03-05", "100.00", currency="EUR"),  # 1.10 of Mar 1: 11.00
            purchase("O-2", "2025-03-10", "100.00", currency="EUR"),  # 1.20 of that day: 12.00
        ],
        fx_rates=EUR_USD,
    )
    st = statement(simulate(doc, "2025-04-01"), "D1", "2025-03")

    assert lines(st) == expect(
        ("pc", "earning", "O-1", "11.00", None), ("pc", "earning", "O-2", "12.00", None)
    )
    assert st["currency"] == "USD"


def test_conversion_rounds_base_times_rate_times_fx_once() -> None:
    doc = document(
        program(percent(rate="0.05")),
        [purchase("O-1", "2025-03-05", "10.10", currency="EUR")],
        fx_rates=EUR_USD,
    )
    st = statement(simulate(doc, "2025-04-01"), "D1", "2025-03")

    # 10.10 x 0.05 x 1.10 = 0.5555 -> 0.56 (rounding 0.505 EUR first would give 0.55)
    assert lines(st) == expect(("pc", "earning", "O-1", "0.56", None))


def test_yen_sale_converts_into_a_dollar_program() -> None:
    doc = document(
        program(percent(rate="0.10")),
        [purchase("O-1", "2025-03-05", "1000", currency="JPY")],
        fx_rates=[fx("JPY", "USD", "2025-01-01", "0.0067")],
    )
    st = statement(simulate(doc, "2025-04-01"), "D1", "2025-03")

    assert lines(st) == expect(("pc", "earning", "O-1", "0.67", None))  # 1000 x 0.10 x 0.0067


def test_a_refund_reuses_the_exchange_rate_of_the_purchase() -> None:
    sale = purchase("O-1", "2025-03-05", "100.00", "2", currency="EUR")  # 100 x 0.10 x 1.10
    doc = document(
        program(percent(rate="0.10")),
        [
            sale,
            refund(sale, "R-1", "2025-04-02", "50.00", "1"),  # -11.00 x 50/100, not at 1.30
            refund(sale, "R-2", "2025-04-03", "50.00", "1"),  # the remainder
        ],
        fx_rates=EUR_USD,
    )
    out = simulate(doc, "2025-05-01")

    assert lines(statement(out, "D1", "2025-03")) == expect(("pc", "earning", "O-1", "11.00", None))
    assert lines(statement(out, "D1", "2025-04")) == expect(
        ("pc", "clawback", "R-1", "-5.50", None), ("pc", "clawback", "R-2", "-5.50", None)
    )


def test_statement_date_policy_converts_the_periods_sum_at_its_last_days_rate() -> None:
    rates = [
        fx("EUR", "USD", "2025-03-01", "1.10"),
        fx("EUR", "USD", "2025-03-31", "1.20"),
        fx("EUR", "USD", "2025-04-01", "2.00"),
    ]
    doc = document(
        program(percent(rate="0.05"), fx_rate_date="statement_date"),
        [
            purchase("O-1", "2025-03-05", "10.10", currency="EUR"),  # 0.505 EUR, unrounded
            purchase("O-2", "2025-03-06", "10.10", currency="EUR"),  # 0.505 EUR
            purchase("O-3", "2025-03-07", "7.00"),  # already USD: its own line, 0.35
        ],
        fx_rates=rates,
    )
    st = statement(simulate(doc, "2025-04-02"), "D1", "2025-03")

    # 1.01 EUR at the Mar 31 rate 1.20 = 1.212 -> 1.21, one line without an event
    assert lines(st) == expect(
        ("pc", "earning", None, "1.21", None), ("pc", "earning", "O-3", "0.35", None)
    )


def test_statement_date_clawbacks_use_the_rate_of_the_purchases_period() -> None:
    rates = [fx("EUR", "USD", "2025-03-31", "1.20"), fx("EUR", "USD", "2025-04-30", "1.50")]
    sale = purchase("O-1", "2025-03-05", "100.00", "2", currency="EUR")  # 10.00 EUR commission
    doc = document(
        program(percent(rate="0.10"), fx_rate_date="statement_date"),
        [
            sale,
            refund(sale, "R-1", "2025-04-10", "50.00", "1"),
            refund(sale, "R-2", "2025-04-11", "50.00", "1"),
        ],
        fx_rates=rates,
    )
    out = simulate(doc, "2025-05-01")

    # March: 10.00 EUR x 1.20; April: both refunds summed, -10.00 EUR at March's 1.20, not 1.50
    assert lines(statement(out, "D1", "2025-03")) == expect(("pc", "earning", None, "12.00", None))
    assert lines(statement(out, "D1", "2025-04")) == expect(
        ("pc", "clawback", None, "-12.00", None)
    )


def test_statement_date_sums_a_periods_earnings_and_clawbacks_before_rounding_once() -> None:
    # Two licences at 125.00 EUR on March 10, one returned on March 20; 10 % commission.
    # Unrounded: 25.00 EUR earned, 12.50 EUR clawed back, 12.50 EUR net; at March 31's
    # 1.25 that is 15.625 USD, rounded once (half-even) to 15.62. Converting the two
    # apart gives 31.25 and -15.625 -> -15.62, which add up to 15.63: a cent too much.
    rates = [fx("EUR", "USD", "2025-03-01", "1.10"), fx("EUR", "USD", "2025-03-31", "1.25")]
    sale = purchase("O-1", "2025-03-10", "250.00", "2", currency="EUR")
    doc = document(
        program(percent(rate="0.10"), fx_rate_date="statement_date"),
        [sale, refund(sale, "R-1", "2025-03-20", "125.00", "1")],
        fx_rates=rates,
    )
    st = statement(simulate(doc, "2025-04-02"), "D1", "2025-03")

    assert st["total"] == "15.62"
    # The earning keeps its own conversion; the clawback is what rounding the sum leaves.
    assert lines(st) == expect(
        ("pc", "earning", None, "31.25", None), ("pc", "clawback", None, "-15.63", None)
    )
