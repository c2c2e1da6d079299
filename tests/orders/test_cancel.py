"""An unpaid order can be cancelled by its company's buyers; a paid one cannot."""

import re

from channelfront.extensions import db
from channelfront.orders.checkout import submit
from channelfront.orders.models import Order
from tests.orders.conftest import checkout_request


def csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_an_unpaid_card_order_is_cancelled_once(northwind_shop, bluebird_buyer, translated):
    shop = northwind_shop
    order, _ = submit(
        shop.tenant, shop.buyer, shop.terms, "en", checkout_request(payment_method="card")
    )
    number = order.number
    page = bluebird_buyer.get(f"/orders/{number}").get_data(as_text=True)
    assert f'action="/orders/{number}/cancel"' in page
    response = bluebird_buyer.post(f"/orders/{number}/cancel", data={"csrf_token": csrf(page)})
    assert response.status_code == 303
    db.session.expire_all()
    order = db.session.get(Order, order.id)
    assert order.status == "cancelled"
    assert [e.kind for e in order.events][-1] == "cancelled"
    page = bluebird_buyer.get(f"/orders/{number}").get_data(as_text=True)
    assert f'action="/orders/{number}/cancel"' not in page
    again = bluebird_buyer.post(f"/orders/{number}/cancel", data={"csrf_token": csrf(page)})
    assert again.status_code == 422
    assert translated("en", "Only an unpaid order can be cancelled.") in again.get_data(
        as_text=True
    )


def test_a_fulfilled_order_cannot_be_cancelled(northwind_shop, bluebird_buyer):
    shop = northwind_shop
    order, _ = submit(shop.tenant, shop.buyer, shop.terms, "en", checkout_request())
    page = bluebird_buyer.get(f"/orders/{order.number}").get_data(as_text=True)
    assert "/cancel" not in page
    response = bluebird_buyer.post(
        f"/orders/{order.number}/cancel", data={"csrf_token": csrf(page)}
    )
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "invoiced"


def test_another_storefront_cannot_cancel_it(northwind_shop, alpenhandel):
    shop = northwind_shop
    order, _ = submit(
        shop.tenant, shop.buyer, shop.terms, "en", checkout_request(payment_method="card")
    )
    alpenhandel.login("buyer@bluebird.example")
    token = alpenhandel.csrf_token("/cart")
    assert (
        alpenhandel.post(f"/orders/{order.number}/cancel", data={"csrf_token": token}).status_code
        == 404
    )
