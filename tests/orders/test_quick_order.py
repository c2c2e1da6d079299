"""Quick order: pasted or uploaded lines, checked whole, errors by line, then carted at once."""

from __future__ import annotations

import io
import re

import pytest

from channelfront.accounts.models import User
from channelfront.accounts.passwords import hash_password
from channelfront.demo.seed import DEMO_PASSWORD
from channelfront.extensions import db


def cart_quantities(client) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """SKU to the quantity shown on the cart page."""
    page = client.get("/cart").get_data(as_text=True)
    rows = re.findall(r'<tr class="cart-line" data-sku="([^"]+)">(.*?)</tr>', page, re.S)
    return {
        sku: re.search(r'name="quantity" value="(\d+)"', row).group(1)  # type: ignore[union-attr]
        for sku, row in rows
    }


def paste(client, text: str):  # type: ignore[no-untyped-def]
    token = client.csrf_token("/cart/quick")
    return client.post("/cart/quick", data={"csrf_token": token, "lines": text})


def upload(client, data: bytes, name: str = "order.csv"):  # type: ignore[no-untyped-def]
    token = client.csrf_token("/cart/quick")
    return client.post(
        "/cart/quick",
        data={"csrf_token": token, "lines": "", "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def line_errors(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Line number to the error text shown for it."""
    page = response.get_data(as_text=True)
    found = re.findall(r'data-line="(\d+)" data-field="[^"]*">\s*(.*?)\s*</li>', page, re.S)
    return {number: " ".join(text.split()) for number, text in found}


def test_the_page_is_linked_from_the_cart_and_the_catalog(bluebird_buyer):
    assert 'href="/cart/quick"' in bluebird_buyer.get("/cart").get_data(as_text=True)
    assert 'href="/cart/quick"' in bluebird_buyer.get("/catalog").get_data(as_text=True)
    page = bluebird_buyer.get("/cart/quick")
    assert page.status_code == 200
    assert 'name="lines"' in page.get_data(as_text=True)


def test_pasted_lines_in_any_separator_fill_the_cart(bluebird_buyer):
    response = paste(bluebird_buyer, "SHD-STD-1Y, 2, 24\nINS-PERP;3\n\nSHD-ENT-1Y\t1\n")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/cart")
    assert "3 products are in your cart." in bluebird_buyer.get("/cart").get_data(as_text=True)
    expected = {"SHD-STD-1Y": "2", "INS-PERP": "3", "SHD-ENT-1Y": "1"}
    assert cart_quantities(bluebird_buyer) == expected
    page = bluebird_buyer.get("/cart").get_data(as_text=True)
    assert '<option value="24" selected>' in page


def test_sku_matching_ignores_case_and_adds_to_existing_lines(bluebird_buyer):
    paste(bluebird_buyer, "SHD-STD-1Y,2")
    response = paste(bluebird_buyer, "shd-std-1y,3\nins-perp,1\nIns-Perp,1")
    assert response.status_code == 303
    # Added to the cart's line, and a SKU listed twice adds up.
    assert cart_quantities(bluebird_buyer) == {"SHD-STD-1Y": "5", "INS-PERP": "2"}


def test_a_csv_upload_with_bom_and_header_fills_the_cart(bluebird_buyer):
    data = "\ufeffSKU;Quantity;Term\r\nSHD-STD-1Y;4;\r\nINS-PERP;1;\r\n".encode()
    response = upload(bluebird_buyer, data)
    assert response.status_code == 303
    assert cart_quantities(bluebird_buyer) == {"SHD-STD-1Y": "4", "INS-PERP": "1"}


def test_every_bad_line_is_listed_by_number_and_nothing_is_added(bluebird_buyer):
    text = "\n".join(
        [
            "SHD-STD-1Y, 2",  # 1: fine
            "NOPE-1, 1",  # 2: unknown
            "SHD-STD-1Y, 0",  # 3: bad quantity
            "INS-PERP, ten",  # 4: bad quantity
            "SHD-STD-1Y, 1, 7",  # 5: a term the product does not offer
            "INS-PERP, 1, 12",  # 6: a license takes no term
            "INS-PERP, 99999",  # 7: over the cart's maximum
            ", 3",  # 8: no SKU
        ]
    )
    response = paste(bluebird_buyer, text)
    assert response.status_code == 422
    errors = line_errors(response)
    assert set(errors) == {"2", "3", "4", "5", "6", "7", "8"}
    assert "NOPE-1 is not a known product." in errors["2"]
    assert "whole number from 1 to 10000" in errors["3"]
    assert "whole number from 1 to 10000" in errors["4"]
    assert "multiple of 12 months" in errors["5"]
    assert "Only subscriptions take a term." in errors["6"]
    assert "whole number from 1 to 10000" in errors["7"]
    assert "The SKU is missing." in errors["8"]
    assert "Nothing was added to your cart." in response.get_data(as_text=True)
    # The pasted text is kept for fixing.
    assert "NOPE-1, 1" in response.get_data(as_text=True)
    assert cart_quantities(bluebird_buyer) == {}


def test_a_product_not_authorized_for_the_reseller_is_named_as_such(bluebird_buyer):
    response = paste(bluebird_buyer, "SHD-STD-1Y,1\nCDE-PERP,1")
    assert response.status_code == 422
    assert line_errors(response) == {"2": "Line 2: CDE-PERP is not authorized for you."}
    assert cart_quantities(bluebird_buyer) == {}


def test_a_sum_over_the_cart_limit_is_refused_by_line_and_nothing_is_added(bluebird_buyer):
    paste(bluebird_buyer, "SHD-STD-1Y,9999")
    response = paste(bluebird_buyer, "INS-PERP,1\nSHD-STD-1Y,5")
    assert response.status_code == 422
    assert set(line_errors(response)) == {"2"}
    assert cart_quantities(bluebird_buyer) == {"SHD-STD-1Y": "9999"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"SHD-STD-1Y,1\n\xff\xfe bad", "not UTF-8"),
        (b"SHD-STD-1Y,1\n" * 30_000, "too large"),
        (b"SHD-STD-1Y,1\n" * 201, "at most 200 lines"),
        (b"\n\n", "at least one line"),
    ],
)
def test_bad_files_are_refused_with_a_reason(bluebird_buyer, data, message):
    response = upload(bluebird_buyer, data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert cart_quantities(bluebird_buyer) == {}


def test_formula_like_and_control_text_is_only_an_unknown_sku(bluebird_buyer):
    response = paste(bluebird_buyer, '=HYPERLINK("x"),1\nSHD\x00STD,1')
    assert response.status_code == 422
    assert set(line_errors(response)) == {"1", "2"}


def test_viewers_cannot_quick_order(app, client_for):
    with app.app_context():
        buyer = db.session.query(User).filter_by(email="buyer@bluebird.example").one()
        db.session.add(
            User(
                email="viewer@bluebird.example",
                name="Vera Viewer",
                password_hash=hash_password(DEMO_PASSWORD),
                kind="reseller",
                role="viewer",
                company_id=buyer.company_id,
            )
        )
        db.session.commit()
    northwind = client_for("northwind.localhost")
    northwind.login("viewer@bluebird.example")
    assert northwind.get("/cart/quick").status_code == 403
    response = northwind.post("/cart/quick", data={"lines": "SHD-STD-1Y,1"})
    assert response.status_code in (400, 403)
