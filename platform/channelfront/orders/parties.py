"""After fulfilment: buyers mark licenses delivered, assign them to a contact, add notes.

Each change is an event on the order's timeline, and an outbox message in the same
transaction mails whom it concerns (see ``orders.party_mail``).
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import gettext as _
from sqlalchemy import select

from channelfront.accounts.models import User
from channelfront.customers.services import EMAIL
from channelfront.extensions import db
from channelfront.fulfillment.models import License
from channelfront.orders import events
from channelfront.orders.errors import OrderInputError
from channelfront.orders.models import Order, OrderEvent
from channelfront.outbox.services import enqueue
from channelfront.web.params import parse_whole

TOPIC = "mail.order_party"
DELIVERED = "licenses_delivered"
ASSIGNED = "licenses_assigned"
NOTE = "note"
MAX_NOTE_LENGTH = 2000
MAX_NAME_LENGTH = 120
MAX_PICK = 500


def _pick(order: Order, license_ids: list[str]) -> list[License]:
    if not license_ids:
        raise OrderInputError("licenses", _("Choose at least one license."))
    picked = [parse_whole(value, minimum=1) for value in license_ids[: MAX_PICK + 1]]
    if len(picked) > MAX_PICK or None in picked:
        raise OrderInputError("licenses", _("Choose licenses of this order."))
    ids = {value for value in picked if value is not None}
    found = list(
        db.session.scalars(
            select(License)
            .where(
                License.order_id == order.id,
                License.id.in_(ids),
                License.revoked_at.is_(None),  # a refunded order's keys are not passed on
            )
            .order_by(License.order_line_id)
        )
    )
    if len(found) != len(ids):
        raise OrderInputError("licenses", _("Choose licenses of this order."))
    return found


def _summary(order: Order, licenses: list[License]) -> dict[str, list]:
    skus = {line.id: line.sku for line in order.lines}
    return {
        "licenses": [lic.id for lic in licenses],
        "skus": [skus.get(lic.order_line_id, "") for lic in licenses],
    }


def _announce(
    order: Order, kind: str, actor: User, data: dict, note: str | None = None
) -> OrderEvent:
    event = events.record(order, kind, actor_id=actor.id, note=note, data=data)
    db.session.flush()
    enqueue(order.tenant_id, TOPIC, {"order_id": order.id, "event_id": event.id})
    return event


def mark_delivered(order: Order, license_ids: list[str], actor: User) -> list[License]:
    """Mark licenses delivered to the end customer (no commit).

    Licenses already marked are left alone; returns those marked now (empty on a repeat).
    """
    fresh = [lic for lic in _pick(order, license_ids) if lic.delivered_at is None]
    if fresh:
        now = datetime.now(UTC)
        for lic in fresh:
            lic.delivered_at = now
        _announce(order, DELIVERED, actor, _summary(order, fresh))
    return fresh


def _contact(email: str, name: str) -> tuple[str, str]:
    address = email.strip()
    if len(address) > 254 or not EMAIL.match(address):
        raise OrderInputError("assignee_email", _("Enter a valid e-mail address."))
    contact = name.strip()
    if len(contact) > MAX_NAME_LENGTH or not contact.isprintable():
        raise OrderInputError(
            "assignee_name",
            _("The contact name has at most %(max)d characters.", max=MAX_NAME_LENGTH),
        )
    return address, contact


def assign_licenses(
    order: Order, license_ids: list[str], email: str, actor: User, name: str = ""
) -> list[License]:
    """Assign licenses to an end-customer contact by e-mail (no commit).

    Licenses already assigned to that address are left alone; returns those assigned now.
    """
    address, contact = _contact(email, name)
    picked = _pick(order, license_ids)
    fresh = [lic for lic in picked if (lic.assigned_to or "").lower() != address.lower()]
    if fresh:
        for lic in fresh:
            lic.assigned_to = address
        data = {**_summary(order, fresh), "email": address, "name": contact}
        _announce(order, ASSIGNED, actor, data)
    return fresh


def add_note(order: Order, text: str, actor: User) -> OrderEvent | None:
    """Add a note to the order's timeline (no commit); None when it repeats the last one."""
    note = text.strip()
    if not note:
        raise OrderInputError("note", _("Write a note first."))
    if len(note) > MAX_NOTE_LENGTH:
        raise OrderInputError(
            "note", _("The note has at most %(max)d characters.", max=MAX_NOTE_LENGTH)
        )
    if any(not ch.isprintable() and ch not in "\r\n\t" for ch in note):
        raise OrderInputError("note", _("The note contains characters that are not allowed."))
    last = order.events[-1] if order.events else None
    if last is not None and last.kind == NOTE and last.actor_id == actor.id and last.note == note:
        return None  # the same note posted twice in a row: a double submit
    return _announce(order, NOTE, actor, {}, note=note)
