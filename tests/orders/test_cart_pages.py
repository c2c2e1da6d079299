"""The cart page: lines priced live with list price, buy price and its source; bad input refused."""

import re

import pytest
from sqlalchemy import select

from channelfront.catalog.models import Product
from channelfront.extensions import db


def add(client, sku, quantity="1", term=None, path="/cart/add"):
    data = {"csrf_token": client.csrf_token("/cart"), "sku": sku, "quantity": quantity}
    if term is not None:
        data["term"] = term
    return client.post(path, data=data)


def cart_lines(client, page: str | None = None) -> dict[str, str]:
    """SKU to the HTML of its row on the cart page."""
    page = page if page is not None else client.get("/cart").get_data(as_text=True)
    return dict(re.findall(r'<tr class="cart-line" data-sku="([^"]+)">(.*?)</tr>', page, re.S))


def test_added_lines_show_list_price_buy_price_source_and_total(bluebird_buyer):
    response = add(bluebird_buyer, "SHD-STD-1Y", "2")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/cart")
    add(bluebird_buyer, "INS-PERP")
    add(bluebird_buyer, "SHD-ENT-1Y")
    page = bluebird_buyer.get("/cart").get_data(as_text=True)
    assert "is in your cart." in page
    lines = cart_lines(bluebird_buyer)
    assert set(lines) == {"SHD-STD-1Y", "INS-PERP", "SHD-ENT-1Y"}
    assert "$120.00" in lines["SHD-STD-1Y"]
    assert "$84.00" in lines["SHD-STD-1Y"]
    assert "$168.00" in lines["SHD-STD-1Y"]
    assert 'data-source="category"' in lines["SHD-STD-1Y"]
    assert "Program price for its category" in lines["SHD-STD-1Y"]
    assert 'data-source="product"' in lines["INS-PERP"]
    assert 'data-source="override"' in lines["SHD-ENT-1Y"]
    assert "Your partner price" in lines["SHD-ENT-1Y"]
    assert "$129.60" in lines["SHD-ENT-1Y"]
    # 2 x 84.00 + 468.00 + 129.60
    assert re.search(r'class="cart-total"><strong>\$765\.60<', page)


def test_adding_again_adds_up_and_update_sets_quantity_and_term(bluebird_buyer):
    add(bluebird_buyer, "SHD-STD-1Y", "2")
    add(bluebird_buyer, "SHD-STD-1Y", "3")
    assert 'value="5"' in cart_lines(bluebird_buyer)["SHD-STD-1Y"]
    response = add(bluebird_buyer, "SHD-STD-1Y", "4", term="24", path="/cart/update")
    assert response.status_code == 303
    row = cart_lines(bluebird_buyer)["SHD-STD-1Y"]
    assert 'value="4"' in row
    assert '<option value="24" selected>' in row
    # Two years of 4 seats at $84.00 a year.
    assert "$672.00" in row


def test_remove_takes_the_line_out(bluebird_buyer):
    add(bluebird_buyer, "SHD-STD-1Y")
    add(bluebird_buyer, "INS-PERP")
    token = bluebird_buyer.csrf_token("/cart")
    response = bluebird_buyer.post("/cart/remove", data={"csrf_token": token, "sku": "INS-PERP"})
    assert response.status_code == 303
    page = bluebird_buyer.get("/cart").get_data(as_text=True)
    assert "INS-PERP is removed from your cart." in page
    assert set(cart_lines(bluebird_buyer, page)) == {"SHD-STD-1Y"}


@pytest.mark.parametrize(
    ("sku", "quantity", "term", "field", "message"),
    [
        ("SHD-STD-1Y", "0", None, "quantity", "whole number from 1 to 10000"),
        ("SHD-STD-1Y", "-2", None, "quantity", "whole number from 1 to 10000"),
        ("SHD-STD-1Y", "1.5", None, "quantity", "whole number from 1 to 10000"),
        ("SHD-STD-1Y", "ten", None, "quantity", "whole number from 1 to 10000"),
        ("SHD-STD-1Y", "", None, "quantity", "whole number from 1 to 10000"),
        ("SHD-STD-1Y", "99999999999999999999", None, "quantity", "whole number"),
        ("SHD-STD-1Y", "1", "7", "term", "multiple of 12 months"),
        ("SHD-STD-1Y", "1", "120", "term", "multiple of 12 months"),
        ("INS-PERP", "1", "12", "term", "Only subscriptions take a term."),
        ("CDE-PERP", "1", None, "sku", "CDE-PERP is not a product you can buy here."),
        ("NOPE-1", "1", None, "sku", "NOPE-1 is not a product you can buy here."),
        ("SHD\x00STD", "1", None, "sku", "is not a product you can buy here."),
        ("X" * 300, "1", None, "sku", "is not a product you can buy here."),
    ],
)
def test_bad_lines_are_refused_by_field_and_nothing_is_added(
    bluebird_buyer, sku, quantity, term, field, message
):
    response = add(bluebird_buyer, sku, quantity, term)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'data-field="{field}"' in page
    assert message in page
    assert cart_lines(bluebird_buyer) == {}


def test_an_inactive_product_is_refused_and_dropped_from_the_cart(app, ctx, bluebird_buyer):
    add(bluebird_buyer, "SHD-STD-1Y")
    add(bluebird_buyer, "INS-PERP")
    product = db.session.scalar(select(Product).where(Product.sku == "INS-PERP"))
    product.active = False
    db.session.commit()

    response = add(bluebird_buyer, "INS-PERP")
    assert response.status_code == 422
    assert "INS-PERP is not a product you can buy here." in response.get_data(as_text=True)

    page = bluebird_buyer.get("/cart").get_data(as_text=True)
    assert "INS-PERP is no longer available to you and will not be ordered." in page
    assert set(cart_lines(bluebird_buyer)) == {"SHD-STD-1Y"}


def test_each_user_has_a_cart_per_storefront(bluebird_buyer, client_for):
    add(bluebird_buyer, "SHD-STD-1Y")
    approver = client_for("northwind.localhost")
    approver.login("approver@bluebird.example")
    assert cart_lines(approver) == {}
    alpen = client_for("alpenhandel.localhost")
    alpen.login("buyer@bluebird.example")
    assert cart_lines(alpen) == {}
    add(alpen, "SHD-STD-1Y")
    assert set(cart_lines(alpen)) == {"SHD-STD-1Y"}
    # Silver on alpenhandel, in euros.
    assert "€" in cart_lines(alpen)["SHD-STD-1Y"]
    assert set(cart_lines(bluebird_buyer)) == {"SHD-STD-1Y"}


def test_monthly_subscriptions_take_any_number_of_months(bluebird_buyer):
    response = add(bluebird_buyer, "TMS-STD-1M", "3", term="5")
    assert response.status_code == 303, response.get_data(as_text=True)
    row = cart_lines(bluebird_buyer)["TMS-STD-1M"]
    assert 'name="term"' in row
    assert 'value="5"' in row


def test_cart_is_for_signed_in_resellers_only(northwind, client_for, admin_host):
    assert northwind.get("/cart").status_code == 302
    finance = client_for("northwind.localhost")
    finance.login("finance@northwind.example")
    assert finance.get("/cart").status_code == 403
    assert admin_host.get("/cart").status_code == 404


def test_a_post_without_csrf_token_is_refused(bluebird_buyer):
    response = bluebird_buyer.post("/cart/add", data={"sku": "SHD-STD-1Y", "quantity": "1"})
    assert response.status_code == 400
    assert cart_lines(bluebird_buyer) == {}


def test_nav_links_to_the_cart(bluebird_buyer):
    page = bluebird_buyer.get("/catalog").get_data(as_text=True)
    assert 'href="/cart"' in page


def test_the_add_to_cart_form_for_catalog_pages_adds_the_product(app, ctx, bluebird_buyer):
    """orders/partials/add_to_cart.html: what a catalog page includes to offer "Add to cart"."""
    product = db.session.scalar(select(Product).where(Product.sku == "SHD-STD-1Y"))
    with app.test_request_context("/", base_url="http://northwind.localhost"):
        macro = app.jinja_env.get_template("@base/orders/partials/add_to_cart.html").module
        form = str(macro.add_to_cart(product))
    assert 'action="/cart/add"' in form
    fields = dict(re.findall(r'name="(sku|quantity)" value="([^"]*)"', form))
    assert fields == {"sku": "SHD-STD-1Y", "quantity": "1"}
    assert '<option value="24">' in form
    response = add(bluebird_buyer, fields["sku"], fields["quantity"], term="24")
    assert response.status_code == 303
    assert '<option value="24" selected>' in cart_lines(bluebird_buyer)["SHD-STD-1Y"]
