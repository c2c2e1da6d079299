"""``GET /api/v1/orders`` (filters, pages, walls), ``/credit`` and ``/customers``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, update

from channelfront.extensions import db
from channelfront.orders.models import Order
from tests.api.orders_support import (
    NW,
    SK,
    Api,
    add_customer,
    add_reseller,
    company_id,
)


@pytest.fixture
def bluebird(app, token_for) -> Api:  # type: ignore[no-untyped-def]
    return Api(app, NW, token_for("buyer@bluebird.example", "northwind"))


def numbers(api: Api, query: str = "") -> list[str]:
    response = api.get(f"/orders{query}")
    assert response.status_code == 200, response.get_json()
    return [item["number"] for item in response.get_json()["items"]]


@pytest.fixture
def three_orders(ctx, bluebird) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """NW-000001 for Acme (PO-7), 000002 for Globex (PO-ALPHA-9), 000003 for Globex, no PO."""
    globex = add_customer(company_id("buyer@bluebird.example"), "northwind")
    bluebird.place()
    bluebird.place(end_customer={"id": globex}, po_number="po-alpha-9")
    bluebird.place(end_customer={"id": globex}, po_number="")
    return {"globex": globex}


def test_the_history_is_the_companys_newest_first(three_orders, bluebird, app, token_for):
    body = bluebird.get("/orders").get_json()
    assert [i["number"] for i in body["items"]] == ["NW-000003", "NW-000002", "NW-000001"]
    assert (body["page"], body["pages"], body["per_page"], body["total"]) == (1, 1, 50, 3)
    first = body["items"][-1]
    assert first["end_customer"]["company_name"] == "Acme Corp"
    assert (first["total"], first["currency"], first["payment_method"]) == (
        "636.00",
        "USD",
        "on_account",
    )
    assert first["status"] == "invoiced"
    approver = Api(app, NW, token_for("approver@bluebird.example", "northwind"))
    assert numbers(approver) == ["NW-000003", "NW-000002", "NW-000001"]
    cobalt = add_reseller("buyer@cobalt.example", "northwind")
    assert numbers(Api(app, NW, token_for(cobalt.email, "northwind"))) == []
    kirin = Api(app, SK, token_for("buyer@kirin.example", "sakura"))
    assert numbers(kirin) == []


def test_filters_by_customer_status_po_and_dates(three_orders, bluebird):
    globex = three_orders["globex"]
    assert numbers(bluebird, f"?customer={globex}") == ["NW-000003", "NW-000002"]
    assert numbers(bluebird, "?po=ALPHA") == ["NW-000002"]
    assert numbers(bluebird, "?po=po-") == ["NW-000002", "NW-000001"]
    assert numbers(bluebird, "?po=%25") == []  # a wildcard is plain text
    assert numbers(bluebird, "?status=invoiced&po=7") == ["NW-000001"]
    assert numbers(bluebird, "?status=cancelled") == []
    today = datetime.now(UTC).date()
    assert len(numbers(bluebird, f"?from={today}&to={today}")) == 3
    assert numbers(bluebird, f"?to={today - timedelta(days=1)}") == []
    assert numbers(bluebird, f"?from={today + timedelta(days=1)}") == []
    # A range that ends before it starts matches nothing; the far ends of the calendar work.
    assert numbers(bluebird, f"?from={today}&to={today - timedelta(days=1)}") == []
    assert len(numbers(bluebird, "?from=0001-01-01&to=9999-12-31")) == 3


def test_the_date_range_is_in_whole_utc_days(three_orders, bluebird):
    yesterday = datetime.now(UTC) - timedelta(days=1)
    midnight = yesterday.replace(hour=0, minute=0, second=0, microsecond=0)
    db.session.execute(update(Order).where(Order.number == "NW-000001").values(created_at=midnight))
    db.session.commit()
    day = midnight.date()
    assert numbers(bluebird, f"?from={day}&to={day}") == ["NW-000001"]
    assert numbers(bluebird, f"?to={day}") == ["NW-000001"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?status=lost", "status"),
        ("?from=2026-13-01", "from"),
        ("?to=yesterday", "to"),
        ("?customer=abc", "customer"),
        ("?customer=0", "customer"),
        ("?po=" + "p" * 65, "po"),
        ("?po=", "po"),
        ("?page=0", "page"),
        ("?page=1&page=2", "page"),
        ("?sort=total", "sort"),
    ],
)
def test_bad_filters_are_named(ctx, bluebird, query, field):
    response = bluebird.get(f"/orders{query}")
    assert response.status_code == 400
    assert field in response.get_json()["error"]["errors"]


def test_another_tenants_or_companys_customer_is_not_found(ctx, bluebird):
    kirins = add_customer(company_id("buyer@kirin.example"), "sakura")
    cobalt = add_reseller("buyer@cobalt.example", "northwind")
    cobalts = add_customer(cobalt.company_id, "northwind")
    for customer in (kirins, cobalts, 999_999):
        response = bluebird.get(f"/orders?customer={customer}")
        assert response.status_code == 404
        assert "customer list" in response.get_json()["error"]["message"]


def test_pages_of_fifty_and_a_page_past_the_end_is_the_last(ctx, bluebird):
    acme = bluebird.place()["end_customer"]["id"]
    for _ in range(50):
        bluebird.place(lines=[{"sku": "INS-PERP", "quantity": 1}], end_customer={"id": acme})
    first = bluebird.get("/orders").get_json()
    assert (first["total"], first["pages"], len(first["items"])) == (51, 2, 50)
    last = bluebird.get("/orders?page=9").get_json()
    assert (last["page"], [i["number"] for i in last["items"]]) == (2, ["NW-000001"])


def test_credit_follows_orders_on_account(ctx, bluebird, app, token_for):
    assert bluebird.get("/credit").get_json() == {
        "currency": "USD",
        "limit": "50000.00",
        "outstanding": "0.00",
        "available": "50000.00",
        "overdue": False,
    }
    bluebird.place()
    credit = bluebird.get("/credit").get_json()
    assert (credit["outstanding"], credit["available"]) == ("636.00", "49364.00")
    kirin = Api(app, SK, token_for("buyer@kirin.example", "sakura"))
    assert kirin.get("/credit").get_json()["currency"] == "JPY"
    assert bluebird.get("/credit?x=1").status_code == 400


def test_customers_are_the_companys_on_this_storefront(ctx, bluebird):
    ours = company_id("buyer@bluebird.example")
    add_customer(ours, "northwind", "Globex Ltd")
    add_customer(ours, "northwind", "Initech")
    add_customer(ours, "alpenhandel", "Alpen Kunde")
    add_customer(company_id("buyer@kirin.example"), "sakura", "Kirin Kunde")
    names = {c["company_name"] for c in bluebird.get("/customers").get_json()["items"]}
    assert names == {"Globex Ltd", "Initech"}
    found = bluebird.get("/customers?q=init").get_json()["items"]
    assert [c["company_name"] for c in found] == ["Initech"]
    assert set(found[0]) >= {"id", "company_name", "contact_name", "email", "country", "vat_id"}
    assert len(bluebird.get("/customers?limit=1").get_json()["items"]) == 1
    for query in ("?limit=0", "?limit=101", "?q=" + "x" * 101, "?q=%00"):
        assert bluebird.get(f"/customers{query}").status_code == 400


_HARNESS = re.compile(r"^\s*(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT)\b", re.I)


@contextmanager
def statements(app) -> Iterator[list[str]]:  # type: ignore[no-untyped-def]
    with app.app_context():
        engine = db.engine
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
        if not _HARNESS.match(statement):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_reads_run_a_fixed_number_of_queries(app, ctx, bluebird):
    def cost(path: str) -> int:
        bluebird.get(path)  # warm: the host map refills now and then
        with statements(app) as seen:
            assert bluebird.get(path).status_code == 200
        return len(seen)

    small = bluebird.place(lines=[{"sku": "INS-PERP", "quantity": 1}])
    one_line = cost(f"/orders/{small['number']}")
    many = [{"sku": sku, "quantity": 1} for sku in ("SHD-STD-1Y", "SHD-PERP", "BKP-STD-1Y")]
    big = bluebird.place(lines=[*many, {"sku": "INS-PERP", "quantity": 2}])
    assert cost(f"/orders/{big['number']}") == one_line
    few = cost("/orders")
    for _ in range(10):
        bluebird.place()
    assert cost("/orders") == few
    assert few <= 8
    assert one_line <= 12
