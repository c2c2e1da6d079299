"""Posted storefront forms turned into service inputs; the services check the values."""

from __future__ import annotations

import hashlib
import re

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from channelfront.customers.services import CustomerInput
from channelfront.orders.checkout import CheckoutRequest
from channelfront.orders.errors import OrderInputError
from channelfront.orders.lines import LineRequest, PricedLine
from channelfront.orders.models import PaymentMethod

CARD_ID = re.compile(r"^[A-Za-z0-9_]{3,100}$")
CUSTOMER_FIELDS = ("company_name", "contact_name", "email", "country", "vat_id")
MAX_FIELD = 2000


def sku_text(raw: str) -> str:
    """A SKU to look up: control characters become "?" and it is cut to 41 characters,
    one more than a SKU has, so neither ever matches a product (nor reaches the database)."""
    return "".join(ch if ch.isprintable() else "?" for ch in raw.strip()[:41])


def line_request(form: MultiDict[str, str]) -> LineRequest:
    sku = sku_text(form.get("sku", ""))
    return LineRequest(sku, form.get("quantity", ""), form.get("term", ""))


def cart_digest(lines: list[PricedLine]) -> str:
    """A fingerprint of the lines and prices shown at checkout, to notice a changed cart."""
    shown = ";".join(
        f"{line.product.sku}:{line.quantity}:{line.term_months}:{line.price.buy_price.minor}"
        + (f":renews{line.renews_subscription_id}" if line.renews_subscription_id else "")
        for line in lines
    )
    return hashlib.sha256(shown.encode()).hexdigest()[:32]


def _note(form: MultiDict[str, str]) -> str:
    note = form.get("note", "")[: MAX_FIELD + 1]
    if any(not ch.isprintable() and ch not in "\r\n\t" for ch in note):
        raise OrderInputError("note", _("The note contains characters that are not allowed."))
    return note


def card_choice(form: MultiDict[str, str]) -> str:
    """The saved card (a Stripe PaymentMethod id) chosen on the form."""
    card = form.get("card_payment_method", "").strip()
    if not CARD_ID.match(card):
        raise OrderInputError("card_payment_method", _("Choose a card to pay with."))
    return card


def checkout_request(
    form: MultiDict[str, str], lines: list[PricedLine], require_end_customer: bool
) -> CheckoutRequest:
    """The checkout form as a CheckoutRequest for ``orders.checkout.submit``."""
    choice = form.get("end_customer_choice", "existing")
    new_customer = None
    customer_id: object = None
    if choice == "new":
        new_customer = CustomerInput(
            **{name: form.get(f"new_customer.{name}", "") for name in CUSTOMER_FIELDS}
        )
    elif choice == "existing":
        customer_id = form.get("customer_id", "").strip() or None
        if customer_id is None and require_end_customer:
            raise OrderInputError("end_customer.id", _("Choose one of your customers."))
    method = form.get("payment_method", "")
    card = card_choice(form) if method == PaymentMethod.CARD else None
    return CheckoutRequest(
        lines=[
            LineRequest(
                line.product.sku, line.quantity, line.term_months, line.renews_subscription_id
            )
            for line in lines
        ],
        idempotency_key=form.get("idempotency_key", ""),
        payment_method=method,
        customer_id=customer_id,
        new_customer=new_customer,
        po_number=form.get("po_number", ""),
        note=_note(form),
        notify_end_customer=form.get("notify_end_customer") == "1",
        card_payment_method=card,
        require_end_customer=require_end_customer,
        apply_credit_notes=form.get("apply_credit_notes") == "1",
        quote_number=form.get("quote_number", "").strip()[:24] or None,
    )
