"""The end customer renews alone through the signed link: no login, a card, charged once."""

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from channelfront.extensions import db
from channelfront.orders.signals import subscription_renewed
from channelfront.renewals import links
from channelfront.renewals.models import RenewalPayment, SubscriptionTerm
from channelfront.subscriptions import services as subscriptions
from channelfront.subscriptions.dates import add_months
from channelfront.subscriptions.models import Subscription
from channelfront.tenancy.models import Tenant
from tests.payments.conftest import AUTH_CARD, DECLINED_CARD, GOOD_CARD
from tests.renewals.conftest import link_path, token_for

CARD = {"card_number": GOOD_CARD, "expiry": "12/34", "cvc": "123"}


def hidden(page: str) -> dict[str, str]:
    return dict(re.findall(r'name="(csrf_token|term|amount)" value="([^"]*)"', page))


def pay(client, path: str, **card: str):
    page = client.get(path).get_data(as_text=True)
    data = {**hidden(page), **CARD, **card}
    return client.post(path, data=data), data


def terms_count() -> int:
    return db.session.scalar(select(func.count(SubscriptionTerm.id))) or 0


@pytest.fixture
def customer(client_for):
    """The end customer's browser on the distributor's storefront: nobody signed in."""
    return client_for("northwind.localhost")


def test_the_link_shows_the_next_term_at_list_price_without_a_login(subscribed, customer):
    path = link_path(subscribed)
    sub = subscribed.subscription()
    response = customer.get(path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    page = response.get_data(as_text=True)
    assert "Renew your subscription" in page
    assert "SHD-STD-1Y" in page
    assert re.search(r'class="quantity">5<', page)
    start, end = sub.ends_on, add_months(sub.ends_on, 12)
    assert f"{start:%B} {start.day}, {start.year} to {end:%B} {end.day}, {end.year}" in page
    assert re.search(r'class="unit-price">\$120\.00 ', page)  # list price, not Bluebird's
    assert re.search(r'class="renewal-total"><strong>\$600\.00<', page)
    assert "Card payments are not available on this storefront." in page  # no Stripe here


def test_the_end_customer_pays_and_the_subscription_is_renewed(
    subscribed, customer, localstripe, inbox
):
    path = link_path(subscribed)
    old_end = subscribed.subscription().ends_on
    heard: list[tuple[int, int, str]] = []

    def listener(term, **_extra):
        # Sent while the term is being recorded, in the same transaction.
        heard.append((term.term_index, term.subscription.term_index, term.channel))

    with subscription_renewed.connected_to(listener):
        response, _data = pay(customer, path)
    assert response.status_code == 303, response.get_data(as_text=True)
    assert response.headers["Location"].endswith(f"{path}/terms/1")
    assert heard == [(1, 1, "self_service")]
    sub = subscribed.subscription()
    assert sub.ends_on == add_months(old_end, 12)
    assert sub.term_index == 1
    [term] = db.session.scalars(select(SubscriptionTerm)).all()
    assert (term.term_index, term.channel, term.company_id, term.order_id) == (
        1,
        "self_service",
        None,
        None,
    )
    assert (term.amount_minor, term.currency, term.quantity, term.term_months) == (
        60000,
        "USD",
        5,
        12,
    )
    assert (term.starts_on, term.ends_on) == (old_end, sub.ends_on)
    [intent] = localstripe.intents()
    assert (intent.amount, intent.currency, intent.status) == (60000, "usd", "succeeded")
    assert intent.metadata["purpose"] == "renewal"
    assert intent.metadata["subscription_id"] == str(sub.id)
    assert term.payment_intent_id == intent.id
    page = customer.get(response.headers["Location"]).get_data(as_text=True)
    end = sub.ends_on
    assert (
        "Thank you. Nimbus Shield Standard, annual subscription is renewed until "
        f"{end:%B} {end.day}, {end.year}." in page
    )
    assert re.search(r'class="paid">\$600\.00<', page)
    [mail] = inbox.to("buyer@bluebird.example")
    assert mail["Subject"] == "Acme Corp renewed Nimbus Shield Standard, annual subscription"
    body = mail.get_content()
    assert "$600.00" in body
    assert "through the renewal link" in body
    row = subscribed.client.get("/subscriptions").get_data(as_text=True)
    assert re.search(rf'data-subscription="{sub.id}".*?class="renewals">1<', row, re.S)


def test_a_replayed_form_charges_once(subscribed, customer, localstripe):
    path = link_path(subscribed)
    first, data = pay(customer, path)
    second = customer.post(path, data=data)
    assert first.status_code == second.status_code == 303
    assert second.headers["Location"] == first.headers["Location"]
    assert localstripe.count("payment_intents") == 1
    assert terms_count() == 1
    # The page now offers the term after it.
    assert hidden(customer.get(path).get_data(as_text=True))["term"] == "2"


def test_a_payment_in_flight_is_not_charged_again(subscribed, customer, localstripe):
    path = link_path(subscribed)
    sub = subscribed.subscription()
    db.session.add(
        RenewalPayment(
            tenant_id=sub.tenant_id,
            subscription_id=sub.id,
            term_index=1,
            state="charging",
            amount_minor=60000,
            currency="USD",
            updated_at=datetime.now(UTC),
        )
    )
    db.session.commit()
    response, _data = pay(customer, path)
    assert response.status_code == 409
    assert "This renewal is being paid right now." in response.get_data(as_text=True)
    assert localstripe.count("payment_intents") == 0
    assert terms_count() == 0


@pytest.mark.parametrize(
    ("number", "message"),
    [
        (DECLINED_CARD, "The card was declined."),
        (AUTH_CARD, "The card issuer asks for authentication"),
    ],
)
def test_a_refused_card_records_nothing_and_another_card_pays(
    subscribed, customer, localstripe, number, message
):
    path = link_path(subscribed)
    old_end = subscribed.subscription().ends_on
    response, _data = pay(customer, path, card_number=number)
    assert response.status_code == 402
    assert message in response.get_data(as_text=True)
    assert terms_count() == 0
    assert subscribed.subscription().ends_on == old_end
    assert subscribed.subscription().term_index == 0
    response, _data = pay(customer, path)
    assert response.status_code == 303
    assert terms_count() == 1
    assert [i.status for i in localstripe.intents()].count("succeeded") == 1


@pytest.mark.parametrize(
    ("card", "field", "message"),
    [
        ({"card_number": "4242"}, "card_number", "Enter the card number"),
        ({"expiry": "13/40"}, "expiry", "Enter the expiry date as MM/YY."),
        ({"cvc": "x"}, "cvc", "Enter the 3 or 4 digit security code."),
        ({"amount": "100"}, "amount", "The price has changed."),
        ({"term": "7"}, "term", "This page is out of date."),
        ({"term": "abc"}, "term", "This page is out of date."),
    ],
)
def test_bad_input_is_named_and_nothing_is_charged(
    subscribed, customer, localstripe, card, field, message
):
    response, _data = pay(customer, link_path(subscribed), **card)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'data-field="{field}"' in page
    assert message in page
    assert localstripe.count("payment_intents") == 0
    assert terms_count() == 0


def test_a_tampered_or_foreign_link_is_not_found(app, subscribed, customer, client_for):
    path = link_path(subscribed)
    token = path.rsplit("/", 1)[1]
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert customer.get(f"/renew/{tampered}").status_code == 404
    assert customer.get("/renew/x").status_code == 404
    assert customer.get("/renew/" + "a" * 400).status_code == 404
    # The genuine link on another distributor's host.
    assert client_for("alpenhandel.localhost").get(path).status_code == 404
    # A genuine token naming another tenant, or a subscription that does not exist.
    alpen = db.session.scalar(select(Tenant.id).where(Tenant.slug == "alpenhandel"))
    northwind = db.session.scalar(select(Tenant.id).where(Tenant.slug == "northwind"))
    foreign = token_for(app, alpen, subscribed.subscription_id)
    assert customer.get(f"/renew/{foreign}").status_code == 404
    unknown = token_for(app, northwind, 999_999)
    assert customer.get(f"/renew/{unknown}").status_code == 404
    response = customer.post(f"/renew/{tampered}", data={"term": "1"})
    assert response.status_code in (400, 404)  # no CSRF token: refused before anything runs
    assert terms_count() == 0


def test_an_expired_link_says_so(app, subscribed, customer, monkeypatch):
    path = link_path(subscribed)
    monkeypatch.setattr(links, "LINK_MAX_AGE", -1)
    response = customer.get(path)
    assert response.status_code == 410
    assert "This renewal link has expired." in response.get_data(as_text=True)


def test_a_cancelled_subscription_cannot_be_renewed_by_its_link(subscribed, customer, localstripe):
    path = link_path(subscribed)
    page = customer.get(path).get_data(as_text=True)
    sub = db.session.get(Subscription, subscribed.subscription_id)
    subscriptions.cancel_for_order(sub.order_id)
    db.session.commit()
    response = customer.get(path)
    assert response.status_code == 410
    assert "This subscription was cancelled and cannot be renewed." in response.get_data(
        as_text=True
    )
    response = customer.post(path, data={**hidden(page), **CARD})
    assert response.status_code == 410
    assert localstripe.count("payment_intents") == 0
    assert terms_count() == 0


def test_the_reseller_mails_the_link_to_the_end_customer(subscribed, customer, inbox):
    client = subscribed.client
    token = client.csrf_token("/subscriptions")
    response = client.post(
        f"/subscriptions/{subscribed.subscription_id}/send-link", data={"csrf_token": token}
    )
    assert response.status_code == 303
    page = client.get("/subscriptions").get_data(as_text=True)
    assert "The renewal link is on its way to ada@acme.example." in page
    [mail] = inbox.to("ada@acme.example")
    assert mail["Subject"] == "Renewal of Nimbus Shield Standard, annual subscription"
    body = mail.get_content()
    assert "Hello Ada Acme," in body
    [url] = re.findall(r"http://northwind\.localhost/renew/\S+", body)
    assert customer.get(url.removeprefix("http://northwind.localhost")).status_code == 200


def test_the_renewal_page_speaks_the_storefronts_language(client_for, ctx):
    """Alpenhandel is German: a Bluebird subscription there, renewed by its link."""
    from tests.orders.test_checkout_pages import placed_order

    buyer = client_for("alpenhandel.localhost")
    buyer.login("buyer@bluebird.example")
    placed_order(buyer, lines=(("SHD-STD-1Y", "1"),))
    [url] = re.findall(
        r'class="renewal-url" type="url" readonly value="([^"]+)"',
        buyer.get("/subscriptions").get_data(as_text=True),
    )
    page = client_for("alpenhandel.localhost").get(url.split("localhost", 1)[1])
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'lang="de"' in text
    assert "Abonnement verlängern" in text
    assert "€" in text


def test_without_stripe_the_page_says_card_payments_are_unavailable(subscribed, customer):
    path = link_path(subscribed)
    page = customer.get(path).get_data(as_text=True)
    data = {**hidden(page), **CARD, "term": "1", "amount": "60000"}
    response = customer.post(path, data=data)
    assert response.status_code == 503
    assert "Card payments are not available right now." in response.get_data(as_text=True)
    assert terms_count() == 0


def test_payments_on_the_link_are_rate_limited(app, subscribed, customer):
    path = link_path(subscribed)
    token = hidden(customer.get(path).get_data(as_text=True))["csrf_token"]
    app.config["RENEWAL_PAY_RATE_LIMIT"] = "2 per minute"
    statuses = [
        customer.post(path, data={"csrf_token": token, "term": "1"}).status_code for _ in range(3)
    ]
    assert statuses[:2] == [503, 503]
    assert statuses[2] == 429


def test_a_term_the_reseller_renewed_meanwhile_is_not_charged(subscribed, customer, localstripe):
    from tests.renewals.test_partner_renewal import existing_customer_checkout, renew

    path = link_path(subscribed)
    page = customer.get(path).get_data(as_text=True)  # the customer opens term 1 ...
    renew(subscribed.client, subscribed.subscription_id)  # ... and the reseller renews it
    existing_customer_checkout(subscribed.client, subscribed.subscription())
    response = customer.post(path, data={**hidden(page), **CARD})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/terms/1")
    text = customer.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your reseller has already renewed" in text
    assert "Nothing was charged to your card." in text
    assert "$420.00" not in text  # the reseller's price is not shown
    assert localstripe.count("payment_intents") == 0
    assert [t.channel for t in db.session.scalars(select(SubscriptionTerm))] == ["partner"]


def test_while_a_paid_renewal_is_being_recorded_the_link_waits(subscribed, customer):
    path = link_path(subscribed)
    sub = subscribed.subscription()
    sub.term_index = 1  # paid (order accepted), not fulfilled yet
    db.session.commit()
    response = customer.get(path)
    assert response.status_code == 409
    assert "A renewal of this subscription is being processed." in response.get_data(as_text=True)
    response = customer.get(f"{path}/terms/1")
    assert response.status_code == 200
    assert "The renewal is paid and is being recorded." in response.get_data(as_text=True)
    assert customer.get(f"{path}/terms/2").status_code == 404
