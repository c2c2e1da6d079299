"""The demo's incentive programs and history: valid, closed quarter by quarter, loaded once."""

from __future__ import annotations

from sqlalchemy import func, select

from channelfront.demo.incentives import QUARTERS, load_demo_incentives, load_history
from channelfront.extensions import db
from channelfront.statements import programs
from channelfront.statements.models import (
    CreditNote,
    IncentiveEvent,
    LedgerEntry,
    PeriodClose,
    Statement,
)
from tests.statements.programs_data import tenant


def test_each_storefront_gets_two_programs_and_eight_closed_quarters(ctx):
    load_demo_incentives()
    for slug, currency in (("northwind", "USD"), ("alpenhandel", "EUR"), ("sakura", "JPY")):
        shop = tenant(slug)
        live = {p.code: p for p in programs.published(shop.id)}
        assert set(live) == {"distributor", "reseller"}
        assert {p.document["settlement_currency"] for p in live.values()} == {currency}
        kinds = {rule["kind"] for p in live.values() for rule in p.document["rules"]}
        assert kinds == {
            "percent_commission",
            "tiered_volume",
            "fixed_per_unit",
            "mdf_accrual",
            "renewal_commission",
        }
        for row in live.values():
            closed = db.session.scalars(
                select(Statement.period).where(Statement.program_id == row.id)
            ).all()
            assert len(set(closed)) == QUARTERS, (slug, row.code, closed)
    outcomes = set(db.session.scalars(select(Statement.disposition)))
    assert outcomes == {"paid", "carried_forward"}
    assert db.session.scalar(
        select(func.count()).where(LedgerEntry.type == "prior_period_adjustment")
    )
    facts = db.session.scalars(
        select(IncentiveEvent.channel).where(IncentiveEvent.key.like("DEMO-%"))
    )
    assert "direct" in set(facts)  # end customers renewing alone
    notes = db.session.scalar(select(func.count(CreditNote.id)))
    closes = db.session.scalar(select(func.count(PeriodClose.id)))

    # Loading again writes nothing.
    load_demo_incentives()
    assert load_history() == 0
    assert db.session.scalar(select(func.count(CreditNote.id))) == notes
    assert db.session.scalar(select(func.count(PeriodClose.id))) == closes
