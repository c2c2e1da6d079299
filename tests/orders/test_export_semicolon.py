"""The order CSV in the `;` variant (de, fr, es spreadsheets): default by locale, chosen by sep."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

import pytest
from flask import g
from sqlalchemy import select, update

from channelfront.accounts.models import User
from channelfront.extensions import db
from channelfront.orders.lines import LineRequest
from channelfront.orders.models import Order
from channelfront.pricing.services import PartnerTerms, load_terms
from channelfront.tenancy.middleware import resolve_tenant
from channelfront.tenancy.models import Tenant
from tests.orders.test_history import place

FIRST_COLUMNS = [
    "Order",
    "Date (UTC)",
    "Status",
    "End customer",
    "Contact",
    "E-mail",
    "Country",
    "PO number",
    "Payment",
    "Placed by",
    "Products",
    "Total",
    "Currency",
    "Invoice",
    "Invoice status",
    "Due date",
]
CRM_COLUMNS = ["CRM deal id", "CRM account id", "CRM opportunity id"]


def download(client, language: str = "en", **query: str):  # type: ignore[no-untyped-def]
    response = client.get(
        "/orders.csv", query_string=query, headers={"Accept-Language": language}, buffered=True
    )
    try:
        return response, response.get_data(as_text=True)
    finally:
        response.close()


def table(body: str, delimiter: str) -> list[list[str]]:
    assert body.startswith("\ufeff"), "a UTF-8 BOM, so Excel reads the file as UTF-8"
    return list(csv.reader(io.StringIO(body[1:]), delimiter=delimiter))


def test_english_gets_commas_and_the_crm_ids_in_the_last_columns(northwind_shop, bluebird_buyer):
    number = place(northwind_shop)
    db.session.execute(
        update(Order)
        .where(Order.number == number)
        .values(crm_deal_id="D-42", crm_account_id="ACC-7", crm_opportunity_id="OPP;9")
    )
    db.session.commit()
    response, body = download(bluebird_buyer)
    assert response.status_code == 200
    header, row = table(body, ",")
    assert header == FIRST_COLUMNS + CRM_COLUMNS
    assert row[11] == "636.00"
    assert row[-3:] == ["D-42", "ACC-7", "OPP;9"]


@dataclass
class Shop:
    tenant: Tenant
    buyer: User
    terms: PartnerTerms


@pytest.fixture
def alpenhandel_shop(app):  # type: ignore[no-untyped-def]
    """Bluebird's terms on Alpenhandel, a German storefront in euros."""
    with app.test_request_context("/", base_url="http://alpenhandel.localhost"):
        resolve_tenant()
        tenant = db.session.get(Tenant, g.tenant.id)
        buyer = db.session.scalar(select(User).where(User.email == "buyer@bluebird.example"))
        yield Shop(tenant, buyer, load_terms(buyer.company_id))


def test_german_gets_semicolons_and_the_decimal_comma(alpenhandel_shop, alpenhandel):
    number = place(alpenhandel_shop, po_number="PO;1", lines=[LineRequest("SHD-STD-1Y", 2)])
    alpenhandel.login("buyer@bluebird.example")
    response, body = download(alpenhandel, "de")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith('.csv"')
    header, row = table(body, ";")
    assert len(header) == len(FIRST_COLUMNS) + len(CRM_COLUMNS)
    assert row[0] == number
    assert row[7] == "PO;1"  # quoted, not split
    assert row[12] == "EUR"
    assert re.fullmatch(r"\d+,\d\d", row[11]), row[11]
    assert row[-3:] == ["", "", ""]
    # Explicitly asked, the comma variant with a decimal point.
    _r, body = download(alpenhandel, "de", sep="comma")
    _header, row = table(body, ",")
    assert re.fullmatch(r"\d+\.\d\d", row[11]), row[11]


@pytest.mark.parametrize(
    ("language", "sep", "delimiter", "total"),
    [
        ("es", "comma", ",", "636.00"),
        ("en", "semicolon", ";", "636.00"),
        ("es", "semicolon", ";", "636,00"),
        ("es", "", ";", "636,00"),
        ("en", "", ",", "636.00"),
        ("ja", "", ",", "636.00"),  # not offered here: English
    ],
)
def test_sep_chooses_the_variant_whatever_the_locale(
    northwind_shop, bluebird_buyer, language, sep, delimiter, total
):
    place(northwind_shop)
    response, body = download(bluebird_buyer, language, sep=sep)
    assert response.status_code == 200
    header, row = table(body, delimiter)
    assert len(header) == len(row) == len(FIRST_COLUMNS) + len(CRM_COLUMNS)
    assert row[11] == total


def test_the_semicolon_variant_keeps_its_columns_in_place(northwind_shop, bluebird_buyer):
    place(northwind_shop)
    _r, comma = download(bluebird_buyer, sep="comma")
    _r, semicolon = download(bluebird_buyer, sep="semicolon")
    [c_header, c_row] = table(comma, ",")
    [s_header, s_row] = table(semicolon, ";")
    assert c_header == s_header
    assert [c.replace(".", ",") for c in c_row] == [s.replace(".", ",") for s in s_row]


@pytest.mark.parametrize("sep", ["tab", "COMMA", ";", "x" * 500])
def test_a_bad_sep_is_a_400_naming_it(bluebird_buyer, sep):
    response, body = download(bluebird_buyer, sep=sep)
    assert response.status_code == 400
    assert "sep" in body


def test_the_history_page_offers_both_variants(northwind_shop, bluebird_buyer):
    place(northwind_shop)
    html = bluebird_buyer.get("/orders").get_data(as_text=True)
    assert 'href="/orders.csv?sep=comma"' in html
    assert 'href="/orders.csv?sep=semicolon"' in html
