"""The checkout form sent again with its key: the first order, once; a form changed since
(the back button, a new PO) is told its changes were not applied."""

from __future__ import annotations

from sqlalchemy import select

from channelfront.extensions import db
from channelfront.orders.models import Order
from tests.orders.test_cart_pages import add
from tests.orders.test_checkout_pages import order_count, place
from tests.row_counts import changed, row_counts


def test_the_same_form_again_shows_the_first_order(bluebird_buyer, ctx):
    add(bluebird_buyer, "INS-PERP")
    first, data = place(bluebird_buyer)
    assert first.status_code == 303
    before = row_counts()
    again = bluebird_buyer.post("/checkout", data=data)
    assert again.status_code == 303
    assert again.headers["Location"] == first.headers["Location"]
    page = bluebird_buyer.get(again.headers["Location"]).get_data(as_text=True)
    assert "This order was already placed." in page
    assert changed(before, row_counts()) == {}


def test_a_changed_form_with_a_used_key_places_nothing_and_says_so(bluebird_buyer, ctx):
    add(bluebird_buyer, "INS-PERP")
    first, data = place(bluebird_buyer)
    number = first.headers["Location"].rsplit("/", 1)[1]
    count = order_count()
    again = bluebird_buyer.post("/checkout", data={**data, "po_number": "PO-CHANGED"})
    assert again.status_code == 303
    assert again.headers["Location"] == first.headers["Location"]
    page = bluebird_buyer.get(again.headers["Location"]).get_data(as_text=True)
    assert (
        f"Order {number} was already placed from this checkout page, with other details. "
        "Your changes were not applied and no new order was placed."
    ) in page
    assert "This order was already placed." not in page
    assert order_count() == count
    db.session.expire_all()
    po = db.session.scalar(select(Order.po_number).where(Order.number == number))
    assert po == "PO-42"
