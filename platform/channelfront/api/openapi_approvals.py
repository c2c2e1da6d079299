"""The approvals operations of the OpenAPI document: the company's rules, the decisions
waiting for the token's user, deciding one, and the buyer withdrawing a waiting order."""

from __future__ import annotations

from typing import Any

from apispec import APISpec

from channelfront.api.approval_output import MAX_ID
from channelfront.api.approval_schemas import ApprovalListSchema, DecisionRequestSchema
from channelfront.api.openapi_orders import NUMBER_PARAMETER
from channelfront.api.openapi_parts import COMMON, NO_HOST, error, ok
from channelfront.api.rule_schemas import (
    REQUIRED,
    STEP_APPROVERS,
    ConditionSchema,
    RuleListSchema,
    RuleRequestSchema,
    RuleSchema,
    RuleStepSchema,
)

SECURITY: list[dict[str, list[str]]] = [{"bearer": []}]
NOT_A_COMPANY = "The token's user is not a reseller of a company enrolled here"
ADMINS_ONLY = f"{NOT_A_COMPANY}; or is not a company admin (only they may write)"
NO_QUERY = "A query parameter was given (none exist); or a bad Host"
EXAMPLE_RULE = {
    "name": "Over 100",
    "match": "all",
    "conditions": [{"field": "order.total", "operator": "gt", "value": "100.00"}],
    "steps": [{"role": "approver"}],
}


def _id_parameter(name: str) -> dict[str, Any]:
    return {
        "in": "path",
        "name": name,
        "required": True,
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
        "example": 1,
    }


def _operation(operation_id: str, summary: str, description: str, **extra: Any) -> dict[str, Any]:
    return {
        "operationId": operation_id,
        "summary": summary,
        "description": description,
        "security": SECURITY,
        **extra,
    }


def _json_body(schema: str, example: dict[str, Any]) -> dict[str, Any]:
    return {
        "required": True,
        "content": {"application/json": {"schema": schema, "example": example}},
    }


CREATE_RULE = """\
When an order of the company matches the conditions (`match`: `all` of them or `any`),
it waits as `awaiting_approval` until each step in `steps` is approved, one after the
other; every matching rule applies. Placing an order never approves it, and nobody
decides their own order.

The body is checked whole: any refusal answers `422` naming the path of what is wrong,
for example `conditions[2].field: unknown field 'order.totl'` in `message` and
`{"conditions[2].field": ["unknown field 'order.totl'"]}` in `errors`. Nothing is
written then. A step's `users` must be active users of the company."""

DECIDE = """\
Approve or reject the approval (a step of an order's chain) with a comment, which the
buyer sees and which is on the order's timeline. Rejecting needs a comment. A step may
need several approvals (`required`); the last approval of the last step lets the order
go ahead: on account it is accepted for fulfilment, a card is charged then (a declined
card shows in the order's `payment.error`). Answers the order as it is now.

`403` for the order's buyer (nobody decides their own order, whatever their role) and
for anyone who is not one of the step's approvers; `409` when the step is closed, not
yet open, or already decided by the caller; `404` for an approval the caller may not
see (another company's)."""

WITHDRAW = """\
The buyer takes back their order while it waits for approval: it becomes `withdrawn`,
its approvals are cancelled and nothing is charged or fulfilled. `409` once it no
longer waits (approved, rejected or withdrawn already)."""


def _rule_paths(spec: APISpec) -> None:
    spec.path(
        path="/approval-rules",
        operations={
            "get": _operation(
                "listApprovalRules",
                "The company's approval rules on this storefront",
                "Any user of the company may read them; only company admins write them.",
                responses={
                    "200": ok("RuleList"),
                    "400": error(NO_QUERY),
                    "404": NO_HOST,
                    **COMMON,
                    "403": error(NOT_A_COMPANY),
                },
            ),
            "post": _operation(
                "createApprovalRule",
                "Add an approval rule for the company's orders (company admins only)",
                CREATE_RULE,
                requestBody=_json_body("RuleRequest", EXAMPLE_RULE),
                responses={
                    "201": ok("Rule", "The rule applies to orders placed from now on"),
                    "400": error("The body is not a JSON object, or a query parameter was given"),
                    "404": NO_HOST,
                    "422": error("Refused, naming the path of what is wrong; nothing written"),
                    **COMMON,
                    "403": error(ADMINS_ONLY),
                },
            ),
        },
    )
    spec.path(
        path="/approval-rules/{rule_id}",
        operations={
            "delete": _operation(
                "deleteApprovalRule",
                "Remove one of the company's approval rules (company admins only)",
                "Orders already waiting keep their steps; new orders no longer match it.",
                parameters=[_id_parameter("rule_id")],
                responses={
                    "200": ok("Rule", "The rule is removed; as it was"),
                    "400": error(NO_QUERY),
                    "404": error("No rule with this id in the company; or no storefront here"),
                    **COMMON,
                    "403": error(ADMINS_ONLY),
                },
            )
        },
    )


def _decision_paths(spec: APISpec) -> None:
    spec.path(
        path="/approvals",
        operations={
            "get": _operation(
                "listApprovals",
                "The approvals waiting for the token's user, oldest first",
                "Open steps of orders on this storefront that the user may decide now: "
                "the company's orders for its approvers and admins, every reseller's for "
                "the distributor's staff named by a step. Never the user's own orders.",
                responses={
                    "200": ok("ApprovalList"),
                    "400": error(NO_QUERY),
                    "404": NO_HOST,
                    **COMMON,
                    "403": error("The token's user may not use this storefront"),
                },
            )
        },
    )
    spec.path(
        path="/approvals/{approval_id}/decision",
        operations={
            "post": _operation(
                "decideApproval",
                "Approve or reject an approval, with a comment",
                DECIDE,
                parameters=[_id_parameter("approval_id")],
                requestBody=_json_body(
                    "DecisionRequest", {"decision": "approve", "comment": "Budget confirmed."}
                ),
                responses={
                    "200": ok("Order", "The decision is taken; the order as it is now"),
                    "400": error("The body's shape, or a query parameter (none exist), is wrong"),
                    "404": error("No approval with this id that the user may see"),
                    "409": error("The step is closed, not yet open, or decided by the user"),
                    "422": error("A rejection without a comment, or an unprintable comment"),
                    **COMMON,
                    "403": error("The user placed the order, or is not one of the approvers"),
                },
            )
        },
    )
    spec.path(
        path="/orders/{number}/withdraw",
        operations={
            "post": _operation(
                "withdrawOrder",
                "Withdraw an order that waits for approval (its buyer only)",
                WITHDRAW,
                parameters=[NUMBER_PARAMETER],
                responses={
                    "200": ok("Order", "The order, withdrawn"),
                    "400": error(NO_QUERY),
                    "404": error("No order with this number for the company on this storefront"),
                    "409": error("The order does not wait for approval"),
                    **COMMON,
                    "403": error(
                        "No catalog on this storefront (not a reseller), or not the order's buyer"
                    ),
                },
            )
        },
    )


def add_approval_paths(spec: APISpec) -> None:
    """Register the approvals schemas and operations on the document being built."""
    # What validate_rule requires, published beside the shapes the schemas load.
    spec.components.schema("RuleStep", STEP_APPROVERS, schema=RuleStepSchema)
    spec.components.schema("Condition", {"required": REQUIRED["Condition"]}, schema=ConditionSchema)
    spec.components.schema(
        "RuleRequest", {"required": REQUIRED["RuleRequest"]}, schema=RuleRequestSchema
    )
    for name, schema in (
        ("Rule", RuleSchema),
        ("RuleList", RuleListSchema),
        ("ApprovalList", ApprovalListSchema),
        ("DecisionRequest", DecisionRequestSchema),
    ):
        spec.components.schema(name, schema=schema)
    _rule_paths(spec)
    _decision_paths(spec)
