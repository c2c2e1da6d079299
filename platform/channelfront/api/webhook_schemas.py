"""Request and answer schemas of ``/api/v1/webhooks``."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from channelfront.api.schemas import PRINTABLE, QueryInteger
from channelfront.catalog.params import MAX_PAGE
from channelfront.webhooks.address import MAX_URL_LENGTH
from channelfront.webhooks.events import EVENT_TYPES, TEST_EVENT
from channelfront.webhooks.services import MAX_DESCRIPTION

MAX_ID = 2**31 - 1


class EndpointRequestSchema(Schema):
    url = fields.String(
        required=True,
        validate=[validate.Length(min=1, max=MAX_URL_LENGTH), PRINTABLE],
        metadata={
            "description": "An https URL on a public address (checked now and at each delivery)."
        },
    )
    events = fields.List(
        fields.String(validate=validate.OneOf(EVENT_TYPES)),
        required=True,
        validate=validate.Length(min=1, max=len(EVENT_TYPES)),
        metadata={"description": "The event types this endpoint hears."},
    )
    description = fields.String(
        load_default="",
        validate=[validate.Length(max=MAX_DESCRIPTION), PRINTABLE],
    )


class EndpointSchema(Schema):
    id = fields.Integer(required=True)
    url = fields.String(required=True)
    description = fields.String(allow_none=True, required=True)
    events = fields.List(fields.String(), required=True)
    owner = fields.String(
        required=True,
        validate=validate.OneOf(["company", "tenant"]),
        metadata={"description": "`company`: the reseller's; `tenant`: the distributor's."},
    )
    disabled_at = fields.DateTime(allow_none=True, required=True)
    disabled_reason = fields.String(allow_none=True, required=True)
    created_at = fields.DateTime(required=True)


class EndpointWithSecretSchema(EndpointSchema):
    secret = fields.String(
        required=True,
        metadata={"description": "`whsec_` plus base64 of the key: shown only in this answer."},
    )


class EndpointListSchema(Schema):
    items = fields.List(fields.Nested(EndpointSchema), required=True)


class AttemptSchema(Schema):
    at = fields.DateTime(required=True)
    status_code = fields.Integer(allow_none=True, required=True)
    duration_ms = fields.Integer(required=True)
    response_head = fields.String(
        allow_none=True, required=True, metadata={"description": "The answer's first 500 bytes."}
    )
    error = fields.String(allow_none=True, required=True)
    manual = fields.Boolean(required=True)


class DeliverySchema(Schema):
    id = fields.Integer(required=True)
    event_id = fields.String(required=True, metadata={"description": "The `webhook-id`."})
    type = fields.String(required=True, validate=validate.OneOf([*EVENT_TYPES, TEST_EVENT]))
    status = fields.String(
        required=True, validate=validate.OneOf(["pending", "succeeded", "failed"])
    )
    attempt_count = fields.Integer(required=True)
    next_attempt_at = fields.DateTime(allow_none=True, required=True)
    delivered_at = fields.DateTime(allow_none=True, required=True)
    attempts = fields.List(fields.Nested(AttemptSchema), required=True)


class DeliveryPageSchema(Schema):
    items = fields.List(fields.Nested(DeliverySchema), required=True)
    page = fields.Integer(required=True)
    pages = fields.Integer(required=True)
    total = fields.Integer(required=True)


class DeliveryQuerySchema(Schema):
    page = QueryInteger(
        load_default=1,
        validate=validate.Range(min=1, max=MAX_PAGE),
        metadata={"description": "Page number; a page past the last answers the last page."},
    )
