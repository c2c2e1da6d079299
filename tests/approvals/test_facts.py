"""The facts rules test, read from a checkout on the demo storefronts and from a placed
order: what a buyer and an approver would say about the order."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from flask import Flask
from sqlalchemy import event, select

from channelfront.accounts.models import User
from channelfront.approvals.conditions import FIELDS, evaluate
from channelfront.approvals.facts import checkout_facts, order_facts
from channelfront.customers import services as customers
from channelfront.customers.models import Customer
from channelfront.customers.services import CustomerInput
from channelfront.extensions import db
from channelfront.invoices.models import Invoice
from channelfront.orders.checkout import CheckoutRequest, submit
from channelfront.orders.credit import credit_status
from channelfront.orders.lines import LineRequest, order_total, price_lines
from channelfront.orders.models import Order
from channelfront.orders.pipeline import CheckoutContext
from channelfront.pricing.services import PartnerTerms, load_terms
from channelfront.tenancy.middleware import resolve_tenant
from channelfront.tenancy.models import Tenant

ACME = CustomerInput(
    company_name="Acme Corp", contact_name="Ada Acme", email="ada@acme.example", country="DE"
)


@dataclass
class Shop:
    tenant: Tenant
    buyer: User
    terms: PartnerTerms

    def checkout(
        self, skus: list[tuple[str, int]], customer: Customer | None = None, **request: object
    ) -> CheckoutContext:
        """What checkout knows before the order is written."""
        values: dict[str, object] = {
            "lines": [LineRequest(sku, quantity) for sku, quantity in skus],
            "idempotency_key": uuid.uuid4().hex,
            "payment_method": "on_account",
            "po_number": "PO-7",
        }
        values.update(request)
        checkout = CheckoutRequest(**values)  # type: ignore[arg-type]
        lines = price_lines(self.terms, self.tenant.currency, "en", checkout.lines)
        return CheckoutContext(
            tenant=self.tenant,
            actor=self.buyer,
            terms=self.terms,
            locale="en",
            request=checkout,
            lines=lines,
            customer=customer,
            total_minor=order_total(lines, self.tenant.currency).minor,
        )

    def place(self, customer_id: int | None = None, **request: object) -> Order:
        values: dict[str, object] = {
            "lines": [LineRequest("SHD-STD-1Y", 1)],
            "idempotency_key": uuid.uuid4().hex,
            "payment_method": "on_account",
        }
        if customer_id is None:
            values["new_customer"] = ACME
        else:
            values["customer_id"] = customer_id
        values.update(request)
        order, created = submit(
            self.tenant,
            self.buyer,
            self.terms,
            "en",
            CheckoutRequest(**values),  # type: ignore[arg-type]
        )
        assert created
        return db.session.get(Order, order.id)


def _shop(app: Flask, host: str, email: str) -> Iterator[Shop]:
    with app.test_request_context("/", base_url=f"http://{host}"):
        resolve_tenant()
        from flask import g

        buyer = db.session.scalar(select(User).where(User.email == email))
        yield Shop(db.session.get(Tenant, g.tenant.id), buyer, load_terms(buyer.company_id))


@pytest.fixture
def northwind(app: Flask) -> Iterator[Shop]:
    yield from _shop(app, "northwind.localhost", "buyer@bluebird.example")


@pytest.fixture
def sakura(app: Flask) -> Iterator[Shop]:
    yield from _shop(app, "sakura.localhost", "buyer@kirin.example")


def test_a_checkout_has_every_field_a_rule_can_test(northwind):
    new_customer = customers.create(northwind.buyer.company_id, customers.validate(ACME))
    facts = checkout_facts(northwind.checkout([("SHD-STD-1Y", 2)], customer=new_customer))
    assert set(facts.values) | set(facts.lines[0]) == set(FIELDS)


def test_the_order_reads_as_the_buyer_entered_it(northwind):
    ctx = northwind.checkout([("SHD-STD-1Y", 2), ("INS-PERP", 1)], po_number="PO-7")
    facts = checkout_facts(ctx)
    values = facts.values
    assert values["order.total"] == Decimal(ctx.total_minor) / 100
    assert values["order.total"].as_tuple().exponent == -2  # dollars and cents
    assert values["order.payment_method"] == "on_account"
    assert values["order.po_number"] == "PO-7"
    assert values["order.currency"] == "USD"
    assert values["buyer.email"] == "buyer@bluebird.example"
    assert values["buyer.role"] == "buyer"
    assert "end_customer.country" not in values  # no end customer chosen


def test_each_line_knows_its_product_category_groups_term_and_price(northwind):
    ctx = northwind.checkout([("SHD-STD-1Y", 2), ("INS-PERP", 1), ("SHD-ENT-1Y", 3)])
    shield, insight, enterprise = checkout_facts(ctx).lines
    assert shield == {
        "line.sku": "SHD-STD-1Y",
        "line.category": "security",
        "line.product_group": ("cloud",),
        "line.quantity": 2,
        "line.term_months": 12,
        "line.total": Decimal(ctx.lines[0].total.minor) / 100,
        "line.price_source": ctx.lines[0].price.source.kind,
    }
    assert (insight["line.category"], insight["line.product_group"]) == (
        "analytics",
        ("on-premises",),
    )
    assert insight["line.term_months"] is None  # a perpetual license
    assert enterprise["line.product_group"] == ("cloud", "enterprise")
    assert enterprise["line.price_source"] == "override"  # Bluebird's own price on northwind


def test_yen_amounts_have_no_decimals(sakura):
    ctx = sakura.checkout([("SHD-STD-1Y", 1)])
    facts = checkout_facts(ctx)
    assert facts.values["order.total"] == Decimal(ctx.total_minor)
    assert "." not in str(facts.values["order.total"])
    assert "." not in str(facts.lines[0]["line.total"])


def test_an_end_customer_is_new_until_the_company_has_ordered_for_it(northwind):
    created = customers.create(northwind.buyer.company_id, customers.validate(ACME))
    ctx = northwind.checkout([("SHD-STD-1Y", 1)], customer=created)
    assert checkout_facts(ctx).values["end_customer.country"] == "DE"
    assert checkout_facts(ctx).values["end_customer.is_new"] is True

    first = northwind.place(customer_id=created.id)
    again = northwind.checkout([("SHD-STD-1Y", 1)], customer=created)
    assert checkout_facts(again).values["end_customer.is_new"] is False
    # The first order still reads as the order for a new customer.
    assert order_facts(first).values["end_customer.is_new"] is True


def test_a_cancelled_order_does_not_make_a_customer_known(northwind):
    created = customers.create(northwind.buyer.company_id, customers.validate(ACME))
    db.session.flush()
    order = northwind.place(customer_id=created.id)
    order.status = "cancelled"
    db.session.flush()
    ctx = northwind.checkout([("SHD-STD-1Y", 1)], customer=created)
    assert checkout_facts(ctx).values["end_customer.is_new"] is True


def _credit(shop: Shop) -> tuple[int, int]:
    today = datetime.now(UTC).date()
    status = credit_status(shop.terms.enrollment, shop.tenant.currency, today)
    return status.outstanding.minor, status.limit.minor


def test_credit_used_counts_this_order_only_when_it_goes_on_account(northwind):
    ctx = northwind.checkout([("SHD-STD-1Y", 4)])
    outstanding, _limit = _credit(northwind)
    # A limit that this order, on account, would take to exactly half.
    northwind.terms.enrollment.credit_limit_minor = 2 * (outstanding + ctx.due_minor)
    db.session.flush()
    assert checkout_facts(ctx).values["credit.utilization_after"] == Decimal("50.00")

    card = northwind.checkout([("SHD-STD-1Y", 4)], payment_method="card")
    expected = Decimal(outstanding * 100) / (2 * (outstanding + ctx.due_minor))
    assert checkout_facts(card).values["credit.utilization_after"] == expected.quantize(
        Decimal("0.01"), ROUND_HALF_UP
    )


def test_without_a_credit_limit_anything_on_account_is_all_of_it(northwind):
    northwind.terms.enrollment.credit_limit_minor = 0
    db.session.flush()
    facts = checkout_facts(northwind.checkout([("SHD-STD-1Y", 1)]))
    assert facts.values["credit.utilization_after"] == Decimal(100)


def test_without_a_credit_limit_nothing_used_is_none_of_it(sakura):
    assert _credit(sakura)[0] == 0  # Kirin owes nothing on sakura
    sakura.terms.enrollment.credit_limit_minor = 0
    db.session.flush()
    card = sakura.checkout([("SHD-STD-1Y", 1)], payment_method="card")
    assert checkout_facts(card).values["credit.utilization_after"] == Decimal(0)


def test_an_overdue_invoice_shows(northwind):
    facts = checkout_facts(northwind.checkout([("SHD-STD-1Y", 1)]))
    assert facts.values["credit.overdue"] is False
    order = northwind.place()
    invoice = db.session.scalar(select(Invoice).where(Invoice.order_id == order.id))
    invoice.due_on = (datetime.now(UTC) - timedelta(days=3)).date()
    db.session.flush()
    facts = checkout_facts(northwind.checkout([("SHD-STD-1Y", 1)]))
    assert facts.values["credit.overdue"] is True


def test_a_placed_order_reads_as_its_checkout_did(northwind):
    order = northwind.place(
        lines=[LineRequest("SHD-ENT-1Y", 2), LineRequest("INS-PERP", 1)], po_number="PO-9"
    )
    facts = order_facts(order)
    assert facts.values["order.total"] == Decimal(order.total_minor) / 100
    assert facts.values["order.po_number"] == "PO-9"
    assert facts.values["buyer.email"] == "buyer@bluebird.example"
    assert facts.values["end_customer.country"] == "DE"
    assert [line["line.sku"] for line in facts.lines] == ["SHD-ENT-1Y", "INS-PERP"]
    assert facts.lines[0]["line.product_group"] == ("cloud", "enterprise")
    assert facts.lines[0]["line.price_source"] == "override"
    assert "credit.utilization_after" in facts.values


def test_rules_read_the_facts_as_an_approver_would(northwind):
    ctx = northwind.checkout([("SHD-ENT-1Y", 12), ("INS-PERP", 1)])
    rule = [
        {"field": "line.product_group", "operator": "eq", "value": "enterprise"},
        {"field": "line.quantity", "operator": "gte", "value": 10},
        {"field": "order.payment_method", "operator": "eq", "value": "on_account"},
    ]
    assert evaluate("all", rule, checkout_facts(ctx)) == [
        "line.product_group cloud, enterprise = enterprise (SHD-ENT-1Y)",
        "line.quantity 12 >= 10 (SHD-ENT-1Y)",
        "order.payment_method on_account = on_account",
    ]


@pytest.fixture
def statements(app: Flask) -> Iterator[list[str]]:
    with app.app_context():
        engine = db.engine
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_rest):  # type: ignore[no-untyped-def]
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


def test_the_queries_do_not_grow_with_the_lines(northwind, statements):
    few = northwind.checkout([("SHD-STD-1Y", 1)])
    skus = ["SHD-STD-1Y", "SHD-ENT-1Y", "INS-PERP", "VLT-STD-1Y", "BKP-STD-1Y", "MTG-ENT-1Y"]
    many = northwind.checkout([(sku, 1) for sku in skus])
    checkout_facts(few)  # warm: the first read may load what the session has not yet
    statements.clear()
    checkout_facts(few)
    one_line = len(statements)
    statements.clear()
    checkout_facts(many)
    assert len(statements) == one_line <= 4
