"""Schemas of ``/approval-rules``: a rule as sent and as kept.

``approvals.rules.validate_rule`` checks a rule for the pages and the API alike and
names the path of the first problem (``conditions[2].field: unknown field
'order.totl'``). It also reads what a form sends, a number as text or a name with
spaces around it, which JSON clients are not offered: the API first loads the body with
``RuleRequestSchema``, which checks only JSON types and lengths as sent, and answers its
refusal the same way, ``422`` with ``path: message``. What a rule means (the fields,
operators and roles, the ranges) is published here as enums and bounds and checked by
``validate_rule`` alone.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from channelfront.api.approval_output import identifier
from channelfront.api.errors import field_messages
from channelfront.approvals import conditions, rules
from channelfront.approvals.rules import RuleError

FIELDS = sorted(conditions.FIELDS)
OPERATORS = sorted(conditions.OPERATORS)
ON_EXPIRY = ["reject", "escalate"]
MATCH = ["all", "any"]
WHOLE: dict[str, Any] = {"invalid": "enter a whole number"}
TEXT: dict[str, Any] = {"invalid": "enter text"}
LIST: dict[str, Any] = {"invalid": "must be a list"}
#: What the document requires of each object (validate_rule says what is missing).
REQUIRED = {
    "RuleRequest": ["name", "steps"],
    "Condition": ["field", "operator", "value"],
}
# A step names a role or users, never both.
STEP_APPROVERS = {"oneOf": [{"required": ["role"]}, {"required": ["users"]}]}


class Strict(Schema):
    error_messages = {"unknown": "unknown key", "type": "must be an object"}  # noqa: RUF012


def _text(most: int, **extra: Any) -> fields.String:
    metadata = {"minLength": 1, **extra.pop("metadata", {})}
    return fields.String(
        validate=validate.Length(max=most, error="at most {max} characters"),
        error_messages=TEXT,
        metadata=metadata,
        **extra,
    )


def _whole(low: int, high: int, **extra: Any) -> fields.Integer:
    metadata = {"minimum": low, "maximum": high, **extra.pop("metadata", {})}
    return fields.Integer(strict=True, error_messages=WHOLE, metadata=metadata, **extra)


class ConditionSchema(Strict):
    field = fields.String(
        error_messages=TEXT,
        metadata={
            "enum": FIELDS,
            "description": "A documented path over the order.",
            "example": "order.total",
        },
    )
    operator = fields.String(error_messages=TEXT, metadata={"enum": OPERATORS, "example": "gt"})
    value = fields.Raw(
        metadata={
            "description": "Compared with the field: an amount as a decimal string (at most "
            "2 decimals) for `order.total` and `line.total`, a whole number, text, true or "
            "false; a list of them for `in` and `not_in`; a pattern for `matches` (a safe "
            "subset of regular expressions); true or false for `exists`.",
            "example": "100.00",
        }
    )


def _step_fields(kept: bool) -> dict[str, fields.Field[Any]]:
    """A step's fields as sent, or as kept (``kept``: every key there, null where unset)."""
    unset: dict[str, Any] = {"allow_none": True, "required": kept}
    return {
        "role": fields.String(
            error_messages=TEXT,
            metadata={
                "enum": list(rules.STEP_ROLES),
                "description": "Who decides: a role at the company (`approver`, "
                "`company_admin`), distributor staff or vendor staff. Give `role` or `users`.",
                "example": "approver",
            },
        ),
        "users": fields.List(
            _whole(1, rules.MAX_ID),
            error_messages=LIST,
            metadata={
                "minItems": 1,
                "maxItems": rules.MAX_STEP_USERS,
                "description": "Ids of active users of the company (`GET /users`).",
            },
        ),
        "name": _text(
            rules.MAX_STEP_NAME,
            metadata={"description": "The step's own name, which `escalate_to` refers to."},
            **unset,
        ),
        "required": _whole(
            1,
            rules.MAX_REQUIRED,
            required=kept,
            metadata={"description": "Approvals needed, at most the users named. Default 1."},
        ),
        "due_hours": _whole(
            1,
            rules.MAX_DUE_HOURS,
            metadata={"description": "Hours the approvers have, from when the step opens."},
            **unset,
        ),
        "on_expiry": fields.String(
            required=kept,
            error_messages=TEXT,
            metadata={
                "enum": ON_EXPIRY,
                "description": "When `due_hours` pass undecided: `reject` the order (default) "
                "or `escalate` (needs `due_hours`; not on the last step).",
            },
        ),
        "escalate_to": _text(
            rules.MAX_STEP_NAME,
            metadata={"description": "For `escalate`: a later step's `name`; default the next."},
            **unset,
        ),
    }


RuleStepSchema = Strict.from_dict(_step_fields(kept=False), name="RuleStepSchema")
StoredStepSchema = Strict.from_dict(_step_fields(kept=True), name="StoredStepSchema")


class RuleRequestSchema(Strict):
    name = _text(rules.MAX_NAME, metadata={"example": "Over 100"})
    match = fields.String(
        error_messages=TEXT,
        metadata={
            "enum": MATCH,
            "description": "`all` conditions must hold (default), or `any` one of them.",
        },
    )
    conditions = fields.List(
        fields.Nested(ConditionSchema),
        error_messages=LIST,
        metadata={
            "maxItems": rules.MAX_CONDITIONS,
            "description": "A `line.` condition holds when any line matches. None (the "
            "default): the rule holds for every order.",
        },
    )
    steps = fields.List(
        fields.Nested(RuleStepSchema),
        error_messages=LIST,
        metadata={
            "minItems": 1,
            "maxItems": rules.MAX_STEPS,
            "description": "Decided in this order, one at a time.",
        },
    )


class RuleSchema(Schema):
    id = identifier(example=1)
    name = fields.String(required=True, metadata={"example": "Over 100"})
    match = fields.String(required=True, validate=validate.OneOf(MATCH))
    conditions = fields.List(fields.Nested(ConditionSchema), required=True)
    steps = fields.List(fields.Nested(StoredStepSchema), required=True)
    created_at = fields.DateTime(required=True)


class RuleListSchema(Schema):
    items = fields.List(
        fields.Nested(RuleSchema), required=True, metadata={"description": "Oldest first."}
    )


def check_shape(body: dict[str, Any]) -> None:
    """Refuse JSON of the wrong type or length as sent, naming the first path
    (RuleError); ``validate_rule`` then checks what the rule says."""
    try:
        RuleRequestSchema().load(body)
    except ValidationError as exc:
        path, messages = next(iter(field_messages(exc.messages).items()))
        raise RuleError(path, messages[0]) from None
