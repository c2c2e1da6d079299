"""Refunds: clawbacks inside the window, proportional parts, and volume of past periods."""

from __future__ import annotations

import pytest

from tests.incentives.documents import (
    document,
    expect,
    lines,
    per_unit,
    percent,
    periods,
    program,
    purchase,
    refund,
    simulate,
    statement,
    statements,
    tiered,
)

SALE = purchase("O-1", "2025-01-01", "100.00")  # 10 % of it: 10.00


@pytest.mark.parametrize(
    ("refund_date", "period", "clawback"),
    [
        ("2025-01-31", "2025-01", ("pc", "clawback", "R-1", "-10.00", None)),  # day 30: inside
        ("2025-02-01", "2025-02", ("pc", "clawback", "R-1", "0.00", "outside_clawback_window")),
    ],
)
def test_clawback_window_is_inclusive(refund_date: str, period: str, clawback: tuple) -> None:
    doc = document(
        program(percent(rate="0.10", clawback_window_days=30)),
        [SALE, refund(SALE, "R-1", refund_date)],
    )
    out = simulate(doc, "2025-03-01")

    assert ("pc", "earning", "O-1", "10.00", None) in lines(statement(out, "D1", "2025-01"))
    assert clawback in lines(statement(out, "D1", period))


def test_without_a_window_a_refund_is_always_clawed_back() -> None:
    doc = document(program(percent(rate="0.10")), [SALE, refund(SALE, "R-1", "2025-11-20")])
    out = simulate(doc, "2025-12-01")

    assert lines(statement(out, "D1", "2025-11")) == expect(
        ("pc", "clawback", "R-1", "-10.00", None)
    )


def test_partial_refunds_are_proportional_and_the_last_takes_the_exact_remainder() -> None:
    sale = purchase("O-1", "2025-03-01", "10.00", "3")  # 10.00 x 0.125 = 1.25
    doc = document(
        program(percent(rate="0.125")),
        [
            sale,
            refund(sale, "R-1", "2025-03-02", "3.33", "1"),  # 1.25 x 3.33/10 = 0.41625 -> 0.42
            refund(sale, "R-2", "2025-03-03", "3.33", "1"),  # 0.42 again
            # completes the refund: 1.25 - 0.84 = 0.41 (its own share would round to 0.42)
            refund(sale, "R-3", "2025-03-04", "3.34", "1"),
        ],
    )
    st = statement(simulate(doc, "2025-04-01"), "D1", "2025-03")

    assert lines(st) == expect(
        ("pc", "earning", "O-1", "1.25", None),
        ("pc", "clawback", "R-1", "-0.42", None),
        ("pc", "clawback", "R-2", "-0.42", None),
        ("pc", "clawback", "R-3", "-0.41", None),
    )
    assert st["total"] == "0.00"
    assert st["disposition"] == "carried_forward"


def test_a_full_refund_in_a_later_period_nets_the_line_to_zero() -> None:
    sale = purchase("O-1", "2025-03-01", "33.33", "3")  # 33.33 x 0.07 = 2.3331 -> 2.33
    doc = document(
        program(percent(rate="0.07")),
        [
            sale,
            refund(sale, "R-1", "2025-04-10", "11.11", "1"),  # 2.33 x 1/3 = 0.7766.. -> 0.78
            refund(sale, "R-2", "2025-05-10", "22.22", "2"),  # the rest: 2.33 - 0.78 = 1.55
        ],
    )
    out = simulate(doc, "2025-06-01")

    assert lines(statement(out, "D1", "2025-03")) == expect(("pc", "earning", "O-1", "2.33", None))
    assert lines(statement(out, "D1", "2025-04")) == expect(
        ("pc", "clawback", "R-1", "-0.78", None)
    )
    assert lines(statement(out, "D1", "2025-05")) == expect(
        ("pc", "clawback", "R-2", "-1.55", None)
    )


def test_a_per_unit_clawback_follows_the_refunded_quantity_of_what_the_cut_line_earned() -> None:
    spiff = per_unit(amount_per_unit="5.00", caps={"per_promotion_units": "10"})
    first = purchase("O-1", "2025-03-01", "600.00", "6")  # 30.00
    second = purchase("O-2", "2025-03-02", "600.00", "6")  # cut to 4 units: 20.00
    third = purchase("O-3", "2025-03-05", "200.00", "2")  # no room: 0.00
    doc = document(
        program(spiff),
        [
            first,
            second,
            refund(second, "R-2", "2025-03-03", "300.00", "3"),  # 20.00 x 3/6 = 10.00 back
            third,  # the clawback gave no unit room back
            refund(third, "R-3", "2025-03-06"),  # nothing was earned: no clawback line
        ],
    )
    st = statement(simulate(doc, "2025-04-01"), "P1", "2025-03")

    assert lines(st) == expect(
        ("spiff", "earning", "O-1", "30.00", None),
        ("spiff", "earning", "O-2", "20.00", None),
        ("spiff", "clawback", "R-2", "-10.00", None),
        ("spiff", "earning", "O-3", "0.00", "cap_reached"),
    )
    assert st["total"] == "40.00"


def test_a_clawback_does_not_recheck_the_rules_validity_on_the_refund_date() -> None:
    rule = percent(rate="0.10", scope={"valid_from": "2025-03-01", "valid_to": "2025-03-20"})
    sale = purchase("O-1", "2025-03-15", "100.00")
    doc = document(program(rule), [sale, refund(sale, "R-1", "2025-04-25")])
    out = simulate(doc, "2025-05-01")

    assert lines(statement(out, "D1", "2025-04")) == expect(
        ("pc", "clawback", "R-1", "-10.00", None)
    )


# --- refunds and aggregate volume ---------------------------------------------------------

VOLUME_TIERS = (("0", "0.02"), ("10000", "0.04"))
Q1_A = purchase("O-1", "2025-01-15", "6000.00", "2")
Q1_B = purchase("O-2", "2025-02-15", "6000.00", "2")  # Q1: 12000 x 0.04 = 480.00
Q2_SALE = purchase("O-3", "2025-04-20", "11000.00")


def _volume_doc(*events: dict, attribution: str | None = None) -> dict:
    options = {} if attribution is None else {"refund_volume_attribution": attribution}
    rule = tiered(tiers=VOLUME_TIERS, **options)
    return document(program(rule, period="quarterly", grace_days=10), [Q1_A, Q1_B, *events])


def _rows(out: dict, period: str) -> list[tuple]:
    return [
        (ln["type"], ln["origin_period"], ln["amount"], ln["reason"])
        for ln in sorted(statement(out, "D1", period)["lines"], key=lambda ln: ln["type"])
    ]


def test_a_refund_inside_the_open_period_just_lowers_its_volume() -> None:
    out = simulate(_volume_doc(refund(Q1_A, "R-1", "2025-03-01", "3000.00", "1")), "2025-04-11")

    # 12000 - 3000 = 9000, in the 2 % tier: 180.00
    assert _rows(out, "2025-Q1") == [("earning", "2025-Q1", "180.00", None)]


def test_a_refund_of_a_closed_periods_sale_posts_one_prior_period_adjustment() -> None:
    late_refund = refund(Q1_A, "R-1", "2025-05-05", "3000.00", "1")  # Q1 closed on Apr 10
    out = simulate(_volume_doc(Q2_SALE, late_refund), "2025-07-11")

    assert _rows(out, "2025-Q1") == [("earning", "2025-Q1", "480.00", None)]  # never changes
    # Q2: its own 11000 x 0.04 = 440.00; Q1 recomputed 9000 x 0.02 = 180.00, minus 480.00
    assert _rows(out, "2025-Q2") == [
        ("earning", "2025-Q2", "440.00", None),
        ("prior_period_adjustment", "2025-Q1", "-300.00", None),
    ]
    q2 = statement(out, "D1", "2025-Q2")
    assert [ln["event"] for ln in q2["lines"]] == [None, None]
    assert q2["total"] == "140.00"


def test_several_late_refunds_of_one_period_make_a_single_adjustment_line() -> None:
    sale = purchase("O-1", "2025-01-15", "6000.00", "4")
    doc = document(
        program(tiered(tiers=VOLUME_TIERS), period="quarterly", grace_days=10),
        [
            sale,
            Q1_B,
            refund(sale, "R-1", "2025-05-05", "1500.00", "1"),
            refund(sale, "R-2", "2025-06-05", "1500.00", "1"),
        ],
    )
    out = simulate(doc, "2025-07-11")

    # Q1 recomputed: 9000 x 0.02 = 180.00, minus the 480.00 paid; no Q2 volume of its own
    assert _rows(out, "2025-Q2") == [("prior_period_adjustment", "2025-Q1", "-300.00", None)]


def test_the_adjustment_is_written_when_its_statement_closes() -> None:
    late_refund = refund(Q1_A, "R-1", "2025-05-05", "3000.00", "1")
    out = simulate(_volume_doc(late_refund), "2025-07-10")  # Q2 still open

    assert periods(out, "D1") == ["2025-Q1"]
    assert _rows(out, "2025-Q1") == [("earning", "2025-Q1", "480.00", None)]


def test_a_late_sale_of_a_closed_period_posts_a_positive_adjustment() -> None:
    doc = document(
        program(tiered(tiers=VOLUME_TIERS), period="quarterly", grace_days=10),
        [
            purchase("O-1", "2025-01-15", "9000.00"),  # Q1 at close: 9000 x 0.02 = 180.00
            purchase("O-L", "2025-03-20", "3000.00", recorded_at="2025-04-15T09:00:00+00:00"),
        ],
    )
    out = simulate(doc, "2025-07-11")

    assert _rows(out, "2025-Q1") == [("earning", "2025-Q1", "180.00", None)]
    # Q1 recomputed: 12000 x 0.04 = 480.00, minus 180.00
    assert _rows(out, "2025-Q2") == [("prior_period_adjustment", "2025-Q1", "300.00", None)]


def test_refund_period_attribution_lowers_the_volume_of_the_refunds_own_period() -> None:
    late_refund = refund(Q1_A, "R-1", "2025-05-05", "3000.00", "1")
    out = simulate(_volume_doc(Q2_SALE, late_refund, attribution="refund_period"), "2025-07-11")

    assert _rows(out, "2025-Q1") == [("earning", "2025-Q1", "480.00", None)]
    # Q2: 11000 - 3000 = 8000, in the 2 % tier: 160.00; no adjustment of Q1
    assert _rows(out, "2025-Q2") == [("earning", "2025-Q2", "160.00", None)]


def test_aggregate_statements_carry_no_clawback_lines() -> None:
    late_refund = refund(Q1_A, "R-1", "2025-05-05", "3000.00", "1")
    out = simulate(_volume_doc(Q2_SALE, late_refund), "2025-07-11")

    types = {ln["type"] for st in statements(out) for ln in st["lines"]}
    assert types == {"earning", "prior_period_adjustment"}


def test_a_refund_dated_in_the_grace_days_lowers_its_still_open_origin_period() -> None:
    sale = purchase("O-1", "2025-03-20", "12000.00", "4")
    doc = document(
        program(tiered(tiers=VOLUME_TIERS), grace_days=10),
        # April 5: March is open until the end of April 10, so its volume is just lowered
        [sale, refund(sale, "R-1", "2025-04-05", "3000.00", "1")],
    )
    out = simulate(doc, "2025-05-11")

    # March: 12000 - 3000 = 9000, in the 2 % tier: 180.00; nothing left to adjust later
    assert lines(statement(out, "D1", "2025-03")) == expect(
        ("vol", "earning", None, "180.00", None)
    )
    assert periods(out, "D1") == ["2025-03"]


def test_a_late_refund_adjusts_in_the_earliest_open_statement_not_its_own_period() -> None:
    sale = purchase("O-1", "2025-01-20", "12000.00", "4")  # January: 12000 x 0.04 = 480.00
    doc = document(
        program(tiered(tiers=VOLUME_TIERS), grace_days=40),
        # March 20: January closed on March 12 (Jan 31 + 40); February is open to April 9
        [sale, refund(sale, "R-1", "2025-03-20", "3000.00", "1")],
    )
    out = simulate(doc, "2025-04-10")

    assert lines(statement(out, "D1", "2025-01")) == expect(
        ("vol", "earning", None, "480.00", None)
    )
    # January recomputed: 9000 x 0.02 = 180.00, minus 480.00, in February's statement
    assert _rows(out, "2025-02") == [("prior_period_adjustment", "2025-01", "-300.00", None)]


def test_a_prior_period_adjustment_is_written_even_when_it_is_zero() -> None:
    rule = tiered(measure_cap="50000")  # tiers 0: 1 %, 10000: 2 %, 50000: 3 %
    sale = purchase("O-1", "2025-01-15", "60000.00", "6")  # capped to 50000: 1500.00
    doc = document(
        program(rule, period="quarterly", grace_days=10),
        [sale, refund(sale, "R-1", "2025-05-05", "5000.00", "1")],  # 55000, still capped
    )
    out = simulate(doc, "2025-07-11")

    assert _rows(out, "2025-Q1") == [("earning", "2025-Q1", "1500.00", None)]
    assert _rows(out, "2025-Q2") == [("prior_period_adjustment", "2025-Q1", "0.00", None)]


def test_a_refund_waits_for_its_purchase_recorded_late() -> None:
    # The sale of March 1 is recorded on May 20 (March closed April 5), so it posts
    # to May; its refund of March 5, recorded on time, can only claw back after it.
    sale = purchase("O-1", "2025-03-01", "1000.00", "1", recorded_at="2025-05-20T09:00:00+00:00")
    doc = document(
        program(percent(rate="0.10"), grace_days=5),
        [refund(sale, "R-1", "2025-03-05", "1000.00", "1"), sale],
    )
    out = simulate(doc, "2025-07-01")

    # 1000 x 10 % = 100.00 earned in May, and the whole of it clawed back there too
    assert lines(statement(out, "D1", "2025-05")) == expect(
        ("pc", "earning", "O-1", "100.00", None),
        ("pc", "clawback", "R-1", "-100.00", None),
    )
    assert periods(out, "D1") == ["2025-05"]
