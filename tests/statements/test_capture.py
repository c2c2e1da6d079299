"""Order facts feed the ledger inside the order's own transaction."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from sqlalchemy import select

from channelfront.extensions import db
from channelfront.orders.checkout import place_order
from channelfront.orders.models import Order
from channelfront.payments import card, refunds
from channelfront.statements.models import IncentiveEvent, LedgerEntry, VolumeEntry
from tests.orders.conftest import checkout_request
from tests.payments.conftest import save_card
from tests.renewals.conftest import link_path
from tests.renewals.test_partner_renewal import existing_customer_checkout, renew
from tests.renewals.test_self_service import pay
from tests.statements.programs_data import DISTRIBUTOR, RESELLER, live_program


def cents(value: Decimal) -> int:
    return int((value * 100).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def entries(program_id: int, **where: object) -> list[LedgerEntry]:
    query = select(LedgerEntry).where(LedgerEntry.program_id == program_id)
    for name, value in where.items():
        query = query.where(getattr(LedgerEntry, name) == value)
    return list(db.session.scalars(query.order_by(LedgerEntry.id)))


def programs_on_northwind():  # type: ignore[no-untyped-def]
    distributor = live_program("northwind", "t-dist", DISTRIBUTOR)
    reseller = live_program("northwind", "t-res", RESELLER, audience="reseller")
    db.session.commit()
    return distributor, reseller


def test_an_order_on_account_posts_with_its_acceptance_and_rolls_back_with_it(ctx, northwind_shop):
    distributor, reseller = programs_on_northwind()
    shop = northwind_shop
    order, created = place_order(shop.tenant, shop.buyer, shop.terms, "en", checkout_request())
    assert created
    number, company = order.number, f"company-{order.company_id}"
    lines = {line.sku: line for line in order.lines}
    shield, insight = lines["SHD-STD-1Y"], lines["INS-PERP"]

    facts = {e.key: e for e in db.session.scalars(select(IncentiveEvent))}
    fact = facts[f"{number}/{shield.id}"]
    assert (fact.type, fact.channel, fact.distributor_id, fact.ordering_partner_id) == (
        "purchase",
        "storefront",
        "northwind",
        company,
    )
    assert (fact.product_id, fact.category_path, fact.net_minor) == (
        "SHD-STD-1Y",
        ["security"],
        shield.total_minor,
    )
    assert (fact.event_kind, fact.subscription_id) == ("new", f"sub-{shield.id}")
    assert facts[f"{number}/{insight.id}"].event_kind == "none"

    earned = {(e.rule_id, e.event_key): e.amount_minor for e in entries(distributor.id)}
    assert earned == {
        ("com-security", fact.key): cents(Decimal(shield.total_minor) / 100 * Decimal("0.06")),
        ("com-all", f"{number}/{insight.id}"): cents(
            Decimal(insight.total_minor) / 100 * Decimal("0.04")
        ),
        ("mdf", fact.key): cents(Decimal(shield.total_minor) / 100 * Decimal("0.01")),
        ("mdf", f"{number}/{insight.id}"): cents(
            Decimal(insight.total_minor) / 100 * Decimal("0.01")
        ),
    }
    assert {e.order_id for e in entries(distributor.id)} == {order.id}
    [commission] = entries(reseller.id)
    assert (commission.beneficiary, commission.rule_id, commission.amount_minor) == (
        company,
        "renewals",
        cents(Decimal(shield.total_minor) / 100 * Decimal("0.05")),
    )
    volume = db.session.scalars(
        select(VolumeEntry).where(VolumeEntry.program_id == distributor.id)
    ).all()
    assert sum(v.amount_minor for v in volume) == order.total_minor

    db.session.rollback()
    assert db.session.scalar(select(Order).where(Order.number == number)) is None
    assert entries(distributor.id) == []
    assert entries(reseller.id) == []
    assert not db.session.scalars(
        select(IncentiveEvent).where(IncentiveEvent.key.like(f"{number}/%"))
    ).all()


def test_a_card_payment_posts_and_a_refund_claws_back(ctx, northwind_shop, card_order):
    distributor, _reseller = programs_on_northwind()
    shop = northwind_shop
    order = card_order(shop)
    assert entries(distributor.id) == []  # placed, not paid: not a sale yet
    card.pay_order(order, save_card(shop)["id"], shop.buyer)
    db.session.refresh(order)
    assert order.status == "invoiced"  # paid, then fulfilled and invoiced at once
    paid = entries(distributor.id)
    assert {e.type for e in paid} == {"earning"}
    assert len(paid) == 4

    assert refunds.refund_order(order, shop.buyer, "customer cancelled")
    clawed = entries(distributor.id, type="clawback")
    assert sorted((e.rule_id, e.amount_minor) for e in clawed) == sorted(
        (e.rule_id, -e.amount_minor) for e in paid
    )
    assert all(e.event_key.endswith("/refund") for e in clawed)
    volume = db.session.scalars(
        select(VolumeEntry).where(VolumeEntry.program_id == distributor.id)
    ).all()
    assert sum(v.amount_minor for v in volume) == 0
    # Refunding again (a second click) adds nothing.
    assert not refunds.refund_order(order, shop.buyer)
    assert len(entries(distributor.id, type="clawback")) == len(clawed)


def test_the_reseller_earns_when_its_end_customer_renews_alone(
    ctx, subscribed, client_for, localstripe
):
    # Published after the subscription was sold: its partner of record is known anyway.
    _distributor, reseller = programs_on_northwind()
    sub = subscribed.subscription()
    response, _data = pay(client_for("northwind.localhost"), link_path(subscribed))
    assert response.status_code == 303, response.get_data(as_text=True)
    fact = db.session.scalar(
        select(IncentiveEvent).where(IncentiveEvent.key == f"sub-{sub.order_line_id}/term-1")
    )
    assert fact is not None
    assert (fact.channel, fact.ordering_partner_id, fact.event_kind, fact.term_index) == (
        "direct",
        None,
        "renewal",
        1,
    )
    [commission] = entries(reseller.id, event_key=fact.key)
    assert commission.beneficiary == f"company-{sub.company_id}"
    assert commission.amount_minor == cents(Decimal(fact.net_minor) / 100 * Decimal("0.02"))
    assert subscribed.subscription().term_index == 1


def test_a_partner_renewal_pays_the_partner_renewal_rate(ctx, subscribed):
    _distributor, reseller = programs_on_northwind()
    sub = subscribed.subscription()
    response = renew(subscribed.client, sub.id)
    assert response.status_code in (302, 303)
    response, _data = existing_customer_checkout(subscribed.client, sub)
    assert response.status_code == 303, response.get_data(as_text=True)
    number = response.headers["Location"].rsplit("/", 1)[1]
    order = db.session.scalar(select(Order).where(Order.number == number))
    [line] = order.lines
    fact = db.session.scalar(
        select(IncentiveEvent).where(IncentiveEvent.key == f"{number}/{line.id}")
    )
    assert (fact.event_kind, fact.term_index, fact.subscription_id) == (
        "renewal",
        1,
        f"sub-{sub.order_line_id}",
    )
    [commission] = entries(reseller.id, event_key=fact.key)
    assert commission.amount_minor == cents(Decimal(line.total_minor) / 100 * Decimal("0.03"))
