"""Quote test factories: a storefront as its requests see it, end customers, and quotes
built through the services a reseller's page uses (``make_quote``), committed like a
request would. The fixtures that enter a storefront are in this folder's conftest."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from channelfront.accounts.models import User
from channelfront.customers.services import CustomerInput
from channelfront.extensions import db
from channelfront.pricing.services import PartnerTerms, load_terms
from channelfront.quotes import services
from channelfront.quotes.models import Quote, QuoteStatus
from channelfront.quotes.services import QuoteInput, QuoteLineInput
from channelfront.tenancy.models import Tenant

BUYER = "buyer@bluebird.example"


@dataclass
class Shop:
    """One storefront as its own requests see it (queries keep to its rows)."""

    tenant: Tenant

    def user(self, email: str) -> User:
        return db.session.scalars(select(User).where(User.email == email)).one()

    def terms(self, email: str = BUYER) -> PartnerTerms:
        terms = load_terms(self.user(email).company_id)
        assert terms is not None
        return terms


def customer(name: str = "Acme Labs", email: str = "it@acme.example") -> CustomerInput:
    return CustomerInput(
        company_name=name, contact_name="Casey Customer", email=email, country="US"
    )


def make_quote(
    shop: Shop,
    lines: list[tuple] | None = None,
    buyer: str = BUYER,
    status: QuoteStatus = QuoteStatus.DRAFT,
    **fields: object,
) -> Quote:
    """A committed quote. ``lines``: (sku, quantity[, term[, resale price]]) tuples."""
    wanted = [QuoteLineInput(*line) for line in (lines or [("SHD-STD-1Y", 2)])]
    if "customer_id" not in fields:
        fields.setdefault("new_customer", customer())
    data = QuoteInput(lines=wanted, **fields)  # type: ignore[arg-type]
    quote = services.create(shop.tenant, shop.user(buyer), shop.terms(buyer), data)
    db.session.flush()
    if status != QuoteStatus.DRAFT:
        assert services.move(quote, (QuoteStatus.DRAFT.value,), QuoteStatus.SENT)
    if status not in (QuoteStatus.DRAFT, QuoteStatus.SENT):
        assert services.move(quote, (QuoteStatus.SENT.value,), status)
    db.session.commit()
    return quote
