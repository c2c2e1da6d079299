"""Changing a company's end customer: edit, archive and unarchive, each audited.

Services take the acting user and leave the commit to the caller, so the page, the API
and a task share them; a refusal raises OrderInputError naming the field.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from channelfront.accounts.models import User
from channelfront.audit.service import record
from channelfront.customers.models import Customer
from channelfront.customers.services import CustomerInput, create, validate
from channelfront.extensions import db
from channelfront.orders.errors import OrderInputError
from channelfront.web.params import parse_whole

FIELDS = ("company_name", "contact_name", "email", "country", "vat_id", "crm_account_id")
OPTIONAL = frozenset({"vat_id", "crm_account_id"})


def find(company_id: int, customer_id: object) -> Customer | None:
    """One of the company's customers on this tenant, archived too; never a merged one."""
    wanted = parse_whole(customer_id, minimum=1)
    if wanted is None:
        return None
    return db.session.scalar(
        select(Customer).where(
            Customer.id == wanted,
            Customer.company_id == company_id,
            Customer.merged_into_id.is_(None),
        )
    )


def snapshot(customer: Customer) -> dict[str, Any]:
    """The editable fields as the audit log keeps them."""
    return {name: getattr(customer, name) for name in FIELDS}


def _audit(action: str, customer: Customer, actor: User, **changes: Any) -> None:
    record(
        action,
        customer,
        label=customer.company_name,
        tenant_id=customer.tenant_id,
        company_id=customer.company_id,
        actor=actor,
        **changes,
    )


def checked(data: CustomerInput) -> CustomerInput:
    """``validate`` with the fields named plainly (``email``, not ``end_customer.email``)."""
    try:
        return validate(data, field="customer")
    except OrderInputError as error:
        raise OrderInputError(error.field.removeprefix("customer."), error.message) from None


def update(customer: Customer, data: CustomerInput, actor: User) -> bool:
    """Check and apply new values; audit what changed. False when nothing did."""
    values = checked(data)
    before = snapshot(customer)
    for name in FIELDS:
        value = getattr(values, name)
        setattr(customer, name, (value or None) if name in OPTIONAL else value)
    after = snapshot(customer)
    if before == after:
        return False
    customer.updated_at = datetime.now(UTC)
    _audit("customer.updated", customer, actor, before=before, after=after)
    return True


def set_archived(customer: Customer, archived: bool, actor: User) -> bool:
    """Archive (hidden from pickers, history kept) or bring back; False if already so."""
    if (customer.archived_at is not None) == archived:
        return False
    customer.archived_at = datetime.now(UTC) if archived else None
    customer.updated_at = datetime.now(UTC)
    _audit(
        "customer.archived" if archived else "customer.unarchived",
        customer,
        actor,
        before={"archived": not archived},
        after={"archived": archived},
    )
    return True


def add(company_id: int, data: CustomerInput, actor: User) -> Customer:
    """A new customer of the company on the active tenant, checked and audited."""
    customer = create(company_id, checked(data))
    db.session.flush()
    _audit("customer.created", customer, actor, after=snapshot(customer))
    return customer
