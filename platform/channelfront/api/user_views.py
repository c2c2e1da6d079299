"""``/api/v1/users``: the users of the token's company; a company admin's token invites
them, changes their role and deactivates or reactivates them.

Order of answers: 401 (token), 403 (not a reseller of a company enrolled here; a write
by anyone but a company admin), 404 (a user id that is not the company's), 400 (query
or body shape), 422 (refused: an address with an account, the last active admin), then
200 or 201. Error messages are English.
"""

from __future__ import annotations

from flask import Response, jsonify
from flask_babel import force_locale

from channelfront.accounts.models import User
from channelfront.api import bp
from channelfront.api.auth import api_user, caller_company_id, token_required
from channelfront.api.context import query_args, tenant_info
from channelfront.api.errors import api_error, load_body
from channelfront.api.schemas import NoQuerySchema
from channelfront.api.user_schemas import (
    NewUserSchema,
    UserChangeSchema,
    UserListSchema,
    UserSchema,
)
from channelfront.company import users_service
from channelfront.company.users_service import ADMIN_ROLE, UserChangeRefused
from channelfront.extensions import db
from channelfront.outbox.services import commit_and_dispatch

USER_NOT_FOUND = "No user with this id in your company."


def user_json(user: User) -> dict[str, object]:
    return {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "status": user.status.value,
    }


def _not_a_company() -> Response:
    return api_error(403, "Company users are for reseller accounts enrolled with this storefront.")


def _admins_only() -> Response:
    return api_error(403, "Only a company administrator's token may change the company's users.")


def _refused(refused: UserChangeRefused) -> Response:
    db.session.rollback()
    return api_error(422, refused.message, {refused.field: [refused.message]})


def _user_response(user_id: int, status: int) -> Response:
    user = db.session.get(User, user_id)
    response = jsonify(UserSchema().dump(user_json(user)))  # type: ignore[arg-type]
    response.status_code = status
    return response


@bp.get("/users")
@token_required
def list_users() -> Response:
    company_id = caller_company_id()
    if company_id is None:
        return _not_a_company()
    query_args(NoQuerySchema())
    users = users_service.company_users(company_id)
    return jsonify(UserListSchema().dump({"items": [user_json(u) for u in users]}))


@bp.post("/users")
@token_required
def create_user() -> Response:
    company_id = caller_company_id()
    if company_id is None:
        return _not_a_company()
    if api_user().role != ADMIN_ROLE:
        return _admins_only()
    query_args(NoQuerySchema())
    data = load_body(NewUserSchema())
    if isinstance(data, Response):
        return data
    with force_locale("en"):
        try:
            user = users_service.invite_user(
                company_id,
                tenant_info().id,
                str(data["email"]),
                str(data["name"]),
                str(data["role"]),
                api_user(),
            )
        except UserChangeRefused as refused:
            return _refused(refused)
    user_id = user.id
    commit_and_dispatch()
    return _user_response(user_id, 201)


@bp.patch("/users/<int:user_id>")
@token_required
def update_user(user_id: int) -> Response:
    company_id = caller_company_id()
    if company_id is None:
        return _not_a_company()
    if api_user().role != ADMIN_ROLE:
        return _admins_only()
    user = users_service.company_user(company_id, user_id)
    if user is None:
        return api_error(404, USER_NOT_FOUND)
    query_args(NoQuerySchema())
    data = load_body(UserChangeSchema())
    if isinstance(data, Response):
        return data
    tenant_id = tenant_info().id
    with force_locale("en"):
        try:
            if "role" in data:
                users_service.change_role(user, str(data["role"]), api_user(), tenant_id)
            if "active" in data:
                users_service.set_active(user, bool(data["active"]), api_user(), tenant_id)
        except UserChangeRefused as refused:
            return _refused(refused)
    commit_and_dispatch()
    return _user_response(user_id, 200)
