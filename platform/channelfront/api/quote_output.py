"""Marshmallow schemas of what the quote and special price API answers.

Amounts are decimal strings in the quote's currency; a margin may be negative (a resale
price under the buy price), every other amount is not.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from channelfront.api.order_output import (
    BuyerSchema,
    CustomerBriefSchema,
    CustomerSchema,
    amount,
    crm_id,
    currency,
    deal_field,
    text,
)
from channelfront.api.quote_schemas import PRICING_MODES
from channelfront.api.schemas import DECIMAL
from channelfront.catalog.models import ProductKind
from channelfront.quotes.models import QuoteStatus, SpecialStage, SpecialStatus

SIGNED = r"^-?[0-9]+(\.[0-9]+)?$"
QUOTE_STATUSES = [s.value for s in QuoteStatus]
SPECIAL_STATUSES = [s.value for s in SpecialStatus]
STAGES = [s.value for s in SpecialStage]


def margin(description: str) -> fields.String:
    return fields.String(
        required=True,
        metadata={
            "description": f"{description}: a decimal string, below zero when the resale "
            "price is under the buy price.",
            "example": "36.00",
            "pattern": SIGNED,
        },
    )


def percent(description: str) -> fields.String:
    return fields.String(
        required=True, metadata={"description": description, "example": "12.50", "pattern": DECIMAL}
    )


def number() -> fields.String:
    return fields.String(required=True, metadata={"example": "NW-Q-000001"})


class QuoteLineSchema(Schema):
    id = fields.Integer(
        required=True, metadata={"description": "The `line` of a special price request."}
    )
    sku = fields.String(required=True)
    name = fields.String(required=True, metadata={"description": "In the quote's language."})
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in ProductKind]))
    quantity = fields.Integer(required=True)
    term_months = fields.Integer(required=True, allow_none=True)
    periods = fields.Integer(required=True, metadata={"description": "Billing periods bought."})
    list_price = amount("Unit list price")
    normal_buy_price = amount("Your unit buy price when the line was priced")
    buy_price = amount("Your unit buy price: the approved special price when there is one")
    price_source = fields.String(
        required=True,
        metadata={"description": "Where `buy_price` comes from; `special` for a special price."},
    )
    resale_price = amount("Unit price the end customer pays")
    buy_total = amount("Buy price x quantity x periods")
    resale_total = amount("Resale price x quantity x periods")
    margin = margin("Resale total less buy total")


class QuoteTotalsSchema(Schema):
    list = amount("The lines at list prices")
    buy = amount("What the order costs you, at buy or special prices")
    resale = amount("What the end customer pays")
    margin = margin("Resale less buy")


class PricingOutSchema(Schema):
    mode = fields.String(required=True, validate=validate.OneOf(PRICING_MODES))
    percent = percent("The markup on buy, or the discount off list")


class QuoteEventSchema(Schema):
    kind = fields.String(
        required=True,
        metadata={"description": "A status (draft, sent, viewed, ...) or an update (revised)."},
    )
    revision = fields.Integer(required=True)
    at = fields.DateTime(required=True)
    actor = text(description="Who did it; null for the end customer or the system.")
    note = text()
    data = fields.Dict(keys=fields.String(), required=True)


class CompanyBriefSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class SpecialDecisionOutSchema(Schema):
    decision = fields.String(required=True, metadata={"example": "approve"})
    stage = fields.String(required=True, allow_none=True)
    unit_price = fields.String(
        required=True, allow_none=True, metadata={"example": "85.00", "pattern": DECIMAL}
    )
    comment = text()
    by = text(description="Who decided; null when the rules approved it.")
    at = fields.DateTime(required=True, allow_none=True)


class SpecialPriceSchema(Schema):
    id = fields.Integer(
        required=True, metadata={"description": "Decide at `/special-prices/{id}/decision`."}
    )
    quote_number = number()
    line_id = fields.Integer(
        required=True, allow_none=True, metadata={"description": "Null once the line is gone."}
    )
    sku = fields.String(required=True)
    quantity = fields.Integer(required=True)
    term_months = fields.Integer(required=True, allow_none=True)
    currency = currency()
    normal_unit_price = amount("The unit buy price without it")
    requested_unit_price = amount("The unit buy price asked for")
    discount_percent = percent("How far the asked price is below the normal buy price")
    requested_total = amount("The asked unit price x quantity x periods")
    approved_unit_price = fields.String(
        required=True,
        allow_none=True,
        metadata={
            "description": "The unit buy price approved (or offered, when countered).",
            "pattern": DECIMAL,
        },
    )
    status = fields.String(required=True, validate=validate.OneOf(SPECIAL_STATUSES))
    stage = fields.String(
        required=True,
        allow_none=True,
        validate=validate.OneOf(STAGES),
        metadata={"description": "Who decides it next, while pending."},
    )
    needs_vendor = fields.Boolean(required=True)
    auto_approved = fields.Boolean(required=True)
    justification = fields.String(required=True)
    deal_ref = text()
    comment = text(description="The last decision's comment.")
    valid_until = fields.Date(required=True, metadata={"description": "The quote's validity."})
    company = fields.Nested(CompanyBriefSchema, required=True)
    requested_by = text(description="The requester's name.")
    created_at = fields.DateTime(required=True)
    decided_at = fields.DateTime(required=True, allow_none=True)
    decisions = fields.List(
        fields.Nested(SpecialDecisionOutSchema),
        required=True,
        metadata={"description": "Oldest first."},
    )


class SpecialPricePageSchema(Schema):
    items = fields.List(
        fields.Nested(SpecialPriceSchema), required=True, metadata={"description": "Oldest first."}
    )
    page = fields.Integer(required=True)
    pages = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)


class QuoteSchema(Schema):
    number = number()
    status = fields.String(required=True, validate=validate.OneOf(QUOTE_STATUSES))
    revision = fields.Integer(
        required=True, metadata={"description": "Editing a sent quote makes a new revision."}
    )
    expired = fields.Boolean(required=True, metadata={"description": "Past `valid_until`."})
    currency = currency()
    language = fields.String(required=True, metadata={"example": "en"})
    valid_until = fields.Date(required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)
    sent_at = fields.DateTime(required=True, allow_none=True)
    note = text()
    terms = text()
    license_to_customer = fields.Boolean(required=True)
    deal = deal_field()
    crm_account_id = crm_id("The CRM's account id of the end customer")
    crm_opportunity_id = crm_id("The CRM's opportunity id")
    pricing = fields.Nested(
        PricingOutSchema,
        required=True,
        allow_none=True,
        metadata={"description": "The rule that priced every line; null when priced per line."},
    )
    buyer = fields.Nested(BuyerSchema, required=True)
    end_customer = fields.Nested(CustomerSchema, required=True)
    lines = fields.List(fields.Nested(QuoteLineSchema), required=True)
    totals = fields.Nested(QuoteTotalsSchema, required=True)
    order_number = text(description="The order booked from the quote, once there is one.")
    accepted_as = text(description="`card` (the customer paid) or `invoice`.")
    decline_reason = text()
    events = fields.List(
        fields.Nested(QuoteEventSchema), required=True, metadata={"description": "Oldest first."}
    )
    special_prices = fields.List(
        fields.Nested(SpecialPriceSchema),
        required=True,
        metadata={"description": "The special price requests on its lines, oldest first."},
    )


class QuoteSummarySchema(Schema):
    number = number()
    status = fields.String(required=True, validate=validate.OneOf(QUOTE_STATUSES))
    revision = fields.Integer(required=True)
    currency = currency()
    total = amount("What the end customer pays")
    valid_until = fields.Date(required=True)
    created_at = fields.DateTime(required=True)
    end_customer = fields.Nested(CustomerBriefSchema, required=True)


class QuotePageSchema(Schema):
    items = fields.List(
        fields.Nested(QuoteSummarySchema), required=True, metadata={"description": "Newest first."}
    )
    page = fields.Integer(required=True)
    pages = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)


class QuoteSentSchema(Schema):
    customer_url = fields.String(
        required=True,
        metadata={
            "description": "The signed link mailed to the end customer, on this storefront's "
            "host; it works until the quote expires or is revised.",
            "example": "https://shop.northwind.example/q/eyJ0IjoxfQ.abc",
        },
    )
    quote = fields.Nested(QuoteSchema, required=True)
