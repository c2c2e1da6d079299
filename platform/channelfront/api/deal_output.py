"""Marshmallow schemas of what the deal API answers (``deals.output.deal_json`` data)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from channelfront.api.order_output import CustomerSchema, amount, currency, text
from channelfront.deals.models import DealStatus

STATUSES = [s.value for s in DealStatus]


def _date(description: str = "", nullable: bool = False) -> fields.String:
    return fields.String(
        required=True,
        allow_none=nullable,
        metadata={"format": "date", "description": description, "example": "2026-12-31"},
    )


def _moment(nullable: bool = False) -> fields.String:
    return fields.String(required=True, allow_none=nullable, metadata={"format": "date-time"})


class DealLineSchema(Schema):
    sku = fields.String(required=True)
    name = fields.String(required=True)
    quantity = fields.Integer(required=True)


class DealCompanySchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class DealEventSchema(Schema):
    kind = fields.String(required=True, metadata={"example": "registered"})
    at = _moment(nullable=True)
    note = text()


class DealSchema(Schema):
    id = fields.Integer(required=True)
    number = fields.String(required=True, metadata={"example": "NW-D-000001"})
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    external_id = text(description="The CRM's id for the deal.")
    crm_account_id = text()
    crm_opportunity_id = text()
    company = fields.Nested(DealCompanySchema, required=True)
    end_customer = fields.Nested(CustomerSchema, required=True)
    lines = fields.List(fields.Nested(DealLineSchema), required=True)
    currency = currency()
    expected_value = amount("Expected value")
    expected_close = _date()
    competitor = text()
    note = text()
    reason = text(description="The staff's reason for the decision.")
    decided_at = _moment(nullable=True)
    protected_until = _date("While approved, other resellers' deals conflict.", nullable=True)
    conflict_deal_ids = fields.List(
        fields.Integer(),
        required=True,
        metadata={"description": "Other resellers' deals for the same customer and product."},
    )
    quote = text(description="The number of the quote made from the deal.")
    order = text(description="The number of the order that won the deal.")
    created_at = _moment()
    events = fields.List(fields.Nested(DealEventSchema), required=True)


class DealPageSchema(Schema):
    items = fields.List(
        fields.Nested(DealSchema), required=True, metadata={"description": "Newest first."}
    )
    page = fields.Integer(required=True)
    pages = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)
