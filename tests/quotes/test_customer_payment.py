"""The end customer pays a quote by card on its page: charged the resale total once, the
order booked to the reseller at its buy prices, the margin credited; refused with a
clear message, and nothing charged, when the quote cannot be paid as shown."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlalchemy import func, select, update

from channelfront.catalog.models import ListPrice, Product
from channelfront.extensions import db
from channelfront.fulfillment.models import License
from channelfront.orders.models import Order
from channelfront.quotes import customer_payment, margin
from channelfront.quotes.models import PaymentState, Quote, QuoteEvent, QuotePayment, QuoteStatus
from tests.payments.conftest import AUTH_CARD, DECLINED_CARD
from tests.quotes.customer_support import CARD, fresh, hidden, money, pay, send_quote
from tests.quotes.world import BUYER, Shop


@pytest.fixture(autouse=True)
def _no_pay_limit(app: Flask) -> Iterator[None]:
    """Many payments in a few seconds here; the limit is the renewal link's, tested there."""
    saved = app.config.get("QUOTE_PAY_RATE_LIMIT")
    app.config["QUOTE_PAY_RATE_LIMIT"] = "1000 per minute"
    try:
        yield
    finally:
        app.config["QUOTE_PAY_RATE_LIMIT"] = saved


@pytest.fixture
def browser(client_for):  # type: ignore[no-untyped-def]
    return client_for("northwind.localhost")


def orders_of(quote: Quote) -> list[Order]:
    db.session.expire_all()
    return list(db.session.scalars(select(Order).where(Order.customer_id == quote.customer_id)))


def payments() -> list[QuotePayment]:
    db.session.expire_all()
    return list(db.session.scalars(select(QuotePayment)))


def test_the_customer_pays_and_the_order_is_booked_to_the_reseller_at_buy_prices(
    shop: Shop, browser, localstripe, inbox
) -> None:
    quote, path = send_quote(
        shop,
        [("SHD-STD-1Y", 3), ("SHD-ENT-1Y", 1)],
        pricing_mode="markup",
        pricing_percent="30",
        license_to_customer=True,
    )
    resale = fresh(quote).resale_total_minor
    buy_units = {line.sku: line.buy_unit_minor for line in fresh(quote).lines}
    response, data = pay(browser, path)
    assert response.status_code == 303, response.get_data(as_text=True)
    assert response.headers["Location"].endswith(path)

    quote = fresh(quote)
    [order] = orders_of(quote)
    assert quote.status == QuoteStatus.PAID
    assert (quote.order_id, quote.accepted_as) == (order.id, "card")
    assert order.company_id == shop.user(BUYER).company_id
    assert order.payment_method == "end_customer_card"
    assert {line.sku: line.unit_price_minor for line in order.lines} == buy_units
    assert order.total_minor == sum(buy_units[line.sku] * line.quantity for line in order.lines)
    kinds = [event.kind for event in order.events]
    assert kinds[:4] == ["placed", "paid", "fulfilling", "fulfilled"]
    licensed = db.session.scalars(select(License).where(License.order_id == order.id)).all()
    assert len(licensed) == len(order.lines) == 2  # one key per line

    note = margin.note_of(order)
    assert note is not None
    assert note.amount_minor == resale - order.total_minor
    assert note.company_id == order.company_id

    [intent] = localstripe.intents()
    assert (intent.amount, intent.currency, intent.status) == (resale, "usd", "succeeded")
    assert intent.metadata["purpose"] == "quote"
    assert intent.metadata["quote_number"] == quote.number
    assert order.payment_intent_id == intent.id
    [payment] = payments()
    assert (payment.state, payment.payment_intent_id, payment.amount_minor) == (
        PaymentState.PAID,
        intent.id,
        resale,
    )

    page = browser.get(path).get_data(as_text=True)
    assert "Thank you. This quote was paid on" in page
    assert f"Order reference: {order.number}" in page
    assert "Thank you. Your payment was received." in page
    assert money(order.total_minor, "USD") not in page

    [paid_mail] = [m for m in inbox.to(BUYER) if "paid" in m["Subject"]]
    assert paid_mail["Subject"] == f"Acme Labs paid quote {quote.number}"
    body = paid_mail.get_content()
    assert order.number in body
    assert money(note.amount_minor, "USD") in body
    # The licenses go to the end customer too; that mail shows no price either.
    keys_mail = [m for m in inbox.to("it@acme.example") if "License key" in m.get_content()]
    assert keys_mail
    assert money(order.total_minor, "USD") not in keys_mail[0].get_content()

    # The same form again, or a second tab: nothing more is charged.
    again = browser.post(f"{path}/pay", data=data)
    assert again.status_code == 303
    assert "This quote is already paid. Nothing more was charged." in browser.get(path).get_data(
        as_text=True
    )
    assert localstripe.count("payment_intents") == 1
    assert len(orders_of(quote)) == 1


def test_already_paid_is_answered_without_stripe(shop: Shop, browser, localstripe) -> None:
    quote, path = send_quote(shop)
    response, data = pay(browser, path)
    assert response.status_code == 303
    with pytest.raises(customer_payment.AlreadyPaid):
        customer_payment.pay(fresh(quote), data["revision"], data["amount"], None)  # type: ignore[arg-type]
    assert localstripe.count("payment_intents") == 1


@pytest.mark.parametrize(
    ("number", "message"),
    [
        (DECLINED_CARD, "The card was declined."),
        (AUTH_CARD, "The card issuer asks for authentication"),
    ],
)
def test_a_refused_card_books_nothing_and_another_card_pays(
    shop: Shop, browser, localstripe, number: str, message: str
) -> None:
    quote, path = send_quote(shop)
    response, _data = pay(browser, path, card_number=number)
    assert response.status_code == 402
    assert message in response.get_data(as_text=True)
    assert orders_of(quote) == []
    assert fresh(quote).status == QuoteStatus.VIEWED
    assert [p.state for p in payments()] == [PaymentState.DECLINED]
    response, _data = pay(browser, path)
    assert response.status_code == 303
    assert fresh(quote).status == QuoteStatus.PAID
    assert [p.attempt for p in payments()] == [2]
    assert [i.status for i in localstripe.intents()].count("succeeded") == 1


def test_a_price_rise_above_the_resale_total_is_refused_before_charging(
    shop: Shop, browser, localstripe
) -> None:
    quote, path = send_quote(shop, [("SHD-STD-1Y", 2)], pricing_mode="markup", pricing_percent="5")
    page = browser.get(path).get_data(as_text=True)
    product_id = db.session.scalar(select(Product.id).where(Product.sku == "SHD-STD-1Y"))
    db.session.execute(
        update(ListPrice)
        .where(ListPrice.product_id == product_id, ListPrice.currency == "USD")
        .values(amount_minor=ListPrice.amount_minor * 2)
    )
    db.session.commit()
    response = browser.post(f"{path}/pay", data={**hidden(page), **CARD})
    assert response.status_code == 409
    text = response.get_data(as_text=True)
    assert "This quote can no longer be paid online because its prices have changed." in text
    assert "Nothing was charged." in text
    assert localstripe.count("payment_intents") == 0
    assert payments() == []
    assert orders_of(quote) == []
    assert fresh(quote).status == QuoteStatus.VIEWED


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("amount", "1", "The total of this quote has changed."),
        ("revision", "7", "This quote was updated after you opened it."),
        ("revision", "abc", "This page is out of date."),
        ("card_number", "4242", "Enter the card number"),
        ("expiry", "13/40", "Enter the expiry date as MM/YY."),
    ],
)
def test_a_form_that_does_not_match_the_quote_charges_nothing(
    shop: Shop, browser, localstripe, field: str, value: str, message: str
) -> None:
    quote, path = send_quote(shop)
    response, _data = pay(browser, path, **{field: value})
    assert response.status_code in (409, 422)
    assert message in response.get_data(as_text=True)
    assert localstripe.count("payment_intents") == 0
    assert orders_of(quote) == []


def test_a_payment_in_flight_is_not_charged_again(shop: Shop, browser, localstripe) -> None:
    quote, path = send_quote(shop)
    quote = fresh(quote)
    db.session.add(
        QuotePayment(
            tenant_id=quote.tenant_id,
            quote_id=quote.id,
            revision=quote.revision,
            state=PaymentState.CHARGING.value,
            amount_minor=quote.resale_total_minor,
            currency="USD",
            updated_at=datetime.now(UTC),
        )
    )
    db.session.commit()
    response, _data = pay(browser, path)
    assert response.status_code == 409
    assert "This quote is being paid right now." in response.get_data(as_text=True)
    assert localstripe.count("payment_intents") == 0


def test_a_quote_withdrawn_while_paying_is_refunded(
    shop: Shop, browser, localstripe, monkeypatch
) -> None:
    """The reseller withdraws the quote between the charge and the booking."""
    quote, path = send_quote(shop)
    real_charge = customer_payment._charge

    def charge_then_withdraw(payment, quote_row, source):  # type: ignore[no-untyped-def]
        intent = real_charge(payment, quote_row, source)
        db.session.execute(
            update(Quote).where(Quote.id == quote_row.id).values(status=QuoteStatus.WITHDRAWN)
        )
        db.session.commit()
        return intent

    monkeypatch.setattr(customer_payment, "_charge", charge_then_withdraw)
    response, _data = pay(browser, path)
    assert response.status_code == 409
    assert "Your card payment has been refunded." in response.get_data(as_text=True)
    [intent] = localstripe.intents()
    [refund] = localstripe.client.v1.refunds.list(params={"limit": 10}).data
    assert refund.payment_intent == intent.id
    [payment] = payments()
    assert (payment.state, payment.payment_intent_id) == (PaymentState.REFUNDED, intent.id)
    assert orders_of(quote) == []
    assert fresh(quote).status == QuoteStatus.WITHDRAWN
    kinds = db.session.scalars(select(QuoteEvent.kind).where(QuoteEvent.quote_id == quote.id))
    assert "payment_refunded" in list(kinds)


def test_without_stripe_the_page_offers_the_invoice_instead(shop: Shop, browser) -> None:
    _quote, path = send_quote(shop)
    page = browser.get(path).get_data(as_text=True)
    assert "Card payments are not available here." in page
    response = browser.post(f"{path}/pay", data={**hidden(page), **CARD, "revision": "1"})
    assert response.status_code == 503
    assert "Card payments are not available right now." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("host", "buyer", "currency"),
    [
        ("northwind.localhost", BUYER, "usd"),
        ("alpenhandel.localhost", BUYER, "eur"),
        ("sakura.localhost", "buyer@kirin.example", "jpy"),
    ],
)
def test_every_currency_is_charged_the_resale_total_exactly(
    shop_at, client_for, localstripe, host: str, buyer: str, currency: str
) -> None:
    shop = shop_at(host)
    quote, path = send_quote(
        shop,
        [("SHD-STD-1Y", 7), ("SHD-ENT-1Y", 3)],
        buyer=buyer,
        pricing_mode="markup",
        pricing_percent="17.5",
    )
    response, _data = pay(client_for(host), path)
    assert response.status_code == 303, response.get_data(as_text=True)
    quote = fresh(quote)
    [intent] = localstripe.intents()
    assert (intent.amount, intent.currency) == (quote.resale_total_minor, currency)
    order = db.session.get(Order, quote.order_id)
    note = margin.note_of(order)
    assert note is not None
    assert order.total_minor + note.amount_minor == intent.amount
    count = db.session.scalar(select(func.count(Order.id)).where(Order.id == quote.order_id))
    assert count == 1


def test_a_refunded_payment_reads_refunded_and_is_not_charged_again(
    shop: Shop, browser, localstripe
) -> None:
    from channelfront.quotes.refunds import on_refunded

    quote, path = send_quote(shop)
    response, data = pay(browser, path)
    assert response.status_code == 303
    order = db.session.get(Order, fresh(quote).order_id)
    on_refunded(order)
    db.session.commit()
    page = browser.get(path).get_data(as_text=True)
    assert "Your payment of this quote was refunded." in page
    assert "Thank you. This quote was paid" not in page
    assert browser.post(f"{path}/pay", data=data).status_code == 303
    assert localstripe.count("payment_intents") == 1
