"""The order history page: the company's orders only, filters, search, bad input, queries."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlalchemy import event, select, update

from channelfront.accounts.models import Company, User
from channelfront.accounts.passwords import hash_password
from channelfront.customers.services import CustomerInput
from channelfront.demo.seed import DEMO_PASSWORD
from channelfront.extensions import db
from channelfront.orders.checkout import submit
from channelfront.orders.lines import LineRequest
from channelfront.orders.models import Order
from channelfront.pricing.models import Enrollment, Program
from channelfront.pricing.services import load_terms
from tests.orders.conftest import Storefront, checkout_request

ROW = re.compile(r'<tr data-order="([A-Z]+-\d{6})"')
_HARNESS = re.compile(r"^\s*(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT)\b", re.IGNORECASE)


def place(shop: Storefront, **overrides: object) -> str:
    """Place an order on account through the checkout service; its number."""
    order, created = submit(
        shop.tenant, shop.buyer, shop.terms, "en", checkout_request(**overrides)
    )
    assert created
    return order.number


def customer(company: str, contact: str, email: str) -> CustomerInput:
    return CustomerInput(company_name=company, contact_name=contact, email=email, country="US")


def listed(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.get_data(as_text=True)
    return ROW.findall(response.get_data(as_text=True))


def set_created(number: str, when: datetime) -> None:
    db.session.execute(update(Order).where(Order.number == number).values(created_at=when))
    db.session.commit()


def reseller(company_id: int, email: str, role: str = "buyer") -> User:
    user = User(
        email=email,
        name=email.split("@")[0].title(),
        password_hash=hash_password(DEMO_PASSWORD),
        kind="reseller",
        role=role,
        company_id=company_id,
    )
    db.session.add(user)
    db.session.commit()
    return user


def other_company(shop: Storefront) -> Storefront:
    """Otter Ltd, a second reseller enrolled in Gold on the same storefront."""
    company = Company(name="Otter Ltd", country="GB")
    db.session.add(company)
    db.session.flush()
    gold = db.session.scalar(select(Program).where(Program.slug == "gold"))
    db.session.add(
        Enrollment(company_id=company.id, program_id=gold.id, credit_limit_minor=1_000_000)
    )
    buyer = reseller(company.id, "buyer@otter.example")
    return Storefront(shop.tenant, buyer, load_terms(company.id))


@contextmanager
def recorded_statements(app: Flask) -> Iterator[list[str]]:
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def record(_conn, _cursor, statement, _params, _context, _many):  # type: ignore[no-untyped-def]
        if not _HARNESS.match(statement):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_every_user_of_the_company_sees_its_orders_and_no_one_elses(northwind_shop, client_for):
    mine = place(northwind_shop)
    theirs = place(other_company(northwind_shop), new_customer=customer("Zed", "Zoe", "z@z.io"))
    for email in ("buyer@bluebird.example", "approver@bluebird.example", "admin@bluebird.example"):
        client = client_for("northwind.localhost")
        client.login(email)
        numbers = listed(client.get("/orders"))
        assert mine in numbers
        assert theirs not in numbers
    # The same company on another storefront: the northwind order is not there.
    alpen = client_for("alpenhandel.localhost")
    alpen.login("buyer@bluebird.example")
    assert mine not in listed(alpen.get("/orders"))


def test_a_viewer_sees_the_orders_but_no_buying_actions(northwind_shop, northwind):
    number = place(northwind_shop)
    reseller(northwind_shop.buyer.company_id, "viewer@bluebird.example", role="viewer")
    northwind.login("viewer@bluebird.example")
    page = northwind.get("/orders")
    assert number in listed(page)
    assert "/reorder" not in page.get_data(as_text=True)


def test_distributor_staff_have_no_order_history(northwind):
    northwind.login("finance@northwind.example")
    for path in ("/orders", "/orders.csv", "/orders/templates"):
        response = northwind.get(path)
        assert response.status_code == 403
        assert "Orders are for reseller accounts" in response.get_data(as_text=True)


def test_a_customer_chosen_from_a_row_is_selected_in_the_filter(northwind_shop, bluebird_buyer):
    number = place(northwind_shop)
    customer_id = db.session.scalar(select(Order.customer_id).where(Order.number == number))
    html = bluebird_buyer.get(f"/orders?customer={customer_id}").get_data(as_text=True)
    assert f'<option value="{customer_id}" selected>Acme Corp</option>' in html
    assert f'href="/orders?customer={customer_id}"' in html


def test_signed_out_visitors_are_sent_to_sign_in(northwind):
    response = northwind.get("/orders")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_newest_first_with_number_customer_po_status_total_and_invoice(
    northwind_shop, bluebird_buyer
):
    first = place(northwind_shop, po_number="PO-FIRST")
    second = place(northwind_shop, po_number="PO-SECOND")
    response = bluebird_buyer.get("/orders")
    assert listed(response)[:2] == [second, first]
    html = response.get_data(as_text=True)
    row = html[html.index(f'data-order="{second}"') :].split("</tr>")[0]
    assert "Acme Corp" in row
    assert "PO-SECOND" in row
    assert "Invoiced" in row
    assert "$636.00" in row  # 2 x 84.00 (SHD-STD-1Y) + 468.00 (INS-PERP)
    assert "-INV-" in row
    assert 'data-invoice-state="open"' in row


def test_filter_by_status(northwind_shop, bluebird_buyer):
    invoiced = place(northwind_shop)
    assert invoiced in listed(bluebird_buyer.get("/orders?status=invoiced"))
    assert invoiced not in listed(bluebird_buyer.get("/orders?status=cancelled"))


def test_filter_by_date_range(northwind_shop, bluebird_buyer):
    january = place(northwind_shop)
    march = place(northwind_shop)
    set_created(january, datetime(2024, 1, 15, 23, 30, tzinfo=UTC))
    set_created(march, datetime(2024, 3, 1, 0, 15, tzinfo=UTC))
    assert listed(bluebird_buyer.get("/orders?from=2024-01-15&to=2024-01-15")) == [january]
    assert listed(bluebird_buyer.get("/orders?from=2024-01-16&to=2024-03-01")) == [march]
    assert listed(bluebird_buyer.get("/orders?to=2024-02-28")) == [january]
    recent = listed(bluebird_buyer.get("/orders?from=2024-03-02"))
    assert january not in recent
    assert march not in recent


def test_filter_by_end_customer_product_and_po(northwind_shop, bluebird_buyer):
    acme = place(northwind_shop, po_number="ACME-2024-001")
    other = place(
        northwind_shop,
        new_customer=customer("Globex", "Hank Scorpio", "hank@globex.example"),
        lines=[LineRequest("INS-PERP", 1)],
        po_number="GLX-9",
    )
    acme_id = db.session.scalar(select(Order.customer_id).where(Order.number == acme))
    assert listed(bluebird_buyer.get(f"/orders?customer={acme_id}")) == [acme]
    assert listed(bluebird_buyer.get("/orders?product=SHD-STD-1Y")) == [acme]
    assert listed(bluebird_buyer.get("/orders?product=shd-std-1y")) == [acme]
    assert set(listed(bluebird_buyer.get("/orders?product=INS-PERP"))) == {acme, other}
    assert listed(bluebird_buyer.get("/orders?po=acme-2024")) == [acme]
    assert listed(bluebird_buyer.get("/orders?po=GLX")) == [other]
    combined = f"/orders?product=INS-PERP&customer={acme_id}&po=ACME&status=invoiced"
    assert listed(bluebird_buyer.get(combined)) == [acme]


@pytest.mark.parametrize(
    ("query", "expected"),
    [("globex", "globex"), ("SCORPIO", "globex"), ("hank@glo", "globex"), ("ada@acme", "acme")],
)
def test_search_by_end_customer_name_email_or_company(
    northwind_shop, bluebird_buyer, query, expected
):
    numbers = {
        "acme": place(northwind_shop),
        "globex": place(
            northwind_shop, new_customer=customer("Globex", "Hank Scorpio", "hank@globex.example")
        ),
    }
    assert listed(bluebird_buyer.get("/orders", query_string={"q": query})) == [numbers[expected]]


def test_search_finds_the_order_number_and_the_po(northwind_shop, bluebird_buyer):
    first = place(northwind_shop, po_number="ACME-2024-001")
    second = place(northwind_shop, po_number="GLX-9")
    assert listed(bluebird_buyer.get("/orders", query_string={"q": second})) == [second]
    assert listed(bluebird_buyer.get("/orders", query_string={"q": first.lower()})) == [first]
    assert listed(bluebird_buyer.get("/orders", query_string={"q": "glx-9"})) == [second]


def test_search_treats_wildcards_as_text(northwind_shop, bluebird_buyer):
    place(northwind_shop)
    assert listed(bluebird_buyer.get("/orders", query_string={"q": "%"})) == []
    assert listed(bluebird_buyer.get("/orders", query_string={"q": "_"})) == []


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"status": "shipped"}, "status", "There is no such order status."),
        ({"from": "2024-13-01"}, "from", "The start date must be a date"),
        ({"from": "yesterday"}, "from", "The start date must be a date"),
        ({"to": "20240101"}, "to", "The end date must be a date"),
        ({"from": "2024-02-01", "to": "2024-01-01"}, "to", "The end date is before"),
        ({"customer": "abc"}, "customer", "There is no such customer"),
        ({"customer": "9" * 40}, "customer", "There is no such customer"),
        ({"customer": "999999"}, "customer", "There is no such customer"),
        ({"product": "NOPE-NOPE"}, "product", "There is no product with this SKU."),
        ({"product": "X" * 41}, "product", "There is no product with this SKU."),
        ({"po": "P" * 65}, "po", "The PO number has at most 64 characters."),
        ({"po": "PO\x00"}, "po", "The PO number contains characters"),
        ({"q": "x" * 101}, "q", "The search text is too long"),
        ({"q": "a\x07b"}, "q", "The search text contains characters"),
        ({"page": "0"}, "page", "The page must be a whole number"),
        ({"page": "1.5"}, "page", "The page must be a whole number"),
        ({"page": "999999999"}, "page", "The page must be a whole number"),
    ],
)
def test_bad_filters_are_a_400_naming_the_parameter(bluebird_buyer, query, field, message):
    response = bluebird_buyer.get("/orders", query_string=query)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'data-field="{field}"' in html
    assert message in html
    # The form keeps what was typed so it can be corrected.
    assert 'name="status"' in html


def test_another_companys_customer_is_refused_like_an_unknown_one(northwind_shop, bluebird_buyer):
    place(other_company(northwind_shop), new_customer=customer("Zed", "Zoe", "z@z.io"))
    theirs = db.session.scalar(select(Order.customer_id).order_by(Order.id.desc()))
    response = bluebird_buyer.get(f"/orders?customer={theirs}")
    assert response.status_code == 400
    assert 'data-field="customer"' in response.get_data(as_text=True)


def test_pages_keep_the_filters_and_a_page_past_the_end_shows_the_last(
    app, northwind_shop, bluebird_buyer
):
    app.config["ORDER_HISTORY_PAGE_SIZE"] = 2
    try:
        numbers = [place(northwind_shop, po_number="PAGED") for _ in range(5)]
        place(northwind_shop, po_number="OTHER")
        first = bluebird_buyer.get("/orders?po=PAGED")
        assert listed(first) == numbers[::-1][:2]
        html = first.get_data(as_text=True)
        assert "Page 1 of 3" in html
        assert re.search(r'rel="next" href="[^"]*po=PAGED', html)
        assert listed(bluebird_buyer.get("/orders?po=PAGED&page=99")) == [numbers[0]]
    finally:
        app.config.pop("ORDER_HISTORY_PAGE_SIZE")


def test_the_page_runs_the_same_queries_for_2_or_30_orders(app, northwind_shop, bluebird_buyer):
    for _ in range(2):
        place(northwind_shop)
    bluebird_buyer.get("/orders")
    with recorded_statements(app) as few:
        assert len(listed(bluebird_buyer.get("/orders"))) == 2
    for n in range(28):
        place(northwind_shop, new_customer=customer(f"Customer {n}", "Con Tact", f"c{n}@x.example"))
    with recorded_statements(app) as many:
        assert len(listed(bluebird_buyer.get("/orders"))) == 25
    assert len(many) == len(few), "\n".join(s.split("\n")[0][:120] for s in many)
    assert len(many) <= 12


def test_the_dashboard_shows_the_five_latest_orders(northwind_shop, bluebird_buyer):
    numbers = [place(northwind_shop) for _ in range(6)]
    html = bluebird_buyer.get("/").get_data(as_text=True)
    assert "Recent orders" in html
    assert ROW.findall(html) == numbers[::-1][:5]
    assert "Browse by category" in html


def test_the_dashboard_of_a_company_without_orders_says_so(bluebird_buyer):
    html = bluebird_buyer.get("/").get_data(as_text=True)
    assert "Your company has no orders here yet." in html


def test_distributor_staff_get_no_order_list_on_the_dashboard(northwind):
    northwind.login("finance@northwind.example")
    html = northwind.get("/").get_data(as_text=True)
    assert "Recent orders" not in html
    assert ">Invoices</a>" in html
