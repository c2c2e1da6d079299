"""Fulfilment e-mails the buyer, and the end customer when the buyer asked for it."""

from sqlalchemy import select

from channelfront.extensions import db
from channelfront.fulfillment.models import License
from channelfront.orders.checkout import submit
from channelfront.orders.lines import LineRequest
from channelfront.outbox.models import OutboxMessage
from tests.orders.conftest import checkout_request, storefront


def test_buyer_gets_the_license_keys_by_mail(inbox, northwind_shop):
    order, _created = submit(
        northwind_shop.tenant, northwind_shop.buyer, northwind_shop.terms, "en", checkout_request()
    )
    [mail] = inbox.to("buyer@bluebird.example")
    assert order.number in mail["Subject"]
    body = mail.get_content()
    keys = db.session.scalars(select(License.key).where(License.order_id == order.id)).all()
    assert keys
    assert all(key in body for key in keys)
    assert inbox.to("ada@acme.example") == []


def test_end_customer_is_mailed_when_ticked(inbox, northwind_shop):
    order, _created = submit(
        northwind_shop.tenant,
        northwind_shop.buyer,
        northwind_shop.terms,
        "en",
        checkout_request(notify_end_customer=True),
    )
    [mail] = inbox.to("ada@acme.example")
    [_buyers] = inbox.to("buyer@bluebird.example")
    # The end customer's own mail, from the reseller: keys, and no prices.
    assert mail["Subject"] == "Your licenses from Bluebird IT"
    body = mail.get_content()
    keys = db.session.scalars(select(License.key).where(License.order_id == order.id)).all()
    assert keys
    assert all(key in body for key in keys)
    assert "$" not in body


def test_mail_is_written_in_the_buyers_language(inbox, app, translated):
    shop_context = storefront(app, "alpenhandel.localhost", "buyer@bluebird.example")
    shop = next(shop_context)
    order, _created = submit(
        shop.tenant,
        shop.buyer,
        shop.terms,
        "de",
        checkout_request(lines=[LineRequest("SHD-STD-1Y", 1)]),
    )
    [mail] = inbox.to("buyer@bluebird.example")
    assert mail["Subject"] == translated("de", "Order %(number)s is fulfilled", number=order.number)
    assert order.number.startswith("AH-")
    shop_context.close()


def test_a_mail_server_outage_leaves_the_message_pending(app, northwind_shop):
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=1)
    try:
        order, _created = submit(
            northwind_shop.tenant,
            northwind_shop.buyer,
            northwind_shop.terms,
            "en",
            checkout_request(),
        )
    finally:
        app.config.update(MAIL_BACKEND="console", MAIL_SERVER="", MAIL_PORT=25)
    assert order.status == "invoiced"
    pending = db.session.scalars(select(OutboxMessage).where(OutboxMessage.done_at.is_(None))).all()
    assert [m.topic for m in pending] == ["mail.order_fulfilled"]
