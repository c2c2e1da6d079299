"""What the quote page tests build besides quotes: another reseller, a viewer, a placed
order, the quote form's fields, and the prices a line has (to check numbers on a page)."""

from __future__ import annotations

import re
import uuid

from babel.numbers import format_currency
from sqlalchemy import func, select

from channelfront.accounts.models import Company, User
from channelfront.accounts.passwords import hash_password
from channelfront.demo.seed import DEMO_PASSWORD
from channelfront.extensions import db
from channelfront.i18n.formatting import Money
from channelfront.orders.checkout import CheckoutRequest, submit
from channelfront.orders.lines import LineRequest, PricedLine, price_lines
from channelfront.orders.models import Order
from channelfront.pricing.models import Enrollment, Program
from channelfront.quotes.models import Quote
from tests.quotes.world import BUYER, Shop, customer

NUMBER = re.compile(r'<tr data-quote="([A-Z]+-Q-\d{6})"')


def reseller_user(company_id: int, email: str, role: str = "buyer") -> User:
    user = User(
        email=email,
        name=email.split("@")[0].title(),
        password_hash=hash_password(DEMO_PASSWORD),
        kind="reseller",
        role=role,
        company_id=company_id,
    )
    db.session.add(user)
    db.session.commit()
    return user


def other_reseller(shop: Shop) -> str:
    """Otter Ltd, a second reseller in Gold on the shop; its buyer's e-mail."""
    company = Company(name="Otter Ltd", country="GB")
    db.session.add(company)
    db.session.flush()
    gold = db.session.scalar(select(Program).where(Program.slug == "gold"))
    db.session.add(
        Enrollment(company_id=company.id, program_id=gold.id, credit_limit_minor=1_000_000)
    )
    return reseller_user(company.id, "buyer@otter.example").email


def place_order(shop: Shop, lines: list[LineRequest] | None = None, buyer: str = BUYER) -> Order:
    """An order on account with a new end customer, placed through the checkout service."""
    request = CheckoutRequest(
        lines=lines or [LineRequest("SHD-STD-1Y", 2), LineRequest("INS-PERP", 1)],
        idempotency_key=uuid.uuid4().hex,
        payment_method="on_account",
        new_customer=customer("Order Customer Inc", "buyer@ordercustomer.example"),
    )
    order, created = submit(shop.tenant, shop.user(buyer), shop.terms(buyer), "en", request)
    assert created
    db.session.commit()
    return order


def priced(shop: Shop, sku: str, quantity: int = 1) -> PricedLine:
    """The line as the buyer would pay for it today (list and buy price)."""
    [line] = price_lines(shop.terms(), shop.tenant.currency, "en", [LineRequest(sku, quantity)])
    return line


def shown(minor: int, currency: str = "USD") -> str:
    """An amount as an English page shows it."""
    return format_currency(Money(minor, currency).amount, currency, locale="en")


def quote_form(**fields: str) -> dict[str, str]:
    """The new quote form as a buyer fills it: a new end customer, one line."""
    values = {
        "end_customer_choice": "new",
        "new_customer.company_name": "Acme Labs",
        "new_customer.contact_name": "Casey Customer",
        "new_customer.email": "it@acme.example",
        "new_customer.country": "US",
        "lines[0].sku": "SHD-STD-1Y",
        "lines[0].quantity": "2",
        "pricing_mode": "line",
        "language": "en",
        "note": "Thanks for asking",
        "terms": "Net 30",
    }
    values.update(fields)
    return values


def quote_count() -> int:
    return db.session.scalar(select(func.count(Quote.id))) or 0


def the_quote(number: str) -> Quote:
    db.session.expire_all()
    return db.session.scalars(select(Quote).where(Quote.number == number)).one()
