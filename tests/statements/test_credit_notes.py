"""A reseller's credit notes pay part of its next orders; the incentive base stays whole."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from sqlalchemy import func, select

from channelfront.extensions import db
from channelfront.invoices.models import Invoice
from channelfront.orders.cancel import cancel_unpaid
from channelfront.orders.credit import credit_status
from channelfront.orders.models import Order
from channelfront.payments import card, refunds
from channelfront.pricing.models import Enrollment
from channelfront.statements import close, posting
from channelfront.statements.models import CreditNote, CreditNoteUse, IncentiveEvent
from tests.orders.test_cart_pages import add
from tests.orders.test_checkout_pages import checkout_form, place
from tests.payments.conftest import save_card
from tests.statements.programs_data import (
    RESELLER,
    bluebird_id,
    document,
    fact,
    live_program,
    tenant,
)

COMMISSION = document(
    RESELLER,
    rules=[
        {
            "id": "partner",
            "kind": "percent_commission",
            "beneficiary": "ordering_partner",
            "scope": {},
            "rate": "0.10",
        }
    ],
)


def credit_note(app, net_minor: int = 100_000) -> CreditNote:  # type: ignore[no-untyped-def]
    """Bluebird earned 10 % of `net_minor` on northwind in March 2026; April closed it."""
    live_program("northwind", "cn-test", COMMISSION, audience="reseller")
    db.session.commit()
    northwind = tenant("northwind")
    posting.post(northwind, [fact(northwind, "CN-1", date(2026, 3, 2), net_minor)])
    db.session.commit()
    close.close_due(datetime(2026, 4, 10, 12, tzinfo=UTC))
    note = db.session.scalar(
        select(CreditNote)
        .where(CreditNote.company_id == bluebird_id())
        .order_by(CreditNote.id.desc())
    )
    assert note is not None
    assert note.remaining_minor == net_minor // 10
    return note


def remaining(note: CreditNote) -> int:
    db.session.expire(note)
    return db.session.get(CreditNote, note.id).remaining_minor


def order_by_number(number: str) -> Order:
    order = db.session.scalar(select(Order).where(Order.number == number))
    assert order is not None
    db.session.refresh(order)
    return order


def test_checkout_offers_the_notes_and_they_pay_part_of_an_order_on_account(
    app, ctx, bluebird_buyer
):
    note = credit_note(app)
    add(bluebird_buyer, "SHD-STD-1Y", "2")
    add(bluebird_buyer, "INS-PERP")
    page, _hidden = checkout_form(bluebird_buyer)
    assert re.search(
        r'<input type="checkbox" name="apply_credit_notes" value="1" checked> '
        r"Apply credit notes \(available \$100\.00\)",
        page,
    )
    response, _data = place(bluebird_buyer, apply_credit_notes="1")
    assert response.status_code == 303, response.get_data(as_text=True)
    order = order_by_number(response.headers["Location"].rsplit("/", 1)[1])

    assert order.total_minor == sum(line.total_minor for line in order.lines)
    assert (order.credit_minor, order.due_minor) == (10_000, order.total_minor - 10_000)
    assert remaining(note) == 0
    [use] = db.session.scalars(select(CreditNoteUse).where(CreditNoteUse.order_id == order.id))
    assert (use.credit_note_id, use.amount_minor) == (note.id, 10_000)
    invoice = db.session.scalar(select(Invoice).where(Invoice.order_id == order.id))
    assert invoice.total_minor == order.due_minor
    enrollment = db.session.scalar(
        select(Enrollment).where(
            Enrollment.tenant_id == order.tenant_id, Enrollment.company_id == order.company_id
        )
    )
    assert credit_status(enrollment, "USD", date.today()).outstanding.minor == order.due_minor
    # The incentive base is what was bought, not what was paid.
    bases = db.session.scalars(
        select(IncentiveEvent.net_minor).where(IncentiveEvent.order_id == order.id)
    ).all()
    assert sum(bases) == order.total_minor

    page = bluebird_buyer.get(f"/orders/{order.number}").get_data(as_text=True)
    assert re.search(r'class="credit-notes-used">−\$100\.00<', page)
    # Spent: the next checkout offers nothing.
    add(bluebird_buyer, "INS-PERP")
    page, _hidden = checkout_form(bluebird_buyer)
    assert "apply_credit_notes" not in page


def test_an_unchecked_box_pays_nothing_with_the_notes(app, ctx, bluebird_buyer):
    note = credit_note(app)
    add(bluebird_buyer, "INS-PERP")
    response, _data = place(bluebird_buyer)  # the box left unchecked
    assert response.status_code == 303
    order = order_by_number(response.headers["Location"].rsplit("/", 1)[1])
    assert order.credit_minor == 0
    assert remaining(note) == 10_000


def test_the_card_is_charged_the_rest_and_a_refund_gives_the_note_back(
    app, ctx, northwind_shop, card_order, localstripe
):
    note = credit_note(app)
    order = card_order(northwind_shop, apply_credit_notes=True)
    assert order.credit_minor == 10_000
    assert remaining(note) == 0
    card.pay_order(order, save_card(northwind_shop)["id"], northwind_shop.buyer)
    [intent] = localstripe.intents()
    assert (intent.status, intent.amount) == ("succeeded", order.total_minor - 10_000)

    assert refunds.refund_order(order, northwind_shop.buyer, "returned")
    assert remaining(note) == 10_000
    uses = db.session.scalars(
        select(CreditNoteUse.amount_minor).where(CreditNoteUse.order_id == order.id)
    ).all()
    assert sorted(uses) == [-10_000, 10_000]
    refunded = localstripe.client.v1.refunds.list(params={"limit": 10}).data
    assert [r.amount for r in refunded] == [order.total_minor - 10_000]


def test_notes_that_pay_everything_leave_nothing_to_charge(
    app, ctx, northwind_shop, card_order, localstripe
):
    note = credit_note(app, net_minor=10_000_000)  # a 10,000.00 note
    order = card_order(northwind_shop, apply_credit_notes=True)
    db.session.refresh(order)
    assert order.due_minor == 0
    assert order.status != "placed"  # paid by the notes, accepted for fulfilment
    assert localstripe.count("payment_intents") == 0
    assert remaining(note) == 1_000_000 - order.total_minor
    invoice = db.session.scalar(select(Invoice).where(Invoice.order_id == order.id))
    assert (invoice.total_minor, invoice.status) == (0, "paid")


def test_cancelling_an_unpaid_order_gives_the_note_back(
    app, ctx, northwind_shop, card_order, localstripe
):
    note = credit_note(app)
    order = card_order(northwind_shop, apply_credit_notes=True)
    assert remaining(note) == 0
    cancel_unpaid(order, northwind_shop.buyer.id)
    db.session.commit()
    assert remaining(note) == 10_000
    total_used = db.session.scalar(
        select(func.sum(CreditNoteUse.amount_minor)).where(CreditNoteUse.order_id == order.id)
    )
    assert total_used == 0
