"""Marshmallow schemas of what the order API answers; amounts are decimal strings."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from channelfront.api.approval_output import OrderApprovalSchema
from channelfront.api.schemas import DECIMAL, PriceSourceSchema
from channelfront.catalog.models import ProductKind
from channelfront.orders.models import OrderStatus, PaymentMethod

STATUSES = [s.value for s in OrderStatus]
METHODS = [m.value for m in PaymentMethod]


def amount(description: str) -> fields.String:
    return fields.String(
        required=True,
        metadata={
            "description": f"{description}: a decimal string with the currency's decimals.",
            "example": "168.00",
            "pattern": DECIMAL,
        },
    )


def currency() -> fields.String:
    return fields.String(required=True, metadata={"example": "USD", "pattern": "^[A-Z]{3}$"})


def text(**metadata: object) -> fields.String:
    """A text that may be absent on the order: always present, possibly null."""
    return fields.String(required=True, allow_none=True, metadata=metadata)


class CustomerSchema(Schema):
    id = fields.Integer(required=True)
    company_name = fields.String(required=True)
    contact_name = fields.String(required=True)
    email = fields.String(required=True)
    country = fields.String(required=True, metadata={"example": "US"})
    vat_id = text()


class CustomerListSchema(Schema):
    items = fields.List(fields.Nested(CustomerSchema), required=True)


class CustomerBriefSchema(Schema):
    id = fields.Integer(required=True)
    company_name = fields.String(required=True)


class DealRefSchema(Schema):
    id = fields.Integer(required=True)
    number = fields.String(required=True, metadata={"example": "NW-D-000001"})
    external_id = text(description="The CRM's own id for the deal.")


def deal_field() -> fields.Nested:
    return fields.Nested(
        DealRefSchema,
        required=True,
        allow_none=True,
        metadata={"description": "The registered deal this was made from; null without one."},
    )


def crm_id(description: str) -> fields.String:
    return text(description=f"{description}, carried over from the deal; null without one.")


class BuyerSchema(Schema):
    name = fields.String(required=True)
    email = fields.String(required=True)


class OrderLineSchema(Schema):
    sku = fields.String(required=True)
    name = fields.String(required=True, metadata={"description": "As it was when ordered."})
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in ProductKind]))
    quantity = fields.Integer(required=True)
    term_months = fields.Integer(required=True, allow_none=True)
    list_price = amount("Unit list price when ordered")
    unit_price = amount("Unit buy price when ordered")
    total = amount("Unit price x quantity x billing periods")
    price_source = fields.Nested(PriceSourceSchema, required=True)


class EventSchema(Schema):
    kind = fields.String(
        required=True,
        metadata={"description": "A status (placed, paid, ...) or an update (delivered, note)."},
    )
    at = fields.DateTime(required=True)
    actor = text(description="Who did it; null for the system.")
    note = text()
    data = fields.Dict(keys=fields.String(), required=True)


class LicenseSchema(Schema):
    sku = fields.String(required=True)
    key = fields.String(required=True, metadata={"description": "Checkable offline."})
    seats = fields.Integer(required=True)
    issued_at = fields.DateTime(required=True)
    delivered_at = fields.DateTime(required=True, allow_none=True)
    assigned_to = text()
    note = text()
    revoked_at = fields.DateTime(
        required=True,
        allow_none=True,
        metadata={"description": "Set when the order was refunded: the key no longer counts."},
    )


class SubscriptionSchema(Schema):
    sku = fields.String(required=True)
    quantity = fields.Integer(required=True)
    term_months = fields.Integer(required=True)
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    status = fields.String(required=True)


class InvoiceSchema(Schema):
    number = fields.String(required=True, metadata={"example": "NW-INV-000045"})
    status = fields.String(required=True, validate=validate.OneOf(["open", "paid"]))
    issued_on = fields.Date(required=True)
    due_on = fields.Date(required=True)
    currency = currency()
    total = amount("Invoice total")
    paid_at = fields.DateTime(required=True, allow_none=True)


class PaymentSchema(Schema):
    method = fields.String(required=True, validate=validate.OneOf(METHODS))
    error = text(description="Why the card payment failed, if it did.")


class OrderSchema(Schema):
    number = fields.String(required=True, metadata={"example": "NW-000123"})
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    created_at = fields.DateTime(required=True)
    currency = currency()
    total = amount("Order total at buy prices")
    list_total = amount("The same lines at list prices")
    payment = fields.Nested(PaymentSchema, required=True)
    po_number = text()
    deal = deal_field()
    crm_account_id = crm_id("The CRM's account id of the end customer")
    crm_opportunity_id = crm_id("The CRM's opportunity id")
    note = text()
    notify_end_customer = fields.Boolean(required=True)
    buyer = fields.Nested(BuyerSchema, required=True)
    end_customer = fields.Nested(CustomerSchema, required=True, allow_none=True)
    lines = fields.List(fields.Nested(OrderLineSchema), required=True)
    events = fields.List(
        fields.Nested(EventSchema), required=True, metadata={"description": "Oldest first."}
    )
    licenses = fields.List(fields.Nested(LicenseSchema), required=True)
    subscriptions = fields.List(fields.Nested(SubscriptionSchema), required=True)
    invoice = fields.Nested(InvoiceSchema, required=True, allow_none=True)
    approval = fields.Nested(
        OrderApprovalSchema,
        required=True,
        metadata={"description": "What the order waits for while `awaiting_approval`."},
    )


class OrderSummarySchema(Schema):
    number = fields.String(required=True, metadata={"example": "NW-000123"})
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    created_at = fields.DateTime(required=True)
    currency = currency()
    total = amount("Order total")
    payment_method = fields.String(required=True, validate=validate.OneOf(METHODS))
    po_number = text()
    end_customer = fields.Nested(CustomerBriefSchema, required=True, allow_none=True)


class OrderPageSchema(Schema):
    items = fields.List(
        fields.Nested(OrderSummarySchema), required=True, metadata={"description": "Newest first."}
    )
    page = fields.Integer(required=True)
    pages = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)


class CreditSchema(Schema):
    currency = currency()
    limit = amount("Credit limit on this storefront")
    outstanding = amount("On-account orders not yet paid")
    available = amount("Limit less outstanding, never below zero")
    overdue = fields.Boolean(
        required=True, metadata={"description": "An invoice is past due: on account is refused."}
    )
