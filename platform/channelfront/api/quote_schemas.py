"""Marshmallow schemas of the quote and special price API's input.

Shapes, JSON types and lengths are checked here (400, naming the path); what depends on
the catalog, the customer list, the dates or the amounts is checked by the quote
services (422). Unknown fields are refused, so a misspelt field is never ignored.
"""

from __future__ import annotations

import re
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from channelfront.api.order_schemas import (
    MAX_LINES,
    EndCustomerField,
    StrictBoolean,
    WholeNumber,
    ref,
)
from channelfront.api.schemas import DECIMAL, MAX_SKU_LENGTH, PRINTABLE, QueryInteger
from channelfront.catalog.params import MAX_PAGE
from channelfront.orders.lines import MAX_QUANTITY, MAX_TERM_MONTHS
from channelfront.quotes.models import QuoteStatus, SpecialStatus
from channelfront.quotes.services import MAX_NOTE_LENGTH, MAX_TERMS_LENGTH

MAX_QUOTE_NUMBER_LENGTH = 24
QUOTE_NUMBER_PATTERN = r"^[A-Za-z0-9-]+$"
MAX_ID = 2**31 - 1
# What prices.parse_amount and parse_percent read: at most 20 characters.
MAX_DECIMAL_LENGTH = 20
MAX_JUSTIFICATION = 2000
MAX_COMMENT = 2000
MAX_DEAL_REF = 80
PRICING_MODES = ["markup", "discount"]
SPECIAL_DECISIONS = ["approve", "counter", "decline"]
ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
PRINTABLE_TEXT = re.compile(r"^[^\x00-\x1f\x7f]*$")


class IsoDate(fields.Date):
    """``YYYY-MM-DD`` only: marshmallow also reads ``20270101`` and ``2027-W01-1``, which
    the document's ``format: date`` does not allow."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, str) or not ISO_DATE.match(value):
            raise self.make_error("invalid", input=value)
        return super()._deserialize(value, attr, data, **kwargs)


def one_line(value: str) -> None:
    """Python's ``$`` also matches before a final newline, which the document's (ECMA)
    pattern does not allow: refuse it here."""
    if "\n" in value:
        raise ValidationError("A decimal number such as 12.50.")


def decimal_text(description: str, example: str, **kwargs: Any) -> fields.String:
    """A decimal string ("12.50"); whether its decimals fit is the service's to say (422)."""
    return fields.String(
        validate=[
            validate.Length(min=1, max=MAX_DECIMAL_LENGTH),
            validate.Regexp(DECIMAL, error="A decimal number such as 12.50."),
            one_line,
        ],
        metadata={"description": description, "example": example},
        **kwargs,
    )


class QuoteLineInputSchema(Schema):
    sku = fields.String(
        required=True,
        validate=[validate.Length(min=1, max=MAX_SKU_LENGTH), PRINTABLE],
        metadata={"example": "SHD-STD-1Y"},
    )
    quantity = WholeNumber(
        required=True,
        validate=validate.Range(min=1, max=MAX_QUANTITY),
        metadata={"description": "Seats or units, a whole number.", "example": 5},
    )
    term = WholeNumber(
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=1, max=MAX_TERM_MONTHS),
        metadata={
            "description": "Months, for subscriptions only: a whole multiple of the product's "
            "billing period. Default: one period."
        },
    )
    resale_price = decimal_text(
        "The unit price the end customer pays, in the storefront's currency (major units, "
        "at most its decimals). Default: the list price. Not with `pricing`.",
        "120.00",
        load_default=None,
        allow_none=True,
    )


class PricingSchema(Schema):
    """One resale rule for every line, instead of per-line prices."""

    mode = fields.String(
        required=True,
        validate=validate.OneOf(PRICING_MODES),
        metadata={
            "description": "`markup`: percent on your buy price; `discount`: percent off list.",
            "example": "markup",
        },
    )
    percent = decimal_text(
        "At most two decimals; up to 1000 for a markup, 100 for a discount.",
        "12.5",
        required=True,
    )


class QuoteRequestSchema(Schema):
    end_customer = EndCustomerField(
        required=True,
        metadata={
            "oneOf": [ref("CustomerRef"), ref("NewCustomer")],
            "description": 'An existing customer (`{"id": ...}`) or a new one, which joins '
            "the company's customer list.",
        },
    )
    lines = fields.List(
        fields.Nested(QuoteLineInputSchema),
        required=True,
        validate=validate.Length(min=1, max=MAX_LINES),
        metadata={"description": "Each SKU at most once."},
    )
    # Not nullable: OpenAPI 3.0 can only say "null" as "any object", which is not so.
    pricing = fields.Nested(
        PricingSchema,
        load_default=dict,
        allow_none=False,
        metadata={"description": "Price every line by one rule; lines then carry no price."},
    )
    valid_until = IsoDate(
        load_default=None,
        allow_none=True,
        metadata={
            "description": "The last day the customer may accept it: from today, at most "
            "365 days ahead. Default: 30 days from today."
        },
    )
    language = fields.String(
        load_default="",
        validate=[validate.Length(max=8), PRINTABLE],
        metadata={
            "description": "The end customer's language, one of the storefront's. "
            "Default: the storefront's.",
            "example": "en",
        },
    )
    note = fields.String(
        load_default="",
        validate=validate.Length(max=MAX_NOTE_LENGTH),
        metadata={"description": "Shown to the end customer.", "example": "Thanks, Ada!"},
    )
    terms = fields.String(
        load_default="",
        validate=validate.Length(max=MAX_TERMS_LENGTH),
        metadata={"description": "Your own terms, shown to the end customer."},
    )
    license_to_customer = StrictBoolean(
        load_default=False,
        metadata={"description": "Also deliver the license keys to the end customer."},
    )


class QuoteQuerySchema(Schema):
    status = fields.String(
        validate=validate.OneOf([s.value for s in QuoteStatus]),
        metadata={"description": "Quotes in this status now."},
    )
    customer = QueryInteger(
        validate=validate.Range(min=1, max=MAX_ID),
        metadata={"description": "An end customer's id: that customer's quotes."},
    )
    q = fields.String(
        validate=[validate.Length(min=1, max=100), PRINTABLE],
        metadata={"description": "Quote number or end customer's company name contains this."},
    )
    page = QueryInteger(
        load_default=1,
        validate=validate.Range(min=1, max=MAX_PAGE),
        metadata={"description": "Page number; a page past the last answers the last page."},
    )


class LineField(fields.Field[Any]):
    """A quote line by its id (an integer) or by its SKU (a string)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise ValidationError("Give the line's id (a number) or its SKU (text).")
        if isinstance(value, int) and not 1 <= value <= MAX_ID:
            raise ValidationError(f"A line id is from 1 to {MAX_ID}.")
        if isinstance(value, str) and not (
            0 < len(value) <= MAX_SKU_LENGTH and PRINTABLE_TEXT.match(value)
        ):
            raise ValidationError(f"A SKU has 1 to {MAX_SKU_LENGTH} printable characters.")
        return value


class SpecialPriceRequestSchema(Schema):
    line = LineField(
        required=True,
        metadata={
            "oneOf": [
                {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": MAX_SKU_LENGTH,
                    "pattern": PRINTABLE_TEXT.pattern,
                },
            ],
            "description": "The quote line: its `id` from the quote, or its SKU.",
            "example": "SHD-STD-1Y",
        },
    )
    unit_price = decimal_text(
        "The unit buy price you ask for (major units). Give this or `discount_percent`.",
        "80.00",
        load_default=None,
        allow_none=True,
    )
    discount_percent = decimal_text(
        "Percent off your normal buy price. Give this or `unit_price`.",
        "10",
        load_default=None,
        allow_none=True,
    )
    justification = fields.String(
        required=True,
        validate=validate.Length(min=1, max=MAX_JUSTIFICATION),
        metadata={"description": "Why the deal needs it.", "example": "Competing offer."},
    )
    deal_ref = fields.String(
        load_default=None,
        allow_none=True,
        validate=[validate.Length(max=MAX_DEAL_REF), PRINTABLE],
        metadata={"description": "The registered deal, if there is one."},
    )


class SpecialPriceQuerySchema(Schema):
    status = fields.String(
        validate=validate.OneOf([s.value for s in SpecialStatus]),
        metadata={"description": "Requests in this status now (`pending`: to decide)."},
    )
    page = QueryInteger(
        load_default=1,
        validate=validate.Range(min=1, max=MAX_PAGE),
        metadata={"description": "Page number; a page past the last answers the last page."},
    )


class SpecialDecisionSchema(Schema):
    decision = fields.String(
        required=True,
        validate=validate.OneOf(SPECIAL_DECISIONS),
        metadata={"example": "approve"},
    )
    unit_price = decimal_text(
        "Approve at this unit price instead of the one asked for, or the counter offer's "
        "price (required to counter).",
        "85.00",
        load_default=None,
        allow_none=True,
    )
    comment = fields.String(
        load_default="",
        validate=validate.Length(max=MAX_COMMENT),
        metadata={"description": "Shown to the requester.", "example": "Approved for this deal."},
    )


def valid_quote_number(number: str) -> bool:
    return len(number) <= MAX_QUOTE_NUMBER_LENGTH and bool(
        re.fullmatch(QUOTE_NUMBER_PATTERN, number)
    )
