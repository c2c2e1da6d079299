"""CSV export of the order history: exactly the filtered list, streamed, formula-safe."""

from __future__ import annotations

import csv
import io

import pytest
from flask_login import login_user

from channelfront.orders import history_views
from channelfront.orders.export import safe_cell
from channelfront.orders.lines import LineRequest
from tests.orders.test_history import customer, other_company, place


def download(client, path: str = "/orders.csv", **query: str):  # type: ignore[no-untyped-def]
    # The test client runs each request in a fresh context; a streamed body must be read
    # inside it (a server reads it in the request's own context anyway): buffered=True.
    response = client.get(path, query_string=query, buffered=True)
    try:
        body = response.get_data(as_text=True)
    finally:
        response.close()
    return response, body


def rows_of(body: str) -> list[dict[str, str]]:
    assert body.startswith("\ufeff"), "UTF-8 BOM so spreadsheets read accents and kana"
    return list(csv.DictReader(io.StringIO(body[1:])))


def test_the_csv_is_an_attachment_streamed_as_utf8(northwind_shop, bluebird_buyer):
    place(northwind_shop)
    response, body = download(bluebird_buyer)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.mimetype_params["charset"] == "utf-8"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="orders-northwind-')
    assert disposition.endswith('.csv"')
    assert response.headers["Cache-Control"] == "no-store"
    assert body.count("\r\n") == 2  # header and one order


def test_the_view_streams_from_a_generator(northwind_shop):
    place(northwind_shop)
    login_user(northwind_shop.buyer)
    response = history_views.export_csv()
    try:
        assert response.is_streamed
        chunks = list(response.response)
    finally:
        response.close()
    assert all(isinstance(chunk, bytes | str) for chunk in chunks)
    assert b"".join(c if isinstance(c, bytes) else c.encode() for c in chunks).count(b"\r\n") == 2


def test_one_row_per_order_with_its_details(northwind_shop, bluebird_buyer):
    number = place(northwind_shop, po_number="PO-CSV-1")
    _response, body = download(bluebird_buyer)
    [row] = rows_of(body)
    assert row["Order"] == number
    assert row["Status"] == "Invoiced"
    assert row["End customer"] == "Acme Corp"
    assert row["Contact"] == "Ada Acme"
    assert row["E-mail"] == "ada@acme.example"
    assert row["Country"] == "US"
    assert row["PO number"] == "PO-CSV-1"
    assert row["Payment"] == "On account"
    assert row["Placed by"] == "Blake Buyer"
    assert row["Products"] == "SHD-STD-1Y x 2; INS-PERP x 1"
    assert (row["Total"], row["Currency"]) == ("636.00", "USD")
    assert row["Invoice"].startswith("NW-INV-")
    assert row["Invoice status"] == "Open"
    assert len(row["Due date"]) == 10
    assert len(row["Date (UTC)"]) == 16


def test_the_csv_holds_exactly_the_filtered_list_in_page_order(northwind_shop, bluebird_buyer):
    acme = [place(northwind_shop, po_number=f"ACME-{n}") for n in range(3)]
    globex = place(
        northwind_shop,
        new_customer=customer("Globex", "Hank Scorpio", "hank@globex.example"),
        lines=[LineRequest("INS-PERP", 1)],
    )
    theirs = place(other_company(northwind_shop), new_customer=customer("Zed", "Zoe", "z@z.io"))

    _r, everything = download(bluebird_buyer)
    numbers = [row["Order"] for row in rows_of(everything)]
    assert numbers == [globex, *acme[::-1]]
    assert theirs not in numbers

    _r, searched = download(bluebird_buyer, q="globex")
    assert [row["Order"] for row in rows_of(searched)] == [globex]
    _r, by_po = download(bluebird_buyer, po="ACME-1")
    assert [row["Order"] for row in rows_of(by_po)] == [acme[1]]
    _r, by_product = download(bluebird_buyer, product="SHD-STD-1Y")
    assert [row["Order"] for row in rows_of(by_product)] == acme[::-1]
    _r, none = download(bluebird_buyer, status="cancelled")
    assert rows_of(none) == []


def test_the_page_links_to_the_csv_of_its_filters(northwind_shop, bluebird_buyer):
    place(northwind_shop)
    html = bluebird_buyer.get("/orders?po=PO&status=invoiced").get_data(as_text=True)
    assert 'href="/orders.csv?status=invoiced&amp;po=PO&amp;sep=comma"' in html


def test_cells_a_spreadsheet_would_run_are_quoted(northwind_shop, bluebird_buyer):
    place(
        northwind_shop,
        po_number='=HYPERLINK("http://evil.example")',
        new_customer=customer("@SUM(A1:A9)", "+cmd|' /C calc'!A0", "-2+3@x.example"),
    )
    _response, body = download(bluebird_buyer)
    [row] = rows_of(body)
    assert row["PO number"] == '\'=HYPERLINK("http://evil.example")'
    assert row["End customer"] == "'@SUM(A1:A9)"
    assert row["Contact"] == "'+cmd|' /C calc'!A0"
    assert row["E-mail"] == "'-2+3@x.example"
    assert row["Total"] == "636.00"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@A1", "'@A1"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
    ],
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_a_bad_filter_is_a_400_and_no_file(bluebird_buyer):
    response = bluebird_buyer.get("/orders.csv?from=tomorrow")
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert "The start date must be a date" in response.get_data(as_text=True)


def test_distributor_staff_cannot_download_orders(northwind):
    northwind.login("finance@northwind.example")
    assert northwind.get("/orders.csv").status_code == 403
