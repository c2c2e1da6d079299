"""The company users operations of the OpenAPI document."""

from __future__ import annotations

from typing import Any

from apispec import APISpec

from channelfront.api.openapi_parts import COMMON, NO_HOST, error, ok
from channelfront.api.user_schemas import (
    NewUserSchema,
    UserChangeSchema,
    UserListSchema,
    UserSchema,
)

SECURITY: list[dict[str, list[str]]] = [{"bearer": []}]
NOT_A_COMPANY = "The token's user is not a reseller of a company enrolled here"
ADMINS_ONLY = f"{NOT_A_COMPANY}; or is not a company admin (only they may write)"
USER_ID = {
    "in": "path",
    "name": "user_id",
    "required": True,
    "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
    "example": 1,
}
EXAMPLE_NEW_USER = {"email": "casey@bluebird.example", "name": "Casey Colleague", "role": "buyer"}


def _write(operation_id: str, summary: str, description: str, **extra: Any) -> dict[str, Any]:
    return {
        "operationId": operation_id,
        "summary": summary,
        "description": description,
        "security": SECURITY,
        **extra,
    }


def add_user_paths(spec: APISpec) -> None:
    """Register the company users schemas and operations on the document being built."""
    for name, schema in (
        ("User", UserSchema),
        ("UserList", UserListSchema),
        ("NewUser", NewUserSchema),
    ):
        spec.components.schema(name, schema=schema)
    # At least one of role and active (the schema's own check, published).
    spec.components.schema("UserChange", {"minProperties": 1}, schema=UserChangeSchema)
    spec.path(
        path="/users",
        operations={
            "get": {
                "operationId": "listUsers",
                "summary": "The users of the token's company, whatever their status",
                "security": SECURITY,
                "responses": {
                    "200": ok("UserList"),
                    "400": error("A query parameter was given (none exist); or a bad Host"),
                    "404": NO_HOST,
                    **COMMON,
                    "403": error(NOT_A_COMPANY),
                },
            },
            "post": _write(
                "inviteUser",
                "Invite a colleague (company admins only)",
                "Creates the user with status `invited` and e-mails them a link to this "
                "storefront, valid for 7 days, to choose a password. An address that "
                "already has an account (here or with another company) is refused with "
                "`422` naming `email`; nothing is written.",
                requestBody={
                    "required": True,
                    "content": {
                        "application/json": {"schema": "NewUser", "example": EXAMPLE_NEW_USER}
                    },
                },
                responses={
                    "201": ok("User", "The user is invited"),
                    "400": error("The body's shape, or a query parameter (none exist), is wrong"),
                    "404": NO_HOST,
                    "422": error("Refused: the address has an account, or is not an address"),
                    **COMMON,
                    "403": error(ADMINS_ONLY),
                },
            ),
        },
    )
    spec.path(
        path="/users/{user_id}",
        operations={
            "patch": _write(
                "updateUser",
                "Change a user's role, or deactivate or reactivate them (company admins only)",
                "Deactivating ends every session and token of the user. The company's last "
                "active `company_admin` can be neither demoted nor deactivated: `422` "
                "naming `role` or `active`, nothing changed.",
                parameters=[USER_ID],
                requestBody={
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": "UserChange",
                            "example": {"role": "approver"},
                        }
                    },
                },
                responses={
                    "200": ok("User", "The user as it is now"),
                    "400": error("The body's shape, or a query parameter (none exist), is wrong"),
                    "404": error("No user with this id in the company; or no storefront here"),
                    "422": error("Refused: the company's last active admin"),
                    **COMMON,
                    "403": error(ADMINS_ONLY),
                },
            )
        },
    )
