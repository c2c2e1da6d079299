"""Schemas of the company users API: ``GET``/``POST /users`` and ``PATCH /users/{id}``."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from channelfront.accounts.invitations import MAX_NAME_LENGTH
from channelfront.accounts.models import ROLES, UserKind, UserStatus
from channelfront.api.schemas import PRINTABLE

COMPANY_ROLES = list(ROLES[UserKind.RESELLER])
STATUSES = [status.value for status in UserStatus]
# One "@" with something on each side: a pattern every regex dialect reads alike. The
# invitation's own check of the address (spaces, control characters, the domain) then
# answers 422 naming `email`.
EMAIL_PATTERN = r"^[^@]+@[^@]+$"
ROLE_HELP = (
    "`buyer` orders, `approver` also approves, `company_admin` also manages users and "
    "the company profile, `viewer` only reads."
)


class StrictBoolean(fields.Boolean):
    """``true`` or ``false`` in JSON, nothing else (no 1, "yes" or "true")."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


def _role(**extra: Any) -> fields.String:
    return fields.String(
        validate=validate.OneOf(COMPANY_ROLES),
        metadata={"description": ROLE_HELP, "example": "buyer"},
        **extra,
    )


class UserSchema(Schema):
    id = fields.Integer(required=True, metadata={"example": 7})
    email = fields.String(required=True, metadata={"example": "casey@bluebird.example"})
    name = fields.String(required=True, metadata={"example": "Casey Colleague"})
    role = _role(required=True)
    status = fields.String(
        required=True,
        validate=validate.OneOf(STATUSES),
        metadata={
            "description": "`invited` until the invitation is accepted, then `active`; "
            "`deactivated` users cannot sign in."
        },
    )


class UserListSchema(Schema):
    items = fields.List(fields.Nested(UserSchema), required=True)


class NewUserSchema(Schema):
    email = fields.String(
        required=True,
        validate=[
            validate.Length(min=6, max=254),
            validate.Regexp(EMAIL_PATTERN, error="Enter a valid e-mail address."),
        ],
        metadata={
            "description": "Checked as invitations check it: a bad address answers 422.",
            "example": "casey@bluebird.example",
        },
    )
    name = fields.String(
        required=True,
        validate=[validate.Length(min=1, max=MAX_NAME_LENGTH), PRINTABLE],
        metadata={"example": "Casey Colleague"},
    )
    role = _role(required=True)


class UserChangeSchema(Schema):
    role = _role()
    active = StrictBoolean(
        metadata={"description": "`false` deactivates (ending every session), `true` reactivates."}
    )

    @validates_schema
    def _role_or_active(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if not data:
            raise ValidationError("Give `role`, `active` or both.")
