"""The quotes API: a reseller quotes an end customer at its resale prices
(``POST /quotes``), reads and lists its quotes, sends one (the customer's link is on the
storefront's host), asks for a special price on a line; the distributor's partner
managers and admins list the requests and decide them (``/special-prices``). Refusals
name the field and write nothing; another company's or storefront's quote is not found.
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from channelfront.audit.models import AuditEvent
from channelfront.customers.models import Customer
from channelfront.extensions import db
from channelfront.outbox.models import OutboxMessage
from channelfront.pricing.models import Enrollment
from channelfront.quotes.models import (
    Quote,
    QuoteEvent,
    QuoteLine,
    SpecialPriceRequest,
    SpecialPriceRule,
)
from channelfront.quotes.services import today
from tests.api.orders_support import AH, NW, SK, add_customer, add_reseller, company_id

BUYER = "buyer@bluebird.example"
MANAGER = "partners@northwind.example"
ACME = {
    "company_name": "Acme Corp",
    "contact_name": "Ada Acme",
    "email": "ada@acme.example",
    "country": "US",
}
# Sold on every demo storefront (INS-PERP is not on Alpenhandel's Silver tier).
ONE_LINE = [{"sku": "SHD-STD-1Y", "quantity": 3}]
NUMBER = re.compile(r"^NW-Q-\d{6}$")


class Json:
    """JSON requests to ``/api/v1`` on one storefront with one user's bearer token."""

    def __init__(self, app: Flask, token: str | None, host: str = NW) -> None:
        self.client = FlaskClient(app, app.response_class, use_cookies=False)
        self.token, self.host = token, host

    def call(self, method: str, path: str, body: Any = None, **kw: Any) -> TestResponse:
        headers = dict(kw.pop("headers", {}))
        if self.token is not None:
            headers["Authorization"] = f"Bearer {self.token}"
        if body is not None:
            kw["json"] = body
        return self.client.open(
            f"/api/v1{path}", method=method, base_url=f"http://{self.host}", headers=headers, **kw
        )

    def get(self, path: str) -> TestResponse:
        return self.call("GET", path)

    def post(self, path: str, body: Any = None, **kw: Any) -> TestResponse:
        return self.call("POST", path, body, **kw)

    def quote(self, **overrides: Any) -> dict[str, Any]:
        response = self.post("/quotes", quote_body(**overrides))
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def product(self, sku: str) -> dict[str, Any]:
        response = self.get(f"/products/{sku}")
        assert response.status_code == 200, response.get_json()
        return response.get_json()


def quote_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "end_customer": dict(ACME),
        "lines": [{"sku": "SHD-STD-1Y", "quantity": 5}, {"sku": "INS-PERP", "quantity": 1}],
        "note": "As discussed.",
    }
    body.update(overrides)
    return body


@pytest.fixture
def as_user(app: Flask, ctx, token_for):  # type: ignore[no-untyped-def]
    """``as_user(email, slug)``: a client with a fresh token of that user there."""

    def make(email: str, slug: str = "northwind") -> Json:
        host = {"northwind": NW, "alpenhandel": AH, "sakura": SK}[slug]
        return Json(app, token_for(email, slug), host)

    return make


@pytest.fixture
def buyer(as_user) -> Json:  # type: ignore[no-untyped-def]
    return as_user(BUYER)


@pytest.fixture
def manager(as_user) -> Json:  # type: ignore[no-untyped-def]
    return as_user(MANAGER)


def counts() -> dict[str, int]:
    db.session.expire_all()
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model)) or 0
        for model in (
            Quote,
            QuoteLine,
            QuoteEvent,
            Customer,
            SpecialPriceRequest,
            OutboxMessage,
            AuditEvent,
        )
    }


def minor(amount: str) -> int:
    """A USD decimal string as cents."""
    return int(Decimal(amount) * 100)


# --- creating and reading ------------------------------------------------------------------


def test_a_quote_at_list_prices_shows_buy_resale_and_margin(buyer):
    response = buyer.post("/quotes", quote_body())
    assert response.status_code == 201, response.get_json()
    quote = response.get_json()
    assert NUMBER.match(quote["number"])
    assert response.headers["Location"] == f"/api/v1/quotes/{quote['number']}"
    assert (quote["status"], quote["revision"], quote["currency"]) == ("draft", 1, "USD")
    assert quote["language"] == "en"
    assert quote["expired"] is False
    assert quote["pricing"] is None
    assert quote["end_customer"]["company_name"] == "Acme Corp"
    assert quote["buyer"] == {"name": "Blake Buyer", "email": BUYER}
    assert [e["kind"] for e in quote["events"]] == ["draft"]
    assert quote["special_prices"] == []
    resale = buy = 0
    for line in quote["lines"]:
        product = buyer.product(line["sku"])
        assert line["resale_price"] == product["list_price"]  # the default resale price
        assert line["buy_price"] == line["normal_buy_price"] == product["buy_price"]
        units = line["quantity"] * line["periods"]
        assert minor(line["resale_total"]) == minor(line["resale_price"]) * units
        assert minor(line["buy_total"]) == minor(line["buy_price"]) * units
        assert minor(line["margin"]) == minor(line["resale_total"]) - minor(line["buy_total"])
        resale += minor(line["resale_total"])
        buy += minor(line["buy_total"])
    assert quote["totals"]["resale"] == f"{Decimal(resale) / 100:.2f}"
    assert quote["totals"]["buy"] == f"{Decimal(buy) / 100:.2f}"
    assert minor(quote["totals"]["margin"]) == resale - buy > 0
    assert buyer.get(f"/quotes/{quote['number']}").get_json() == quote
    assert buyer.get(f"/quotes/{quote['number'].lower()}").get_json() == quote


def test_a_markup_prices_every_line_on_its_buy_price(buyer):
    quote = buyer.quote(pricing={"mode": "markup", "percent": "12.5"})
    assert quote["pricing"] == {"mode": "markup", "percent": "12.50"}
    for line in quote["lines"]:
        buy = Decimal(minor(line["buy_price"]))
        expected = int((buy * Decimal("1.125")).quantize(Decimal(1), rounding="ROUND_HALF_EVEN"))
        assert minor(line["resale_price"]) == expected


def test_a_discount_off_list_and_per_line_prices(buyer):
    discounted = buyer.quote(pricing={"mode": "discount", "percent": "10"})
    for line in discounted["lines"]:
        assert minor(line["resale_price"]) == round(minor(line["list_price"]) * 0.9)
    per_line = buyer.quote(lines=[{"sku": "SHD-STD-1Y", "quantity": 2, "resale_price": "99.99"}])
    assert per_line["lines"][0]["resale_price"] == "99.99"
    assert per_line["totals"]["resale"] == "199.98"


def test_an_existing_customer_language_validity_terms(app, buyer):
    customer_id = add_customer(company_id(BUYER), "northwind")
    valid = today() + timedelta(days=60)
    quote = buyer.quote(
        end_customer={"id": customer_id},
        language="es",
        terms="Net 30.",
        license_to_customer=True,
        valid_until=valid.isoformat(),
    )
    assert quote["end_customer"]["id"] == customer_id
    assert quote["valid_until"] == valid.isoformat()
    assert buyer.quote()["valid_until"] == (today() + timedelta(days=30)).isoformat()
    assert (quote["language"], quote["terms"], quote["license_to_customer"]) == (
        "es",
        "Net 30.",
        True,
    )


def test_quotes_are_listed_filtered_and_paged(buyer):
    first = buyer.quote()
    second = buyer.quote(end_customer={**ACME, "company_name": "Globex"})
    listed = buyer.get("/quotes").get_json()
    assert [q["number"] for q in listed["items"]] == [second["number"], first["number"]]
    assert (listed["page"], listed["pages"], listed["total"]) == (1, 1, 2)
    assert listed["items"][0]["total"] == second["totals"]["resale"]
    only = buyer.get("/quotes?q=globex").get_json()["items"]
    assert [q["number"] for q in only] == [second["number"]]
    assert buyer.get(f"/quotes?q={first['number']}").get_json()["total"] == 1
    assert buyer.get("/quotes?status=sent").get_json()["items"] == []
    assert buyer.get("/quotes?status=draft").get_json()["total"] == 2
    customer = second["end_customer"]["id"]
    assert buyer.get(f"/quotes?customer={customer}").get_json()["total"] == 1
    for bad in ("status=lost", "page=0", "customer=x", "page=1&page=2", "colour=red"):
        response = buyer.get(f"/quotes?{bad}")
        assert response.status_code == 400, bad


# --- refusals ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"lines": []}, "lines"),
        ({"lines": [{"quantity": 1}]}, "lines[0].sku"),
        ({"lines": [{"sku": "SHD-STD-1Y", "quantity": "2"}]}, "lines[0].quantity"),
        ({"lines": [{"sku": "SHD-STD-1Y", "quantity": 0}]}, "lines[0].quantity"),
        ({"lines": [{"sku": "SHD-STD-1Y", "quantity": 1, "resale_price": 12}]}, None),
        ({"lines": [{"sku": "SHD-STD-1Y", "quantity": 1, "resale_price": "-1"}]}, None),
        ({"lines": [{"sku": "SHD-STD-1Y", "quantity": 1, "resale_price": "12\n"}]}, None),
        ({"valid_until": "2099-1-1"}, "valid_until"),
        ({"valid_until": "20990101"}, "valid_until"),
        ({"pricing": {"mode": "double", "percent": "10"}}, "pricing.mode"),
        ({"pricing": {"mode": "markup"}}, "pricing.percent"),
        ({"pricing": None}, "pricing"),
        ({"end_customer": None}, "end_customer"),
        ({"end_customer": {"id": "x"}}, "end_customer.id"),
        ({"end_customer": {**ACME, "email": "nope"}}, "end_customer.email"),
        ({"license_to_customer": 1}, "license_to_customer"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_a_body_of_the_wrong_shape_is_a_400_naming_the_field(buyer, change, field):
    before = counts()
    response = buyer.post("/quotes", quote_body(**change))
    assert response.status_code == 400, response.get_json()
    errors = response.get_json()["error"]["errors"]
    assert (field or "lines[0].resale_price") in errors, errors
    assert counts() == before


def test_a_missing_end_customer_or_a_body_that_is_not_an_object(buyer):
    body = quote_body()
    del body["end_customer"]
    assert "end_customer" in buyer.post("/quotes", body).get_json()["error"]["errors"]
    for sent in ([], "quote", 3):
        response = buyer.post("/quotes", sent)
        assert response.status_code == 400
        assert response.get_json()["error"]["errors"] == {"body": ["Send a JSON object."]}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"lines": [{"sku": "NO-SUCH-SKU", "quantity": 1}]}, "lines[0].sku"),
        (
            {"lines": [{"sku": "SHD-STD-1Y", "quantity": 1}, {"sku": "SHD-STD-1Y", "quantity": 2}]},
            "lines[1].sku",
        ),
        ({"lines": [{"sku": "INS-PERP", "quantity": 1, "term": 12}]}, "lines[0].term"),
        ({"lines": [{"sku": "SHD-STD-1Y", "quantity": 1, "resale_price": "1.234"}]}, None),
        ({"valid_until": "2000-01-01"}, "valid_until"),
        ({"valid_until": "2999-01-01"}, "valid_until"),
        ({"language": "ja"}, "language"),
        ({"pricing": {"mode": "markup", "percent": "1000.01"}}, "pricing.percent"),
        ({"pricing": {"mode": "discount", "percent": "100.5"}}, "pricing.percent"),
        ({"pricing": {"mode": "markup", "percent": "1.234"}}, "pricing.percent"),
        ({"end_customer": {"id": 2**31 - 1}}, "end_customer.id"),
        ({"note": "bell\x07"}, "note"),
    ],
)
def test_a_refused_quote_names_the_field_writes_nothing_takes_no_number(buyer, change, field):
    before = counts()
    response = buyer.post("/quotes", quote_body(**change))
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert list(error["errors"]) == [field or "lines[0].resale_price"], error
    assert counts() == before
    # The refused request took no quote number.
    assert buyer.quote()["number"] == "NW-Q-000001"


def test_per_line_prices_and_a_pricing_rule_together_are_refused(buyer):
    before = counts()
    lines = [{"sku": "SHD-STD-1Y", "quantity": 1}, {"sku": "INS-PERP", "quantity": 1}]
    lines[1]["resale_price"] = "10.00"  # type: ignore[assignment]
    response = buyer.post(
        "/quotes", quote_body(lines=lines, pricing={"mode": "markup", "percent": "5"})
    )
    assert response.status_code == 422
    assert list(response.get_json()["error"]["errors"]) == ["lines[1].resale_price"]
    assert counts() == before


def test_another_companys_customer_is_refused(app, buyer):
    stranger = add_reseller("buyer@stranger.example", "northwind")
    theirs = add_customer(stranger.company_id, "northwind", "Theirs Inc")
    before = counts()
    response = buyer.post("/quotes", quote_body(end_customer={"id": theirs}))
    assert response.status_code == 422
    assert list(response.get_json()["error"]["errors"]) == ["end_customer.id"]
    assert counts() == before


# --- walls and roles -----------------------------------------------------------------------


def test_numbers_are_per_storefront(as_user, buyer):
    assert buyer.quote()["number"] == "NW-Q-000001"
    assert buyer.quote()["number"] == "NW-Q-000002"
    alpen = as_user(BUYER, "alpenhandel")
    ah = alpen.quote(end_customer={**ACME, "country": "DE"}, lines=ONE_LINE, language="de")
    assert (ah["number"], ah["currency"]) == ("AH-Q-000001", "EUR")
    kirin = as_user("buyer@kirin.example", "sakura")
    sk = kirin.quote(end_customer={**ACME, "country": "JP"}, lines=ONE_LINE)
    assert (sk["number"], sk["currency"], sk["language"]) == ("SK-Q-000001", "JPY", "ja")
    assert "." not in sk["totals"]["resale"]  # no minor unit in yen


def test_another_companys_or_storefronts_quote_is_not_found(app, as_user, buyer):
    ours = buyer.quote()["number"]
    other_buyer = add_reseller("buyer@otherco.example", "northwind")
    other = as_user(other_buyer.email)
    theirs = other.quote()["number"]
    assert theirs == "NW-Q-000002"
    # The same company on another storefront does not see Northwind's quotes either.
    alpen = as_user(BUYER, "alpenhandel")
    kirin = as_user("buyer@kirin.example", "sakura")
    before = counts()
    special = {"line": "SHD-STD-1Y", "discount_percent": "5", "justification": "Deal."}
    for client, number in ((buyer, theirs), (other, ours), (alpen, ours), (kirin, ours)):
        assert client.get(f"/quotes/{number}").status_code == 404
        assert client.post(f"/quotes/{number}/send").status_code == 404
        assert client.post(f"/quotes/{number}/special-prices", special).status_code == 404
    assert [q["number"] for q in buyer.get("/quotes").get_json()["items"]] == [ours]
    assert alpen.get("/quotes").get_json()["items"] == []
    for missing in ("NW-Q-999999", "x" * 30, "NW_Q_1"):
        assert buyer.get(f"/quotes/{missing}").status_code == 404
    assert counts() == before


def test_a_viewer_reads_but_does_not_write(as_user, buyer):
    number = buyer.quote()["number"]
    viewer = as_user(
        add_reseller("viewer@bluebird.example", "northwind", "viewer", company_id(BUYER)).email
    )
    before = counts()
    assert viewer.get(f"/quotes/{number}").status_code == 200
    assert viewer.get("/quotes").get_json()["total"] == 1
    assert viewer.post("/quotes", quote_body()).status_code == 403
    assert viewer.post(f"/quotes/{number}/send").status_code == 403
    special = {"line": "SHD-STD-1Y", "discount_percent": "5", "justification": "Deal."}
    assert viewer.post(f"/quotes/{number}/special-prices", special).status_code == 403
    assert counts() == before


def test_staff_tokens_have_no_quotes_and_tokens_are_required(app, manager, buyer):
    number = buyer.quote()["number"]
    for response in (
        manager.get("/quotes"),
        manager.get(f"/quotes/{number}"),
        manager.post("/quotes", quote_body()),
        manager.post(f"/quotes/{number}/send"),
    ):
        assert response.status_code == 403
    anonymous = Json(app, None)
    assert anonymous.get("/quotes").status_code == 401
    assert anonymous.post("/quotes", quote_body()).status_code == 401
    assert anonymous.get("/special-prices").status_code == 401


# --- sending -------------------------------------------------------------------------------


def test_send_answers_the_customers_link_on_the_storefronts_host(as_user, buyer):
    number = buyer.quote()["number"]
    sent = buyer.post(f"/quotes/{number}/send")
    assert sent.status_code == 200, sent.get_json()
    body = sent.get_json()
    assert body["customer_url"].startswith(f"http://{NW}/q/")
    assert body["quote"]["status"] == "sent"
    assert body["quote"]["sent_at"]
    assert [e["kind"] for e in body["quote"]["events"]] == ["draft", "sent"]
    mails = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.topic == "mail.quote_to_customer")
    ).all()
    assert [m.payload["url"] for m in mails] == [body["customer_url"]]
    # The end customer's page answers at that address, without an account.
    page = buyer.client.get(body["customer_url"])
    assert page.status_code == 200
    # Sending again mails the same link once more.
    again = buyer.post(f"/quotes/{number}/send").get_json()
    assert again["customer_url"] == body["customer_url"]
    assert [e["kind"] for e in again["quote"]["events"]][-1] == "resent"
    # On another storefront, the link is on that storefront's host.
    alpen = as_user(BUYER, "alpenhandel")
    ah = alpen.quote(end_customer={**ACME, "country": "DE"}, lines=ONE_LINE)["number"]
    assert alpen.post(f"/quotes/{ah}/send").get_json()["customer_url"].startswith(f"http://{AH}/q/")
    # Another host of the same storefront: the link follows the request's host.
    other_host = Json(buyer.client.application, buyer.token, "shop.northwind.example")
    assert (
        other_host.post(f"/quotes/{number}/send")
        .get_json()["customer_url"]
        .startswith("http://shop.northwind.example/q/")
    )


def test_a_quote_that_can_no_longer_be_sent_is_a_409(buyer):
    number = buyer.quote()["number"]
    quote = db.session.scalars(select(Quote).where(Quote.number == number)).one()
    quote.status = "withdrawn"
    db.session.commit()
    before = counts()
    response = buyer.post(f"/quotes/{number}/send")
    assert response.status_code == 409
    assert list(response.get_json()["error"]["errors"]) == ["quote"]
    assert counts() == before


# --- special prices ------------------------------------------------------------------------


def _gold_rule(auto_bps: int, vendor_bps: int | None = None) -> None:
    enrollment = db.session.scalars(
        select(Enrollment).where(Enrollment.company_id == company_id(BUYER))
    ).first()
    assert enrollment is not None
    db.session.add(
        SpecialPriceRule(
            tenant_id=enrollment.tenant_id,
            program_id=enrollment.program_id,
            auto_max_discount_bps=auto_bps,
            auto_max_line_minor=10**12,
            vendor_above_discount_bps=vendor_bps,
        )
    )
    db.session.commit()


def _ask(buyer: Json, number: str, **body: Any) -> TestResponse:
    sent = {"line": "SHD-STD-1Y", "justification": "A competing offer.", **body}
    return buyer.post(f"/quotes/{number}/special-prices", sent)


def test_the_full_special_price_flow_with_a_partner_manager(buyer, manager, as_user):
    quote = buyer.quote()
    number = quote["number"]
    line = quote["lines"][0]
    asked = _ask(buyer, number, discount_percent="10", deal_ref="DEAL-7")
    assert asked.status_code == 201, asked.get_json()
    request = asked.get_json()
    normal = minor(line["buy_price"])
    assert (request["status"], request["stage"], request["auto_approved"]) == (
        "pending",
        "distributor",
        False,
    )
    assert request["quote_number"] == number
    assert (request["line_id"], request["sku"]) == (line["id"], "SHD-STD-1Y")
    assert minor(request["normal_unit_price"]) == normal
    assert minor(request["requested_unit_price"]) == round(normal * 0.9)
    assert request["discount_percent"] == "10.00"
    assert (request["deal_ref"], request["requested_by"]) == ("DEAL-7", "Blake Buyer")
    assert request["company"]["name"] == "Bluebird IT"
    shown = buyer.get(f"/quotes/{number}").get_json()
    assert [r["id"] for r in shown["special_prices"]] == [request["id"]]
    assert shown["lines"][0]["buy_price"] == line["buy_price"]  # not yet approved

    # Only the storefront's partner managers and distributor admins see the queue.
    waiting = manager.get("/special-prices?status=pending").get_json()
    assert [r["id"] for r in waiting["items"]] == [request["id"]]
    assert waiting["total"] == 1
    assert buyer.get("/special-prices").status_code == 403
    finance = as_user("finance@northwind.example")
    assert finance.get("/special-prices").status_code == 403
    decision = {"decision": "approve", "comment": "For this deal."}
    assert buyer.post(f"/special-prices/{request['id']}/decision", decision).status_code == 403
    assert finance.post(f"/special-prices/{request['id']}/decision", decision).status_code == 403
    admin = as_user("admin@northwind.example")
    assert [r["id"] for r in admin.get("/special-prices").get_json()["items"]] == [request["id"]]

    approved = manager.post(
        f"/special-prices/{request['id']}/decision", {**decision, "unit_price": "1.00"}
    )
    assert approved.status_code == 200, approved.get_json()
    after = approved.get_json()
    assert (after["status"], after["approved_unit_price"]) == ("approved", "1.00")
    assert [(d["decision"], d["by"], d["comment"]) for d in after["decisions"]] == [
        ("approve", "Pat Partner", "For this deal.")
    ]
    assert manager.get("/special-prices?status=pending").get_json()["items"] == []
    priced = buyer.get(f"/quotes/{number}").get_json()
    first = priced["lines"][0]
    assert (first["buy_price"], first["price_source"]) == ("1.00", "special")
    assert first["normal_buy_price"] == line["buy_price"]
    assert minor(priced["totals"]["margin"]) > minor(quote["totals"]["margin"])
    assert db.session.scalar(
        select(func.count()).where(AuditEvent.action == "special_price.approved")
    )
    again = manager.post(f"/special-prices/{request['id']}/decision", decision)
    assert again.status_code == 409


def test_decisions_name_what_is_wrong(buyer, manager):
    number = buyer.quote()["number"]
    request_id = _ask(buyer, number, unit_price="1.00").get_json()["id"]
    path = f"/special-prices/{request_id}/decision"
    before = counts()
    for body, status, field in (
        ({"decision": "maybe"}, 400, "decision"),
        ({"decision": "approve", "unit_price": 5}, 400, "unit_price"),
        ({"decision": "approve", "extra": 1}, 400, "extra"),
        ({"decision": "counter"}, 422, "unit_price"),
        ({"decision": "decline"}, 422, "comment"),
        ({"decision": "approve", "unit_price": "100000.00"}, 422, "unit_price"),
    ):
        response = manager.post(path, body)
        assert response.status_code == status, (body, response.get_json())
        assert field in response.get_json()["error"]["errors"], body
    assert counts() == before
    countered = manager.post(path, {"decision": "counter", "unit_price": "2.00"}).get_json()
    assert (countered["status"], countered["approved_unit_price"]) == ("countered", "2.00")
    for missing in (0, request_id + 1000, 2**31):
        assert (
            manager.post(f"/special-prices/{missing}/decision", {"decision": "approve"}).status_code
            == 404
        )


def test_a_decline_with_a_comment(buyer, manager):
    number = buyer.quote()["number"]
    request_id = _ask(buyer, number, discount_percent="20").get_json()["id"]
    declined = manager.post(
        f"/special-prices/{request_id}/decision",
        {"decision": "decline", "comment": "Not for this volume."},
    )
    assert declined.status_code == 200
    assert (declined.get_json()["status"], declined.get_json()["comment"]) == (
        "declined",
        "Not for this volume.",
    )
    assert manager.get("/special-prices?status=declined").get_json()["total"] == 1


def test_a_rule_approves_a_small_discount_at_once(buyer):
    _gold_rule(auto_bps=1500)
    number = buyer.quote()["number"]
    line_id = buyer.get(f"/quotes/{number}").get_json()["lines"][0]["id"]
    asked = _ask(buyer, number, line=line_id, discount_percent="10")
    assert asked.status_code == 201
    body = asked.get_json()
    assert (body["status"], body["auto_approved"], body["stage"]) == ("approved", True, None)
    assert body["approved_unit_price"] == body["requested_unit_price"]
    line = buyer.get(f"/quotes/{number}").get_json()["lines"][0]
    assert (line["price_source"], line["buy_price"]) == ("special", body["approved_unit_price"])


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"line": "NO-SUCH"}, 422, "line"),
        ({"line": 2**31 - 1}, 422, "line"),
        ({"line": 1.5}, 400, "line"),
        ({"line": True}, 400, "line"),
        ({"unit_price": "1.00", "discount_percent": "5"}, 422, "unit_price"),
        ({}, 422, "unit_price"),
        ({"unit_price": "100000.00"}, 422, "unit_price"),
        ({"discount_percent": "0"}, 422, "discount_percent"),
        ({"discount_percent": "5", "justification": "   "}, 422, "justification"),
        ({"discount_percent": "5", "justification": None}, 400, "justification"),
        ({"discount_percent": "5", "justification": ""}, 400, "justification"),
        ({"discount_percent": "5%"}, 400, "discount_percent"),
        ({"discount_percent": "5", "deal": "x"}, 400, "deal"),
    ],
)
def test_a_refused_special_price_request_names_the_field(buyer, body, status, field):
    number = buyer.quote()["number"]
    before = counts()
    sent = {"line": "SHD-STD-1Y", "justification": "A competing offer.", **body}
    response = buyer.post(f"/quotes/{number}/special-prices", sent)
    assert response.status_code == status, response.get_json()
    assert field in response.get_json()["error"]["errors"], response.get_json()
    assert counts() == before


def test_staff_of_another_storefront_do_not_see_the_request(buyer, as_user):
    number = buyer.quote()["number"]
    request_id = _ask(buyer, number, discount_percent="10").get_json()["id"]
    alpen_admin = as_user("admin@alpenhandel.example", "alpenhandel")
    assert alpen_admin.get("/special-prices").get_json()["items"] == []
    decided = alpen_admin.post(f"/special-prices/{request_id}/decision", {"decision": "approve"})
    assert decided.status_code == 404


def test_above_the_vendors_threshold_an_approval_moves_it_to_the_vendor(buyer, manager):
    _gold_rule(auto_bps=0, vendor_bps=500)
    number = buyer.quote()["number"]
    asked = _ask(buyer, number, discount_percent="10").get_json()
    assert (asked["status"], asked["stage"], asked["needs_vendor"]) == (
        "pending",
        "distributor",
        True,
    )
    path = f"/special-prices/{asked['id']}/decision"
    moved = manager.post(path, {"decision": "approve", "comment": "Fine by us."})
    assert moved.status_code == 200, moved.get_json()
    assert (moved.get_json()["status"], moved.get_json()["stage"]) == ("pending", "vendor")
    before = counts()
    # Now it waits for the vendor's staff: refused before the body is even read.
    for body in ({"decision": "approve"}, {"decision": "nonsense"}):
        refused = manager.post(path, body)
        assert refused.status_code == 403, refused.get_json()
        assert list(refused.get_json()["error"]["errors"]) == ["special_price"]
    assert counts() == before
    line = buyer.get(f"/quotes/{number}").get_json()["lines"][0]
    assert line["price_source"] != "special"
