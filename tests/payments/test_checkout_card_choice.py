"""A card that is not one of the company's saved cards is refused before an order exists."""

from __future__ import annotations

import pytest
from markupsafe import escape
from sqlalchemy import select

from channelfront.accounts.models import User
from channelfront.api.tokens import issue_token
from channelfront.catalog.models import Product
from channelfront.extensions import db
from channelfront.orders.models import CartLine, Order
from tests.api.orders_support import NW, Api, add_reseller, counts, order_body, tenant_id
from tests.orders.conftest import storefront
from tests.orders.test_cart_pages import add
from tests.orders.test_checkout_pages import checkout_form, place
from tests.payments.conftest import save_card

CARD_ERROR = "Choose one of your company's saved cards."


def cart_rows() -> list[tuple[str, int]]:
    rows = db.session.execute(
        select(Product.sku, CartLine.quantity).join(Product).order_by(Product.sku)
    )
    return [tuple(row) for row in rows]


def card_of(app, host: str, email: str) -> str:  # type: ignore[no-untyped-def]
    for shop in storefront(app, host, email):
        card = save_card(shop)
    return card["id"]


@pytest.fixture
def foreign_cards(app, ctx, localstripe) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """A saved card of another company on the same storefront, and one of another tenant."""
    add_reseller("buyer@otherco.example", "northwind")
    return {
        "same tenant": card_of(app, NW, "buyer@otherco.example"),
        "other tenant": card_of(app, "sakura.localhost", "buyer@kirin.example"),
    }


@pytest.mark.parametrize("whose", ["same tenant", "other tenant"])
def test_checkout_refuses_another_companys_card_and_writes_nothing(
    app, bluebird_buyer, foreign_cards, localstripe, whose
):
    card_of(app, NW, "buyer@bluebird.example")  # the company has a card of its own
    add(bluebird_buyer, "SHD-STD-1Y", "2")
    cart_before = cart_rows()
    before = counts()

    response, _data = place(
        bluebird_buyer, payment_method="card", card_payment_method=foreign_cards[whose]
    )

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'data-field="card_payment_method">{escape(CARD_ERROR)}' in page
    assert counts() == before
    assert db.session.scalar(select(Order.id)) is None
    assert cart_rows() == cart_before == [("SHD-STD-1Y", 2)]
    assert localstripe.count("payment_intents") == 0
    # The page is still the checkout, ready to pay with the company's own card.
    page, _hidden = checkout_form(bluebird_buyer)
    assert foreign_cards[whose] not in page


def test_checkout_with_the_companys_own_card_still_pays(app, bluebird_buyer, localstripe):
    own = card_of(app, NW, "buyer@bluebird.example")
    add(bluebird_buyer, "SHD-STD-1Y", "1")
    response, _data = place(bluebird_buyer, payment_method="card", card_payment_method=own)
    assert response.status_code == 303
    assert localstripe.count("payment_intents") == 1


def test_the_api_refuses_a_card_of_another_company_on_the_same_storefront(
    app, foreign_cards, localstripe
):
    buyer = db.session.scalar(select(User).where(User.email == "buyer@bluebird.example"))
    api = Api(app, NW, issue_token(buyer, tenant_id("northwind")))
    db.session.commit()
    before = counts()
    body = order_body(payment={"method": "card", "payment_method": foreign_cards["same tenant"]})
    response = api.post(body)
    assert response.status_code == 422
    assert response.get_json()["error"]["errors"] == {"payment.payment_method": [CARD_ERROR]}
    assert counts() == before
    assert localstripe.count("payment_intents") == 0
