"""The statement pages run the same number of SQL statements for 2 or 14 statements and
for 3 or 60 lines: no query per statement, per line, per order or per credit note."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from channelfront.extensions import db
from channelfront.orders.checkout import submit
from channelfront.statements.models import Statement
from incentives.periods import Period, period_of
from tests.orders.conftest import checkout_request
from tests.perf.test_query_count import measured_get
from tests.statements.pages_support import (
    QUARTERLY,
    RESELLER_QUARTERLY,
    close,
    current_quarter,
    line,
    program,
    signed_in,
    volume,
)

MAX_STATEMENTS = 25


def grow(dist, res, me, periods, orders, note_prefix):  # type: ignore[no-untyped-def]
    """Closed statements with lines tied to orders, for the distributor and the reseller."""
    for index, period in enumerate(periods):
        for order in orders:
            line(dist, "northwind", period, 10_00, order_id=order.id)
            line(res, me, period, 2_00, rule="renew", order_id=order.id)
            line(res, me, period, 1_00, rule="sell", order_id=order.id)
        line(dist, "northwind", period, 1_00, rule="mdf", fund=True)
        close(dist, "northwind", period, 10_00 * len(orders), note=f"{note_prefix}D{index}")
        close(res, me, period, 3_00 * len(orders), note=f"{note_prefix}R{index}")
    now = current_quarter()
    for order in orders:
        line(dist, "northwind", now, 5_00, order_id=order.id)
        line(res, me, now, 1_00, rule="renew", order_id=order.id)
    volume(dist, "vol", "northwind", now, 100_00)
    db.session.commit()


def counts(app, finance, buyer, dist_statement, res_statement):  # type: ignore[no-untyped-def]
    now = current_quarter().key
    pages = {
        "incentives": (finance, "/incentives"),
        "distributor statement": (finance, f"/incentives/statements/{dist_statement}"),
        "open statement": (finance, f"/incentives/open?program=u-dist&period={now}"),
        "commissions": (buyer, "/commissions"),
        "reseller statement": (buyer, f"/commissions/statements/{res_statement}"),
    }
    found = {}
    for name, (client, path) in pages.items():
        response, statements = measured_get(app, client, path)
        assert response.status_code == 200, path
        found[name] = len(statements)
    return found


def test_statement_pages_do_not_query_per_statement_or_line(app, northwind_shop, client_for):
    shop = northwind_shop
    orders = [
        submit(shop.tenant, shop.buyer, shop.terms, "en", checkout_request())[0] for _ in range(3)
    ]
    dist = program("northwind", "u-dist", QUARTERLY)
    res = program("northwind", "u-res", RESELLER_QUARTERLY, audience="reseller")
    me = f"company-{shop.buyer.company_id}"
    past = _past_quarters(16)
    grow(dist, res, me, past[:2], orders[:1], "CN-A-")
    finance = signed_in(client_for("northwind.localhost"), "finance@northwind.example")
    buyer = signed_in(client_for("northwind.localhost"), "buyer@bluebird.example")
    dist_id, res_id = _latest(dist.id, "northwind"), _latest(res.id, me)
    small = counts(app, finance, buyer, dist_id, res_id)

    grow(dist, res, me, past[4:], orders, "CN-B-")
    dist_id, res_id = _latest(dist.id, "northwind"), _latest(res.id, me)
    large = counts(app, finance, buyer, dist_id, res_id)

    assert large == small
    assert max(large.values()) <= MAX_STATEMENTS, large


def _past_quarters(count: int) -> list[Period]:
    """The `count` quarters before the current one, oldest first."""
    found = [current_quarter()]
    while len(found) <= count:
        found.insert(0, period_of(found[0].start - timedelta(days=1), "quarterly"))
    return found[:-1]


def _latest(program_id: int, who: str) -> int:
    return db.session.scalar(
        select(Statement.id)
        .where(Statement.program_id == program_id, Statement.beneficiary == who)
        .order_by(Statement.period_start.desc())
    )
