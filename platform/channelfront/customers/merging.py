"""Merging two records of one end customer: the duplicate's history moves to the survivor.

Orders, subscriptions, quotes (with their special price requests) and deals of the
duplicate are re-pointed at the survivor; the duplicate keeps its row, marked
``merged_into_id``, and is hidden everywhere. The survivor keeps its own values and
takes the duplicate's VAT id and CRM account id only where it has none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from flask_babel import gettext as _
from sqlalchemy import update

from channelfront import row_locks
from channelfront.accounts.models import User
from channelfront.audit.service import record
from channelfront.customers.editing import find, snapshot
from channelfront.customers.models import Customer
from channelfront.deals.models import Deal
from channelfront.extensions import db
from channelfront.orders.errors import OrderInputError
from channelfront.orders.models import Order
from channelfront.quotes.models import Quote, SpecialPriceRequest
from channelfront.subscriptions.models import Subscription

MOVED = (Order, Subscription, Quote, SpecialPriceRequest, Deal)


@dataclass(frozen=True)
class Merged:
    survivor: Customer
    duplicate: Customer
    moved: dict[str, int]


def merge(company_id: int, survivor_id: int, duplicate_id: object, actor: User) -> Merged:
    """Merge the company's customer ``duplicate_id`` into ``survivor_id`` (no commit).

    Both rows are locked first (in id order), so two merges of the same pair, or of the
    pair both ways, cannot both succeed. Raises OrderInputError on ``duplicate_id``.
    """
    survivor = find(company_id, survivor_id)
    duplicate = find(company_id, duplicate_id)
    if survivor is None:
        raise OrderInputError("customer", _("There is no such customer in your customer list."))
    if duplicate is None:
        raise OrderInputError("duplicate_id", _("There is no such customer in your customer list."))
    if duplicate.id == survivor.id:
        raise OrderInputError("duplicate_id", _("A customer cannot be merged with itself."))
    row_locks.hold(Customer, survivor.id, duplicate.id)
    db.session.refresh(survivor)
    db.session.refresh(duplicate)
    if survivor.merged_into_id is not None or duplicate.merged_into_id is not None:
        raise OrderInputError(
            "duplicate_id", _("One of these customers was merged meanwhile. Look again.")
        )
    moved = {model.__tablename__: _move(model, duplicate.id, survivor.id) for model in MOVED}
    before = snapshot(survivor)
    survivor.vat_id = survivor.vat_id or duplicate.vat_id
    survivor.crm_account_id = survivor.crm_account_id or duplicate.crm_account_id
    now = datetime.now(UTC)
    survivor.updated_at = now
    duplicate.merged_into_id = survivor.id
    duplicate.updated_at = now
    record(
        "customer.merged",
        survivor,
        label=survivor.company_name,
        tenant_id=survivor.tenant_id,
        company_id=company_id,
        actor=actor,
        before=before,
        after={**snapshot(survivor), "duplicate_id": duplicate.id, "moved": moved},
    )
    return Merged(survivor, duplicate, moved)


def _move(model: type, from_id: int, to_id: int) -> int:
    result = db.session.execute(
        update(model)
        .where(model.customer_id == from_id)  # type: ignore[attr-defined]
        .values(customer_id=to_id)
        .execution_options(synchronize_session="fetch")
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
