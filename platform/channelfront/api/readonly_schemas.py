"""Query strings of the read-only lists: subscriptions, invoices and statements.

Unknown parameters are refused (marshmallow's default), so a misspelt filter is a 400
naming it rather than an unfiltered list.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from channelfront.api.schemas import PRINTABLE, QueryInteger
from channelfront.catalog.params import MAX_PAGE
from channelfront.invoices.views import STATES as INVOICE_STATES

SUBSCRIPTION_STATES = ("active", "ended", "cancelled")
MAX_DUE_DAYS = 366
MAX_ID = 2**31 - 1


def page_field() -> QueryInteger:
    return QueryInteger(
        load_default=1,
        validate=validate.Range(min=1, max=MAX_PAGE),
        metadata={"description": "Page number; a page past the last answers the last page."},
    )


def company_field() -> QueryInteger:
    return QueryInteger(
        validate=validate.Range(min=1, max=MAX_ID),
        metadata={
            "description": "Distributor staff: one reseller company's rows. A company token "
            "may give only its own company."
        },
    )


class SubscriptionQuerySchema(Schema):
    status = fields.String(
        validate=validate.OneOf(SUBSCRIPTION_STATES),
        metadata={"description": "`active`, `ended` (past its end date) or `cancelled`."},
    )
    renewal_due_within = QueryInteger(
        validate=validate.Range(min=0, max=MAX_DUE_DAYS),
        metadata={
            "description": "Days: active subscriptions whose renewal date (their end) is "
            "from today to this many days ahead."
        },
    )
    company = company_field()
    page = page_field()


class InvoiceQuerySchema(Schema):
    status = fields.String(
        validate=validate.OneOf(INVOICE_STATES),
        metadata={"description": "`open` (not yet due), `overdue` (open, past due) or `paid`."},
    )
    company = company_field()
    page = page_field()


class StatementQuerySchema(Schema):
    program = fields.String(
        validate=[validate.Length(min=1, max=40), PRINTABLE],
        metadata={"description": "A program's code: only its statements."},
    )
    page = page_field()


class StatementLinesQuerySchema(Schema):
    page = QueryInteger(
        load_default=1,
        validate=validate.Range(min=1, max=MAX_PAGE),
        metadata={"description": "Page of the statement's lines; past the last: the last."},
    )
