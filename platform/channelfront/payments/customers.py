"""One Stripe customer per company per tenant, so every buyer of the company shares its cards."""

from __future__ import annotations

import logging

import stripe
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from channelfront.accounts.models import Company
from channelfront.extensions import db
from channelfront.payments.models import PaymentAccount
from channelfront.payments.stripe_client import client
from channelfront.tenancy.scoping import active_tenant_id

log = logging.getLogger(__name__)


def find_customer(company_id: int) -> str | None:
    """The company's Stripe customer id on the active tenant, if one was created."""
    return db.session.scalar(
        select(PaymentAccount.stripe_customer_id).where(PaymentAccount.company_id == company_id)
    )


def _create_in_stripe(company_id: int, tenant_id: int, idempotency_key: str | None) -> str:
    company = db.session.get(Company, company_id)
    customer = client().v1.customers.create(
        params={
            "name": company.name if company else f"Company {company_id}",
            "metadata": {"tenant_id": str(tenant_id), "company_id": str(company_id)},
        },
        options={"idempotency_key": idempotency_key} if idempotency_key else {},
    )
    return customer.id


def _exists_in_stripe(customer_id: str) -> bool:
    try:
        customer = client().v1.customers.retrieve(customer_id)
    except stripe.InvalidRequestError as exc:
        if exc.http_status == 404:
            return False
        raise
    return not getattr(customer, "deleted", False)


def ensure_customer(company_id: int) -> str:
    """The company's Stripe customer id, created on first need (commits a new account)."""
    tenant_id = active_tenant_id()
    if tenant_id is None:
        raise RuntimeError("a Stripe customer belongs to one tenant: none is active")
    account = db.session.scalar(
        select(PaymentAccount).where(PaymentAccount.company_id == company_id)
    )
    if account is not None:
        return account.stripe_customer_id
    # Two first payments at once: Stripe answers both with the same customer.
    customer_id = _create_in_stripe(
        company_id, tenant_id, f"channelfront-customer-{tenant_id}-{company_id}"
    )
    try:
        with db.session.begin_nested():
            db.session.add(
                PaymentAccount(
                    tenant_id=tenant_id, company_id=company_id, stripe_customer_id=customer_id
                )
            )
        db.session.commit()
    except IntegrityError:
        # A concurrent request created the account first: use theirs.
        db.session.rollback()
        winner = find_customer(company_id)
        if winner is None:
            raise
        return winner
    return customer_id


def replace_missing_customer(company_id: int) -> str:
    """Create a fresh customer when the stored one no longer exists in Stripe (commits).

    A customer deleted in Stripe's dashboard, or a local stand-in started afresh, would
    otherwise make the company's card payments fail for good.
    """
    account = db.session.scalar(
        select(PaymentAccount).where(PaymentAccount.company_id == company_id)
    )
    if account is None:
        return ensure_customer(company_id)
    if _exists_in_stripe(account.stripe_customer_id):
        return account.stripe_customer_id
    log.warning("Stripe customer %s is gone; creating a new one", account.stripe_customer_id)
    account.stripe_customer_id = _create_in_stripe(company_id, account.tenant_id, None)
    db.session.commit()
    return account.stripe_customer_id
