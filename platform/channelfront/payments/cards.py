"""A company's saved cards: list, add and remove, all on its Stripe customer."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime

import stripe
from flask_babel import gettext as _

from channelfront.payments import customers
from channelfront.payments.errors import PaymentInputError, PaymentUnavailable
from channelfront.payments.stripe_client import client, configured, local_mode

log = logging.getLogger(__name__)
PAYMENT_METHOD_ID = re.compile(r"^pm_[A-Za-z0-9_]{1,100}$")
# ASCII: "\d" alone also matches other scripts' digits, such as "١٢/٣٤".
EXPIRY = re.compile(r"^([0-9]{1,2})\s*/\s*([0-9]{2}|[0-9]{4})$")


@dataclass(frozen=True)
class CardInput:
    """A card typed into our own test-mode form (never accepted against real Stripe)."""

    number: str
    exp_month: int
    exp_year: int
    cvc: str


def _luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def parse_card(number: str, expiry: str, cvc: str, today: datetime | None = None) -> CardInput:
    """Check a typed card; PaymentInputError names the first bad field."""
    digits = re.sub(r"[\s-]", "", number or "")
    if not digits.isascii() or not digits.isdigit() or not 12 <= len(digits) <= 19:
        raise PaymentInputError("card_number", _("Enter the card number (12 to 19 digits)."))
    if not _luhn_ok(digits):
        raise PaymentInputError("card_number", _("This card number is not valid."))
    match = EXPIRY.match((expiry or "").strip())
    if not match or not 1 <= int(match.group(1)) <= 12:
        raise PaymentInputError("expiry", _("Enter the expiry date as MM/YY."))
    month, year = int(match.group(1)), int(match.group(2))
    year = year + 2000 if year < 100 else year
    now = today or datetime.now(UTC)
    if year > now.year + 20:
        raise PaymentInputError("expiry", _("Enter the expiry date as MM/YY."))
    if (year, month) < (now.year, now.month):
        raise PaymentInputError("expiry", _("This card has expired."))
    code = (cvc or "").strip()
    if not code.isascii() or not code.isdigit() or len(code) not in (3, 4):
        raise PaymentInputError("cvc", _("Enter the 3 or 4 digit security code."))
    return CardInput(digits, month, year, code)


def _describe(method: stripe.PaymentMethod) -> dict[str, str]:
    card = method.card
    return {
        "id": method.id,
        "brand": str(card.brand or "card"),
        "last4": str(card.last4 or ""),
        "exp": f"{int(card.exp_month):02d}/{int(card.exp_year) % 100:02d}",
    }


def saved_cards(company_id: int) -> list[dict[str, str]]:
    """The company's saved cards, newest first; empty without Stripe or a customer."""
    if not configured():
        return []
    customer_id = customers.find_customer(company_id)
    if customer_id is None:
        return []
    try:
        methods = client().v1.payment_methods.list(
            params={"customer": customer_id, "type": "card", "limit": 100}
        )
    except stripe.InvalidRequestError as exc:
        if exc.http_status == 404:
            return []  # the customer is gone from Stripe; a new card recreates it
        raise PaymentUnavailable(str(exc)) from exc
    except stripe.StripeError as exc:
        log.warning("listing cards of %s failed: %s", customer_id, exc)
        raise PaymentUnavailable(str(exc)) from exc
    return [_describe(m) for m in methods.data]


def find_card(
    company_id: int, payment_method_id: object, field: str = "payment_method"
) -> dict[str, str]:
    """One of the company's saved cards by id; PaymentInputError (naming `field`) for any other."""
    pm_id = payment_method_id if isinstance(payment_method_id, str) else ""
    if PAYMENT_METHOD_ID.match(pm_id):
        for card in saved_cards(company_id):
            if card["id"] == pm_id:
                return card
    raise PaymentInputError(field, _("Choose one of your company's saved cards."))


def _attach(company_id: int, payment_method_id: str) -> dict[str, str]:
    customer_id = customers.ensure_customer(company_id)
    api = client().v1.payment_methods
    try:
        method = api.attach(payment_method_id, params={"customer": customer_id})
    except stripe.InvalidRequestError as exc:
        if exc.http_status != 404:
            raise
        # The stored customer may be gone from Stripe: replace it (if so) and try once more.
        fresh = customers.replace_missing_customer(company_id)
        if fresh == customer_id:
            raise
        method = api.attach(payment_method_id, params={"customer": fresh})
    return _describe(method)


def add_card(company_id: int, card: CardInput) -> dict[str, str]:
    """Save a typed card on the company (test mode only: the number passes our server)."""
    if not local_mode():
        raise PaymentInputError("card_number", _("Enter cards in the secure card form."))
    try:
        method = client().v1.payment_methods.create(
            params={
                "type": "card",
                "card": {
                    "number": card.number,
                    "exp_month": card.exp_month,
                    "exp_year": card.exp_year,
                    "cvc": card.cvc,
                },
            }
        )
        return _attach(company_id, method.id)
    except stripe.CardError as exc:
        raise PaymentInputError("card_number", decline_reason(exc)) from exc
    except stripe.InvalidRequestError as exc:
        raise PaymentInputError("card_number", _("Stripe refused this card.")) from exc
    except stripe.StripeError as exc:
        raise PaymentUnavailable(str(exc)) from exc


def add_payment_method(company_id: int, payment_method_id: object) -> dict[str, str]:
    """Save a card created in Stripe's own form (by its PaymentMethod id) on the company."""
    pm_id = payment_method_id if isinstance(payment_method_id, str) else ""
    if not PAYMENT_METHOD_ID.match(pm_id):
        raise PaymentInputError("payment_method", _("The card form did not complete."))
    try:
        return _attach(company_id, pm_id)
    except stripe.CardError as exc:
        raise PaymentInputError("payment_method", decline_reason(exc)) from exc
    except stripe.InvalidRequestError as exc:
        raise PaymentInputError("payment_method", _("Stripe refused this card.")) from exc
    except stripe.StripeError as exc:
        raise PaymentUnavailable(str(exc)) from exc


def remove_card(company_id: int, payment_method_id: object) -> dict[str, str]:
    """Detach one of the company's cards; PaymentInputError for a card it does not own."""
    card = find_card(company_id, payment_method_id)
    try:
        client().v1.payment_methods.detach(card["id"])
    except stripe.StripeError as exc:
        raise PaymentUnavailable(str(exc)) from exc
    return card


def decline_reason(exc: stripe.StripeError) -> str:
    """The buyer-facing reason of a refused card, in the page's language."""
    code = getattr(exc, "code", None) or ""
    reasons = {
        "card_declined": _("The card was declined."),
        "expired_card": _("The card has expired."),
        "incorrect_cvc": _("The card's security code is incorrect."),
        "insufficient_funds": _("The card has insufficient funds."),
        "processing_error": _("The card could not be processed. Please try again."),
        "authentication_required": _("The card issuer asks for authentication."),
    }
    return reasons.get(code, _("The card was declined."))
