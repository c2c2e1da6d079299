"""Marshmallow schemas of the customers API's answers."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields

from channelfront.api.order_json import utc
from channelfront.customers.models import Customer


def _text() -> fields.String:
    return fields.String(required=True, allow_none=True)


class CustomerOutSchema(Schema):
    id = fields.Integer(required=True)
    company_name = fields.String(required=True)
    contact_name = fields.String(required=True)
    email = fields.String(required=True)
    country = fields.String(required=True, metadata={"example": "US"})
    vat_id = _text()
    crm_account_id = _text()
    archived = fields.Boolean(
        required=True, metadata={"description": "Hidden from pickers; history kept."}
    )
    created_at = fields.DateTime(required=True)


class CustomerPageSchema(Schema):
    items = fields.List(
        fields.Nested(CustomerOutSchema),
        required=True,
        metadata={"description": "Most recently used first (last order or quote, else added)."},
    )
    page = fields.Integer(required=True)
    pages = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)


class MergeResultSchema(Schema):
    customer = fields.Nested(CustomerOutSchema, required=True)
    merged_id = fields.Integer(required=True, metadata={"description": "The duplicate's id."})
    moved = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        required=True,
        metadata={"description": "How many rows of each kind moved to the survivor."},
    )


def customer_out(customer: Customer) -> dict[str, Any]:
    """The customer as ``CustomerOutSchema`` dumps it."""
    return {
        "id": customer.id,
        "company_name": customer.company_name,
        "contact_name": customer.contact_name,
        "email": customer.email,
        "country": customer.country,
        "vat_id": customer.vat_id,
        "crm_account_id": customer.crm_account_id,
        "archived": customer.archived_at is not None,
        "created_at": utc(customer.created_at),
    }
