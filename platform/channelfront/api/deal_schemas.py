"""Marshmallow schemas of the deal API's input: shapes, JSON types and lengths (400,
naming the path); the catalog, customer list, dates and amounts are the deal services'
to check (422). Unknown fields are refused."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from channelfront.api.order_schemas import MAX_LINES, EndCustomerField, WholeNumber, ref
from channelfront.api.quote_schemas import MAX_ID, IsoDate, decimal_text
from channelfront.api.schemas import MAX_SKU_LENGTH, PRINTABLE, QueryInteger
from channelfront.catalog.params import MAX_PAGE
from channelfront.deals.decisions import DECISIONS, MAX_REASON
from channelfront.deals.models import DealStatus
from channelfront.deals.services import (
    MAX_COMPETITOR,
    MAX_CRM_ACCOUNT_ID,
    MAX_EXTERNAL_ID,
    MAX_NOTE,
)
from channelfront.orders.lines import MAX_QUANTITY

MAX_DEAL_NUMBER_LENGTH = 24


def _line_text(max_length: int, description: str, example: str) -> fields.String:
    return fields.String(
        load_default="",
        validate=[validate.Length(max=max_length), PRINTABLE],
        metadata={"description": description, "example": example},
    )


class DealLineInputSchema(Schema):
    sku = fields.String(
        required=True,
        validate=[validate.Length(min=1, max=MAX_SKU_LENGTH), PRINTABLE],
        metadata={"example": "SHD-STD-1Y"},
    )
    quantity = WholeNumber(
        required=True,
        validate=validate.Range(min=1, max=MAX_QUANTITY),
        metadata={"description": "Seats or units, a whole number.", "example": 50},
    )


class DealRequestSchema(Schema):
    external_id = _line_text(
        MAX_EXTERNAL_ID,
        "Your CRM's id for the deal; unique per company (a repeat is 409).",
        "006Dn000004XyZa",
    )
    end_customer = EndCustomerField(
        required=True,
        metadata={
            "oneOf": [ref("CustomerRef"), ref("NewCustomer")],
            "description": 'An existing customer (`{"id": ...}`) or a new one, which joins '
            "the company's customer list.",
        },
    )
    lines = fields.List(
        fields.Nested(DealLineInputSchema),
        required=True,
        validate=validate.Length(min=1, max=MAX_LINES),
        metadata={"description": "Products you are authorized for, each SKU at most once."},
    )
    expected_value = decimal_text(
        "The opportunity's expected value in the storefront's currency (major units).",
        "25000.00",
        required=True,
    )
    expected_close = IsoDate(
        required=True, metadata={"description": "Today or later.", "example": "2026-12-31"}
    )
    competitor = _line_text(MAX_COMPETITOR, "The competing vendor, if any.", "Contoso")
    note = fields.String(
        load_default="", validate=validate.Length(max=MAX_NOTE), metadata={"example": ""}
    )
    crm_account_id = _line_text(
        MAX_CRM_ACCOUNT_ID,
        "Your CRM's account id for the end customer. Default: the customer's.",
        "001Dn00000ABCde",
    )
    crm_opportunity_id = _line_text(80, "Your CRM's opportunity id.", "006Dn000004XyZa")


class DealQuerySchema(Schema):
    status = fields.String(
        validate=validate.OneOf([s.value for s in DealStatus]),
        metadata={"description": "Deals in this status now."},
    )
    page = QueryInteger(
        load_default=1,
        validate=validate.Range(min=1, max=MAX_PAGE),
        metadata={"description": "Page number; a page past the last answers the last page."},
    )


class DealDecisionSchema(Schema):
    decision = fields.String(
        required=True, validate=validate.OneOf(list(DECISIONS)), metadata={"example": "approve"}
    )
    reason = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=MAX_REASON),
        metadata={"description": "Required to decline.", "example": "Registered first."},
    )


DEAL_ID_MAX = MAX_ID
