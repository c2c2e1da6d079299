"""Periods: keys, grace days, the program's time zone, late events and the as-of date."""

from __future__ import annotations

import pytest

from tests.incentives.documents import (
    document,
    expect,
    lines,
    percent,
    periods,
    program,
    purchase,
    simulate,
    statement,
)


@pytest.mark.parametrize(
    ("period", "march", "august"),
    [
        ("monthly", "2025-03", "2025-08"),
        ("quarterly", "2025-Q1", "2025-Q3"),
        ("semiannual", "2025-H1", "2025-H2"),
        ("annual", "2025", "2025"),
    ],
)
def test_period_keys(period: str, march: str, august: str) -> None:
    doc = document(
        program(percent(rate="0.10"), period=period),
        [purchase("O-1", "2025-03-10", "100.00"), purchase("O-2", "2025-08-01", "200.00")],
    )
    out = simulate(doc, "2026-02-01")

    assert periods(out, "D1") == sorted({march, august})
    assert statement(out, "D1", march)["status"] == "closed"
    for st in out["statements"]:
        for line in st["lines"]:
            assert line["origin_period"] == st["period"]


@pytest.mark.parametrize(
    ("period", "first_day", "last_day", "key"),
    [
        ("quarterly", "2025-04-01", "2025-06-30", "2025-Q2"),
        ("semiannual", "2025-07-01", "2025-12-31", "2025-H2"),
        ("annual", "2025-01-01", "2025-12-31", "2025"),
    ],
)
def test_period_bounds_are_inclusive(period: str, first_day: str, last_day: str, key: str) -> None:
    doc = document(
        program(percent(rate="0.10"), period=period),
        [purchase("O-1", first_day, "100.00"), purchase("O-2", last_day, "100.00")],
    )
    out = simulate(doc, "2026-02-01")

    assert periods(out, "D1") == [key]
    assert statement(out, "D1", key)["total"] == "20.00"


def _march(grace_days: int = 5, **options: object) -> dict:
    return document(
        program(percent(rate="0.10"), grace_days=grace_days, **options),
        [purchase("O-1", "2025-03-10", "100.00")],
    )


def test_statement_is_open_through_its_last_grace_day() -> None:
    st = statement(simulate(_march(), "2025-04-05"), "D1", "2025-03")  # Mar 31 + 5 days

    assert st["status"] == "open"
    assert st["disposition"] == "open"
    assert lines(st) == expect(("pc", "earning", "O-1", "10.00", None))  # open accruals show


def test_statement_closes_the_day_after_its_last_grace_day() -> None:
    st = statement(simulate(_march(), "2025-04-06"), "D1", "2025-03")

    assert st["status"] == "closed"
    assert st["disposition"] == "paid"


def test_without_grace_days_the_period_closes_on_its_last_day() -> None:
    assert statement(simulate(_march(0), "2025-03-31"), "D1", "2025-03")["status"] == "open"
    assert statement(simulate(_march(0), "2025-04-01"), "D1", "2025-03")["status"] == "closed"


def test_events_after_as_of_are_ignored() -> None:
    doc = document(
        program(percent(rate="0.10")),
        [purchase("O-1", "2025-03-10", "100.00"), purchase("O-2", "2025-03-11", "500.00")],
    )
    out = simulate(doc, "2025-03-10")

    assert lines(statement(out, "D1", "2025-03")) == expect(("pc", "earning", "O-1", "10.00", None))


# --- late events --------------------------------------------------------------------------


def _late(recorded_at: str | None, *, timezone: str = "UTC", grace_days: int = 5) -> dict:
    return document(
        program(percent(rate="0.10"), grace_days=grace_days, timezone=timezone),
        [
            purchase("O-1", "2025-03-10", "100.00"),
            purchase("O-L", "2025-03-20", "300.00", recorded_at=recorded_at),
        ],
    )


def test_an_event_recorded_on_the_last_grace_day_stays_in_its_period() -> None:
    out = simulate(_late("2025-04-05T23:00:00+00:00"), "2025-05-06")

    assert periods(out, "D1") == ["2025-03"]
    assert lines(statement(out, "D1", "2025-03")) == expect(
        ("pc", "earning", "O-1", "10.00", None), ("pc", "earning", "O-L", "30.00", None)
    )


def test_an_event_recorded_after_its_period_closed_goes_to_the_earliest_open_statement() -> None:
    out = simulate(_late("2025-04-06T09:00:00+00:00"), "2025-05-06")

    march = statement(out, "D1", "2025-03")
    assert lines(march) == expect(("pc", "earning", "O-1", "10.00", None))
    assert march["total"] == "10.00"
    april = statement(out, "D1", "2025-04")
    assert lines(april) == expect(("pc", "earning", "O-L", "30.00", None))
    assert april["status"] == "closed"


def test_a_late_event_skips_every_period_closed_when_it_was_recorded() -> None:
    doc = document(
        program(percent(rate="0.10")),
        [purchase("O-L", "2025-01-20", "300.00", recorded_at="2025-03-05T12:00:00+00:00")],
    )
    out = simulate(doc, "2025-04-01")

    assert periods(out, "D1") == ["2025-03"]  # January and February had closed
    assert lines(statement(out, "D1", "2025-03")) == expect(("pc", "earning", "O-L", "30.00", None))


def test_a_late_event_leaves_the_closed_statement_as_it_was() -> None:
    closed = statement(simulate(_march(), "2025-04-06"), "D1", "2025-03")  # O-1 alone
    later = statement(simulate(_late("2025-04-06T09:00:00+00:00"), "2025-05-06"), "D1", "2025-03")

    assert later == closed


@pytest.mark.parametrize(
    ("timezone", "recorded_at", "period"),
    [
        # Mar 31 16:00 UTC is Apr 1 01:00 in Tokyo: March (no grace days) has closed there
        ("Asia/Tokyo", "2025-03-31T16:00:00+00:00", "2025-04"),
        ("UTC", "2025-03-31T16:00:00+00:00", "2025-03"),
        # Apr 1 02:00 UTC is still Mar 31 in New York
        ("America/New_York", "2025-04-01T02:00:00+00:00", "2025-03"),
        ("UTC", "2025-04-01T02:00:00+00:00", "2025-04"),
        # the offset in the timestamp counts: Apr 1 08:00 in Tokyo is Mar 31 23:00 UTC
        ("UTC", "2025-04-01T08:00:00+09:00", "2025-03"),
    ],
)
def test_lateness_is_judged_in_the_programs_time_zone(
    timezone: str, recorded_at: str, period: str
) -> None:
    doc = document(
        program(percent(rate="0.10"), timezone=timezone),
        [purchase("O-L", "2025-03-31", "300.00", recorded_at=recorded_at)],
    )
    out = simulate(doc, "2025-05-01")

    assert periods(out, "D1") == [period]


def test_a_late_event_uses_the_cap_room_of_the_period_it_posts_to() -> None:
    capped = percent(rate="0.10", caps={"per_period": "100.00"})
    doc = document(
        program(capped, grace_days=5),
        [
            purchase("O-1", "2025-03-10", "600.00"),  # March: 60.00 of 100.00
            purchase("O-2", "2025-04-02", "600.00"),  # April, dated after the late one: 40.00
            # dated in March, recorded after March closed: posts to April, and is processed
            # first there (event date Mar 20 < Apr 2): 60.00 of April's 100.00
            purchase("O-L", "2025-03-20", "600.00", recorded_at="2025-04-06T09:00:00+00:00"),
        ],
    )
    out = simulate(doc, "2025-05-06")

    assert lines(statement(out, "D1", "2025-03")) == expect(("pc", "earning", "O-1", "60.00", None))
    assert lines(statement(out, "D1", "2025-04")) == expect(
        ("pc", "earning", "O-L", "60.00", None), ("pc", "earning", "O-2", "40.00", None)
    )
