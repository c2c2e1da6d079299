"""Marshmallow schemas of the customers API's input: the list query, a new customer, a
change and a merge. Shapes are checked here (400); the customer rules (e-mail, country,
VAT id, CRM id, the company's own customers) by the customer services (422)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from channelfront.api.order_schemas import COUNTRY, EMAIL, WholeNumber
from channelfront.api.schemas import PRINTABLE, QueryInteger
from channelfront.catalog.params import MAX_PAGE

CRM_ID = r"^[\x21-\x7e]{0,64}$"
MAX_ID = 2**31 - 1


class CustomerQuerySchema(Schema):
    q = fields.String(
        load_default="",
        validate=[validate.Length(max=100), PRINTABLE],
        metadata={
            "description": "Part of the company name, contact name, e-mail, VAT id or CRM "
            "account id (case ignored)."
        },
    )
    country = fields.String(
        load_default="",
        validate=validate.Regexp(r"^([A-Za-z]{2})?$", error="A two-letter country code."),
        metadata={"description": "Only customers in this country (ISO 3166 alpha-2)."},
    )
    archived = fields.Boolean(
        load_default=False,
        truthy={"true", "1"},
        falsy={"false", "0"},
        metadata={"description": "`true`: archived customers as well."},
    )
    page = QueryInteger(
        load_default=1,
        validate=validate.Range(min=1, max=MAX_PAGE),
        metadata={"description": "Page number; a page past the last answers the last page."},
    )
    limit = QueryInteger(
        load_default=50,
        validate=validate.Range(min=1, max=100),
        metadata={"description": "Customers per page, most recently used first."},
    )


def _fields(required: bool) -> dict[str, fields.Field]:
    """The customer's fields; required on a new customer, optional on a change."""
    return {
        "company_name": fields.String(
            required=required,
            validate=[validate.Length(min=1, max=160), PRINTABLE],
            metadata={"example": "Acme Corp"},
        ),
        "contact_name": fields.String(
            required=required,
            validate=[validate.Length(min=1, max=120), PRINTABLE],
            metadata={"example": "Ada Acme"},
        ),
        "email": fields.String(
            required=required,
            validate=[
                validate.Length(max=254),
                validate.Regexp(EMAIL, error="Not a valid e-mail address."),
            ],
            metadata={"example": "ada@acme.example"},
        ),
        "country": fields.String(
            required=required,
            validate=validate.Regexp(COUNTRY, error="A two-letter country code."),
            metadata={"description": "ISO 3166 alpha-2.", "example": "US"},
        ),
        "vat_id": fields.String(
            allow_none=True,
            validate=[validate.Length(max=24), PRINTABLE],
            metadata={"description": "Optional VAT id; empty or null: none."},
        ),
        "crm_account_id": fields.String(
            allow_none=True,
            validate=validate.Regexp(CRM_ID, error="At most 64 printable characters, no spaces."),
            metadata={"description": "The reseller's CRM account id; empty or null: none."},
        ),
    }


# A new end customer of the token's company.
NewCustomerBodySchema = Schema.from_dict(_fields(required=True), name="NewCustomerBodySchema")
# The fields to change; absent ones keep their value.
CustomerChangeSchema = Schema.from_dict(_fields(required=False), name="CustomerChangeSchema")


class MergeSchema(Schema):
    duplicate_id = WholeNumber(
        required=True,
        validate=validate.Range(min=1, max=MAX_ID),
        metadata={
            "description": "The duplicate: its orders, subscriptions, quotes and deals move "
            "to the customer of the path, and it is hidden.",
            "example": 2,
        },
    )
