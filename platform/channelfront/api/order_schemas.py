"""Marshmallow schemas of the order API's input: the order body and the history query.

Shapes and ranges are checked here (400); what depends on the catalog, the customer
list or the credit line is checked by the order services (422). Unknown fields are
refused everywhere, so a misspelt field is never silently ignored.
"""

from __future__ import annotations

import re
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from channelfront.api.schemas import MAX_SKU_LENGTH, PRINTABLE, QueryInteger
from channelfront.catalog.params import MAX_PAGE
from channelfront.orders.checkout import IDEMPOTENCY_KEY, MAX_NOTE_LENGTH, MAX_PO_LENGTH
from channelfront.orders.lines import MAX_QUANTITY, MAX_TERM_MONTHS
from channelfront.orders.models import OrderStatus

MAX_LINES = 200
MAX_ORDER_NUMBER_LENGTH = 20
ORDER_NUMBER_PATTERN = r"^[A-Za-z0-9-]+$"
PAYMENT_METHOD_ID = r"^pm_[A-Za-z0-9_]{1,100}$"
IDEMPOTENCY_KEY_PATTERN = IDEMPOTENCY_KEY.pattern
COUNTRY = r"^[A-Za-z]{2}$"
# The customer service's e-mail rule, spelt without \s: JSON Schema (ECMA) and Python
# disagree on which characters are whitespace, and the document must say what we do.
_ADDRESS = r"[^@\x00-\x20\x7f]"
EMAIL = rf"^{_ADDRESS}{{1,64}}@{_ADDRESS}{{1,189}}\.[^@\x00-\x20\x7f.]{{2,}}$"


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


class WholeNumber(fields.Integer):
    """A JSON integer: strings, fractions and booleans are refused."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(strict=True, **kwargs)


class StrictBoolean(fields.Boolean):
    """A JSON true or false: 0, 1 and strings are refused."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class LineInputSchema(Schema):
    sku = fields.String(
        required=True,
        validate=[validate.Length(min=1, max=MAX_SKU_LENGTH), PRINTABLE],
        metadata={"example": "SHD-STD-1Y"},
    )
    quantity = WholeNumber(
        required=True,
        validate=validate.Range(min=1, max=MAX_QUANTITY),
        metadata={"description": "Seats or units, a whole number.", "example": 2},
    )
    term = WholeNumber(
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=1, max=MAX_TERM_MONTHS),
        metadata={
            "description": "Months, for subscriptions only: a whole multiple of the product's "
            "billing period (`term_months` of the product). Default: one period."
        },
    )


class CustomerRefSchema(Schema):
    """One of the company's existing end customers."""

    id = WholeNumber(
        required=True,
        validate=validate.Range(min=1, max=2**31 - 1),
        metadata={"description": "An id from `GET /customers`.", "example": 1},
    )


class NewCustomerSchema(Schema):
    """A new end customer, added to the company's customer list with the order."""

    company_name = fields.String(
        required=True,
        validate=[validate.Length(min=1, max=160), PRINTABLE],
        metadata={"example": "Acme Corp"},
    )
    contact_name = fields.String(
        required=True,
        validate=[validate.Length(min=1, max=120), PRINTABLE],
        metadata={"example": "Ada Acme"},
    )
    email = fields.String(
        required=True,
        validate=[
            validate.Length(max=254),
            validate.Regexp(EMAIL, error="Not a valid e-mail address."),
        ],
        metadata={"example": "ada@acme.example"},
    )
    country = fields.String(
        required=True,
        validate=validate.Regexp(COUNTRY, error="A two-letter country code."),
        metadata={"description": "ISO 3166 alpha-2.", "example": "US"},
    )
    vat_id = fields.String(
        load_default="",
        validate=[validate.Length(max=24), PRINTABLE],
        metadata={"description": "Optional VAT id.", "example": "DE123456789"},
    )


class EndCustomerField(fields.Field):
    """Either ``{"id": ...}`` or the fields of a new customer; documented as ``oneOf``."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, dict):
            raise ValidationError("Give an object: {id} or a new customer's fields.")
        schema: Schema = CustomerRefSchema() if "id" in value else NewCustomerSchema()
        return {"kind": "id" if "id" in value else "new", **schema.load(value)}


class OnAccountPaymentSchema(Schema):
    method = fields.String(required=True, validate=validate.OneOf(["on_account"]))


class CardPaymentSchema(Schema):
    method = fields.String(required=True, validate=validate.OneOf(["card"]))
    payment_method = fields.String(
        required=True,
        validate=validate.Regexp(PAYMENT_METHOD_ID, error="A saved card's id, pm_..."),
        metadata={"description": "A saved card of the company (Stripe PaymentMethod id)."},
    )


class PaymentField(fields.Field):
    """``{"method": "on_account"}`` or ``{"method": "card", "payment_method": "pm_..."}``."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, dict):
            raise ValidationError("Give an object with a method.")
        if value.get("method") == "card":
            return CardPaymentSchema().load(value)
        if value.get("method") == "on_account":
            return OnAccountPaymentSchema().load(value)
        raise ValidationError({"method": ["Must be one of: on_account, card."]})


class OrderRequestSchema(Schema):
    lines = fields.List(
        fields.Nested(LineInputSchema),
        required=True,
        validate=validate.Length(min=1, max=MAX_LINES),
        metadata={"description": "Each SKU at most once."},
    )
    end_customer = EndCustomerField(
        metadata={
            "oneOf": [ref("CustomerRef"), ref("NewCustomer")],
            "description": "Required where the reseller's program asks for an end customer, "
            "or, when the program does not say, the storefront (all demo storefronts do).",
        },
    )
    po_number = fields.String(
        load_default="",
        validate=[validate.Length(max=MAX_PO_LENGTH), PRINTABLE],
        metadata={"example": "PO-2026-117"},
    )
    note = fields.String(
        load_default="", validate=validate.Length(max=MAX_NOTE_LENGTH), metadata={"example": ""}
    )
    notify_end_customer = StrictBoolean(
        load_default=False,
        metadata={"description": "Also mail the license keys to the end customer."},
    )
    payment = PaymentField(
        required=True,
        metadata={"oneOf": [ref("OnAccountPayment"), ref("CardPayment")]},
    )


class OrderQuerySchema(Schema):
    customer = QueryInteger(
        validate=validate.Range(min=1, max=2**31 - 1),
        metadata={"description": "An end customer's id: that customer's orders."},
    )
    status = fields.String(
        validate=validate.OneOf([s.value for s in OrderStatus]),
        metadata={"description": "Orders in this status now."},
    )
    from_ = fields.Date(
        data_key="from", metadata={"description": "Placed on or after this day (UTC)."}
    )
    to = fields.Date(
        metadata={"description": "Placed on or before this day (UTC); before `from` matches none."}
    )
    po = fields.String(
        validate=[validate.Length(min=1, max=MAX_PO_LENGTH), PRINTABLE],
        metadata={"description": "PO number contains this text (any case)."},
    )
    page = QueryInteger(
        load_default=1,
        validate=validate.Range(min=1, max=MAX_PAGE),
        metadata={"description": "Page number; a page past the last answers the last page."},
    )


class CustomerQuerySchema(Schema):
    q = fields.String(
        load_default="",
        validate=[validate.Length(max=100), PRINTABLE],
        metadata={"description": "Part of the company name, contact name or e-mail."},
    )
    limit = QueryInteger(
        load_default=50,
        validate=validate.Range(min=1, max=100),
        metadata={"description": "At most this many customers, by company name."},
    )


def valid_order_number(number: str) -> bool:
    return len(number) <= MAX_ORDER_NUMBER_LENGTH and bool(
        re.fullmatch(ORDER_NUMBER_PATTERN, number)
    )
