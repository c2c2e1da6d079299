"""Setup steps of the quote concurrency tests, through the app's own services, run with
the server's environment: ``python prepare_quotes.py STEP ARGS...``.

- ``paid-quotes TENANT EMAIL SKU QUANTITY MARKUP COUNT``: COUNT quotes of QUANTITY x SKU
  at MARKUP percent over the buyer's price, each paid by its end customer with a real
  PaymentIntent on the server's (local) Stripe and booked as the customer's page does:
  the order fulfilled, its margin credited. Prints one JSON list of
  ``{"order", "order_id", "note_id", "margin", "intent"}``.
"""

from __future__ import annotations

import json
import sys
import uuid

from sqlalchemy import select

from channelfront import create_app
from channelfront.accounts.models import User
from channelfront.customers.services import CustomerInput
from channelfront.extensions import db
from channelfront.outbox.services import commit_and_dispatch
from channelfront.payments.stripe_client import client
from channelfront.pricing.services import load_terms
from channelfront.quotes import booking, margin, services
from channelfront.quotes.models import QuoteStatus
from channelfront.quotes.services import QuoteInput, QuoteLineInput
from channelfront.tenancy.middleware import resolve_tenant
from channelfront.tenancy.models import Tenant


def _charge(amount_minor: int, currency: str) -> str:
    stripe_api = client()
    method = stripe_api.v1.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2039, "cvc": "123"},
        }
    )
    intent = stripe_api.v1.payment_intents.create(
        params={
            "amount": amount_minor,
            "currency": currency.lower(),
            "payment_method": method.id,
            "confirm": True,
        }
    )
    assert intent.status == "succeeded", intent.status
    return str(intent.id)


def paid_quotes(
    slug: str, email: str, sku: str, quantity: str, markup: str, count: str
) -> list[dict[str, object]]:
    tenant = db.session.scalar(select(Tenant).where(Tenant.slug == slug))
    assert tenant is not None, slug
    buyer = db.session.scalar(select(User).where(User.email == email))
    assert buyer is not None, email
    terms = load_terms(buyer.company_id)
    assert terms is not None
    done = []
    for _index in range(int(count)):
        name = f"Race {uuid.uuid4().hex[:8]}"
        data = QuoteInput(
            lines=[QuoteLineInput(sku, int(quantity))],
            new_customer=CustomerInput(
                company_name=name,
                contact_name="Casey Customer",
                email=f"{name.split()[1]}@race.example",
                country="US",
            ),
            pricing_mode="markup",
            pricing_percent=markup,
        )
        quote = services.create(tenant, buyer, terms, data)
        db.session.flush()
        assert services.move(quote, (QuoteStatus.DRAFT.value,), QuoteStatus.SENT, buyer.id)
        db.session.commit()
        intent = _charge(quote.resale_total_minor, quote.currency)
        order = booking.book(quote, intent, quote.resale_total_minor)
        order_id, number = order.id, order.number
        commit_and_dispatch()  # no broker: the fulfilment runs here
        note = margin.note_of(db.session.get(type(order), order_id))
        assert note is not None
        done.append(
            {
                "order": number,
                "order_id": order_id,
                "note_id": note.id,
                "margin": note.amount_minor,
                "intent": intent,
            }
        )
    return done


STEPS = {"paid-quotes": paid_quotes}

if __name__ == "__main__":
    app = create_app()
    step, args = sys.argv[1], sys.argv[2:]
    with app.test_request_context("/", base_url=f"http://{args[0]}.localhost"):
        resolve_tenant()  # the storefront's request, as the customer's page runs it
        print(json.dumps(STEPS[step](*args)))
