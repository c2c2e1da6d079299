"""Checkout through the pages: end customer, PO, on account with its credit line, or by card."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from channelfront.customers.models import Customer
from channelfront.extensions import db
from channelfront.invoices.models import Invoice
from channelfront.orders.models import CartLine, Order
from channelfront.tenancy.models import Tenant
from tests.orders.conftest import storefront
from tests.orders.test_cart_pages import add, cart_lines
from tests.payments.conftest import DECLINED_CARD, save_card

ACME = {
    "end_customer_choice": "new",
    "new_customer.company_name": "Acme Corp",
    "new_customer.contact_name": "Ada Acme",
    "new_customer.email": "ada@acme.example",
    "new_customer.country": "us",
    "new_customer.vat_id": "",
}


def checkout_form(client) -> tuple[str, dict[str, str]]:
    """The checkout page and the hidden fields its form posts back."""
    response = client.get("/checkout")
    assert response.status_code == 200, response.get_data(as_text=True)
    page = response.get_data(as_text=True)
    hidden = dict(
        re.findall(r'name="(csrf_token|idempotency_key|cart_digest)" value="([^"]*)"', page)
    )
    return page, hidden


def place(client, **fields):
    _page, hidden = checkout_form(client)
    data = {**hidden, **ACME, "po_number": "PO-42", "payment_method": "on_account", **fields}
    return client.post("/checkout", data=data), data


def placed_order(client, lines=(("SHD-STD-1Y", "2"), ("INS-PERP", "1")), **fields) -> str:
    """Fill the cart, check out on account; the new order's number."""
    for sku, quantity in lines:
        add(client, sku, quantity)
    response, _data = place(client, **fields)
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.headers["Location"].rsplit("/", 1)[1]


def order_count() -> int:
    return db.session.scalar(select(func.count(Order.id))) or 0


def cart_count() -> int:
    return db.session.scalar(select(func.count(CartLine.id))) or 0


@pytest.fixture
def filled(bluebird_buyer):
    add(bluebird_buyer, "SHD-STD-1Y", "2")
    add(bluebird_buyer, "INS-PERP")
    return bluebird_buyer


def test_checkout_shows_lines_prices_sources_and_the_credit_line(filled):
    page, hidden = checkout_form(filled)
    assert re.search(r'class="checkout-line" data-sku="SHD-STD-1Y"', page)
    assert "$120.00" in page
    assert "$84.00" in page
    assert 'data-source="category"' in page
    assert 'data-source="product"' in page
    assert re.search(r'class="order-total"><strong>\$636\.00<', page)
    assert re.search(r'class="credit-limit">\$50,000\.00<', page)
    assert re.search(r'class="credit-outstanding">\$0\.00<', page)
    assert re.search(r'class="credit-available">\$50,000\.00<', page)
    assert len(hidden["idempotency_key"]) >= 32
    assert "/theme/harbor/js/customer-typeahead.js" in page


def test_placing_on_account_creates_the_order_and_empties_the_cart(ctx, filled):
    before = order_count()
    response, _data = place(filled, note="Deliver by Friday", notify_end_customer="1")
    assert response.status_code == 303
    number = response.headers["Location"].rsplit("/", 1)[1]
    assert re.fullmatch(r"NW-\d{6}", number)
    assert order_count() == before + 1
    page = filled.get(f"/orders/{number}").get_data(as_text=True)
    assert f"Thank you. Order {number} is placed." in page
    assert "Acme Corp" in page
    assert "PO-42" in page
    order = db.session.scalar(select(Order).where(Order.number == number))
    assert order.status == "invoiced"
    assert order.note == "Deliver by Friday"
    assert order.notify_end_customer is True
    assert order.customer.company_name == "Acme Corp"
    assert order.customer.country == "US"
    # The new customer joins the reseller's customer list.
    assert order.customer.company_id == order.company_id
    assert cart_lines(filled) == {}


def test_submitting_the_same_form_twice_places_one_order(ctx, filled):
    before = order_count()
    first, data = place(filled)
    second = filled.post("/checkout", data=data)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert order_count() == before + 1
    key = data["idempotency_key"]
    assert db.session.scalar(select(func.count()).where(Order.idempotency_key == key)) == 1
    page = filled.get(second.headers["Location"]).get_data(as_text=True)
    assert "This order was already placed." in page


def _customer(company_of: str = "buyer@bluebird.example", tenant: str = "northwind") -> int:
    from channelfront.accounts.models import User

    user = db.session.scalar(select(User).where(User.email == company_of))
    tenant_id = db.session.scalar(select(Tenant.id).where(Tenant.slug == tenant))
    customer = Customer(
        tenant_id=tenant_id,
        company_id=user.company_id,
        company_name="Globex Ltd",
        contact_name="Gil Globex",
        email="gil@globex.example",
        country="GB",
    )
    db.session.add(customer)
    db.session.commit()
    return customer.id


def test_one_of_the_companys_customers_can_be_picked(ctx, filled):
    customer_id = _customer()
    page, _hidden = checkout_form(filled)
    assert f'<option value="{customer_id}">Globex Ltd' in page
    response, _data = place(filled, end_customer_choice="existing", customer_id=str(customer_id))
    assert response.status_code == 303
    number = response.headers["Location"].rsplit("/", 1)[1]
    order = db.session.scalar(select(Order).where(Order.number == number))
    assert order.customer_id == customer_id


@pytest.mark.parametrize("where", ["other_tenant", "other_company", "unknown", "garbage"])
def test_a_customer_of_another_tenant_or_company_is_refused(ctx, filled, client_for, where):
    if where == "other_tenant":
        customer_id = str(_customer(tenant="alpenhandel"))
    elif where == "other_company":
        customer_id = str(_customer("buyer@kirin.example", tenant="northwind"))
    else:
        customer_id = {"unknown": "987654", "garbage": "1 OR 1=1"}[where]
    before = order_count()
    response, _data = place(filled, end_customer_choice="existing", customer_id=customer_id)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "There is no such customer in your customer list." in page
    assert 'data-field="end_customer.id"' in page
    assert order_count() == before
    assert set(cart_lines(filled)) == {"SHD-STD-1Y", "INS-PERP"}


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"po_number": "P" * 65}, "po_number", "at most 64 characters"),
        ({"po_number": "PO\x00"}, "po_number", "at most 64 characters"),
        ({"note": "x" * 2001}, "note", "at most 2000 characters"),
        ({"note": "bad\x00byte"}, "note", "not allowed"),
        ({"new_customer.email": "not-an-email"}, "end_customer.email", "valid e-mail"),
        ({"new_customer.company_name": ""}, "end_customer.company_name", "is required"),
        ({"new_customer.country": "USA"}, "end_customer.country", "two-letter code"),
        ({"new_customer.vat_id": "??"}, "end_customer.vat_id", "VAT id is not valid"),
        ({"end_customer_choice": "existing", "customer_id": ""}, "end_customer.id", "Choose"),
        ({"end_customer_choice": "none"}, "end_customer", "Choose an end customer"),
        ({"payment_method": "cash"}, "payment", "Choose card or on account."),
        ({"payment_method": "card"}, "card_payment_method", "Choose a card"),
        ({"idempotency_key": "short"}, "idempotency_key", "submission key"),
    ],
)
def test_bad_input_is_named_and_nothing_is_written(ctx, filled, fields, field, message):
    before_orders = order_count()
    before_customers = db.session.scalar(select(func.count(Customer.id)))
    response, _data = place(filled, **fields)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'data-field="{field}"' in page
    assert message in page
    assert order_count() == before_orders
    assert db.session.scalar(select(func.count(Customer.id))) == before_customers
    assert set(cart_lines(filled)) == {"SHD-STD-1Y", "INS-PERP"}


def test_an_order_over_the_available_credit_is_refused(ctx, bluebird_buyer):
    add(bluebird_buyer, "INS-PERP", "200")  # 200 x $468.00 = $93,600.00 > $50,000.00
    page, _hidden = checkout_form(bluebird_buyer)
    assert "This order exceeds the credit available on your account." in page
    before = order_count()
    response, _data = place(bluebird_buyer)
    assert response.status_code == 422
    assert "This order exceeds the credit available on your account." in response.get_data(
        as_text=True
    )
    assert order_count() == before


def test_outstanding_credit_follows_orders_on_account(ctx, filled):
    place(filled)
    add(filled, "SHD-STD-1Y")
    page, _hidden = checkout_form(filled)
    assert re.search(r'class="credit-outstanding">\$636\.00<', page)
    assert re.search(r'class="credit-available">\$49,364\.00<', page)


def test_on_account_is_refused_while_an_invoice_is_overdue(ctx, filled):
    response, _data = place(filled)
    number = response.headers["Location"].rsplit("/", 1)[1]
    order = db.session.scalar(select(Order).where(Order.number == number))
    invoice = db.session.scalar(select(Invoice).where(Invoice.order_id == order.id))
    invoice.due_on = date.today() - timedelta(days=1)
    db.session.commit()

    add(filled, "SHD-STD-1Y")
    page, _hidden = checkout_form(filled)
    assert "On account is not possible while an invoice is overdue." in page
    before = order_count()
    response, _data = place(filled)
    assert response.status_code == 422
    assert "On account is not possible while an invoice is overdue." in response.get_data(
        as_text=True
    )
    assert order_count() == before


def test_a_changed_cart_is_not_ordered_unseen(ctx, filled):
    _page, hidden = checkout_form(filled)
    add(filled, "SHD-ENT-1Y")  # in another tab, after the checkout page was shown
    before = order_count()
    data = {**hidden, **ACME, "payment_method": "on_account"}
    response = filled.post("/checkout", data=data)
    assert response.status_code == 422
    assert "Your cart or its prices changed." in response.get_data(as_text=True)
    assert order_count() == before


def test_an_empty_cart_goes_back_to_the_cart(bluebird_buyer):
    response = bluebird_buyer.get("/checkout")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/cart")


def test_a_tenant_may_allow_orders_without_an_end_customer(ctx, filled):
    tenant = db.session.scalar(select(Tenant).where(Tenant.slug == "northwind"))
    tenant.require_end_customer = False
    db.session.commit()
    page, _hidden = checkout_form(filled)
    assert 'value="none"' in page
    response, _data = place(filled, end_customer_choice="none")
    assert response.status_code == 303
    number = response.headers["Location"].rsplit("/", 1)[1]
    assert db.session.scalar(select(Order.customer_id).where(Order.number == number)) is None


def test_card_payment_unavailable_leaves_the_order_placed_and_says_so(ctx, filled):
    response, _data = place(filled, payment_method="card", card_payment_method="pm_card_visa")
    assert response.status_code == 303
    number = response.headers["Location"].rsplit("/", 1)[1]
    page = filled.get(f"/orders/{number}").get_data(as_text=True)
    assert "Card payments are not available" in page
    order = db.session.scalar(select(Order).where(Order.number == number))
    assert order.status == "placed"
    assert order.payment_method == "card"
    assert cart_lines(filled) == {}
    # The order page offers to pay it by card.
    assert f'action="/orders/{number}/pay"' in page


def test_a_saved_card_pays_at_checkout_and_licenses_follow(app, filled, localstripe):
    for shop in storefront(app, "northwind.localhost", "buyer@bluebird.example"):
        card = save_card(shop)
    page, _hidden = checkout_form(filled)
    assert card["id"] in page
    response, _data = place(filled, payment_method="card", card_payment_method=card["id"])
    assert response.status_code == 303
    number = response.headers["Location"].rsplit("/", 1)[1]
    page = filled.get(f"/orders/{number}").get_data(as_text=True)
    assert 'data-kind="paid"' in page
    assert 'data-status="invoiced"' in page
    assert page.count('class="license-key"') == 2
    assert localstripe.count("payment_intents") == 1


def test_a_declined_card_shows_the_reason_and_the_order_stays_unpaid(app, filled, localstripe):
    for shop in storefront(app, "northwind.localhost", "buyer@bluebird.example"):
        card = save_card(shop, DECLINED_CARD)
    response, _data = place(filled, payment_method="card", card_payment_method=card["id"])
    assert response.status_code == 303
    number = response.headers["Location"].rsplit("/", 1)[1]
    page = filled.get(f"/orders/{number}").get_data(as_text=True)
    assert 'data-status="payment_failed"' in page
    assert "The card was declined." in page
    assert 'class="license-key"' not in page
    assert f'action="/orders/{number}/pay"' in page


def test_the_type_ahead_finds_only_the_companys_customers(ctx, bluebird_buyer):
    _customer()
    _customer("buyer@kirin.example", tenant="northwind")
    found = bluebird_buyer.get("/customers/search?q=glob").get_json()["customers"]
    assert [c["company_name"] for c in found] == ["Globex Ltd"]
    assert bluebird_buyer.get("/customers/search?q=zzz").get_json() == {"customers": []}
    too_long = bluebird_buyer.get("/customers/search?q=" + "x" * 101)
    assert too_long.status_code == 400
    assert too_long.get_json()["error"]["errors"]["q"]


def test_checkout_is_for_buyers(ctx, northwind, client_for):
    assert northwind.get("/checkout").status_code == 302
    finance = client_for("northwind.localhost")
    finance.login("finance@northwind.example")
    assert finance.get("/checkout").status_code == 403
    assert finance.get("/customers/search?q=a").status_code == 403


def test_after_a_decline_another_card_pays_from_the_order_page(app, filled, localstripe):
    for shop in storefront(app, "northwind.localhost", "buyer@bluebird.example"):
        declined = save_card(shop, DECLINED_CARD)
        good = save_card(shop)
    response, _data = place(filled, payment_method="card", card_payment_method=declined["id"])
    number = response.headers["Location"].rsplit("/", 1)[1]
    token = filled.csrf_token(f"/orders/{number}")
    response = filled.post(
        f"/orders/{number}/pay", data={"csrf_token": token, "card_payment_method": good["id"]}
    )
    assert response.status_code == 303
    page = filled.get(f"/orders/{number}").get_data(as_text=True)
    assert 'data-status="invoiced"' in page
    assert page.count('class="license-key"') == 2
    assert f'action="/orders/{number}/pay"' not in page
    # Paying again is refused politely: nothing is charged twice.
    response = filled.post(
        f"/orders/{number}/pay", data={"csrf_token": token, "card_payment_method": good["id"]}
    )
    assert response.status_code == 303
    intents = localstripe.intents()
    assert [i.status for i in intents].count("succeeded") == 1


def test_cart_and_checkout_pages_run_a_fixed_number_of_queries(app, bluebird_buyer):
    from tests.perf.test_query_count import recorded_statements

    def count(path):
        bluebird_buyer.get(path)
        with recorded_statements(app) as statements:
            assert bluebird_buyer.get(path).status_code == 200
        return len(statements)

    add(bluebird_buyer, "INS-PERP")
    one = (count("/cart"), count("/checkout"))
    for sku in ("SHD-STD-1Y", "SHD-ENT-1Y", "CDE-ENT-1Y", "BKP-STD-1Y", "SUP-BAS"):
        add(bluebird_buyer, sku)
    assert (count("/cart"), count("/checkout")) == one
    assert max(one) <= 17  # checkout: +1 for the credit notes available
