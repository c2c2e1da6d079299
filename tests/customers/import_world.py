"""Factories and fixtures for the customer import tests (their own, no other conftest's)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from sqlalchemy import func, select

from channelfront.accounts.models import Company, User
from channelfront.accounts.passwords import hash_password
from channelfront.customers.models import Customer
from channelfront.demo.seed import DEMO_PASSWORD
from channelfront.extensions import db
from channelfront.pricing.models import Enrollment, Program
from channelfront.tenancy.middleware import resolve_tenant
from tests.conftest import HostClient

NW = "northwind.localhost"
BUYER = "buyer@bluebird.example"
HEADER = "company_name,contact_name,email,country,vat_id,crm_account_id"


def bluebird() -> int:
    found = db.session.scalar(select(User.company_id).where(User.email == BUYER))
    assert found is not None
    return found


def customer(name: str, email: str, *, company: int | None = None, **fields: object) -> Customer:
    """A committed customer of Bluebird (or ``company``) on the active tenant."""
    row = Customer(
        company_id=company or bluebird(),
        company_name=name,
        contact_name="Casey Customer",
        email=email,
        country=fields.pop("country", "US"),
        **fields,
    )
    db.session.add(row)
    db.session.commit()
    return row


def count(company: int | None = None) -> int:
    return (
        db.session.scalar(
            select(func.count(Customer.id)).where(Customer.company_id == (company or bluebird()))
        )
        or 0
    )


def snapshot(company: int | None = None) -> list[tuple[object, ...]]:
    """Every customer of the company, as plain values (to prove nothing changed)."""
    columns = (Customer.id, Customer.company_name, Customer.contact_name, Customer.email)
    rest = (Customer.country, Customer.vat_id, Customer.crm_account_id)
    rows = db.session.execute(
        select(*columns, *rest)
        .where(Customer.company_id == (company or bluebird()))
        .order_by(Customer.id)
    )
    return [tuple(row) for row in rows]


def reseller(company: int, email: str, role: str) -> User:
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
    db.session.add(Enrollment(company_id=company.id, program_id=gold.id, credit_limit_minor=0))
    db.session.commit()
    return company.id


def csv_text(*rows: str, header: str = HEADER) -> str:
    return "\r\n".join([header, *rows]) + "\r\n"


@pytest.fixture
def northwind_shop(app: Flask) -> Iterator[None]:
    """A request context on northwind (its tenant active), for service-level tests."""
    context = app.test_request_context("/", base_url=f"http://{NW}")
    context.push()
    resolve_tenant()
    try:
        yield
    finally:
        context.pop()


@pytest.fixture
def signed_in(client_for: Callable[[str], HostClient]) -> Callable[[str], HostClient]:
    def login(email: str) -> HostClient:
        client = client_for(NW)
        response = client.login(email)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return login
