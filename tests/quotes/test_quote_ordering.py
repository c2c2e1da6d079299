"""Sending a quote from its page, and the reseller ordering an accepted quote itself:
the quote's lines go in the cart, the checkout carries the quote, the order is at buy
prices and the quote becomes ordered."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from channelfront.catalog.models import Product
from channelfront.extensions import db
from channelfront.orders.models import Cart, CartLine, Order
from channelfront.quotes import services
from channelfront.quotes.models import QuoteStatus, SpecialPriceRequest, SpecialStatus
from tests.quotes.pages_world import priced, shown, the_quote
from tests.quotes.world import Shop, make_quote


def post(client, path: str, data: dict[str, str] | None = None, form_page: str = "/quotes"):
    """POST with the CSRF token of ``form_page``."""
    return client.post(path, data={"csrf_token": client.csrf_token(form_page), **(data or {})})


def hidden_fields(page: str) -> dict[str, str]:
    return dict(
        re.findall(
            r'name="(csrf_token|idempotency_key|cart_digest|quote_number)" value="([^"]*)"', page
        )
    )


def cart_skus(user_id: int) -> dict[str, int]:
    """The user's cart as SKU to quantity."""
    db.session.expire_all()
    rows = db.session.execute(
        select(Product.sku, CartLine.quantity)
        .join(CartLine, CartLine.product_id == Product.id)
        .join(Cart, Cart.id == CartLine.cart_id)
        .where(Cart.user_id == user_id)
    ).all()
    return dict(rows)


def test_send_shows_the_customers_link(shop: Shop, bluebird_buyer) -> None:
    quote = make_quote(shop)
    response = post(bluebird_buyer, f"/quotes/{quote.number}/send")
    assert response.status_code == 303, response.get_data(as_text=True)
    assert the_quote(quote.number).status == "sent"
    page = bluebird_buyer.get(f"/quotes/{quote.number}").get_data(as_text=True)
    assert f"Quote {quote.number} is sent to it@acme.example." in page
    assert re.search(r'class="customer-url"[^>]*>http://northwind\.localhost/q/[^<]+<', page)
    assert 'data-kind="sent"' in page
    assert "Send again" in page


def test_an_expired_quote_cannot_be_sent(shop: Shop, bluebird_buyer) -> None:
    quote = make_quote(shop)
    quote.valid_until = services.today() - timedelta(days=1)
    db.session.commit()
    page = bluebird_buyer.get(f"/quotes/{quote.number}").get_data(as_text=True)
    assert "send-quote" not in page
    assert "The validity date has passed." in page
    response = post(bluebird_buyer, f"/quotes/{quote.number}/send")
    assert response.status_code == 422
    assert the_quote(quote.number).status == "draft"


def test_ordering_an_accepted_quote_on_account(shop: Shop, bluebird_buyer) -> None:
    quote = make_quote(
        shop,
        [("SHD-STD-1Y", 3)],
        status=QuoteStatus.ACCEPTED,
        pricing_mode="markup",
        pricing_percent="20",
        license_to_customer=True,
    )
    buyer_id = shop.user("buyer@bluebird.example").id
    post(bluebird_buyer, "/cart/add", {"sku": "INS-PERP", "quantity": "1"}, "/cart")

    # A full cart is replaced only once the buyer says so.
    asked = post(bluebird_buyer, f"/quotes/{quote.number}/order")
    assert asked.status_code == 200
    assert "Your cart holds 1 product." in asked.get_data(as_text=True)
    assert cart_skus(buyer_id) == {"INS-PERP": 1}
    response = post(bluebird_buyer, f"/quotes/{quote.number}/order", {"replace_cart": "1"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/checkout")
    assert cart_skus(buyer_id) == {"SHD-STD-1Y": 3}

    page = bluebird_buyer.get("/checkout").get_data(as_text=True)
    assert f'Ordering quote <a href="/quotes/{quote.number}">{quote.number}</a>' in page
    assert f'<option value="{quote.customer_id}" selected>' in page
    assert re.search(r'name="notify_end_customer" value="1" checked', page)
    fields = hidden_fields(page)
    assert fields["quote_number"] == quote.number
    placed = bluebird_buyer.post(
        "/checkout",
        data={
            **fields,
            "end_customer_choice": "existing",
            "customer_id": str(quote.customer_id),
            "notify_end_customer": "1",
            "payment_method": "on_account",
        },
    )
    assert placed.status_code == 303, placed.get_data(as_text=True)
    number = placed.headers["Location"].rsplit("/", 1)[1]

    order = db.session.scalars(select(Order).where(Order.number == number)).one()
    line = priced(shop, "SHD-STD-1Y", 3)
    assert [(ln.sku, ln.quantity, ln.unit_price_minor) for ln in order.lines] == [
        ("SHD-STD-1Y", 3, line.price.buy_price.minor)
    ]
    assert order.total_minor == line.price.buy_price.minor * 3 < quote.resale_total_minor
    assert order.customer_id == quote.customer_id
    assert order.notify_end_customer
    quote = the_quote(quote.number)
    assert (quote.status, quote.order_id) == ("ordered", order.id)
    assert quote.events[-1].kind == "ordered"

    order_page = bluebird_buyer.get(f"/orders/{number}").get_data(as_text=True)
    assert f'From quote <a href="/quotes/{quote.number}">{quote.number}</a>' in order_page
    detail = bluebird_buyer.get(f"/quotes/{quote.number}").get_data(as_text=True)
    assert f'href="/orders/{number}"' in detail
    assert "order-quote" not in detail

    # The next checkout is an ordinary one again.
    post(bluebird_buyer, "/cart/add", {"sku": "INS-PERP", "quantity": "1"}, "/cart")
    assert "Ordering quote" not in bluebird_buyer.get("/checkout").get_data(as_text=True)


def test_a_quote_not_accepted_cannot_be_ordered(shop: Shop, bluebird_buyer) -> None:
    quote = make_quote(shop, status=QuoteStatus.SENT)
    page = bluebird_buyer.get(f"/quotes/{quote.number}").get_data(as_text=True)
    assert "order-quote" not in page
    response = post(bluebird_buyer, f"/quotes/{quote.number}/order", {"replace_cart": "1"})
    assert response.status_code == 422
    assert "Only an accepted quote" in response.get_data(as_text=True)


def test_a_changed_cart_is_not_ordered_as_the_quote(shop: Shop, bluebird_buyer) -> None:
    quote = make_quote(shop, [("SHD-STD-1Y", 3)], status=QuoteStatus.ACCEPTED)
    post(bluebird_buyer, f"/quotes/{quote.number}/order")
    post(bluebird_buyer, "/cart/add", {"sku": "INS-PERP", "quantity": "1"}, "/cart")
    fields = hidden_fields(bluebird_buyer.get("/checkout").get_data(as_text=True))
    refused = bluebird_buyer.post(
        "/checkout",
        data={
            **fields,
            "end_customer_choice": "existing",
            "customer_id": str(quote.customer_id),
            "payment_method": "on_account",
        },
    )
    assert refused.status_code == 422
    assert "The order&#39;s lines are not the quote&#39;s." in refused.get_data(as_text=True)
    assert the_quote(quote.number).status == "accepted"

    # Without the quote it is an ordinary order.
    left = post(bluebird_buyer, "/quotes/leave-checkout", form_page="/checkout")
    assert left.status_code == 303
    page = bluebird_buyer.get("/checkout").get_data(as_text=True)
    assert "Ordering quote" not in page
    assert "quote_number" not in hidden_fields(page)


def test_an_approved_special_price_is_the_orders_price(shop: Shop, bluebird_buyer) -> None:
    quote = make_quote(shop, [("SHD-STD-1Y", 3)], status=QuoteStatus.ACCEPTED)
    line = quote.lines[0]
    special = line.buy_unit_minor - 500
    db.session.add(
        SpecialPriceRequest(
            tenant_id=quote.tenant_id,
            quote_id=quote.id,
            quote_line_id=line.id,
            company_id=quote.company_id,
            customer_id=quote.customer_id,
            product_id=line.product_id,
            sku=line.sku,
            quantity=line.quantity,
            term_months=line.term_months,
            periods=line.periods,
            currency=quote.currency,
            normal_unit_minor=line.buy_unit_minor,
            requested_unit_minor=special,
            approved_unit_minor=special,
            justification="Competitive deal",
            status=SpecialStatus.APPROVED.value,
            valid_until=quote.valid_until,
            requested_by=quote.buyer_id,
        )
    )
    db.session.commit()
    post(bluebird_buyer, f"/quotes/{quote.number}/order", {"replace_cart": "1"})
    checkout = bluebird_buyer.get("/checkout").get_data(as_text=True)
    # The checkout shows what the order will cost: the special price, not the normal one.
    assert shown(special * 3) in checkout
    assert shown(line.buy_unit_minor * 3) not in checkout
    fields = hidden_fields(checkout)
    placed = bluebird_buyer.post(
        "/checkout",
        data={
            **fields,
            "end_customer_choice": "existing",
            "customer_id": str(quote.customer_id),
            "payment_method": "on_account",
        },
    )
    assert placed.status_code == 303, placed.get_data(as_text=True)
    order = db.session.scalars(
        select(Order).where(Order.number == placed.headers["Location"].rsplit("/", 1)[1])
    ).one()
    assert [(ln.unit_price_minor, ln.price_source) for ln in order.lines] == [(special, "special")]
    assert order.total_minor == special * 3
    assert the_quote(quote.number).status == "ordered"
