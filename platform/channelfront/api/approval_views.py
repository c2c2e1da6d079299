"""``/api/v1/approval-rules`` and ``/api/v1/approvals``: the company's approval rules, kept
by its company admins, and the decisions waiting for the token's user.

Order of answers. Rules: 401 (token), 403 (not a reseller of a company enrolled here;
a write by anyone but a company admin), 404 (a rule that is not the company's), 400 (a
query parameter, a body that is not a JSON object), 422 (the rule refused, naming the
path of what is wrong; nothing written), then 200 or 201. Decisions: 401, 404 (an
approval the caller may not see), 403 (the order's buyer, or not one of the step's
approvers), 400 (query or body shape), 409 (the step is closed or not yet open, or the
caller decided it), 422 (a rejection without a comment), then 200 with the order as it
is now.
Error messages are English.
"""

from __future__ import annotations

from flask import Response, jsonify
from flask_babel import force_locale

from channelfront.accounts.models import User
from channelfront.api import bp
from channelfront.api.approval_json import queue_json, rule_json
from channelfront.api.approval_output import MAX_ID
from channelfront.api.approval_schemas import ApprovalListSchema, DecisionRequestSchema
from channelfront.api.auth import api_user, caller_company_id, token_required
from channelfront.api.context import query_args
from channelfront.api.errors import api_error, json_object, load_body
from channelfront.api.order_views import order_response
from channelfront.api.rule_schemas import RuleListSchema, RuleSchema, check_shape
from channelfront.api.schemas import NoQuerySchema
from channelfront.approvals import deciders, decisions, pages, queue, rule_services
from channelfront.approvals.decisions import DecisionRefused
from channelfront.approvals.models import ApprovalStep, RuleScope
from channelfront.approvals.rules import RuleError
from channelfront.company.users_service import ADMIN_ROLE
from channelfront.extensions import db
from channelfront.orders import pipeline
from channelfront.orders.models import Order
from channelfront.outbox.services import commit_and_dispatch

RULE_NOT_FOUND = "No approval rule with this id in your company."
APPROVAL_NOT_FOUND = "No approval with this id for you on this storefront."
OWN_ORDER = "You placed this order, so someone else must decide it."
NOT_AN_APPROVER = "You are not one of the approvers of this step."


def _not_a_company() -> Response:
    return api_error(403, "Approval rules are for reseller accounts enrolled with this storefront.")


def _admins_only() -> Response:
    return api_error(403, "Only a company administrator's token may change approval rules.")


def _rule_refused(exc: RuleError) -> Response:
    db.session.rollback()
    return api_error(422, str(exc), {exc.path: [exc.message]})


@bp.get("/approval-rules")
@token_required
def list_approval_rules() -> Response:
    company_id = caller_company_id()
    if company_id is None:
        return _not_a_company()
    query_args(NoQuerySchema())
    found = rule_services.rules_for_company(company_id)
    return jsonify(RuleListSchema().dump({"items": [rule_json(rule) for rule in found]}))


@bp.post("/approval-rules")
@token_required
def create_approval_rule() -> Response:
    company_id = caller_company_id()
    if company_id is None:
        return _not_a_company()
    if api_user().role != ADMIN_ROLE:
        return _admins_only()
    query_args(NoQuerySchema())
    body = json_object()
    if isinstance(body, Response):
        return body
    with force_locale("en"):
        try:
            check_shape(body)
            rule = rule_services.create_rule(
                body, scope=RuleScope.COMPANY.value, company_id=company_id, actor=api_user()
            )
        except RuleError as exc:
            return _rule_refused(exc)
    created = RuleSchema().dump(rule_json(rule))
    commit_and_dispatch()
    response = jsonify(created)
    response.status_code = 201
    return response


@bp.delete("/approval-rules/<int:rule_id>")
@token_required
def delete_approval_rule(rule_id: int) -> Response:
    company_id = caller_company_id()
    if company_id is None:
        return _not_a_company()
    if api_user().role != ADMIN_ROLE:
        return _admins_only()
    rule = rule_services.company_rule(company_id, rule_id)
    if rule is None:
        return api_error(404, RULE_NOT_FOUND)
    query_args(NoQuerySchema())
    removed = RuleSchema().dump(rule_json(rule))
    rule_services.delete_rule(rule, api_user())
    commit_and_dispatch()
    return jsonify(removed)


@bp.get("/approvals")
@token_required
def list_approvals() -> Response:
    query_args(NoQuerySchema())
    waiting = queue.waiting_for(api_user())
    return jsonify(ApprovalListSchema().dump(queue_json(waiting)))


def _visible(user: User, step_id: int) -> tuple[ApprovalStep, Order] | None:
    """The step and its order when the user may see it: its approvers, the ordering
    company's people and the storefront's staff (anyone else is told it is not there)."""
    found = queue.find_step(step_id) if 0 < step_id <= MAX_ID else None
    if found is None or not pages.may_see(user, *found):
        return None
    return found


def _not_theirs(user: User, step: ApprovalStep, order: Order) -> Response | None:
    """403 for the order's buyer and for anyone who is not one of the step's approvers."""
    if deciders.qualifies(user, step, order):
        return None
    message = OWN_ORDER if user.id == order.buyer_id else NOT_AN_APPROVER
    return api_error(403, message, {"approval": [message]})


def _not_now(user: User, step: ApprovalStep, order: Order) -> Response | None:
    """409 when the step is closed or not yet open, or the user decided it already.
    ``decide`` checks all of it again under the order's lock."""
    blocked = pages.why_not(user, step, order)
    return api_error(409, blocked, {"approval": [blocked]}) if blocked else None


@bp.post("/approvals/<int:step_id>/decision")
@token_required
def decide_approval(step_id: int) -> Response:
    user = api_user()
    found = _visible(user, step_id)
    if found is None:
        return api_error(404, APPROVAL_NOT_FOUND)
    refusal = _not_theirs(user, *found)
    if refusal is not None:
        return refusal
    query_args(NoQuerySchema())
    data = load_body(DecisionRequestSchema())
    if isinstance(data, Response):
        return data
    with force_locale("en"):
        refusal = _not_now(user, *found)
        if refusal is not None:
            return refusal
        try:
            outcome = decisions.decide(step_id, user, data["decision"], data["comment"])
        except DecisionRefused as refused:
            db.session.rollback()
            return api_error(refused.status, refused.message, {refused.field: [refused.message]})
    order = outcome.order
    company_id, number = order.company_id, order.number
    commit_and_dispatch()
    if outcome.approved:
        with force_locale("en"):
            pipeline.collect(order, user)  # a declined card shows as the order's payment.error
    return order_response(company_id, number)
