"""``POST /api/v1/orders`` and ``GET /api/v1/orders/<number>``: placing on the company
account, once per Idempotency-Key, bad input refused by name with nothing written, and
the walls between companies and storefronts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from channelfront.customers.models import Customer
from channelfront.extensions import db
from channelfront.fulfillment.licenses import signing_key, verify_key
from channelfront.invoices.models import Invoice
from channelfront.orders.models import Order
from tests.api.orders_support import (
    ACME,
    AH,
    NW,
    SK,
    Api,
    add_customer,
    add_reseller,
    company_id,
    counts,
    order_body,
)


@pytest.fixture
def bluebird(app, token_for) -> Api:  # type: ignore[no-untyped-def]
    return Api(app, NW, token_for("buyer@bluebird.example", "northwind"))


def test_an_order_on_account_is_placed_fulfilled_and_invoiced(app, ctx, bluebird):
    response = bluebird.post(order_body(note="Keys to Ada, please."))
    assert response.status_code == 201
    order = response.get_json()
    assert order["number"] == "NW-000001"
    assert response.headers["Location"] == "/api/v1/orders/NW-000001"
    assert response.headers["Idempotent-Replayed"] == "false"
    # Without a broker the fulfilment task ran in-process: all of it is in the answer.
    assert order["status"] == "invoiced"
    assert [e["kind"] for e in order["events"]] == [
        "placed",
        "accepted_on_account",
        "fulfilling",
        "fulfilled",
        "invoiced",
    ]
    assert order["events"][0]["actor"] == "Blake Buyer"
    assert (order["currency"], order["total"], order["list_total"]) == ("USD", "636.00", "960.00")
    assert order["payment"] == {"method": "on_account", "error": None}
    assert (order["po_number"], order["note"]) == ("PO-7", "Keys to Ada, please.")
    assert order["buyer"] == {"name": "Blake Buyer", "email": "buyer@bluebird.example"}
    shd, ins = order["lines"]
    assert shd == {
        "sku": "SHD-STD-1Y",
        "name": "Nimbus Shield Standard, annual subscription",
        "kind": "subscription",
        "quantity": 2,
        "term_months": 12,
        "list_price": "120.00",
        "unit_price": "84.00",
        "total": "168.00",
        "price_source": {"kind": "category", "discount_percent": "30.00"},
    }
    assert (ins["sku"], ins["term_months"], ins["price_source"]["kind"]) == (
        "INS-PERP",
        None,
        "product",
    )
    assert [(lic["sku"], lic["seats"]) for lic in order["licenses"]] == [
        ("SHD-STD-1Y", 2),
        ("INS-PERP", 1),
    ]
    for lic in order["licenses"]:
        claims = verify_key(signing_key(app.config), lic["key"])
        assert claims is not None
        assert claims.sku == lic["sku"]
    (subscription,) = order["subscriptions"]
    assert (subscription["sku"], subscription["term_months"]) == ("SHD-STD-1Y", 12)
    invoice = order["invoice"]
    assert invoice["number"] == "NW-INV-000001"
    assert (invoice["status"], invoice["total"], invoice["paid_at"]) == ("open", "636.00", None)
    issued = date.fromisoformat(invoice["issued_on"])
    assert date.fromisoformat(invoice["due_on"]) - issued == timedelta(days=30)
    # The new end customer joined the company's customer list on this storefront.
    customer = db.session.get(Customer, order["end_customer"]["id"])
    assert customer.company_id == company_id("buyer@bluebird.example")
    assert (customer.company_name, customer.email) == ("Acme Corp", "ada@acme.example")


def test_the_same_key_answers_the_same_order_once(ctx, bluebird):
    first = bluebird.post(order_body(), key="retry-key-0001")
    assert first.status_code == 201
    before = counts()
    again = bluebird.post(order_body(), key="retry-key-0001")
    assert again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json()
    # A different body with a used key is no new order, and no replay of the first one
    # either (IETF Idempotency-Key draft): 422 names the conflict.
    changed = bluebird.post(order_body(po_number="PO-OTHER"), key="retry-key-0001")
    assert changed.status_code == 422
    assert changed.get_json()["error"]["errors"] == {
        "Idempotency-Key": ["Already used with a different request body."]
    }
    assert counts() == before


def test_an_existing_customer_is_chosen_by_id(ctx, bluebird):
    globex = add_customer(company_id("buyer@bluebird.example"), "northwind")
    before = counts()
    order = bluebird.place(end_customer={"id": globex}, notify_end_customer=True)
    assert order["end_customer"]["id"] == globex
    assert order["end_customer"]["company_name"] == "Globex Ltd"
    assert order["notify_end_customer"] is True
    assert counts()["Customer"] == before["Customer"]


def test_a_term_buys_several_periods(ctx, bluebird):
    order = bluebird.place(lines=[{"sku": "SHD-STD-1Y", "quantity": 2, "term": 36}])
    (line,) = order["lines"]
    assert (line["term_months"], line["unit_price"], line["total"]) == (36, "84.00", "504.00")
    assert order["list_total"] == "720.00"
    assert order["subscriptions"][0]["term_months"] == 36


def test_sakura_amounts_are_whole_yen(ctx, app, token_for):
    kirin = Api(app, SK, token_for("buyer@kirin.example", "sakura"))
    sku = kirin.get("/products").get_json()["items"][0]["sku"]
    order = kirin.place(lines=[{"sku": sku, "quantity": 3}])
    assert order["number"] == "SK-000001"
    assert order["currency"] == "JPY"
    assert order["total"].isdigit()
    assert order["lines"][0]["unit_price"].isdigit()


BAD_INPUT = [
    # (what, body changes, status, field)
    ("zero quantity", {"lines": [{"sku": "SHD-STD-1Y", "quantity": 0}]}, 400, "lines[0].quantity"),
    ("negative", {"lines": [{"sku": "SHD-STD-1Y", "quantity": -2}]}, 400, "lines[0].quantity"),
    ("fraction", {"lines": [{"sku": "SHD-STD-1Y", "quantity": 1.5}]}, 400, "lines[0].quantity"),
    ("whole float", {"lines": [{"sku": "SHD-STD-1Y", "quantity": 2.0}]}, 400, "lines[0].quantity"),
    ("text", {"lines": [{"sku": "SHD-STD-1Y", "quantity": "2"}]}, 400, "lines[0].quantity"),
    ("boolean", {"lines": [{"sku": "SHD-STD-1Y", "quantity": True}]}, 400, "lines[0].quantity"),
    ("huge", {"lines": [{"sku": "SHD-STD-1Y", "quantity": 10**30}]}, 400, "lines[0].quantity"),
    ("too many", {"lines": [{"sku": "SHD-STD-1Y", "quantity": 10_001}]}, 400, "lines[0].quantity"),
    ("no quantity", {"lines": [{"sku": "SHD-STD-1Y"}]}, 400, "lines[0].quantity"),
    ("no lines", {"lines": []}, 400, "lines"),
    ("unknown SKU", {"lines": [{"sku": "NOPE-1", "quantity": 1}]}, 422, "lines[0].sku"),
    ("unauthorized", {"lines": [{"sku": "CDE-PERP", "quantity": 1}]}, 422, "lines[0].sku"),
    (
        "second line bad",
        {"lines": [{"sku": "INS-PERP", "quantity": 1}, {"sku": "NOPE", "quantity": 1}]},
        422,
        "lines[1].sku",
    ),
    (
        "twice",
        {"lines": [{"sku": "INS-PERP", "quantity": 1}, {"sku": "INS-PERP", "quantity": 2}]},
        422,
        "lines[1].sku",
    ),
    (
        "odd term",
        {"lines": [{"sku": "SHD-STD-1Y", "quantity": 1, "term": 7}]},
        422,
        "lines[0].term",
    ),
    (
        "term on a license",
        {"lines": [{"sku": "INS-PERP", "quantity": 1, "term": 12}]},
        422,
        "lines[0].term",
    ),
    ("line field", {"lines": [{"sku": "INS-PERP", "quantity": 1, "qty": 1}]}, 400, "lines[0].qty"),
    ("unknown field", {"colour": "blue"}, 400, "colour"),
    ("PO too long", {"po_number": "P" * 65}, 400, "po_number"),
    ("PO control", {"po_number": "PO\x00"}, 400, "po_number"),
    ("no end customer", {"end_customer": None}, 400, "end_customer"),
    ("end customer missing", {"end_customer": "drop"}, 422, "end_customer"),
    ("unknown customer", {"end_customer": {"id": 999_999}}, 422, "end_customer.id"),
    ("customer id text", {"end_customer": {"id": "7"}}, 400, "end_customer.id"),
    ("id and fields", {"end_customer": {"id": 1, **ACME}}, 400, "end_customer.company_name"),
    ("bad e-mail", {"end_customer": {**ACME, "email": "ada"}}, 400, "end_customer.email"),
    ("no country", {"end_customer": {**ACME, "country": ""}}, 400, "end_customer.country"),
    ("bad VAT id", {"end_customer": {**ACME, "vat_id": "X"}}, 422, "end_customer.vat_id"),
    ("no payment", {"payment": "drop"}, 400, "payment"),
    ("cash", {"payment": {"method": "cash"}}, 400, "payment.method"),
    ("card without card", {"payment": {"method": "card"}}, 400, "payment.payment_method"),
    (
        "on account with a card",
        {"payment": {"method": "on_account", "payment_method": "pm_x"}},
        400,
        "payment.payment_method",
    ),
    ("notify as a number", {"notify_end_customer": 1}, 400, "notify_end_customer"),
    ("over the credit", {"lines": [{"sku": "INS-PERP", "quantity": 5000}]}, 422, "payment"),
]


@pytest.mark.parametrize(
    ("changes", "status", "field"),
    [case[1:] for case in BAD_INPUT],
    ids=[case[0] for case in BAD_INPUT],
)
def test_bad_input_is_named_and_nothing_is_written(ctx, bluebird, changes, status, field):
    body = order_body(**changes)
    for name, value in changes.items():
        if value == "drop":
            del body[name]
    before = counts()
    response = bluebird.post(body)
    assert response.status_code == status, response.get_json()
    error = response.get_json()["error"]
    assert error["status"] == status
    assert field in error["errors"], error
    assert error["message"]
    assert counts() == before


def test_the_idempotency_key_and_the_body_are_required(ctx, bluebird):
    before = counts()
    for key in (None, "short", "has spaces in it", "x" * 81):
        response = bluebird.post(order_body(), key=key)
        assert response.status_code == 400
        assert "Idempotency-Key" in response.get_json()["error"]["errors"]
    for raw, content_type in (
        ("not json", "application/json"),
        ("[1, 2]", "application/json"),
        ('{"lines": []}', "text/plain"),
    ):
        response = bluebird.post(None, data=raw, content_type=content_type)
        assert response.status_code == 400
        assert "body" in response.get_json()["error"]["errors"]
    assert counts() == before


def test_an_overdue_invoice_stops_orders_on_account(ctx, bluebird):
    first = bluebird.place()
    db.session.execute(
        update(Invoice)
        .where(Invoice.number == first["invoice"]["number"])
        .values(due_on=date.today() - timedelta(days=1))
    )
    db.session.commit()
    before = counts()
    response = bluebird.post(order_body())
    assert response.status_code == 422
    assert "overdue" in response.get_json()["error"]["errors"]["payment"][0]
    assert counts() == before


def test_cards_are_refused_where_none_are_taken_and_nothing_is_written(ctx, bluebird):
    before = counts()
    response = bluebird.post(order_body(payment={"method": "card", "payment_method": "pm_123"}))
    assert response.status_code == 402
    assert "not available" in response.get_json()["error"]["message"]
    assert counts() == before


def test_api_errors_are_english_whatever_the_language(ctx, app, token_for):
    german = Api(app, AH, token_for("buyer@bluebird.example", "alpenhandel"))
    response = german.post(
        order_body(lines=[{"sku": "NOPE", "quantity": 1}]), headers={"Accept-Language": "de"}
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["message"] == "NOPE is not a product you can buy here."


def test_an_order_is_read_back_by_any_user_of_the_company(ctx, app, bluebird, token_for):
    placed = bluebird.place()
    number = placed["number"]
    approver = Api(app, NW, token_for("approver@bluebird.example", "northwind"))
    response = approver.get(f"/orders/{number}")
    assert response.status_code == 200
    assert response.get_json() == placed
    assert approver.get(f"/orders/{number.lower()}").get_json()["number"] == number


def test_orders_stop_at_the_walls_of_companies_and_storefronts(ctx, app, bluebird, token_for):
    ours = bluebird.place()["number"]
    kirin = Api(app, SK, token_for("buyer@kirin.example", "sakura"))
    kirin_sku = kirin.get("/products").get_json()["items"][0]["sku"]
    kirin_order = kirin.place(lines=[{"sku": kirin_sku, "quantity": 1}])
    bluebird_de = Api(app, AH, token_for("buyer@bluebird.example", "alpenhandel"))
    alpen_order = bluebird_de.place(lines=[{"sku": "SHD-STD-1Y", "quantity": 1}])
    cobalt_user = add_reseller("buyer@cobalt.example", "northwind")
    cobalt = Api(app, NW, token_for(cobalt_user.email, "northwind"))
    cobalt_order = cobalt.place(lines=[{"sku": "INS-PERP", "quantity": 1}])

    for number in (kirin_order["number"], alpen_order["number"], cobalt_order["number"]):
        response = bluebird.get(f"/orders/{number}")
        assert response.status_code == 404
        assert response.get_json()["error"]["message"].startswith("No order with this number")
    assert kirin.get(f"/orders/{ours}").status_code == 404
    assert cobalt.get(f"/orders/{ours}").status_code == 404
    assert bluebird_de.get(f"/orders/{ours}").status_code == 404
    # The same order number on another storefront is another order.
    assert kirin.get("/orders/SK-000001").status_code == 200
    assert bluebird.get("/orders/SK-000001").status_code == 404


@pytest.mark.parametrize("whose", ["other tenant", "other company"])
def test_another_tenants_or_companys_customer_cannot_be_ordered_for(ctx, bluebird, whose):
    if whose == "other tenant":
        stranger = add_customer(company_id("buyer@kirin.example"), "sakura")
    else:
        cobalt = add_reseller("buyer@cobalt.example", "northwind")
        stranger = add_customer(cobalt.company_id, "northwind")
    before = counts()
    response = bluebird.post(order_body(end_customer={"id": stranger}))
    assert response.status_code == 422
    errors = response.get_json()["error"]["errors"]
    assert errors == {"end_customer.id": ["There is no such customer in your customer list."]}
    assert counts() == before


def test_who_may_place_and_read(ctx, app, token_for):
    viewer = add_reseller(
        "viewer@bluebird.example", "northwind", "viewer", company_id("buyer@bluebird.example")
    )
    as_viewer = Api(app, NW, token_for(viewer.email, "northwind"))
    before = counts()
    refused = as_viewer.post(order_body())
    assert refused.status_code == 403
    assert counts() == before
    assert as_viewer.get("/orders").status_code == 200
    finance = Api(app, NW, token_for("finance@northwind.example", "northwind"))
    for response in (finance.post(order_body()), finance.get("/orders"), finance.get("/credit")):
        assert response.status_code == 403
    anonymous = Api(app, NW, None)
    for response in (anonymous.post(order_body()), anonymous.get("/orders/NW-000001")):
        assert response.status_code == 401
    assert counts() == before


def test_odd_order_numbers_are_simply_not_found(ctx, bluebird):
    for number in ("x" * 21, "NW-0001%00", "NW 1", "../credit"):
        assert bluebird.get(f"/orders/{number}").status_code == 404
    assert bluebird.get("/orders/NW-000001?expand=all").status_code == 400


def test_a_placed_order_is_stored_as_answered(ctx, bluebird):
    placed = bluebird.place()
    order = db.session.scalar(select(Order).where(Order.number == placed["number"]))
    assert order.total_minor == 63600
    assert order.idempotency_key
    assert order.po_number == "PO-7"


def test_the_document_publishes_the_order_rules(ctx, bluebird):
    document = bluebird.get("/openapi.json").get_json()
    create = document["paths"]["/orders"]["post"]
    (key,) = create["parameters"]
    assert (key["in"], key["name"], key["required"]) == ("header", "Idempotency-Key", True)
    assert {"200", "201", "400", "402", "403", "422"} <= set(create["responses"])
    assert "Idempotent-Replayed" in create["responses"]["201"]["headers"]
    schemas = document["components"]["schemas"]
    line = schemas["LineInput"]["properties"]
    assert (line["quantity"]["minimum"], line["quantity"]["maximum"]) == (1, 10_000)
    assert schemas["OrderRequest"]["properties"]["po_number"]["maxLength"] == 64
    assert schemas["OrderRequest"]["additionalProperties"] is False
    assert len(schemas["OrderRequest"]["properties"]["payment"]["oneOf"]) == 2
    example = create["requestBody"]["content"]["application/json"]["example"]
    assert bluebird.post(example).status_code == 201
