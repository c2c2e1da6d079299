"""The card an end customer pays with on a page without an account (a renewal, a quote).

In test mode (``local_mode``) the page takes typed card fields and we make the
PaymentMethod ourselves; with a publishable key Stripe's own form (Elements) makes it
in the browser and the page posts only its ``pm_...`` id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from channelfront.payments.cards import CardInput, parse_card
from channelfront.payments.errors import PaymentInputError, PaymentUnavailable
from channelfront.payments.stripe_client import client, elements_mode, local_mode

PAYMENT_METHOD_ID = re.compile(r"^pm_[A-Za-z0-9_]{1,100}$")


@dataclass(frozen=True)
class CardSource:
    """A typed card (test mode only) or a PaymentMethod made by Stripe's own form."""

    card: CardInput | None = None
    payment_method_id: str | None = None


def card_source(form: MultiDict[str, str]) -> CardSource:
    """The card on a payment form; PaymentInputError names the bad field."""
    if local_mode():
        return CardSource(
            card=parse_card(
                form.get("card_number", ""), form.get("expiry", ""), form.get("cvc", "")
            )
        )
    if elements_mode():
        pm_id = form.get("payment_method", "")
        if not PAYMENT_METHOD_ID.match(pm_id):
            raise PaymentInputError("payment_method", _("The card form did not complete."))
        return CardSource(payment_method_id=pm_id)
    raise PaymentUnavailable("Stripe is not configured")


def payment_method(source: CardSource) -> str:
    """The PaymentMethod id to charge: Elements' own, or one made from the typed card."""
    if source.payment_method_id:
        return source.payment_method_id
    card = source.card
    assert card is not None
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
    return str(method.id)
