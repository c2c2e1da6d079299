"""``GET /api/v1/subscriptions``, ``/invoices`` and ``/statements``: content, scope, pages."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from channelfront.extensions import db
from channelfront.invoices.models import Invoice
from channelfront.subscriptions.models import Subscription
from tests.api.orders_support import AH, NW, Api, add_reseller, company_id, tenant_id


@pytest.fixture
def bluebird(app, token_for) -> Api:  # type: ignore[no-untyped-def]
    return Api(app, NW, token_for("buyer@bluebird.example", "northwind"))


@pytest.fixture
def cobalt(app, token_for, ctx) -> Api:  # type: ignore[no-untyped-def]
    add_reseller("buyer@cobalt.example", "northwind")
    return Api(app, NW, token_for("buyer@cobalt.example", "northwind"))


@pytest.fixture
def staff(app, token_for) -> Api:  # type: ignore[no-untyped-def]
    return Api(app, NW, token_for("finance@northwind.example", "northwind"))


@pytest.fixture
def placed(ctx, bluebird) -> dict:  # type: ignore[no-untyped-def]
    """One on-account order of Bluebird: a subscription line and a perpetual line."""
    return bluebird.place()


def body(api: Api, path: str, status: int = 200) -> dict:
    response = api.get(path)
    assert response.status_code == status, response.get_json()
    return response.get_json()


# -- subscriptions ---------------------------------------------------------------------------


def test_a_subscription_shows_what_was_bought_for_whom(placed, bluebird):
    page = body(bluebird, "/subscriptions")
    assert (page["total"], page["page"], page["pages"]) == (1, 1, 1)
    item = page["items"][0]
    assert item["sku"] == "SHD-STD-1Y"
    assert item["product_name"]
    assert (item["quantity"], item["term_months"], item["status"]) == (2, 12, "active")
    assert item["renewal_date"] == item["ends_on"]
    assert item["order_number"] == placed["number"]
    assert item["end_customer"]["company_name"] == "Acme Corp"
    assert item["company"]["id"] == company_id("buyer@bluebird.example")
    assert body(bluebird, f"/subscriptions/{item['id']}") == item


def test_subscriptions_filter_by_state_and_renewal_window(placed, bluebird):
    item = body(bluebird, "/subscriptions")["items"][0]
    assert body(bluebird, "/subscriptions?status=active")["total"] == 1
    assert body(bluebird, "/subscriptions?status=cancelled")["total"] == 0
    assert body(bluebird, "/subscriptions?renewal_due_within=30")["total"] == 0
    assert body(bluebird, "/subscriptions?renewal_due_within=366")["total"] == 1
    soon = datetime.now(UTC).date() + timedelta(days=10)
    db.session.execute(
        update(Subscription).where(Subscription.id == item["id"]).values(ends_on=soon)
    )
    db.session.commit()
    due = body(bluebird, "/subscriptions?renewal_due_within=30")["items"]
    assert [s["id"] for s in due] == [item["id"]]
    assert due[0]["renewal_date"] == soon.isoformat()


def test_subscriptions_are_the_companys_and_staff_see_the_tenants(placed, bluebird, cobalt, staff):
    item = body(bluebird, "/subscriptions")["items"][0]
    assert body(cobalt, "/subscriptions")["total"] == 0
    assert body(cobalt, f"/subscriptions/{item['id']}", 404)["error"]["status"] == 404
    seen = body(staff, "/subscriptions")
    assert item["id"] in [s["id"] for s in seen["items"]]
    mine = body(staff, f"/subscriptions?company={item['company']['id']}")
    assert {s["company"]["name"] for s in mine["items"]} == {"Bluebird IT"}
    assert body(staff, f"/subscriptions/{item['id']}")["company"]["name"] == "Bluebird IT"
    other = company_id("buyer@cobalt.example")
    assert body(bluebird, f"/subscriptions?company={other}", 404)["error"]["errors"]["company"]
    assert body(staff, "/subscriptions?company=999999", 404)["error"]["errors"]["company"]


def test_another_storefronts_token_does_not_see_them(placed, bluebird, app, token_for):
    item = body(bluebird, "/subscriptions")["items"][0]
    alpen = Api(app, AH, token_for("admin@alpenhandel.example", "alpenhandel"))
    assert body(alpen, f"/subscriptions/{item['id']}", 404)
    assert item["id"] not in [s["id"] for s in body(alpen, "/subscriptions")["items"]]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=lapsed", "status"),
        ("renewal_due_within=-1", "renewal_due_within"),
        ("renewal_due_within=367", "renewal_due_within"),
        ("renewal_due_within=x", "renewal_due_within"),
        ("page=0", "page"),
        ("company=abc", "company"),
        ("colour=red", "colour"),
        ("page=1&page=2", "page"),
    ],
)
def test_bad_subscription_queries_name_the_parameter(bluebird, query, field):
    error = body(bluebird, f"/subscriptions?{query}", 400)["error"]
    assert field in error["errors"]


# -- invoices --------------------------------------------------------------------------------


def test_an_invoice_has_its_order_lines_and_totals(placed, bluebird):
    page = body(bluebird, "/invoices")
    assert page["total"] == 1
    item = page["items"][0]
    assert item["order_number"] == placed["number"]
    assert (item["status"], item["state"], item["currency"]) == ("open", "open", "USD")
    assert item["total"] == placed["total"] == "636.00"
    assert item["url"].endswith(f"/invoices/{item['number']}")
    detail = body(bluebird, f"/invoices/{item['number']}")
    assert [line["sku"] for line in detail["lines"]] == ["SHD-STD-1Y", "INS-PERP"]
    assert all(isinstance(line["total"], str) for line in detail["lines"])
    assert (detail["order_total"], detail["credit_applied"]) == ("636.00", "0.00")


def test_invoices_filter_by_state(placed, bluebird):
    number = body(bluebird, "/invoices")["items"][0]["number"]
    assert body(bluebird, "/invoices?status=paid")["total"] == 0
    db.session.execute(
        update(Invoice)
        .where(Invoice.number == number)
        .values(due_on=datetime.now(UTC).date() - timedelta(days=1))
    )
    db.session.commit()
    assert body(bluebird, "/invoices?status=open")["total"] == 0
    overdue = body(bluebird, "/invoices?status=overdue")["items"]
    assert [(i["number"], i["state"], i["status"]) for i in overdue] == [
        (number, "overdue", "open")
    ]


def test_invoices_are_walled(placed, bluebird, cobalt, staff, app, token_for):
    number = body(bluebird, "/invoices")["items"][0]["number"]
    assert body(cobalt, "/invoices")["total"] == 0
    assert body(cobalt, f"/invoices/{number}", 404)
    assert body(staff, f"/invoices/{number}")["company"]["name"] == "Bluebird IT"
    assert number in [i["number"] for i in body(staff, "/invoices")["items"]]
    alpen = Api(app, AH, token_for("admin@alpenhandel.example", "alpenhandel"))
    assert body(alpen, f"/invoices/{number}", 404)
    partners = Api(app, NW, token_for("partners@northwind.example", "northwind"))
    assert body(partners, "/invoices", 403)["error"]["status"] == 403
    assert body(Api(app, NW, None), "/invoices", 401)


def test_bad_invoice_queries_name_the_parameter(bluebird):
    assert "status" in body(bluebird, "/invoices?status=late", 400)["error"]["errors"]
    assert "x" in body(bluebird, "/invoices?x=1", 400)["error"]["errors"]
    assert body(bluebird, "/invoices/" + "9" * 30, 404)


def test_pages_of_fifty(ctx, bluebird):
    for _ in range(51):
        bluebird.place(lines=[{"sku": "INS-PERP", "quantity": 1}])
    first = body(bluebird, "/invoices")
    assert (len(first["items"]), first["pages"], first["total"], first["per_page"]) == (
        50,
        2,
        51,
        50,
    )
    last = body(bluebird, "/invoices?page=9")
    assert (last["page"], len(last["items"])) == (2, 1)
    assert last["items"][0]["number"] not in {i["number"] for i in first["items"]}


# -- statements ------------------------------------------------------------------------------


@pytest.fixture
def closed_statement(ctx):  # type: ignore[no-untyped-def]
    """``closed_statement(beneficiary, audience, order_ids)``: a closed 2025-Q1 statement of
    the demo program of that audience on northwind, one earning line per order (and one
    without), and a credit note for it."""
    from channelfront.demo.incentives import load_programs
    from channelfront.statements.models import CreditNote, IncentiveProgram, LedgerEntry, Statement

    load_programs()
    tenant = tenant_id("northwind")

    def make(beneficiary: str, audience: str, order_ids: list[int]) -> int:
        program = db.session.scalar(
            select(IncentiveProgram).where(
                IncentiveProgram.tenant_id == tenant, IncentiveProgram.audience == audience
            )
        )
        rule = program.document["rules"][0]["id"]
        start, end = date(2025, 1, 1), date(2025, 3, 31)
        amounts = [1250, -250, 500][: len(order_ids) + 1]
        for amount, order in zip(amounts, [*order_ids, None], strict=True):
            db.session.add(
                LedgerEntry(
                    tenant_id=tenant,
                    program_id=program.id,
                    beneficiary=beneficiary,
                    rule_id=rule,
                    type="earning",
                    order_id=order,
                    origin_period="2025-Q1",
                    origin_start=start,
                    posting_period="2025-Q1",
                    posting_start=start,
                    amount_minor=amount,
                    currency="USD",
                )
            )
        row = Statement(
            tenant_id=tenant,
            program_id=program.id,
            beneficiary=beneficiary,
            period="2025-Q1",
            period_start=start,
            period_end=end,
            currency="USD",
            opening_minor=-100,
            total_minor=sum(amounts) - 100,
            disposition="credit_note",
            closed_at=datetime(2025, 4, 15, tzinfo=UTC),
        )
        db.session.add(row)
        db.session.flush()
        db.session.add(
            CreditNote(
                tenant_id=tenant,
                number=f"CN-{row.id}",
                statement_id=row.id,
                beneficiary=beneficiary,
                currency="USD",
                amount_minor=row.total_minor,
                remaining_minor=100,
                issued_at=datetime(2025, 4, 15, tzinfo=UTC),
            )
        )
        db.session.commit()
        return row.id

    return make


def order_id(number: str) -> int:
    from channelfront.orders.models import Order

    found = db.session.scalar(select(Order.id).where(Order.number == number))
    assert found is not None
    return found


@pytest.fixture
def commissions(ctx, bluebird, cobalt, closed_statement) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Bluebird's statement: a line from its order and one from Cobalt's; the distributor's."""
    mine = bluebird.place()["number"]
    theirs = cobalt.place()["number"]
    bluebird_id = company_id("buyer@bluebird.example")
    return {
        "bluebird": closed_statement(
            f"company-{bluebird_id}", "reseller", [order_id(mine), order_id(theirs)]
        ),
        "distributor": closed_statement("northwind", "distributor", [order_id(theirs)]),
        "mine": mine,
        "theirs": theirs,
    }


def test_reseller_statements_are_the_commission_pages(commissions, bluebird, app, token_for):
    page = body(bluebird, "/statements")
    assert page["total"] == 1
    item = page["items"][0]
    assert item["id"] == commissions["bluebird"]
    assert (item["period"], item["period_start"], item["period_end"]) == (
        "2025-Q1",
        "2025-01-01",
        "2025-03-31",
    )
    assert (item["opening"], item["lines_total"], item["total"], item["currency"]) == (
        "-1.00",
        "15.00",
        "14.00",
        "USD",
    )
    assert item["credit_note"] == {
        "number": f"CN-{item['id']}",
        "amount": "14.00",
        "remaining": "1.00",
    }
    assert item["beneficiary"] == {
        "kind": "reseller",
        "company": {"id": company_id("buyer@bluebird.example"), "name": "Bluebird IT"},
    }
    assert item["renewal_commissions"] is not None
    detail = body(bluebird, f"/statements/{item['id']}")
    assert {k: detail[k] for k in item} == item
    assert (detail["line_count"], detail["lines_page"], detail["lines_pages"]) == (3, 1, 1)
    assert [(line["amount"], line["order_number"]) for line in detail["lines"]] == [
        ("12.50", commissions["mine"]),
        ("-2.50", None),  # another reseller's order: not Bluebird's to know
        ("5.00", None),
    ]
    own = company_id("buyer@bluebird.example")
    add_reseller("viewer@bluebird.example", "northwind", role="viewer", company=own)
    viewer = Api(app, NW, token_for("viewer@bluebird.example", "northwind"))
    assert body(viewer, "/statements", 403)


def test_statements_are_walled(commissions, bluebird, staff, cobalt, app, token_for):
    mine = commissions["bluebird"]
    ours = body(staff, "/statements")
    assert [s["id"] for s in ours["items"]] == [commissions["distributor"]]
    assert ours["items"][0]["beneficiary"] == {"kind": "distributor", "company": None}
    assert ours["items"][0]["renewal_commissions"] is None
    lines = body(staff, f"/statements/{commissions['distributor']}")["lines"]
    assert [line["order_number"] for line in lines] == [commissions["theirs"], None]
    assert body(bluebird, f"/statements/{commissions['distributor']}", 404)
    alpen = Api(app, AH, token_for("admin@alpenhandel.example", "alpenhandel"))
    assert body(alpen, f"/statements/{commissions['distributor']}", 404)
    assert body(staff, f"/statements/{mine}", 404)
    assert body(cobalt, f"/statements/{mine}", 404)
    assert body(cobalt, "/statements")["total"] == 0


def test_statements_filter_by_program(commissions, bluebird):
    item = body(bluebird, "/statements")["items"][0]
    code = item["program"]["code"]
    assert {
        s["program"]["code"] for s in body(bluebird, f"/statements?program={code}")["items"]
    } == {code}
    assert body(bluebird, "/statements?program=NOPE", 404)["error"]["errors"]["program"]
    assert "page" in body(bluebird, "/statements?page=x", 400)["error"]["errors"]
    assert "page" in body(bluebird, f"/statements/{item['id']}?page=0", 400)["error"]["errors"]
