"""Whole numbers in query strings and forms: "²", "①", "٣", huge, negative and fractional
values get a 4xx that names the field, never a 500, and nothing is written."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from channelfront.accounts.models import Company
from channelfront.customers.models import Customer
from channelfront.extensions import db
from channelfront.web.params import ParamError, parse_whole, whole_number
from tests.conftest import HostClient
from tests.orders.test_cart_pages import add
from tests.orders.test_checkout_pages import checkout_form, placed_order
from tests.orders.test_parties import licenses_of
from tests.row_counts import changed, row_counts
from tests.statements.pages_support import (
    QUARTERLY,
    RESELLER_QUARTERLY,
    close,
    current_quarter,
    line,
    program,
    quarter,
    tenant,
)

# What the issue's probe sent, and the neighbours a parser must refuse as well.
NOT_WHOLE = {
    "superscript": "²",
    "circled": "①",
    "arabic-indic": "٣",
    "huge": "9" * 5000,
    "negative": "-1",
    "fraction": "1.5",
    "spaced": "1 2",
}
PAGE = "The page must be a whole number from 1 to 100000."


# --- the parser ---------------------------------------------------------------------------


@pytest.mark.parametrize("raw", [*NOT_WHOLE.values(), "", " ", "+1", "0x1", "1_000", None, 1.0])
def test_only_ascii_digits_within_bounds_are_whole_numbers(raw):
    assert parse_whole(raw) is None


def test_the_parser_reads_ascii_digits_and_ints_and_keeps_bounds():
    assert parse_whole(" 42 ") == 42
    assert parse_whole("007") == 7
    assert parse_whole(12) == 12
    assert parse_whole(True) is None
    assert parse_whole("0", minimum=1) is None
    assert parse_whole("11", maximum=10) is None
    with pytest.raises(ParamError) as refused:
        whole_number("²", "page", "The page is wrong.")
    assert (refused.value.field, refused.value.message) == ("page", "The page is wrong.")


# --- query strings ------------------------------------------------------------------------


@dataclass
class Shop:
    buyer: HostClient
    finance: HostClient
    admin: HostClient
    reseller_statement: int
    distributor_statement: int
    tenant_id: int
    program_id: int
    customer_id: int


@pytest.fixture
def shop(ctx, bluebird_buyer, client_for) -> Shop:
    """Bluebird's buyer, northwind's finance and the vendor admin; a closed statement
    for each audience and an open period, so every statement page has lines to page."""
    finance = client_for("northwind.localhost")
    assert finance.login("finance@northwind.example").status_code == 302
    admin = client_for("admin.localhost")
    assert admin.login("admin@nimbus.example").status_code == 302
    bluebird = bluebird_buyer.get("/commissions")
    assert bluebird.status_code == 200
    company = db.session.scalar(select(Company).where(Company.name == "Bluebird IT"))
    me = f"company-{company.id}"
    resellers = program("northwind", "u-res", RESELLER_QUARTERLY, audience="reseller")
    distributors = program("northwind", "u-dist", QUARTERLY)
    q1 = quarter(2025, 1)
    line(resellers, me, q1, 40_00, rule="sell")
    line(distributors, "northwind", q1, 40_00)
    mine = close(resellers, me, q1, 40_00)
    theirs = close(distributors, "northwind", q1, 40_00)
    line(resellers, me, current_quarter(), 8_00, rule="sell")
    line(distributors, "northwind", current_quarter(), 8_00)
    acme = Customer(
        tenant_id=tenant("northwind").id,
        company_id=company.id,
        company_name="Acme Corp",
        contact_name="Ada Acme",
        email="ada@acme.example",
        country="US",
    )
    db.session.add(acme)
    db.session.commit()
    return Shop(
        bluebird_buyer,
        finance,
        admin,
        mine.id,
        theirs.id,
        tenant("northwind").id,
        distributors.id,
        acme.id,
    )


def _pages(shop: Shop) -> dict[str, tuple[HostClient, str, str]]:
    """Every page of the issue's list: who reads it, its address with ``{}`` for the
    value, and the message that names the field."""
    customer = "There is no such customer in your customer list."
    now = current_quarter().key
    admin_base = f"/admin/incentives/{shop.tenant_id}"
    return {
        "orders page": (shop.buyer, "/orders?page={}", PAGE),
        "orders customer": (shop.buyer, "/orders?customer={}", customer),
        "orders.csv page": (shop.buyer, "/orders.csv?page={}", PAGE),
        "orders.csv customer": (shop.buyer, "/orders.csv?customer={}", customer),
        "invoices": (shop.buyer, "/invoices?page={}", PAGE),
        "invoices (staff)": (shop.finance, "/invoices?page={}", PAGE),
        "subscriptions": (shop.buyer, "/subscriptions?page={}", PAGE),
        "catalog": (shop.buyer, "/catalog?page={}", PAGE),
        "commissions": (shop.buyer, "/commissions?page={}", PAGE),
        "commission statement": (
            shop.buyer,
            f"/commissions/statements/{shop.reseller_statement}?page={{}}",
            PAGE,
        ),
        "commissions open": (
            shop.buyer,
            f"/commissions/open?program=u-res&period={now}&page={{}}",
            PAGE,
        ),
        "incentives": (shop.finance, "/incentives?page={}", PAGE),
        "incentive statement": (
            shop.finance,
            f"/incentives/statements/{shop.distributor_statement}?page={{}}",
            PAGE,
        ),
        "incentives open": (
            shop.finance,
            f"/incentives/open?program=u-dist&period={now}&page={{}}",
            PAGE,
        ),
        "console statements": (shop.admin, "/admin/incentives?page={}", PAGE),
        "console statements tenant": (
            shop.admin,
            "/admin/incentives?tenant={}",
            "Choose a tenant from the list.",
        ),
        "console statement": (
            shop.admin,
            f"{admin_base}/statements/{shop.distributor_statement}?page={{}}",
            PAGE,
        ),
        "console open statement": (
            shop.admin,
            f"{admin_base}/programs/{shop.program_id}/open?beneficiary=northwind"
            f"&period={now}&page={{}}",
            PAGE,
        ),
    }


PAGES = [
    "orders page",
    "orders customer",
    "orders.csv page",
    "orders.csv customer",
    "invoices",
    "invoices (staff)",
    "subscriptions",
    "catalog",
    "commissions",
    "commission statement",
    "commissions open",
    "incentives",
    "incentive statement",
    "incentives open",
    "console statements",
    "console statements tenant",
    "console statement",
    "console open statement",
]


@pytest.mark.parametrize("page", PAGES)
def test_a_page_refuses_what_is_not_a_whole_number_by_name(shop, page):
    client, address, message = _pages(shop)[page]
    good = {"customer": shop.customer_id, "tenant": shop.tenant_id}.get(_field(address), 1)
    assert client.get(address.format(good), buffered=True).status_code == 200, address
    for name, value in NOT_WHOLE.items():
        response = client.get(address.format(value), buffered=True)
        assert response.status_code == 400, (page, name)
        assert message in response.get_data(as_text=True), (page, name)


def _field(address: str) -> str:
    return address.rsplit("&", 1)[-1].rsplit("?", 1)[-1].split("=")[0]


def test_an_empty_page_number_is_the_first_page(shop):
    for page in PAGES:
        client, address, _message = _pages(shop)[page]
        assert client.get(address.format(""), buffered=True).status_code == 200, page


def test_every_page_of_the_issue_is_in_the_list(shop):
    assert len(_pages(shop)) == len(PAGES)


# --- forms --------------------------------------------------------------------------------


def _refused(client: HostClient, path: str, data: dict[str, str], field: str, message: str):
    before = row_counts()
    response = client.post(path, data=data)
    html = response.get_data(as_text=True)
    assert 400 <= response.status_code < 500, (path, data, response.status_code)
    assert message in html, (path, field)
    assert re.search(rf'data-field="{re.escape(field)}"', html), (path, field)
    assert changed(before, row_counts()) == {}, (path, field)


FORM_VALUES = {**NOT_WHOLE, "empty": ""}


@pytest.mark.parametrize("path", ["/cart/add", "/cart/update"])
def test_the_cart_refuses_a_quantity_or_term_that_is_not_a_whole_number(bluebird_buyer, ctx, path):
    assert add(bluebird_buyer, "SHD-STD-1Y", "1").status_code == 303
    token = bluebird_buyer.csrf_token("/cart")
    quantity = "The quantity must be a whole number from 1 to 10000."
    for value in FORM_VALUES.values():
        data = {"csrf_token": token, "sku": "SHD-STD-1Y", "quantity": value}
        _refused(bluebird_buyer, path, data, "quantity", quantity)
        if value:  # an empty term is the product's own period
            data = {"csrf_token": token, "sku": "SHD-STD-1Y", "quantity": "1", "term": value}
            term = "The term must be a whole number of months."
            _refused(bluebird_buyer, path, data, "term", term)


def test_picking_licenses_refuses_what_is_not_a_license_id(bluebird_buyer, ctx, inbox):
    number = placed_order(bluebird_buyer)
    real = str(next(iter(licenses_of(number).values())).id)
    token = bluebird_buyer.csrf_token(f"/orders/{number}")
    path = f"/orders/{number}/licenses"
    for value in FORM_VALUES.values():
        data = {"csrf_token": token, "action": "deliver", "license": [real, value]}
        _refused(bluebird_buyer, path, data, "licenses", "Choose licenses of this order.")


def test_checkout_refuses_a_customer_id_that_is_not_a_whole_number(bluebird_buyer, ctx):
    assert add(bluebird_buyer, "INS-PERP", "1").status_code == 303
    _page, hidden = checkout_form(bluebird_buyer)
    for value in FORM_VALUES.values():
        data = {
            **hidden,
            "end_customer_choice": "existing",
            "customer_id": value,
            "payment_method": "on_account",
        }
        if value:
            message = "There is no such customer in your customer list."
        else:
            message = "Choose one of your customers."
        _refused(bluebird_buyer, "/checkout", data, "end_customer.id", message)


@pytest.fixture
def renewal_link(app, ctx, bluebird_buyer) -> str:
    """The path of a renewal link for 5 seats Bluebird's buyer bought, as the page shows it."""
    saved = app.config.get("RENEWAL_PAY_RATE_LIMIT")
    app.config["RENEWAL_PAY_RATE_LIMIT"] = "1000 per minute"  # the limit has its own test
    placed_order(bluebird_buyer, lines=(("SHD-STD-1Y", "5"),))
    page = bluebird_buyer.get("/subscriptions").get_data(as_text=True)
    [url] = re.findall(r'class="renewal-url" type="url" readonly value="([^"]+)"', page)
    yield url.removeprefix("http://northwind.localhost")
    app.config["RENEWAL_PAY_RATE_LIMIT"] = saved


def test_the_renewal_link_refuses_a_term_or_amount_that_is_not_a_whole_number(
    renewal_link, client_for, localstripe
):
    customer = client_for("northwind.localhost")
    page = customer.get(renewal_link).get_data(as_text=True)
    shown = dict(re.findall(r'name="(csrf_token|term|amount)" value="([^"]*)"', page))
    card = {"card_number": "4242424242424242", "expiry": "12/34", "cvc": "123"}
    for field in ("term", "amount"):
        for value in FORM_VALUES.values():
            data = {**shown, **card, field: value}
            _refused(customer, renewal_link, data, field, "This page is out of date.")
