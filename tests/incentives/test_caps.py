"""Caps: used in event order, the crossing line cut, later lines zero with cap_reached."""

from __future__ import annotations

from tests.incentives.documents import (
    document,
    expect,
    lines,
    percent,
    program,
    purchase,
    refund,
    simulate,
    statement,
    tiered,
)


def test_per_line_cap_cuts_each_entry() -> None:
    doc = document(
        program(percent(rate="0.10", caps={"per_line": "50.00"})),
        [purchase("O-1", "2025-03-01", "600.00"), purchase("O-2", "2025-03-02", "300.00")],
    )
    st = statement(simulate(doc, "2025-04-01"), "D1", "2025-03")

    assert lines(st) == expect(
        ("pc", "earning", "O-1", "50.00", None),  # 60.00 cut to 50.00; a cut line has no reason
        ("pc", "earning", "O-2", "30.00", None),
    )


def test_per_period_cap_cuts_the_crossing_line_and_zeroes_the_rest_until_next_period() -> None:
    doc = document(
        program(percent(rate="0.10", caps={"per_period": "100.00"})),
        [
            purchase("O-1", "2025-03-01", "600.00"),  # 60.00
            purchase("O-2", "2025-03-02", "600.00"),  # 60.00 crosses 100.00: 40.00
            purchase("O-3", "2025-03-03", "600.00"),  # 0.00
            purchase("O-4", "2025-04-01", "600.00"),  # April has its own 100.00
        ],
    )
    out = simulate(doc, "2025-05-01")

    assert lines(statement(out, "D1", "2025-03")) == expect(
        ("pc", "earning", "O-1", "60.00", None),
        ("pc", "earning", "O-2", "40.00", None),
        ("pc", "earning", "O-3", "0.00", "cap_reached"),
    )
    assert statement(out, "D1", "2025-03")["total"] == "100.00"
    assert lines(statement(out, "D1", "2025-04")) == expect(("pc", "earning", "O-4", "60.00", None))


def test_lifetime_cap_runs_across_periods() -> None:
    doc = document(
        program(percent(rate="0.10", caps={"lifetime": "100.00"})),
        [
            purchase("O-1", "2025-03-01", "600.00"),  # 60.00
            purchase("O-2", "2025-04-01", "600.00"),  # 40.00 left
            purchase("O-3", "2025-05-01", "600.00"),  # none left
        ],
    )
    out = simulate(doc, "2025-06-01")

    assert lines(statement(out, "D1", "2025-03")) == expect(("pc", "earning", "O-1", "60.00", None))
    assert lines(statement(out, "D1", "2025-04")) == expect(("pc", "earning", "O-2", "40.00", None))
    assert lines(statement(out, "D1", "2025-05")) == expect(
        ("pc", "earning", "O-3", "0.00", "cap_reached")
    )


def test_caps_are_per_beneficiary() -> None:
    doc = document(
        program(percent(rate="0.10", caps={"per_period": "100.00"})),
        [
            purchase("O-1", "2025-03-01", "900.00", distributor="D1"),  # 90.00
            purchase("O-2", "2025-03-02", "900.00", distributor="D2"),  # 90.00, D2's own room
        ],
    )
    out = simulate(doc, "2025-04-01")

    assert lines(statement(out, "D2", "2025-03")) == expect(("pc", "earning", "O-2", "90.00", None))


def test_clawbacks_give_no_cap_room_back() -> None:
    first = purchase("O-1", "2025-03-01", "600.00")
    doc = document(
        program(percent(rate="0.10", caps={"per_period": "100.00"})),
        [
            first,  # 60.00
            purchase("O-2", "2025-03-02", "600.00"),  # 40.00
            refund(first, "R-1", "2025-03-03"),  # -60.00
            purchase("O-3", "2025-03-04", "600.00"),  # the room stays used: 0.00
        ],
    )
    st = statement(simulate(doc, "2025-04-01"), "D1", "2025-03")

    assert lines(st) == expect(
        ("pc", "earning", "O-1", "60.00", None),
        ("pc", "earning", "O-2", "40.00", None),
        ("pc", "clawback", "R-1", "-60.00", None),
        ("pc", "earning", "O-3", "0.00", "cap_reached"),
    )
    assert st["total"] == "40.00"


def test_capacity_goes_in_event_date_order_not_input_order() -> None:
    doc = document(
        program(percent(rate="0.10", caps={"per_period": "100.00"})),
        [
            purchase("O-3", "2025-03-20", "600.00"),  # last by date: nothing left
            purchase("O-2", "2025-03-10", "600.00"),  # 40.00
            purchase("O-1", "2025-03-05", "600.00"),  # first by date: 60.00
        ],
    )
    st = statement(simulate(doc, "2025-04-01"), "D1", "2025-03")

    assert lines(st) == expect(
        ("pc", "earning", "O-1", "60.00", None),
        ("pc", "earning", "O-2", "40.00", None),
        ("pc", "earning", "O-3", "0.00", "cap_reached"),
    )


def test_same_day_capacity_goes_by_recorded_time_then_event_id() -> None:
    at_nine = "2025-03-06T09:00:00+00:00"
    doc = document(
        program(percent(rate="0.10", caps={"per_period": "100.00"})),
        [
            purchase("O-A", "2025-03-05", "500.00", recorded_at="2025-03-05T10:00:00+00:00"),
            purchase("O-B", "2025-03-05", "700.00", recorded_at="2025-03-05T09:00:00+00:00"),
            # D2, its own room: same date and instant, so by event id, C before D
            purchase("O-D", "2025-03-06", "700.00", distributor="D2", recorded_at=at_nine),
            purchase("O-C", "2025-03-06", "700.00", distributor="D2", recorded_at=at_nine),
        ],
    )
    out = simulate(doc, "2025-04-01")

    assert lines(statement(out, "D1", "2025-03")) == expect(
        ("pc", "earning", "O-B", "70.00", None),  # recorded first
        ("pc", "earning", "O-A", "30.00", None),  # 50.00 cut to the 30.00 left
    )
    assert lines(statement(out, "D2", "2025-03")) == expect(
        ("pc", "earning", "O-C", "70.00", None),
        ("pc", "earning", "O-D", "30.00", None),
    )


def test_a_per_period_cap_limits_an_aggregate_payout() -> None:
    rule = tiered(caps={"per_period": "1000.00"})
    doc = document(
        program(rule, period="quarterly"),
        [purchase("O-1", "2025-01-15", "60000.00")],  # 60000 x 0.03 = 1800.00
    )
    st = statement(simulate(doc, "2025-04-01"), "D1", "2025-Q1")

    assert lines(st) == expect(("vol", "earning", None, "1000.00", None))
