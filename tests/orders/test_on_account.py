"""Placing an order on account: number, price snapshot, timeline, licenses, invoice, once."""

import pytest
from sqlalchemy import func, select

from channelfront import create_app
from channelfront.extensions import db
from channelfront.fulfillment.licenses import signing_key, verify_key
from channelfront.fulfillment.models import License
from channelfront.invoices.models import Invoice
from channelfront.orders.checkout import submit
from channelfront.orders.errors import OrderInputError
from channelfront.orders.lines import LineRequest
from channelfront.orders.models import Order
from channelfront.subscriptions.models import Subscription
from tests.orders.conftest import checkout_request


def place(shop, **overrides):
    return submit(shop.tenant, shop.buyer, shop.terms, "en", checkout_request(**overrides))


def test_on_account_order_is_fulfilled_invoiced_and_licensed(app, northwind_shop):
    order, created = place(northwind_shop)
    assert created
    assert order.number.startswith("NW-")
    order = db.session.get(Order, order.id)
    assert [e.kind for e in order.events] == [
        "placed",
        "accepted_on_account",
        "fulfilling",
        "fulfilled",
        "invoiced",
    ]
    assert order.status == "invoiced"
    shd = next(line for line in order.lines if line.sku == "SHD-STD-1Y")
    assert (shd.unit_price_minor, shd.price_source, shd.total_minor) == (8400, "category", 16800)
    licenses = db.session.scalars(select(License).where(License.order_id == order.id)).all()
    assert len(licenses) == 2
    for lic in licenses:
        claims = verify_key(signing_key(app.config), lic.key)
        assert claims is not None
        assert claims.order_line_id == lic.order_line_id
    subscription = db.session.scalar(select(Subscription).where(Subscription.order_id == order.id))
    assert subscription.term_months == 12
    assert (subscription.ends_on - subscription.starts_on).days in (365, 366)
    invoice = db.session.scalar(select(Invoice).where(Invoice.order_id == order.id))
    assert invoice.status == "open"
    assert (invoice.due_on - invoice.issued_on).days == 30
    assert invoice.total_minor == order.total_minor


def test_the_same_idempotency_key_gives_one_order(northwind_shop):
    request_key = "key-123456789"
    first, created = place(northwind_shop, idempotency_key=request_key)
    second, created_again = place(northwind_shop, idempotency_key=request_key)
    assert created
    assert not created_again
    assert first.id == second.id
    count = db.session.scalar(
        select(func.count(Order.id)).where(Order.idempotency_key == request_key)
    )
    assert count == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"lines": [LineRequest("SHD-STD-1Y", 0)]}, "lines[0].quantity"),
        ({"lines": [LineRequest("SHD-STD-1Y", -3)]}, "lines[0].quantity"),
        ({"lines": [LineRequest("SHD-STD-1Y", "1.5")]}, "lines[0].quantity"),
        ({"lines": [LineRequest("SHD-STD-1Y", "abc")]}, "lines[0].quantity"),
        ({"lines": [LineRequest("SHD-STD-1Y", 10**12)]}, "lines[0].quantity"),
        ({"lines": [LineRequest("CDE-PERP", 1)]}, "lines[0].sku"),
        ({"lines": [LineRequest("NOPE", 1)]}, "lines[0].sku"),
        ({"lines": [LineRequest("SHD-STD-1Y", 1, 7)]}, "lines[0].term"),
        ({"lines": []}, "lines"),
        ({"po_number": "P" * 65}, "po_number"),
        ({"new_customer": None}, "end_customer"),
        ({"customer_id": "999999"}, "end_customer.id"),
        ({"payment_method": "cash"}, "payment"),
        ({"idempotency_key": ""}, "idempotency_key"),
    ],
)
def test_bad_input_is_named_and_nothing_is_written(northwind_shop, overrides, field):
    before = db.session.scalar(select(func.count(Order.id)))
    with pytest.raises(OrderInputError) as error:
        place(northwind_shop, **overrides)
    assert error.value.field == field
    db.session.rollback()
    assert db.session.scalar(select(func.count(Order.id))) == before


def test_order_over_the_credit_limit_is_refused(northwind_shop):
    with pytest.raises(OrderInputError) as error:
        place(northwind_shop, lines=[LineRequest("INS-PERP", 5000)])
    assert error.value.field == "payment"
    assert "exceeds the credit" in error.value.message


def test_a_second_app_in_the_process_does_not_take_over_the_orders_tasks(northwind_shop):
    # A broker nobody answers: had this app's Celery taken over, the order would stay
    # accepted and unfulfilled.
    create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "another-app",
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "CELERY_BROKER_URL": "redis://127.0.0.1:9/0",
        }
    )
    order, _created = place(northwind_shop)
    assert db.session.get(Order, order.id).status == "invoiced"
