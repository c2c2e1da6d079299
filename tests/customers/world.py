"""Customer test factories: end customers, orders and quotes naming them, users by role."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import select

from channelfront.accounts.models import Company, User
from channelfront.accounts.passwords import hash_password
from channelfront.customers.models import Customer
from channelfront.demo.seed import DEMO_PASSWORD
from channelfront.extensions import db
from channelfront.orders.checkout import CheckoutRequest, submit
from channelfront.orders.lines import LineRequest
from channelfront.orders.models import Order
from channelfront.pricing.models import Enrollment, Program
from channelfront.pricing.services import load_terms
from channelfront.quotes import services as quotes
from channelfront.quotes.models import Quote
from channelfront.quotes.services import QuoteInput, QuoteLineInput
from channelfront.tenancy.models import Tenant

BUYER = "buyer@bluebird.example"


def user(email: str) -> User:
    return db.session.scalars(select(User).where(User.email == email)).one()


def tenant(slug: str) -> Tenant:
    return db.session.scalars(select(Tenant).where(Tenant.slug == slug)).one()


def company_id(email: str = BUYER) -> int:
    found = user(email).company_id
    assert found is not None
    return found


def add_customer(
    name: str = "Acme Labs",
    email: str = "it@acme.example",
    *,
    company: int | None = None,
    country: str = "US",
    **fields: object,
) -> Customer:
    """A committed customer of Bluebird (or ``company``) on the active tenant."""
    customer = Customer(
        company_id=company or company_id(),
        company_name=name,
        contact_name="Casey Customer",
        email=email,
        country=country,
        **fields,
    )
    db.session.add(customer)
    db.session.commit()
    return customer


def reseller_user(company: int, email: str, role: str) -> User:
    found = User(
        email=email,
        name=email.split("@")[0].title(),
        password_hash=hash_password(DEMO_PASSWORD),
        kind="reseller",
        role=role,
        company_id=company,
    )
    db.session.add(found)
    db.session.commit()
    return found


def other_company(name: str = "Otter Ltd") -> int:
    """A second reseller in Gold on the active tenant; its id."""
    company = Company(name=name, country="GB")
    db.session.add(company)
    db.session.flush()
    gold = db.session.scalar(select(Program).where(Program.slug == "gold"))
    assert gold is not None
    db.session.add(
        Enrollment(company_id=company.id, program_id=gold.id, credit_limit_minor=1_000_000)
    )
    db.session.commit()
    return company.id


def place_order(customer: Customer, slug: str = "northwind", sku: str = "SHD-STD-1Y") -> Order:
    """An order on account for ``customer``, placed through the checkout service."""
    buyer = user(BUYER)
    terms = load_terms(buyer.company_id)
    assert terms is not None
    request = CheckoutRequest(
        lines=[LineRequest(sku, 1)],
        idempotency_key=uuid.uuid4().hex,
        payment_method="on_account",
        customer_id=customer.id,
    )
    order, created = submit(tenant(slug), buyer, terms, "en", request)
    assert created
    db.session.commit()
    return order


def make_quote(customer: Customer, slug: str = "northwind") -> Quote:
    buyer = user(BUYER)
    terms = load_terms(buyer.company_id)
    assert terms is not None
    data = QuoteInput(lines=[QuoteLineInput("SHD-STD-1Y", 1)], customer_id=customer.id)
    quote = quotes.create(tenant(slug), buyer, terms, data)
    db.session.commit()
    return quote


def set_used(row: Order | Quote | Customer, when: datetime) -> None:
    """Move a row's ``created_at`` (the list's "recent" reads it)."""
    row.created_at = when.astimezone(UTC)
    db.session.commit()
