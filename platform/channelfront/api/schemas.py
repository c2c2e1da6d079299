"""Marshmallow schemas of the API: inputs are validated by them, outputs dumped by them."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from channelfront.catalog.params import MAX_PAGE
from channelfront.catalog.services import MAX_QUERY_LENGTH


class CatalogQuerySchema(Schema):
    q = fields.String(load_default="", validate=validate.Length(max=MAX_QUERY_LENGTH))
    category = fields.String(load_default=None, validate=validate.Length(min=1, max=40))
    page = fields.Integer(load_default=1, strict=False, validate=validate.Range(min=1, max=MAX_PAGE))


class PriceSourceSchema(Schema):
    kind = fields.String(
        required=True, validate=validate.OneOf(["override", "product", "group", "category", "list"])
    )
    discount_percent = fields.String(required=True, metadata={"example": "30.00"})


class ProductSchema(Schema):
    sku = fields.String(required=True)
    name = fields.String(required=True)
    description = fields.String(required=True)
    category = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(["perpetual", "subscription", "service"]))
    term_months = fields.Integer(required=True, allow_none=True)
    currency = fields.String(required=True, metadata={"example": "USD"})
    list_price = fields.String(required=True, metadata={"description": "Decimal string"})
    buy_price = fields.String(required=True, metadata={"description": "Decimal string"})
    saving = fields.String(required=True, metadata={"description": "Decimal string"})
    price_source = fields.Nested(PriceSourceSchema, required=True)


class ProductPageSchema(Schema):
    items = fields.List(fields.Nested(ProductSchema), required=True)
    page = fields.Integer(required=True)
    pages = fields.Integer(required=True)
    total = fields.Integer(required=True)


class ErrorDetailSchema(Schema):
    status = fields.Integer(required=True)
    message = fields.String(required=True)
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))


class ErrorSchema(Schema):
    error = fields.Nested(ErrorDetailSchema, required=True)
