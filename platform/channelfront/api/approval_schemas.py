"""Schemas of ``/approvals``: the decisions waiting for the token's user, and a decision
(rules are in ``rule_schemas``, an order's pending steps in ``approval_output``)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from channelfront.api.approval_output import identifier
from channelfront.api.order_output import BuyerSchema, amount, currency
from channelfront.approvals.decisions import DECISIONS, MAX_COMMENT
from channelfront.orders.models import PaymentMethod


class ApprovalSchema(Schema):
    id = identifier(description="Send decisions to `/approvals/{id}/decision`.", example=1)
    order_number = fields.String(required=True, metadata={"example": "NW-000123"})
    total = amount("Order total")
    currency = currency()
    payment_method = fields.String(
        required=True, validate=validate.OneOf([m.value for m in PaymentMethod])
    )
    buyer = fields.Nested(BuyerSchema, required=True)
    rule = fields.String(required=True, metadata={"example": "Over 100"})
    name = fields.String(required=True, allow_none=True, metadata={"description": "The step's."})
    reasons = fields.List(fields.String(), required=True)
    required = fields.Integer(required=True)
    approvals = fields.Integer(required=True)
    opened_at = fields.DateTime(required=True)
    due_at = fields.DateTime(required=True, allow_none=True)


class ApprovalListSchema(Schema):
    items = fields.List(
        fields.Nested(ApprovalSchema),
        required=True,
        metadata={"description": "Oldest first; at most 200."},
    )


class DecisionRequestSchema(Schema):
    decision = fields.String(
        required=True, validate=validate.OneOf(list(DECISIONS)), metadata={"example": "approve"}
    )
    comment = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=MAX_COMMENT),
        metadata={
            "description": "Shown to the buyer and on the order's timeline; required to "
            "reject (`422` naming `comment` without one).",
            "example": "Budget confirmed.",
        },
    )
