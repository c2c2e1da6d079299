"""``GET /api/v1/orders?q=``: the end customer's names and e-mail, the order number, the PO."""

from __future__ import annotations

import pytest

from tests.api.orders_support import NW, Api, add_customer, add_reseller, company_id


@pytest.fixture
def bluebird(app, token_for) -> Api:  # type: ignore[no-untyped-def]
    return Api(app, NW, token_for("buyer@bluebird.example", "northwind"))


@pytest.fixture
def orders(ctx, bluebird) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Acme's order with PO-7; Globex's with PO ALPHA-9; Globex's with no PO."""
    globex = add_customer(company_id("buyer@bluebird.example"), "northwind")
    return {
        "acme": bluebird.place()["number"],
        "alpha": bluebird.place(end_customer={"id": globex}, po_number="ALPHA-9")["number"],
        "globex": bluebird.place(end_customer={"id": globex}, po_number="")["number"],
    }


def found(api: Api, q: str) -> set[str]:
    response = api.get(f"/orders?q={q}")
    assert response.status_code == 200, response.get_json()
    return {item["number"] for item in response.get_json()["items"]}


def test_q_matches_customer_names_email_number_and_po(orders, bluebird):
    assert found(bluebird, "acme%20corp") == {orders["acme"]}
    assert found(bluebird, "ada%20ACME") == {orders["acme"]}  # the contact name
    assert found(bluebird, "gil@globex") == {orders["alpha"], orders["globex"]}
    assert found(bluebird, orders["globex"].lower()) == {orders["globex"]}
    assert found(bluebird, "alpha-9") == {orders["alpha"]}
    assert found(bluebird, "po-7") == {orders["acme"]}


def test_q_matches_nothing_else(orders, bluebird):
    assert found(bluebird, "SHD-STD") == set()  # a SKU is not searched
    assert found(bluebird, "GB") == set()  # nor the country
    assert found(bluebird, "on_account") == set()
    assert found(bluebird, "%25") == set()  # a literal %, not a wildcard
    assert found(bluebird, "%20%20") == set(orders.values())  # blank: no filter


def test_q_combines_with_the_other_filters_and_stays_in_the_company(
    orders, bluebird, app, token_for
):
    assert found(bluebird, "globex&po=alpha") == {orders["alpha"]}
    add_reseller("buyer@cobalt.example", "northwind")
    cobalt = Api(app, NW, token_for("buyer@cobalt.example", "northwind"))
    cobalt.place()
    assert found(cobalt, "acme") != set()
    assert found(cobalt, "acme").isdisjoint(orders.values())


@pytest.mark.parametrize("q", ["x" * 101, "a%00b", "tab%09"])
def test_bad_q_is_a_400_naming_it(bluebird, q):
    response = bluebird.get(f"/orders?q={q}")
    assert response.status_code == 400
    assert "q" in response.get_json()["error"]["errors"]
