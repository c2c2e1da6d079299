"""The console's incentive statements: every tenant's, filtered, paged, with lines and orders.

Facts are posted through the engine to a program of the test's own (its rule matches a
product only these tests sell), so the demo's statements do not change the amounts.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from channelfront.extensions import db
from channelfront.orders.checkout import submit as place
from channelfront.orders.models import Order
from channelfront.statements import close, posting
from channelfront.statements import views_admin as console_views
from channelfront.statements.models import Statement
from channelfront.tenancy.models import Tenant
from incentives.periods import following, period_of
from tests.orders.conftest import checkout_request
from tests.statements.programs_data import bluebird_id, fact, live_program, tenant

PRODUCT = "CONSOLE-TEST-1"
DOC = {
    "settlement_currency": "USD",
    "timezone": "America/New_York",
    "statement_period": "monthly",
    "grace_days": 5,
    "min_payout": "50.00",
    "rules": [
        {
            "id": "com",
            "kind": "percent_commission",
            "beneficiary": "distributor",
            "scope": {"product_ids": [PRODUCT]},
            "rate": "0.04",
        },
        {
            "id": "resale",
            "kind": "percent_commission",
            "beneficiary": "ordering_partner",
            "scope": {"product_ids": [PRODUCT]},
            "rate": "0.02",
        },
    ],
}


def months_ago(count: int) -> date:
    """The 10th of the month `count` months before this one."""
    today = datetime.now(UTC).date()
    months = today.year * 12 + today.month - 1 - count
    return date(months // 12, months % 12 + 1, 10)


def northwind_order(shop) -> Order:  # type: ignore[no-untyped-def]
    """An order of Bluebird on northwind, placed on account (committed)."""
    order, created = place(shop.tenant, shop.buyer, shop.terms, "en", checkout_request())
    assert created
    return order


@pytest.fixture
def history(ctx, northwind_shop):  # type: ignore[no-untyped-def]
    """A program on northwind with statements closed two months ago and open last month.

    Two months ago: 1,000.00 on an order (distributor 40.00, Bluebird 20.00), closed by
    hand and carried forward (under the 50.00 minimum). Last month: 500.00 (distributor
    20.00, Bluebird 10.00), not closed yet.
    """
    row = live_program("northwind", "console-stmt", DOC)
    db.session.commit()
    northwind = tenant("northwind")
    order = northwind_order(northwind_shop)
    earlier, later = months_ago(2), months_ago(1)
    posting.post(
        northwind, [fact(northwind, "CS-1", earlier, 100_000, product_id=PRODUCT)], order.id
    )
    posting.post(northwind, [fact(northwind, "CS-2", later, 50_000, product_id=PRODUCT)])
    db.session.commit()
    period = period_of(earlier, "monthly")
    close.close_period(row, period.key, None)
    return {
        "program": row.id,
        "tenant": northwind.id,
        "closed": period.key,
        "open": following(period, "monthly").key,
        "order": order.number,
        "reseller": f"company-{bluebird_id()}",
    }


def listed(console, text_of, **args):  # type: ignore[no-untyped-def]
    response = console.get("/admin/incentives", query_string=args)
    return response, text_of(response)


def test_every_statement_is_listed_with_its_status_and_total(console, text_of, history):
    response, text = listed(console, text_of, program=history["program"])
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "4 statements" in text
    closed, still_open = history["closed"], history["open"]
    assert f'"northwind" data-period="{closed}" data-status="carried_forward"' in html
    assert f'"northwind" data-period="{still_open}" data-status="open"' in html
    # The open statement shows what it would pay: the 40.00 carried plus 20.00 so far.
    row = html.split(f'data-beneficiary="northwind" data-period="{history["open"]}"')[1]
    assert "$60.00" in row.split("</tr>")[0]


def test_filters_narrow_the_list(console, text_of, history):
    program = history["program"]
    _, text = listed(console, text_of, program=program, status="open")
    assert "2 statements" in text
    _, text = listed(console, text_of, program=program, beneficiary=history["reseller"])
    assert "2 statements" in text
    assert "Bluebird IT" in text
    _, text = listed(console, text_of, program=program, period=history["closed"])
    assert "2 statements" in text
    _, text = listed(console, text_of, program=program, status="paid")
    assert "0 statements" in text
    assert "No statements match these filters." in text
    alpenhandel = db.session.scalar(select(Tenant.id).where(Tenant.slug == "alpenhandel"))
    _, text = listed(console, text_of, program=program, tenant=alpenhandel)
    assert "0 statements" in text


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"period": "2026-13"}, "Period"),
        ({"status": "lost"}, "Status"),
        ({"tenant": "abc"}, "Tenant"),
        ({"program": "99999999"}, "Program"),
        ({"beneficiary": "nobody"}, "Beneficiary"),
        ({"page": "0"}, "Page"),
        ({"tenant": "9" * 40}, "Tenant"),
    ],
)
def test_a_bad_filter_is_refused_naming_it(console, text_of, args, field):
    response, text = listed(console, text_of, **args)
    assert response.status_code == 400
    assert f"{field}: " in text


def test_the_list_is_paged(console, text_of, history, monkeypatch):
    monkeypatch.setattr(console_views, "PER_PAGE", 3)
    response, text = listed(console, text_of, program=history["program"])
    assert "Page 1 of 2" in text
    html = response.get_data(as_text=True)
    assert html.count('class="statement"') == 3
    second = console.get(
        "/admin/incentives", query_string={"program": history["program"], "page": 2}
    )
    assert second.get_data(as_text=True).count('class="statement"') == 1


def test_a_closed_statement_shows_its_lines_and_source_order(console, text_of, history, ctx):
    statement = db.session.scalar(
        select(Statement).where(
            Statement.program_id == history["program"],
            Statement.beneficiary == "northwind",
        )
    )
    response = console.get(f"/admin/incentives/{history['tenant']}/statements/{statement.id}")
    assert response.status_code == 200
    text = text_of(response)
    assert "Carried forward" in text
    assert "Opening balance $0.00" in text
    assert "Total $40.00" in text
    assert f"Order {history['order']}" in text
    assert "1 line" in text
    assert "com Earning" in text


def test_an_open_statement_shows_its_lines_so_far(console, text_of, history):
    response = console.get(
        f"/admin/incentives/{history['tenant']}/programs/{history['program']}/open",
        query_string={"beneficiary": "northwind", "period": history["open"]},
    )
    assert response.status_code == 200
    text = text_of(response)
    assert "Opening balance $40.00" in text
    assert "Total so far $60.00" in text


def test_another_tenants_ids_are_not_found(console, history, ctx):
    statement_id = db.session.scalar(
        select(Statement.id).where(Statement.program_id == history["program"])
    )
    sakura = tenant("sakura").id
    assert console.get(f"/admin/incentives/{sakura}/statements/{statement_id}").status_code == 404
    open_page = f"/admin/incentives/{sakura}/programs/{history['program']}/open"
    response = console.get(
        open_page, query_string={"beneficiary": "northwind", "period": history["open"]}
    )
    assert response.status_code == 404
    assert console.get(f"/admin/incentives/{sakura}/programs/{history['program']}").status_code == (
        404
    )
    assert console.get(f"/admin/incentives/{history['tenant']}/statements/{2**70}").status_code == (
        404
    )


def test_only_vendor_staff_see_the_console_pages(admin_host, client_for, history):
    response = admin_host.get("/admin/incentives")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    shop = client_for("northwind.localhost")
    assert shop.login("finance@northwind.example").status_code == 302
    assert shop.get("/admin/incentives").status_code == 404
    assert (
        shop.get(f"/admin/incentives/{history['tenant']}/programs/{history['program']}").status_code
        == 404
    )


def test_statement_pages_speak_the_admins_language(console, submit, text_of, history):
    assert submit("/admin/", "/locale", {"locale": "de", "next": "/admin/"}).status_code == 302
    response, text = listed(console, text_of, program=history["program"])
    assert '<html lang="de"' in response.get_data(as_text=True)
    assert "Anreiz-Abrechnungen" in text
    assert "4 Abrechnungen" in text
    assert "Vorgetragen" in text  # carried forward
    assert "60,00 $" in text


def test_the_list_runs_the_same_queries_whatever_the_number_of_statements(
    console, count_queries, history
):
    with count_queries() as few:
        assert console.get("/admin/incentives").status_code == 200
    northwind = tenant("northwind")
    more = live_program("northwind", "console-more", DOC)
    db.session.commit()
    for index in range(4):
        day = months_ago(index + 3)
        posting.post(northwind, [fact(northwind, f"CM-{index}", day, 10_000, product_id=PRODUCT)])
    db.session.commit()
    assert more.id
    with count_queries() as many:
        assert console.get("/admin/incentives").status_code == 200
    assert len(many) == len(few)
