"""Closing periods: statements and credit notes once, carry-forward, late facts, by hand."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from flask import Flask
from sqlalchemy import func, select

from channelfront.accounts.models import User
from channelfront.extensions import db
from channelfront.statements import close, posting
from channelfront.statements.models import (
    AppendOnlyViolation,
    CreditNote,
    LedgerEntry,
    PeriodClose,
    Statement,
    VolumeEntry,
)
from tests.statements.programs_data import (
    DISTRIBUTOR,
    bluebird_id,
    document,
    fact,
    live_program,
    refund_of,
    tenant,
)

CLOSE_DOC = document(
    DISTRIBUTOR,
    min_payout="100.00",
    rules=[rule for rule in DISTRIBUTOR["rules"] if rule["id"] != "com-security"],
)
APRIL_10 = datetime(2026, 4, 10, 12, tzinfo=UTC)
MAY_10 = datetime(2026, 5, 10, 12, tzinfo=UTC)


def program(doc=CLOSE_DOC, code="close-test", audience="distributor"):  # type: ignore[no-untyped-def]
    row = live_program("northwind", code, doc, audience)
    db.session.commit()
    return row


def post(*facts) -> None:  # type: ignore[no-untyped-def]
    posting.post(tenant("northwind"), list(facts))
    db.session.commit()


def statements(row) -> list[Statement]:  # type: ignore[no-untyped-def]
    return list(
        db.session.scalars(
            select(Statement)
            .where(Statement.program_id == row.id)
            .order_by(Statement.period_start, Statement.beneficiary)
        )
    )


def lines(row, period: str) -> list[tuple[str | None, str, str, int]]:  # type: ignore[no-untyped-def]
    return [
        (e.rule_id, e.type, e.origin_period, e.amount_minor)
        for e in db.session.scalars(
            select(LedgerEntry)
            .where(
                LedgerEntry.program_id == row.id,
                LedgerEntry.posting_period == period,
                LedgerEntry.fund.is_(False),
            )
            .order_by(LedgerEntry.id)
        )
    ]


def count(model, row) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(select(func.count()).where(model.program_id == row.id)) or 0


def test_a_period_closes_once_after_its_grace_days(app: Flask, ctx):
    row = program()
    post(fact(tenant("northwind"), "C-1", date(2026, 3, 2), 100_000))
    # April 5 is March's last day of grace (New York): still open.
    assert close.due_periods(row, datetime(2026, 4, 6, 3, tzinfo=UTC)) == []
    close.close_due(APRIL_10)
    [march] = statements(row)
    assert (march.period, march.beneficiary, march.opening_minor) == ("2026-03", "northwind", 0)
    # 4 % commission (40.00) and the volume's 1 % tier (10.00); MDF is a fund, not a line.
    assert lines(row, "2026-03") == [
        ("com-all", "earning", "2026-03", 4000),
        ("volume", "earning", "2026-03", 1000),
    ]
    assert (march.total_minor, march.disposition) == (5000, "carried_forward")
    entries_before = count(LedgerEntry, row)

    close.close_due(APRIL_10)
    result = app.test_cli_runner().invoke(
        args=["incentives", "close", "--now", "2026-04-10T12:00:00+00:00"]
    )
    assert result.exit_code == 0, result.output
    assert "period(s) closed" in result.output
    assert len(statements(row)) == 1
    assert count(LedgerEntry, row) == entries_before
    assert count(PeriodClose, row) == 1


def test_a_concurrent_close_that_lost_the_race_changes_nothing(ctx):
    row = program()
    post(fact(tenant("northwind"), "C-1", date(2026, 3, 2), 100_000))
    [due] = [d for d in close.due(APRIL_10) if d.program_id == row.id]
    assert close.close_one(due, APRIL_10)
    assert not close.close_one(due, APRIL_10)  # the same plan, run again
    assert len(statements(row)) == 1


def test_closed_statements_never_change(ctx):
    row = program()
    post(fact(tenant("northwind"), "C-1", date(2026, 3, 2), 100_000))
    close.close_due(APRIL_10)
    [march] = statements(row)
    march.total_minor = 1
    with pytest.raises(AppendOnlyViolation):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(Statement, march.id))
    with pytest.raises(AppendOnlyViolation):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(Statement, march.id).total_minor == 5000


def test_a_balance_under_the_minimum_carries_forward_into_a_credit_note(ctx):
    row = program()
    northwind = tenant("northwind")
    post(fact(northwind, "C-1", date(2026, 3, 2), 100_000))
    close.close_due(APRIL_10)
    post(fact(northwind, "C-2", date(2026, 4, 7), 150_000))
    close.close_due(MAY_10)
    march, april = statements(row)
    assert march.disposition == "carried_forward"
    # 60.00 commission + 15.00 volume, opened with March's 50.00: 125.00 >= 100.00
    assert (april.opening_minor, april.total_minor, april.disposition) == (5000, 12500, "paid")
    note = db.session.scalar(select(CreditNote).where(CreditNote.statement_id == april.id))
    assert re.fullmatch(r"CN-NW-\d{6}", note.number)
    assert (note.beneficiary, note.company_id, note.currency) == ("northwind", None, "USD")
    assert note.amount_minor == note.remaining_minor == 12500


def test_a_reseller_credit_note_names_its_company(ctx):
    doc = document(
        CLOSE_DOC,
        rules=[
            {
                "id": "partner",
                "kind": "percent_commission",
                "beneficiary": "ordering_partner",
                "scope": {},
                "rate": "0.10",
            }
        ],
    )
    row = program(doc, "close-reseller", "reseller")
    post(fact(tenant("northwind"), "C-1", date(2026, 3, 2), 150_000))
    close.close_due(APRIL_10)
    [march] = statements(row)
    assert (march.beneficiary, march.total_minor, march.disposition) == (
        f"company-{bluebird_id()}",
        15000,
        "paid",
    )
    note = db.session.scalar(select(CreditNote).where(CreditNote.statement_id == march.id))
    assert note.company_id == bluebird_id()


def test_a_refund_after_the_close_adjusts_the_next_statement(ctx):
    row = program()
    northwind = tenant("northwind")
    sale = fact(northwind, "C-1", date(2026, 3, 2), 600_000)
    post(sale)
    close.close_due(APRIL_10)
    [march] = statements(row)
    # 240.00 commission + 6000.00 in the 2 % tier (120.00)
    assert (march.total_minor, march.disposition) == (36_000, "paid")

    post(refund_of(sale, date(2026, 4, 20), 300_000))
    close.close_due(MAY_10)
    assert lines(row, "2026-03") == [
        ("com-all", "earning", "2026-03", 24_000),
        ("volume", "earning", "2026-03", 12_000),
    ]
    # March recomputed on 3000.00 (1 %: 30.00) less the 120.00 paid: -90.00 in April.
    assert lines(row, "2026-04") == [
        ("com-all", "clawback", "2026-04", -12_000),
        ("volume", "prior_period_adjustment", "2026-03", -9_000),
    ]
    april = statements(row)[1]
    assert (april.opening_minor, april.total_minor, april.disposition) == (
        0,
        -21_000,
        "carried_forward",
    )


def test_a_period_closed_by_hand_sends_later_facts_to_the_next_one(ctx):
    row = program()
    northwind = tenant("northwind")
    admin = db.session.scalar(select(User).where(User.email == "admin@nimbus.example"))
    sale = fact(northwind, "C-1", date(2026, 4, 7), 100_000)
    post(sale)
    with pytest.raises(close.CloseRefused, match="has not ended yet"):
        close.close_period(row, "2026-04", admin, datetime(2026, 4, 30, 12, tzinfo=UTC))
    # May 2: April ended, its grace runs to May 5.
    close.close_period(row, "2026-04", admin, datetime(2026, 5, 2, 12, tzinfo=UTC))
    closed = db.session.scalar(select(PeriodClose).where(PeriodClose.program_id == row.id))
    assert (closed.period, closed.closed_by) == ("2026-04", admin.id)
    [april] = statements(row)
    assert april.period == "2026-04"

    post(refund_of(sale, date(2026, 5, 3), 100_000))
    refund_volume = db.session.scalar(
        select(VolumeEntry).where(
            VolumeEntry.program_id == row.id, VolumeEntry.event_key == "C-1/refund"
        )
    )
    assert (refund_volume.origin_start, refund_volume.posting_start) == (
        date(2026, 4, 1),
        date(2026, 5, 1),
    )
    # The automatic close leaves April alone; May closes after its own grace.
    close.close_due(datetime(2026, 6, 10, 12, tzinfo=UTC))
    assert [s.period for s in statements(row)] == ["2026-04", "2026-05"]
    assert lines(row, "2026-05")[-1] == ("volume", "prior_period_adjustment", "2026-04", -1000)


def test_a_close_by_hand_names_what_is_wrong(ctx):
    row = program()
    post(fact(tenant("northwind"), "C-1", date(2026, 4, 7), 100_000))
    july = datetime(2026, 7, 2, 12, tzinfo=UTC)
    with pytest.raises(close.CloseRefused) as caught:
        close.close_period(row, "2026-13", None, july)
    assert (caught.value.field, caught.value.message) == (
        "period",
        "“2026-13” is not a period of this program.",
    )
    with pytest.raises(close.CloseRefused, match=r"Close 2026-04 first\."):
        close.close_period(row, "2026-05", None, july)
    close.close_period(row, "2026-04", None, july)
    with pytest.raises(close.CloseRefused, match=r"2026-04 is closed already\."):
        close.close_period(row, "2026-04", None, july)


def test_beat_closes_due_periods_every_hour(app: Flask, ctx):
    celery = app.extensions["celery"]
    assert celery.conf.beat_schedule["statements-close"] == {
        "task": "statements.close_due",
        "schedule": 3600.0,
    }
    row = program()
    post(fact(tenant("northwind"), "C-1", date(2026, 3, 2), 100_000))
    celery.tasks["statements.close_due"].delay()  # eager here: runs now
    assert [s.period for s in statements(row)][:1] == ["2026-03"]
