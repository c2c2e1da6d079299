"""The order page offers a re-order and saving as a template to those who may buy."""

import re

from tests.orders.test_history import place


def test_reorder_from_the_order_page_fills_the_cart(northwind_shop, bluebird_buyer, client_for):
    number = place(northwind_shop)
    page = bluebird_buyer.get(f"/orders/{number}").get_data(as_text=True)
    assert f'action="/orders/{number}/reorder"' in page
    assert f"/orders/templates/new?order={number}" in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = bluebird_buyer.post(f"/orders/{number}/reorder", data={"csrf_token": token})
    assert response.status_code == 303
    assert 'data-sku="SHD-STD-1Y"' in bluebird_buyer.get("/cart").get_data(as_text=True)
