"""Statements: totals, minimum payout, carry-forward, debit notes and manual adjustments."""

from __future__ import annotations

from tests.incentives.documents import (
    adjustment,
    document,
    expect,
    lines,
    percent,
    periods,
    program,
    purchase,
    refund,
    simulate,
    statement,
)


def _summary(st: dict) -> tuple[str, str, str, str]:
    return st["status"], st["opening_balance"], st["total"], st["disposition"]


def test_below_min_payout_is_carried_into_the_next_statement_with_a_line() -> None:
    doc = document(
        program(percent(rate="0.10"), min_payout="100.00"),
        [
            purchase("O-1", "2025-01-10", "600.00"),  # January: 60.00 < 100.00
            purchase("O-2", "2025-03-10", "500.00"),  # March (no February line): 60 + 50
            purchase("O-3", "2025-04-10", "300.00"),  # April: 30.00, March was paid
        ],
    )
    out = simulate(doc, "2025-05-01")

    assert periods(out, "D1") == ["2025-01", "2025-03", "2025-04"]
    assert _summary(statement(out, "D1", "2025-01")) == (
        "closed",
        "0.00",
        "60.00",
        "carried_forward",
    )
    assert _summary(statement(out, "D1", "2025-03")) == ("closed", "60.00", "110.00", "paid")
    assert _summary(statement(out, "D1", "2025-04")) == (
        "closed",
        "0.00",
        "30.00",
        "carried_forward",
    )


def test_a_total_equal_to_min_payout_is_paid() -> None:
    doc = document(
        program(percent(rate="0.10"), min_payout="100.00"),
        [purchase("O-1", "2025-01-10", "1000.00")],
    )
    st = statement(simulate(doc, "2025-02-01"), "D1", "2025-01")

    assert _summary(st) == ("closed", "0.00", "100.00", "paid")


def test_an_adjustment_is_a_line_without_rule_and_a_zero_total_is_carried_forward() -> None:
    doc = document(
        program(percent(rate="0.10")),
        [
            purchase("O-1", "2025-01-10", "600.00"),  # 60.00
            adjustment("A-1", "2025-01-20", "D1", "-60.00"),
            purchase("O-2", "2025-02-10", "100.00"),  # 10.00
        ],
    )
    out = simulate(doc, "2025-03-01")

    january = statement(out, "D1", "2025-01")
    (manual,) = [ln for ln in january["lines"] if ln["type"] == "adjustment"]
    assert (manual["rule"], manual["amount"], manual["reason"]) == (None, "-60.00", None)
    assert _summary(january) == ("closed", "0.00", "0.00", "carried_forward")
    assert _summary(statement(out, "D1", "2025-02")) == ("closed", "0.00", "10.00", "paid")


def test_an_adjustment_alone_opens_a_statement_for_its_beneficiary() -> None:
    doc = document(program(percent(rate="0.10")), [adjustment("A-1", "2025-02-03", "P7", "25.00")])
    st = statement(simulate(doc, "2025-03-01"), "P7", "2025-02")

    assert [(ln["rule"], ln["type"], ln["amount"]) for ln in st["lines"]] == [
        (None, "adjustment", "25.00")
    ]
    assert _summary(st) == ("closed", "0.00", "25.00", "paid")


def _negative_february(**options: str) -> dict:
    sale = purchase("O-1", "2025-01-10", "600.00")  # January: 60.00, paid
    return document(
        program(percent(rate="0.10"), **options),
        [
            sale,
            refund(sale, "R-1", "2025-02-10"),  # February: -60.00
            purchase("O-2", "2025-03-10", "1000.00"),  # March: 100.00
        ],
    )


def test_a_negative_total_is_carried_forward_by_default() -> None:
    out = simulate(_negative_february(), "2025-04-01")

    assert _summary(statement(out, "D1", "2025-01")) == ("closed", "0.00", "60.00", "paid")
    assert lines(statement(out, "D1", "2025-02")) == expect(
        ("pc", "clawback", "R-1", "-60.00", None)
    )
    assert _summary(statement(out, "D1", "2025-02")) == (
        "closed", "0.00", "-60.00", "carried_forward",
    )  # fmt: skip
    assert _summary(statement(out, "D1", "2025-03")) == ("closed", "-60.00", "40.00", "paid")


def test_a_negative_total_becomes_a_debit_note_when_configured() -> None:
    out = simulate(_negative_february(negative_balance="debit_note"), "2025-04-01")

    assert _summary(statement(out, "D1", "2025-02")) == ("closed", "0.00", "-60.00", "debit_note")
    assert _summary(statement(out, "D1", "2025-03")) == ("closed", "0.00", "100.00", "paid")


def test_an_open_statement_gets_the_carry_once_its_predecessor_has_closed() -> None:
    doc = document(
        program(percent(rate="0.10"), min_payout="100.00", grace_days=10),
        [purchase("O-1", "2025-01-10", "600.00"), purchase("O-2", "2025-02-03", "100.00")],
    )

    # Feb 5: January is still in its grace days, so February opens at zero
    early = simulate(doc, "2025-02-05")
    assert _summary(statement(early, "D1", "2025-01")) == ("open", "0.00", "60.00", "open")
    assert _summary(statement(early, "D1", "2025-02")) == ("open", "0.00", "10.00", "open")
    # Feb 11: January closed below the minimum; February opens with its 60.00
    later = simulate(doc, "2025-02-11")
    assert _summary(statement(later, "D1", "2025-01")) == (
        "closed", "0.00", "60.00", "carried_forward",
    )  # fmt: skip
    assert _summary(statement(later, "D1", "2025-02")) == ("open", "60.00", "70.00", "open")


def test_carry_forward_is_per_beneficiary_and_program() -> None:
    doc = document(
        program(percent(rate="0.10"), min_payout="100.00"),
        [
            purchase("O-1", "2025-01-10", "600.00", distributor="D1"),  # D1 carries 60.00
            purchase("O-2", "2025-02-10", "300.00", distributor="D2"),  # D2's own: 30.00
            purchase("O-3", "2025-02-11", "500.00", distributor="D1"),  # D1: 60 + 50
        ],
    )
    out = simulate(doc, "2025-03-01")

    assert _summary(statement(out, "D2", "2025-02")) == (
        "closed",
        "0.00",
        "30.00",
        "carried_forward",
    )
    assert _summary(statement(out, "D1", "2025-02")) == ("closed", "60.00", "110.00", "paid")
