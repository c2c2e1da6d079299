"""Renewing through the storefront: the reseller's subscriptions page, the cart, the order."""

import re
from datetime import date

from sqlalchemy import func, select

from channelfront.accounts.models import User
from channelfront.extensions import db
from channelfront.orders.models import Order, OrderLine
from channelfront.orders.signals import order_accepted, subscription_renewed
from channelfront.payments.refunds import record_refund
from channelfront.renewals.models import SubscriptionTerm
from channelfront.subscriptions import services as subscriptions
from channelfront.subscriptions.dates import add_months
from channelfront.subscriptions.models import Subscription
from channelfront.tenancy.scoping import tenant_scope
from tests.orders.test_cart_pages import add, cart_lines
from tests.orders.test_checkout_pages import checkout_form, place
from tests.orders.test_history import reseller


def row_of(page: str, subscription_id: int) -> str:
    match = re.search(
        rf'<tr class="subscription" data-subscription="{subscription_id}"[^>]*>(.*?)</tr>',
        page,
        re.S,
    )
    assert match, page
    return match.group(0)


def renew(client, subscription_id: int):
    token = client.csrf_token("/subscriptions")
    return client.post(f"/subscriptions/{subscription_id}/renew", data={"csrf_token": token})


def existing_customer_checkout(client, subscription: Subscription, **fields):
    return place(
        client,
        end_customer_choice="existing",
        customer_id=str(subscription.customer_id),
        **fields,
    )


def test_the_subscriptions_page_lists_the_companys_subscriptions(subscribed):
    page = subscribed.client.get("/subscriptions").get_data(as_text=True)
    row = row_of(page, subscribed.subscription_id)
    sub = subscribed.subscription()
    assert "Acme Corp" in row
    assert "ada@acme.example" in row
    assert "SHD-STD-1Y" in row
    assert re.search(r'class="quantity">5<', row)
    assert 'data-state="active"' in row
    assert re.search(r'class="renewals">0<', row)
    assert sub.ends_on.strftime("%b") in row
    assert str(sub.ends_on.year) in row
    assert "Renew</button>" in row
    assert 'class="renewal-url"' in row
    assert 'href="/subscriptions"' in page  # in the navigation


def test_renew_puts_the_renewal_in_the_cart_at_todays_buy_price(subscribed):
    response = renew(subscribed.client, subscribed.subscription_id)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/cart")
    page = subscribed.client.get("/cart").get_data(as_text=True)
    assert "The renewal of" in page
    line = cart_lines(subscribed.client, page)["SHD-STD-1Y"]
    assert "Renewal of a subscription" in line
    assert 'value="5"' in line
    assert '<option value="12" selected>' in line
    assert "$420.00" in line  # 5 seats at Bluebird's $84.00
    # Pressing again sets the same line again, it does not add up.
    renew(subscribed.client, subscribed.subscription_id)
    assert 'value="5"' in cart_lines(subscribed.client)["SHD-STD-1Y"]


def test_the_renewal_order_extends_the_subscription_instead_of_adding_one(subscribed):
    client, sub = subscribed.client, subscribed.subscription()
    old_end, count_before = sub.ends_on, db.session.scalar(select(func.count(Subscription.id)))
    renew(client, sub.id)
    page, _hidden = checkout_form(client)
    assert f'<option value="{sub.customer_id}" selected>' in page  # the renewal's customer
    seen: list[tuple[int | None, int | None]] = []

    def listener(order, **_extra):
        seen.extend((ln.renews_subscription_id, ln.renewal_term_index) for ln in order.lines)

    renewed: list[object] = []
    with (
        order_accepted.connected_to(listener),
        subscription_renewed.connected_to(lambda term, **_: renewed.append(term)),
    ):
        response, _data = existing_customer_checkout(client, sub)
    assert response.status_code == 303, response.get_data(as_text=True)
    number = response.headers["Location"].rsplit("/", 1)[1]
    assert seen == [(sub.id, 1)]  # listeners of order_accepted read the term index
    assert renewed == []  # partner renewals are told through order_accepted
    order = db.session.scalar(select(Order).where(Order.number == number))
    assert order.status == "invoiced"
    [line] = order.lines
    assert (line.renews_subscription_id, line.renewal_term_index) == (sub.id, 1)
    sub = subscribed.subscription()
    assert sub.ends_on == add_months(old_end, 12)
    assert sub.term_index == 1
    assert db.session.scalar(select(func.count(Subscription.id))) == count_before
    [term] = db.session.scalars(select(SubscriptionTerm)).all()
    assert (term.subscription_id, term.term_index, term.channel) == (sub.id, 1, "partner")
    assert (term.company_id, term.order_id, term.order_line_id) == (
        order.company_id,
        order.id,
        line.id,
    )
    assert (term.amount_minor, term.currency, term.quantity) == (42000, "USD", 5)
    assert str(term.amount.amount) == "420.00"
    assert (term.starts_on, term.ends_on) == (old_end, sub.ends_on)
    order_page = client.get(f"/orders/{number}").get_data(as_text=True)
    assert "Renewal of a subscription" in order_page
    row = row_of(client.get("/subscriptions").get_data(as_text=True), sub.id)
    assert re.search(r'class="renewals">1<', row)


def test_a_second_renewal_takes_the_next_term(subscribed):
    client, sub = subscribed.client, subscribed.subscription()
    first_end = sub.ends_on
    for _ in range(2):
        renew(client, sub.id)
        response, _data = existing_customer_checkout(client, sub)
        assert response.status_code == 303
    terms = db.session.scalars(select(SubscriptionTerm).order_by(SubscriptionTerm.term_index))
    assert [(t.term_index, t.starts_on) for t in terms] == [
        (1, first_end),
        (2, add_months(first_end, 12)),
    ]
    assert subscribed.subscription().ends_on == add_months(first_end, 24)


def test_a_renewal_for_another_end_customer_is_refused(subscribed):
    client = subscribed.client
    renew(client, subscribed.subscription_id)
    orders_before = db.session.scalar(select(func.count(Order.id)))
    response, _data = place(client)  # the checkout's default form: a new customer
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'data-field="end_customer"' in page
    assert "SHD-STD-1Y renews a subscription of Acme Corp: choose that end customer." in page
    assert db.session.scalar(select(func.count(Order.id))) == orders_before
    assert db.session.scalar(select(func.count(SubscriptionTerm.id))) == 0


def test_the_cart_keeps_a_renewal_apart_from_a_new_purchase(subscribed):
    client = subscribed.client
    add(client, "SHD-STD-1Y", "2")
    response = renew(client, subscribed.subscription_id)
    assert response.status_code == 422
    assert "This product is already in your cart." in response.get_data(as_text=True)
    client.post(
        "/cart/remove", data={"csrf_token": client.csrf_token("/cart"), "sku": "SHD-STD-1Y"}
    )
    renew(client, subscribed.subscription_id)
    response = add(client, "SHD-STD-1Y", "2")
    assert response.status_code == 422
    assert "SHD-STD-1Y is in your cart as a renewal." in response.get_data(as_text=True)
    assert 'value="5"' in cart_lines(client)["SHD-STD-1Y"]


def test_a_cancelled_subscription_is_not_renewed(subscribed):
    sub = subscribed.subscription()
    subscriptions.cancel_for_order(sub.order_id)
    db.session.commit()
    page = subscribed.client.get("/subscriptions").get_data(as_text=True)
    row = row_of(page, sub.id)
    assert 'data-state="cancelled"' in row
    assert "Renew</button>" not in row
    response = renew(subscribed.client, sub.id)
    assert response.status_code == 422
    assert "A cancelled subscription cannot be renewed." in response.get_data(as_text=True)
    assert cart_lines(subscribed.client) == {}


def test_others_cannot_renew_or_see_the_subscription(subscribed, client_for):
    client = subscribed.client
    assert (
        client.post(
            "/subscriptions/999999/renew", data={"csrf_token": client.csrf_token("/subscriptions")}
        ).status_code
        == 404
    )
    kirin = client_for("sakura.localhost")
    kirin.login("buyer@kirin.example")
    assert subscribed.subscription_id
    assert "Acme Corp" not in kirin.get("/subscriptions").get_data(as_text=True)
    response = renew(kirin, subscribed.subscription_id)
    assert response.status_code == 404
    finance = client_for("northwind.localhost")
    finance.login("finance@northwind.example")
    response = finance.get("/subscriptions")
    assert response.status_code == 403
    assert "Subscriptions belong to reseller accounts." in response.get_data(as_text=True)


def test_a_viewer_sees_subscriptions_but_cannot_renew(subscribed, client_for):
    company_id = db.session.scalar(
        select(User.company_id).where(User.email == "buyer@bluebird.example")
    )
    reseller(company_id, "viewer@bluebird.example", role="viewer")
    viewer = client_for("northwind.localhost")
    viewer.login("viewer@bluebird.example")
    page = viewer.get("/subscriptions").get_data(as_text=True)
    row = row_of(page, subscribed.subscription_id)
    assert "Acme Corp" in row
    assert "Renew</button>" not in row
    assert renew(viewer, subscribed.subscription_id).status_code == 403


def test_the_page_number_is_checked(subscribed):
    response = subscribed.client.get("/subscriptions?page=abc")
    assert response.status_code == 400
    assert "The page must be a whole number" in response.get_data(as_text=True)
    assert subscribed.client.get("/subscriptions?page=99").status_code == 200


def test_a_refunded_renewal_gives_its_term_back(subscribed):
    client, sub = subscribed.client, subscribed.subscription()
    old_end = sub.ends_on
    renew(client, sub.id)
    response, _data = existing_customer_checkout(client, sub)
    number = response.headers["Location"].rsplit("/", 1)[1]
    order = db.session.scalar(select(Order).where(Order.number == number))
    with tenant_scope(order.tenant_id):
        record_refund(order, None, {"source": "test"}, None)
        db.session.commit()
    sub = subscribed.subscription()
    assert sub.ends_on == old_end
    assert sub.status == "active"  # the first purchase still stands
    term = db.session.scalar(select(SubscriptionTerm))
    assert term.refunded_at is not None
    row = row_of(client.get("/subscriptions").get_data(as_text=True), sub.id)
    assert re.search(r'class="renewals">0<', row)


def test_a_renewal_of_a_lapsed_subscription_starts_on_its_fulfilment_day(subscribed):
    sub = subscribed.subscription()
    sub.ends_on = date(2020, 1, 31)
    db.session.commit()
    renew(subscribed.client, sub.id)
    existing_customer_checkout(subscribed.client, sub)
    term = db.session.scalar(select(SubscriptionTerm))
    assert term.starts_on > date(2020, 1, 31)
    assert term.ends_on == add_months(term.starts_on, 12)
    line = db.session.scalar(select(OrderLine).where(OrderLine.id == term.order_line_id))
    assert line.renewal_term_index == 1
