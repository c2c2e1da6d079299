"""Credit notes paying for a reseller's later purchases at checkout.

A credit note pays part of an order like money does: the order keeps its line totals
(the base of every incentive) and records what each note paid; the card is charged, the
credit line used and the invoice written for the rest. Notes are spent oldest first,
each under a compare-and-set on its remaining amount, so two checkouts never spend the
same money. A refund or a cancellation gives the notes back what the order took.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from channelfront.extensions import db
from channelfront.i18n.formatting import Money
from channelfront.orders.errors import OrderInputError
from channelfront.orders.models import Order
from channelfront.statements.models import CreditNote, CreditNoteUse


def open_notes(company_id: int, tenant_id: int, currency: str) -> list[CreditNote]:
    """The company's notes on the tenant with money left, oldest first."""
    return list(
        db.session.scalars(
            select(CreditNote)
            .where(
                CreditNote.tenant_id == tenant_id,
                CreditNote.company_id == company_id,
                CreditNote.currency == currency,
                CreditNote.remaining_minor > 0,
            )
            .order_by(CreditNote.issued_at, CreditNote.id)
        )
    )


def available(company_id: int, tenant_id: int, currency: str) -> Money:
    """What the company's credit notes can still pay on this tenant."""
    total = db.session.scalar(
        select(func.coalesce(func.sum(CreditNote.remaining_minor), 0)).where(
            CreditNote.tenant_id == tenant_id,
            CreditNote.company_id == company_id,
            CreditNote.currency == currency,
            CreditNote.remaining_minor > 0,
        )
    )
    return Money(int(total or 0), currency)


def usable(company_id: int, tenant_id: int, currency: str, total_minor: int) -> int:
    """How much of an order of `total_minor` the company's notes would pay."""
    return min(total_minor, available(company_id, tenant_id, currency).minor)


def spend(order: Order) -> None:
    """Take ``order.credit_minor`` from the company's notes, oldest first (no commit).

    Raises OrderInputError (field ``credit_notes``) when the notes changed meanwhile.
    """
    left = order.credit_minor or 0
    now = datetime.now(UTC)
    for note in open_notes(order.company_id, order.tenant_id, order.currency):
        if left <= 0:
            break
        take = min(note.remaining_minor, left)
        moved = db.session.execute(
            update(CreditNote)
            .where(CreditNote.id == note.id, CreditNote.remaining_minor >= take)
            .values(remaining_minor=CreditNote.remaining_minor - take)
            .execution_options(synchronize_session=False)
        )
        db.session.expire(note, ["remaining_minor"])
        if moved.rowcount != 1:
            break
        db.session.add(
            CreditNoteUse(
                tenant_id=order.tenant_id,
                credit_note_id=note.id,
                order_id=order.id,
                amount_minor=take,
                used_at=now,
            )
        )
        left -= take
    if left > 0:
        raise OrderInputError(
            "credit_notes",
            _("Your credit notes changed meanwhile. Check the order and place it again."),
        )


def restore(order: Order, **_extra: object) -> None:
    """Give the notes back what the order took, once (no commit): refund or cancellation."""
    if not order.credit_minor:
        return
    taken = db.session.execute(
        select(CreditNoteUse.credit_note_id, func.sum(CreditNoteUse.amount_minor))
        .where(CreditNoteUse.order_id == order.id)
        .group_by(CreditNoteUse.credit_note_id)
    ).all()
    now = datetime.now(UTC)
    for note_id, amount in taken:
        if not amount:
            continue
        db.session.execute(
            update(CreditNote)
            .where(CreditNote.id == note_id)
            .values(remaining_minor=CreditNote.remaining_minor + amount)
            .execution_options(synchronize_session="fetch")
        )
        # A negative use keeps the note's history whole.
        db.session.add(
            CreditNoteUse(
                tenant_id=order.tenant_id,
                credit_note_id=note_id,
                order_id=order.id,
                amount_minor=-amount,
                used_at=now,
            )
        )
