"""Marshmallow schemas of what the read-only API answers; amounts are decimal strings."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from channelfront.api.order_output import CustomerBriefSchema, currency, text
from channelfront.api.order_output import amount as money
from channelfront.api.quote_output import CompanyBriefSchema
from channelfront.api.readonly_schemas import SUBSCRIPTION_STATES
from channelfront.catalog.models import ProductKind

SIGNED_DECIMAL = r"^-?[0-9]+(\.[0-9]+)?$"
INVOICE_STATES = ["open", "overdue", "paid"]


def signed(description: str) -> fields.String:
    """An amount that may be negative (clawbacks larger than earnings)."""
    return fields.String(
        required=True,
        metadata={
            "description": f"{description}: a decimal string with the currency's decimals, "
            "negative when clawbacks outweigh earnings.",
            "example": "1250.00",
            "pattern": SIGNED_DECIMAL,
        },
    )


def paging(item: type[Schema], order: str) -> dict[str, fields.Field]:
    return {
        "items": fields.List(fields.Nested(item), required=True, metadata={"description": order}),
        "page": fields.Integer(required=True),
        "pages": fields.Integer(required=True),
        "per_page": fields.Integer(required=True),
        "total": fields.Integer(required=True),
    }


class SubscriptionItemSchema(Schema):
    id = fields.Integer(required=True)
    sku = fields.String(required=True, metadata={"example": "SHD-STD-1Y"})
    product_name = fields.String(required=True, metadata={"description": "In the language."})
    quantity = fields.Integer(required=True)
    term_months = fields.Integer(required=True)
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    renewal_date = fields.Date(
        required=True,
        allow_none=True,
        metadata={"description": "When the next term starts (the end); null once cancelled."},
    )
    status = fields.String(required=True, validate=validate.OneOf(SUBSCRIPTION_STATES))
    end_customer = fields.Nested(CustomerBriefSchema, required=True)
    order_number = fields.String(
        required=True, metadata={"description": "The order that started it.", "example": "NW-1"}
    )
    company = fields.Nested(CompanyBriefSchema, required=True)


SubscriptionPageSchema = Schema.from_dict(
    paging(SubscriptionItemSchema, "Renewing first."), name="SubscriptionPageSchema"
)


class InvoiceLineSchema(Schema):
    sku = fields.String(required=True)
    name = fields.String(required=True, metadata={"description": "As it was when ordered."})
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in ProductKind]))
    quantity = fields.Integer(required=True)
    term_months = fields.Integer(required=True, allow_none=True)
    unit_price = money("Unit price")
    total = money("Line total")


class InvoiceItemSchema(Schema):
    number = fields.String(required=True, metadata={"example": "NW-INV-000045"})
    order_number = fields.String(required=True, metadata={"example": "NW-000045"})
    status = fields.String(required=True, validate=validate.OneOf(["open", "paid"]))
    state = fields.String(
        required=True,
        validate=validate.OneOf(INVOICE_STATES),
        metadata={"description": "`overdue` is an open invoice past its due date (UTC)."},
    )
    issued_on = fields.Date(required=True)
    due_on = fields.Date(required=True)
    paid_at = fields.DateTime(required=True, allow_none=True)
    currency = currency()
    total = money("What the company pays: the order's total less credit notes")
    po_number = text()
    end_customer = fields.Nested(CustomerBriefSchema, required=True, allow_none=True)
    company = fields.Nested(CompanyBriefSchema, required=True)
    url = fields.String(
        required=True, metadata={"description": "The printable invoice page on this storefront."}
    )


class InvoiceDetailSchema(InvoiceItemSchema):
    order_total = money("The order's total before credit notes")
    credit_applied = money("Credit notes applied to the order")
    lines = fields.List(fields.Nested(InvoiceLineSchema), required=True)


InvoicePageSchema = Schema.from_dict(
    paging(InvoiceItemSchema, "Newest first."), name="InvoicePageSchema"
)


class ProgramBriefSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)


class BeneficiarySchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(["distributor", "reseller"]))
    company = fields.Nested(
        CompanyBriefSchema,
        required=True,
        allow_none=True,
        metadata={"description": "The reseller company; null for the distributor."},
    )


class CreditNoteBriefSchema(Schema):
    number = fields.String(required=True)
    amount = money("The credit note's amount")
    remaining = money("Not yet spent at checkout")


class StatementItemSchema(Schema):
    id = fields.Integer(required=True)
    program = fields.Nested(ProgramBriefSchema, required=True)
    period = fields.String(required=True, metadata={"example": "2025-Q1"})
    period_start = fields.Date(required=True)
    period_end = fields.Date(required=True)
    currency = currency()
    opening = signed("Carried from the previous statement")
    lines_total = signed("The period's lines")
    total = signed("Opening plus lines")
    renewal_commissions = fields.String(
        required=True,
        allow_none=True,
        metadata={
            "description": "Of the lines, renewal commissions (resellers; null for distributors).",
            "pattern": SIGNED_DECIMAL,
        },
    )
    disposition = fields.String(
        required=True, metadata={"description": "What the close did with the total."}
    )
    closed_at = fields.DateTime(required=True)
    credit_note = fields.Nested(CreditNoteBriefSchema, required=True, allow_none=True)
    beneficiary = fields.Nested(BeneficiarySchema, required=True)


class StatementLineSchema(Schema):
    id = fields.Integer(required=True)
    rule_id = text(description="The program rule that earned it.")
    kind = text(description="The rule's kind: rebate, commission, renewal_commission, ...")
    type = fields.String(
        required=True, metadata={"description": "earning, clawback, adjustment, ..."}
    )
    reason = text()
    origin_period = fields.String(required=True)
    amount = signed("The line's amount")
    order_number = text(description="The source order, when it is the reader's to know.")


class StatementDetailSchema(StatementItemSchema):
    line_count = fields.Integer(required=True)
    lines = fields.List(fields.Nested(StatementLineSchema), required=True)
    lines_page = fields.Integer(required=True)
    lines_pages = fields.Integer(required=True)
    lines_per_page = fields.Integer(required=True)


StatementPageSchema = Schema.from_dict(
    paging(StatementItemSchema, "Newest period first."), name="StatementPageSchema"
)
