"""The company's saved cards: one Stripe customer per company, shared by its buyers."""

import pytest
from sqlalchemy import func, select

from channelfront.extensions import db
from channelfront.payments.models import PaymentAccount
from tests.orders.test_cart_pages import add as add_to_cart
from tests.payments.conftest import ATTACH_DECLINED_CARD, GOOD_CARD

TEST_LABEL = "Test mode — use card 4242 4242 4242 4242"


def add(client, number=GOOD_CARD, expiry="12/34", cvc="123", **extra):
    data = {
        "csrf_token": client.csrf_token("/account/cards"),
        "card_number": number,
        "expiry": expiry,
        "cvc": cvc,
        **extra,
    }
    return client.post("/account/cards", data=data)


def accounts():
    return db.session.scalar(select(func.count(PaymentAccount.id)))


def test_a_saved_card_is_shared_by_every_buyer_of_the_company(
    localstripe, bluebird_buyer, client_for, ctx
):
    page = bluebird_buyer.get("/account/cards").get_data(as_text=True)
    assert TEST_LABEL in page
    assert "Your company has no saved card yet." in page
    response = add(bluebird_buyer, "4242 4242 4242 4242")
    assert response.status_code == 302
    assert "4242 is saved for your company" in bluebird_buyer.get("/account/cards").get_data(
        as_text=True
    )
    approver = client_for("northwind.localhost")
    approver.login("approver@bluebird.example")
    page = approver.get("/account/cards").get_data(as_text=True)
    assert "Visa ending in 4242" in page
    add(approver, "4000 0000 0000 0341")
    assert localstripe.count("customers") == 1
    assert accounts() == 1
    [customer] = localstripe.client.v1.customers.list().data
    assert customer.name == "Bluebird IT"


def test_cards_stay_with_their_storefront_and_company(localstripe, bluebird_buyer, client_for):
    add(bluebird_buyer)
    kirin = client_for("sakura.localhost")
    kirin.login("buyer@kirin.example")
    assert "ending in 4242" not in kirin.get("/account/cards").get_data(as_text=True)
    alpen = client_for("alpenhandel.localhost")
    alpen.login("buyer@bluebird.example")
    page = alpen.get("/account/cards").get_data(as_text=True)
    assert "ending in 4242" not in page


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"number": "4242"}, "card_number", "Enter the card number (12 to 19 digits)."),
        ({"number": "4242 4242 4242 424x"}, "card_number", "Enter the card number"),
        ({"number": "4242424242424241"}, "card_number", "This card number is not valid."),
        ({"number": "٤٢٤٢٤٢٤٢٤٢٤٢٤٢٤٢"}, "card_number", "Enter the card number"),
        ({"expiry": "13/30"}, "expiry", "Enter the expiry date as MM/YY."),
        ({"expiry": "1230"}, "expiry", "Enter the expiry date as MM/YY."),
        ({"expiry": "01/20"}, "expiry", "This card has expired."),
        ({"expiry": "01/99"}, "expiry", "Enter the expiry date as MM/YY."),
        ({"cvc": "12"}, "cvc", "Enter the 3 or 4 digit security code."),
        ({"cvc": "abc"}, "cvc", "Enter the 3 or 4 digit security code."),
    ],
)
def test_bad_card_input_is_named_and_nothing_is_saved(
    localstripe, bluebird_buyer, values, field, message, ctx
):
    response = add(bluebird_buyer, **values)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    assert f'id="card-{field}" ' in page
    assert 'aria-invalid="true"' in page
    assert localstripe.count("customers") == 0
    assert accounts() == 0


def test_a_card_refused_when_saved_says_so(localstripe, bluebird_buyer):
    response = add(bluebird_buyer, ATTACH_DECLINED_CARD)
    assert response.status_code == 422
    assert "The card was declined." in response.get_data(as_text=True)


def test_the_form_goes_back_to_a_local_page_only(localstripe, bluebird_buyer):
    assert add(bluebird_buyer, next="/checkout").headers["Location"] == "/checkout"
    for bad in ("https://evil.example/", "//evil.example", "/\\evil"):
        assert add(bluebird_buyer, next=bad).headers["Location"] == "/account/cards"


def test_removing_a_card(localstripe, bluebird_buyer):
    add(bluebird_buyer)
    [method] = localstripe.client.v1.payment_methods.list(
        params={"customer": localstripe.client.v1.customers.list().data[0].id, "type": "card"}
    ).data
    token = bluebird_buyer.csrf_token("/account/cards")
    response = bluebird_buyer.post(f"/account/cards/{method.id}/remove", data={"csrf_token": token})
    assert response.status_code == 302
    assert "is removed" in bluebird_buyer.get("/account/cards").get_data(as_text=True)
    assert "ending in 4242" not in bluebird_buyer.get("/account/cards").get_data(as_text=True)


def test_another_companys_card_cannot_be_removed(localstripe, bluebird_buyer, client_for):
    kirin = client_for("sakura.localhost")
    kirin.login("buyer@kirin.example")
    add(kirin)
    [customer] = localstripe.client.v1.customers.list().data
    [method] = localstripe.client.v1.payment_methods.list(
        params={"customer": customer.id, "type": "card"}
    ).data
    token = bluebird_buyer.csrf_token("/account/cards")
    response = bluebird_buyer.post(f"/account/cards/{method.id}/remove", data={"csrf_token": token})
    assert response.status_code == 404
    method = localstripe.client.v1.payment_methods.retrieve(method.id)
    assert method.customer == customer.id


def test_without_a_csrf_token_nothing_is_saved(localstripe, bluebird_buyer):
    response = bluebird_buyer.post(
        "/account/cards", data={"card_number": GOOD_CARD, "expiry": "12/34", "cvc": "123"}
    )
    assert response.status_code == 400
    assert localstripe.count("customers") == 0


def test_distributor_staff_have_no_company_cards(localstripe, client_for):
    finance = client_for("northwind.localhost")
    finance.login("finance@northwind.example")
    assert finance.get("/account/cards").status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(localstripe, northwind):
    response = northwind.get("/account/cards")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_without_stripe_the_page_says_cards_are_unavailable(app, bluebird_buyer):
    assert not app.config["STRIPE_SECRET_KEY"]
    page = bluebird_buyer.get("/account/cards").get_data(as_text=True)
    assert "Card payments are not available on this storefront." in page
    assert TEST_LABEL not in page


def test_the_checkout_labels_test_mode(localstripe, bluebird_buyer):
    add_to_cart(bluebird_buyer, "INS-PERP")
    page = bluebird_buyer.get("/checkout").get_data(as_text=True)
    assert TEST_LABEL in page


def test_without_stripe_the_checkout_says_cards_are_unavailable(bluebird_buyer):
    add_to_cart(bluebird_buyer, "INS-PERP")
    page = bluebird_buyer.get("/checkout").get_data(as_text=True)
    assert TEST_LABEL not in page
    assert "Card payments are not available on this storefront." in page


def test_a_customer_gone_from_stripe_is_replaced(localstripe, bluebird_buyer, ctx):
    """localstripe started afresh, or the customer deleted in Stripe's dashboard."""
    add(bluebird_buyer)
    localstripe.wipe()
    assert "Visa ending in 4242" not in bluebird_buyer.get("/account/cards").get_data(as_text=True)
    response = add(bluebird_buyer, "4000 0566 5566 5556")
    assert response.status_code == 302
    [customer] = localstripe.client.v1.customers.list().data
    assert db.session.scalar(select(PaymentAccount.stripe_customer_id)) == customer.id
    assert "Visa ending in 5556" in bluebird_buyer.get("/account/cards").get_data(as_text=True)


@pytest.fixture
def elements_mode(app):
    """A real (test) key and publishable key: cards are typed into Stripe's own form."""
    saved = {k: app.config[k] for k in ("STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY")}
    app.config.update(STRIPE_SECRET_KEY="sk_test_real", STRIPE_PUBLISHABLE_KEY="pk_test_real")
    yield
    app.config.update(saved)


def test_with_a_real_key_cards_go_through_stripes_own_form(elements_mode, bluebird_buyer):
    page = bluebird_buyer.get("/account/cards").get_data(as_text=True)
    assert TEST_LABEL not in page
    assert 'name="card_number"' not in page
    assert 'data-publishable-key="pk_test_real"' in page
    assert '<script src="https://js.stripe.com/v3/"></script>' in page
    assert "/js/stripe-cards.js" in page
    # A card number posted to us anyway is never used: only a PaymentMethod id is.
    response = add(bluebird_buyer)
    assert response.status_code == 422
    assert "The card form did not complete." in response.get_data(as_text=True)
    script = bluebird_buyer.get("/theme/harbor/js/stripe-cards.js")
    assert script.status_code == 200
    assert b"createPaymentMethod" in script.data
    script.close()


def test_stripe_out_of_reach_is_said_plainly(app, localstripe, bluebird_buyer):
    token = bluebird_buyer.csrf_token("/account/cards")
    app.config["STRIPE_API_BASE"] = "http://127.0.0.1:9"  # nothing listens there
    response = bluebird_buyer.post(
        "/account/cards",
        data={"csrf_token": token, "card_number": GOOD_CARD, "expiry": "12/34", "cvc": "123"},
    )
    assert response.status_code == 503
    assert "Card payments are not available right now." in response.get_data(as_text=True)
