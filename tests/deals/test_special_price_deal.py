"""A special price request on a deal's quote names the deal on the decision pages: the
partner manager's and the vendor console's (number, CRM id, protected until)."""

from __future__ import annotations

import html

from flask import g
from sqlalchemy import select

from channelfront.accounts.models import User
from channelfront.extensions import db
from channelfront.outbox.services import commit_and_dispatch
from channelfront.pricing.models import Enrollment
from channelfront.quotes import special_requests, special_rules
from tests.deals.test_conversion import BUYER, quote_by_services

MANAGER = "partners@northwind.example"
VENDOR = "admin@nimbus.example"


def user(email: str) -> User:
    return db.session.scalars(select(User).where(User.email == email)).one()


def vendor_rule(currency: str) -> None:
    """Bluebird's tier sends requests of more than 10 % off to the vendor."""
    enrollment = db.session.scalars(
        select(Enrollment).where(
            Enrollment.company_id == user(BUYER).company_id, Enrollment.tenant_id == g.tenant.id
        )
    ).one()
    special_rules.save(
        enrollment.program, user(MANAGER), special_rules.RuleInput("", "", "10", ""), currency
    )
    commit_and_dispatch()


def signed_in(client_for, email: str, host: str):  # type: ignore[no-untyped-def]
    client = client_for(host)
    assert client.login(email).status_code == 302
    return client


def test_the_deal_is_on_both_decision_pages(approved_deal, client_for, on_northwind) -> None:
    deal = approved_deal()
    quote = quote_by_services(deal)
    vendor_rule(quote.currency)
    row = special_requests.request_price(
        quote, quote.lines[0], user(BUYER), unit_price="60.00", justification="Against a rival"
    )
    commit_and_dispatch()
    assert row.deal_id == deal["id"]
    assert row.needs_vendor
    protected = deal["protected_until"]

    manager = signed_in(client_for, MANAGER, "northwind.localhost")
    vendor = signed_in(client_for, VENDOR, "admin.localhost")
    for client, path in (
        (manager, f"/partners/special-prices/{row.id}"),
        (vendor, f"/admin/special-prices/{row.id}"),
    ):
        answer = client.get(path)
        assert answer.status_code == 200, path
        page = html.unescape(answer.get_data(as_text=True))
        assert f'data-deal="{deal["number"]}"' in page, path
        assert "CRM deal CRM-DEAL-1" in page
        assert "protected until" in page
        assert protected[:4] in page


def test_a_request_without_a_deal_shows_none(client_for, on_northwind, approved_deal) -> None:

    from channelfront.customers.services import CustomerInput
    from channelfront.pricing.services import load_terms
    from channelfront.quotes.services import QuoteInput, QuoteLineInput, create
    from channelfront.tenancy.models import Tenant

    buyer = user(BUYER)
    terms = load_terms(buyer.company_id)
    assert terms is not None
    quote = create(
        db.session.get(Tenant, g.tenant.id),
        buyer,
        terms,
        QuoteInput(
            lines=[QuoteLineInput("SHD-STD-1Y", 2)],
            new_customer=CustomerInput(
                company_name="Plain Co", contact_name="P", email="p@plain.example", country="US"
            ),
        ),
    )
    db.session.commit()
    row = special_requests.request_price(
        quote, quote.lines[0], buyer, unit_price="80.00", justification="Volume"
    )
    commit_and_dispatch()
    assert row.deal_id is None
    page = signed_in(client_for, MANAGER, "northwind.localhost").get(
        f"/partners/special-prices/{row.id}"
    )
    assert page.status_code == 200
    assert "registered-deal" not in page.get_data(as_text=True)
