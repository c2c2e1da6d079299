"""Order templates and re-orders: saved by name, back in the cart at today's prices."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import delete, func, select

from channelfront.catalog.models import Category, Product
from channelfront.extensions import db
from channelfront.orders import cart as carts
from channelfront.orders.lines import LineRequest
from channelfront.orders.template_models import OrderTemplate
from channelfront.pricing.models import PartnerPrice, ProgramRule
from tests.orders.test_history import customer, other_company, place, reseller


def cart_lines(client) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """SKU to the HTML of its row on the cart page."""
    page = client.get("/cart").get_data(as_text=True)
    return dict(re.findall(r'<tr class="cart-line" data-sku="([^"]+)">(.*?)</tr>', page, re.S))


def post(client, path: str, **data: str):  # type: ignore[no-untyped-def]
    data.setdefault("csrf_token", client.csrf_token("/orders/templates"))
    return client.post(path, data=data)


def save_order(client, number: str, name: str):  # type: ignore[no-untyped-def]
    return post(client, "/orders/templates", order=number, name=name)


def template_id(name: str) -> int:
    return db.session.scalar(select(OrderTemplate.id).where(OrderTemplate.name == name))


def fill_cart(shop, *lines: LineRequest) -> None:  # type: ignore[no-untyped-def]
    cart = carts.get_cart(shop.buyer)
    for line in lines:
        carts.set_line(cart, shop.terms, shop.tenant.currency, "en", line, add=False)
    db.session.commit()


def test_save_an_order_as_a_template_and_see_its_lines(northwind_shop, bluebird_buyer):
    number = place(northwind_shop)
    form = bluebird_buyer.get(f"/orders/templates/new?order={number}")
    assert form.status_code == 200
    assert number in form.get_data(as_text=True)
    response = save_order(bluebird_buyer, number, "Monthly Acme")
    assert response.status_code == 303
    page = bluebird_buyer.get("/orders/templates").get_data(as_text=True)
    assert "The template Monthly Acme is saved." in page
    row = page[page.index('data-template="Monthly Acme"') :].split("</tr>")[0]
    assert 'data-sku="SHD-STD-1Y"' in row
    assert 'data-sku="INS-PERP"' in row
    assert "Nimbus Shield Standard" in row


def test_every_buyer_of_the_company_sees_and_uses_its_templates(
    northwind_shop, bluebird_buyer, client_for
):
    save_order(bluebird_buyer, place(northwind_shop), "Shared")
    colleague = client_for("northwind.localhost")
    colleague.login("admin@bluebird.example")
    assert 'data-template="Shared"' in colleague.get("/orders/templates").get_data(as_text=True)
    response = post(colleague, f"/orders/templates/{template_id('Shared')}/cart")
    assert response.status_code == 303
    assert set(cart_lines(colleague)) == {"SHD-STD-1Y", "INS-PERP"}


def test_save_the_cart_as_a_template(northwind_shop, bluebird_buyer):
    fill_cart(northwind_shop, LineRequest("SHD-STD-1Y", 3, 24), LineRequest("SHD-ENT-1Y", 1))
    assert post(bluebird_buyer, "/orders/templates", name="From cart").status_code == 303
    template = db.session.get(OrderTemplate, template_id("From cart"))
    lines = {(line.product_id, line.quantity, line.term_months) for line in template.lines}
    products = dict(db.session.execute(select(Product.sku, Product.id)).all())
    assert lines == {(products["SHD-STD-1Y"], 3, 24), (products["SHD-ENT-1Y"], 1, 12)}


def test_an_empty_cart_cannot_be_saved(northwind_shop, bluebird_buyer):
    response = post(bluebird_buyer, "/orders/templates", name="Nothing")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'data-field="cart"' in html
    assert "Your cart is empty" in html
    assert db.session.scalar(select(func.count(OrderTemplate.id))) == 0


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Give the template a name."),
        ("   ", "Give the template a name."),
        ("x" * 121, "The name has at most 120 printable characters."),
        ("tab\there", "The name has at most 120 printable characters."),
    ],
)
def test_a_bad_name_is_refused_and_nothing_saved(northwind_shop, bluebird_buyer, name, message):
    response = save_order(bluebird_buyer, place(northwind_shop), name)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'data-field="name"' in html
    assert message in html
    assert db.session.scalar(select(func.count(OrderTemplate.id))) == 0


def test_a_name_is_used_once_per_company(northwind_shop, bluebird_buyer):
    number = place(northwind_shop)
    assert save_order(bluebird_buyer, number, "Same").status_code == 303
    again = save_order(bluebird_buyer, number, "Same")
    assert again.status_code == 422
    assert "already has a template with this name" in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count(OrderTemplate.id))) == 1


def test_a_template_in_the_cart_twice_does_not_double_it(northwind_shop, bluebird_buyer):
    save_order(bluebird_buyer, place(northwind_shop), "Twice")
    fill_cart(northwind_shop, LineRequest("SHD-ENT-1Y", 1))
    path = f"/orders/templates/{template_id('Twice')}/cart"
    response = post(bluebird_buyer, path)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/cart")
    post(bluebird_buyer, path)
    lines = cart_lines(bluebird_buyer)
    assert set(lines) == {"SHD-STD-1Y", "INS-PERP", "SHD-ENT-1Y"}  # the cart's line stays
    assert 'value="2"' in lines["SHD-STD-1Y"]
    assert 'value="1"' in lines["INS-PERP"]


def test_reorder_puts_the_lines_in_the_cart_at_todays_buy_price(northwind_shop, bluebird_buyer):
    number = place(northwind_shop)
    # Since the order, Bluebird got a partner price of 50% off on SHD-STD-1Y.
    shd = db.session.scalar(select(Product).where(Product.sku == "SHD-STD-1Y"))
    db.session.add(
        PartnerPrice(
            company_id=northwind_shop.buyer.company_id, product_id=shd.id, discount_bps=5000
        )
    )
    db.session.commit()
    response = post(bluebird_buyer, f"/orders/{number}/reorder")
    assert response.status_code == 303
    page = bluebird_buyer.get("/cart").get_data(as_text=True)
    assert "2 products are in your cart at today&#39;s buy prices." in page
    lines = cart_lines(bluebird_buyer)
    assert "$60.00" in lines["SHD-STD-1Y"]  # 50% of the $120.00 list price, not $84.00
    assert 'data-source="override"' in lines["SHD-STD-1Y"]
    assert 'value="2"' in lines["SHD-STD-1Y"]


def test_lines_no_longer_buyable_are_dropped_and_named(northwind_shop, bluebird_buyer):
    number = place(northwind_shop)
    save_order(bluebird_buyer, number, "Before")
    insight = db.session.scalar(select(Product).where(Product.sku == "INS-PERP"))
    insight.active = False
    db.session.commit()
    for path in (f"/orders/{number}/reorder", f"/orders/templates/{template_id('Before')}/cart"):
        response = post(bluebird_buyer, path)
        assert response.status_code == 303
        page = bluebird_buyer.get("/cart").get_data(as_text=True)
        assert "Left out, no longer available to you:" in page
        assert "(INS-PERP)" in page
        assert set(cart_lines(bluebird_buyer)) == {"SHD-STD-1Y"}


def test_a_product_no_longer_authorized_is_dropped(northwind_shop, bluebird_buyer):
    number = place(northwind_shop, lines=[LineRequest("SHD-STD-1Y", 1)])
    security = db.session.scalar(select(Category.id).where(Category.slug == "security"))
    db.session.execute(delete(ProgramRule).where(ProgramRule.category_id == security))
    db.session.commit()
    response = post(bluebird_buyer, f"/orders/{number}/reorder")
    # Nothing could go in: back to the order history, with the reason.
    assert response.headers["Location"].endswith("/orders")
    page = bluebird_buyer.get("/orders").get_data(as_text=True)
    assert "Left out, no longer available to you:" in page
    assert "(SHD-STD-1Y)" in page
    assert cart_lines(bluebird_buyer) == {}


def test_another_companys_order_and_template_are_not_found(
    northwind_shop, bluebird_buyer, client_for
):
    otter = other_company(northwind_shop)
    theirs = place(otter, new_customer=customer("Zed", "Zoe", "z@z.io"))
    otter_client = client_for("northwind.localhost")
    otter_client.login("buyer@otter.example")
    save_order(otter_client, theirs, "Otter only")
    their_template = template_id("Otter only")
    assert their_template is not None
    assert post(bluebird_buyer, f"/orders/{theirs}/reorder").status_code == 404
    assert bluebird_buyer.get(f"/orders/templates/new?order={theirs}").status_code == 404
    assert save_order(bluebird_buyer, theirs, "Stolen").status_code == 404
    assert post(bluebird_buyer, f"/orders/templates/{their_template}/cart").status_code == 404
    assert post(bluebird_buyer, f"/orders/templates/{their_template}/delete").status_code == 404
    assert "Otter only" not in bluebird_buyer.get("/orders/templates").get_data(as_text=True)
    assert post(bluebird_buyer, "/orders/NW-999999/reorder").status_code == 404


def test_an_order_of_another_storefront_is_not_found(northwind_shop, alpenhandel):
    number = place(northwind_shop)
    alpenhandel.login("buyer@bluebird.example")
    assert post(alpenhandel, f"/orders/{number}/reorder").status_code == 404


def test_a_viewer_sees_templates_but_cannot_use_or_change_them(
    northwind_shop, bluebird_buyer, client_for
):
    number = place(northwind_shop)
    save_order(bluebird_buyer, number, "Look only")
    reseller(northwind_shop.buyer.company_id, "viewer@bluebird.example", role="viewer")
    viewer = client_for("northwind.localhost")
    viewer.login("viewer@bluebird.example")
    page = viewer.get("/orders/templates").get_data(as_text=True)
    assert 'data-template="Look only"' in page
    assert "Put in cart" not in page
    assert post(viewer, f"/orders/{number}/reorder").status_code == 403
    assert post(viewer, f"/orders/templates/{template_id('Look only')}/cart").status_code == 403
    assert save_order(viewer, number, "Mine").status_code == 403


def test_delete_a_template(northwind_shop, bluebird_buyer):
    save_order(bluebird_buyer, place(northwind_shop), "Old")
    response = post(bluebird_buyer, f"/orders/templates/{template_id('Old')}/delete")
    assert response.status_code == 303
    page = bluebird_buyer.get("/orders/templates").get_data(as_text=True)
    assert "The template Old is deleted." in page
    assert 'data-template="Old"' not in page


def test_forms_without_a_csrf_token_are_refused(northwind_shop, bluebird_buyer):
    number = place(northwind_shop)
    response = bluebird_buyer.post(f"/orders/{number}/reorder")
    assert response.status_code == 400
    assert cart_lines(bluebird_buyer) == {}
