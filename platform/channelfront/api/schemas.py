"""Marshmallow schemas of the API: inputs are validated by them, outputs dumped by them.

The OpenAPI document is generated from these classes, so a constraint written here
is both enforced and published.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from channelfront.catalog.models import ProductKind
from channelfront.catalog.params import MAX_PAGE
from channelfront.catalog.services import MAX_QUERY_LENGTH
from channelfront.web.params import parse_whole

MAX_SKU_LENGTH = 40
MAX_CATEGORY_LENGTH = 40
# C0 controls and DEL: meaningless in a search and NUL is refused by PostgreSQL.
PRINTABLE = validate.Regexp(r"^[^\x00-\x1f\x7f]*$", error="Control characters are not allowed.")
DECIMAL = r"^[0-9]+(\.[0-9]+)?$"


class QueryInteger(fields.Integer):
    """A whole number in a query string, read like the pages read theirs: ASCII digits
    only (``int()`` would also take "٣"); the field's Range says which are allowed."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        number = parse_whole(value, maximum=10**18)
        if number is None:
            raise self.make_error("invalid", input=value)
        return number


class CatalogQuerySchema(Schema):
    q = fields.String(
        load_default="",
        validate=[validate.Length(max=MAX_QUERY_LENGTH), PRINTABLE],
        metadata={"description": "Search text, matched against SKU and product name."},
    )
    category = fields.String(
        validate=validate.Length(min=1, max=MAX_CATEGORY_LENGTH),
        metadata={"description": "A category slug, as returned in `category`."},
    )
    page = QueryInteger(
        load_default=1,
        validate=validate.Range(min=1, max=MAX_PAGE),
        metadata={"description": "Page number; a page past the last answers the last page."},
    )


class NoQuerySchema(Schema):
    """An operation that takes no query parameters: any given one is an error."""


class PriceSourceSchema(Schema):
    kind = fields.String(
        required=True,
        validate=validate.OneOf(["override", "product", "group", "category", "list"]),
        metadata={"description": "The rule the buy price came from."},
    )
    discount_percent = fields.String(
        required=True, metadata={"example": "30.00", "pattern": DECIMAL}
    )


def _amount(description: str) -> fields.String:
    return fields.String(
        required=True,
        metadata={
            "description": f"{description}: a decimal string with the currency's decimals.",
            "example": "120.00",
            "pattern": DECIMAL,
        },
    )


class ProductSchema(Schema):
    sku = fields.String(required=True, metadata={"example": "SHD-ENT-1Y"})
    name = fields.String(required=True, metadata={"description": "In the request's language."})
    description = fields.String(required=True)
    category = fields.String(
        required=True, metadata={"description": "Category slug, usable as `?category=`."}
    )
    category_name = fields.String(required=True, metadata={"description": "In the language."})
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in ProductKind]))
    term_months = fields.Integer(required=True, allow_none=True)
    currency = fields.String(required=True, metadata={"example": "USD", "pattern": "^[A-Z]{3}$"})
    list_price = _amount("List price")
    buy_price = _amount("Your buy price")
    saving = _amount("List price less buy price")
    price_source = fields.Nested(PriceSourceSchema, required=True)


class ProductPageSchema(Schema):
    items = fields.List(fields.Nested(ProductSchema), required=True)
    page = fields.Integer(required=True)
    pages = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)


class ErrorDetailSchema(Schema):
    status = fields.Integer(required=True)
    message = fields.String(required=True)
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "Messages per offending field (query parameter)."},
    )


class ErrorSchema(Schema):
    error = fields.Nested(ErrorDetailSchema, required=True)
