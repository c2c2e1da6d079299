"""The reseller's margin on a quote its end customer paid, as a credit note.

The customer pays the resale total; the order is booked at the reseller's buy prices;
the difference is credited to the reseller as a credit note it spends at checkout like
any other (``statements.credit_notes``). A refund of the customer's payment takes back
what is left of the note; what the reseller spent already becomes a ``MarginClawback``
it owes, shown on its invoices page. When an order that spent such a note is refunded or
cancelled later, what it took comes off the amount owed instead of back onto the note.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select, update

from channelfront import row_locks
from channelfront.extensions import db
from channelfront.i18n.formatting import Money
from channelfront.orders import numbering
from channelfront.orders.models import Order, PaymentMethod
from channelfront.quotes.models import MarginClawback
from channelfront.statements.close import credit_note_number
from channelfront.statements.models import CreditNote, CreditNoteUse
from channelfront.statements.partners import reseller_id
from channelfront.tenancy.models import Tenant


def credit(order: Order, margin_minor: int) -> CreditNote | None:
    """Credit the margin of a customer-paid order to its reseller, once (no commit)."""
    if margin_minor <= 0:
        return None
    existing = note_of(order)
    if existing is not None:
        return existing
    tenant = db.session.get(Tenant, order.tenant_id)
    assert tenant is not None
    note = CreditNote(
        tenant_id=order.tenant_id,
        number=credit_note_number(tenant, numbering.next_value(tenant.id, "credit_note")),
        statement_id=None,
        order_id=order.id,
        beneficiary=reseller_id(order.company_id),
        company_id=order.company_id,
        currency=order.currency,
        amount_minor=margin_minor,
        remaining_minor=margin_minor,
        issued_at=datetime.now(UTC),
    )
    db.session.add(note)
    return note


def note_of(order: Order) -> CreditNote | None:
    return db.session.scalar(select(CreditNote).where(CreditNote.order_id == order.id))


def take_back(order: Order, **_extra: object) -> MarginClawback | None:
    """The customer's payment was refunded: void what is left of the margin note, and
    record what was spent as owed (no commit). Runs once per order."""
    if order.payment_method != PaymentMethod.END_CUSTOMER_CARD:
        return None
    note = note_of(order)
    if note is None:
        return None
    # Checkout spends notes under a compare-and-set; read what is left under the row's
    # lock, then zero it, so nothing is spent between the read and the write.
    row_locks.hold(CreditNote, note.id)
    db.session.refresh(note, ["remaining_minor"])
    spent = note.amount_minor - note.remaining_minor
    db.session.execute(
        update(CreditNote)
        .where(CreditNote.id == note.id)
        .values(remaining_minor=0)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(note, ["remaining_minor"])
    already = db.session.scalar(select(MarginClawback).where(MarginClawback.order_id == order.id))
    if spent <= 0 or already is not None:
        return already
    owed = MarginClawback(
        tenant_id=order.tenant_id,
        company_id=order.company_id,
        order_id=order.id,
        credit_note_id=note.id,
        currency=order.currency,
        amount_minor=spent,
    )
    db.session.add(owed)
    return owed


def owed(company_id: int, currency: str) -> Money:
    """What the company owes back for spent margins of refunded quotes (unsettled)."""
    total = db.session.scalar(
        select(func.coalesce(func.sum(MarginClawback.amount_minor), 0)).where(
            MarginClawback.company_id == company_id,
            MarginClawback.currency == currency,
            MarginClawback.settled_at.is_(None),
        )
    )
    return Money(int(total or 0), currency)


def give_back(order: Order, **_extra: object) -> None:
    """An order that spent margin notes is refunded or released: what it took from a
    note whose own order was refunded meanwhile comes off that clawback (no commit).

    ``statements.credit_notes.restore`` gives every note back what the order took; a
    taken-back note must stay empty, so the same amount is taken off it again here. Both
    are relative updates of the locked row, so they add up whichever runs first.
    """
    if not order.credit_minor:
        return
    taken = dict(
        db.session.execute(
            select(CreditNoteUse.credit_note_id, func.sum(CreditNoteUse.amount_minor))
            .join(CreditNote, CreditNote.id == CreditNoteUse.credit_note_id)
            .where(
                CreditNoteUse.order_id == order.id,
                CreditNoteUse.amount_minor > 0,
                CreditNote.order_id.is_not(None),
            )
            .group_by(CreditNoteUse.credit_note_id)
        ).all()
    )
    if not taken:
        return
    # take_back writes the clawback under the note's lock: wait for it, then read.
    row_locks.hold(CreditNote, *taken)
    owed_rows = db.session.scalars(
        select(MarginClawback).where(
            MarginClawback.credit_note_id.in_(list(taken)),
            MarginClawback.settled_at.is_(None),
            MarginClawback.amount_minor > 0,
        )
    ).all()
    for owed_row in owed_rows:
        back = min(int(taken[owed_row.credit_note_id]), owed_row.amount_minor)
        db.session.execute(
            update(MarginClawback)
            .where(MarginClawback.id == owed_row.id)
            .values(amount_minor=MarginClawback.amount_minor - back)
            .execution_options(synchronize_session="fetch")
        )
        db.session.execute(
            update(CreditNote)
            .where(CreditNote.id == owed_row.credit_note_id)
            .values(remaining_minor=CreditNote.remaining_minor - back)
            .execution_options(synchronize_session="fetch")
        )


@dataclass(frozen=True)
class Clawback:
    """One refunded quote's spent margin the reseller owes, for its invoices page."""

    order_number: str
    amount: Money
    at: datetime


def clawbacks(company_id: int, currency: str) -> list[Clawback]:
    """The company's unsettled clawbacks in ``currency``, newest first."""
    rows = db.session.execute(
        select(Order.number, MarginClawback.amount_minor, MarginClawback.created_at)
        .join(Order, Order.id == MarginClawback.order_id)
        .where(
            MarginClawback.company_id == company_id,
            MarginClawback.currency == currency,
            MarginClawback.settled_at.is_(None),
            MarginClawback.amount_minor > 0,
        )
        .order_by(MarginClawback.created_at.desc(), MarginClawback.id.desc())
    )
    return [Clawback(number, Money(amount, currency), at) for number, amount, at in rows]
