"""What an order shows of its approval while it waits: the steps still to decide, who may
decide each and how far they got."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from channelfront.approvals.models import StepStatus

STEP_STATUSES = [status.value for status in StepStatus]
SOURCES = ["rule", "spending_limit", "credit"]
MAX_ID = 2**31 - 1


def identifier(**metadata: object) -> fields.Integer:
    return fields.Integer(
        required=True, validate=validate.Range(min=1, max=MAX_ID), metadata=metadata
    )


class ApproversSchema(Schema):
    roles = fields.List(
        fields.String(), required=True, metadata={"description": "Anyone with one of these roles."}
    )
    users = fields.List(
        fields.Integer(), required=True, metadata={"description": "And these users by id."}
    )


class PendingStepSchema(Schema):
    id = identifier(description="The approval's id, as in `GET /approvals`.")
    position = fields.Integer(required=True, metadata={"description": "0 is decided first."})
    source = fields.String(
        required=True,
        validate=validate.OneOf(SOURCES),
        metadata={
            "description": "An approval `rule`, the buyer's `spending_limit`, or the "
            "distributor's `credit` desk."
        },
    )
    rule = fields.String(required=True, metadata={"example": "Over 100"})
    name = fields.String(required=True, allow_none=True)
    reasons = fields.List(
        fields.String(), required=True, metadata={"description": "Why the order waits."}
    )
    approvers = fields.Nested(ApproversSchema, required=True)
    required = fields.Integer(required=True, metadata={"description": "Approvals needed."})
    approvals = fields.Integer(required=True, metadata={"description": "Approvals so far."})
    due_at = fields.DateTime(required=True, allow_none=True)
    status = fields.String(
        required=True,
        validate=validate.OneOf(STEP_STATUSES),
        metadata={"description": "`open` for the step deciding now, `waiting` after it."},
    )


class OrderApprovalSchema(Schema):
    pending_steps = fields.List(
        fields.Nested(PendingStepSchema),
        required=True,
        metadata={"description": "Steps still to decide, in order; empty when none."},
    )
