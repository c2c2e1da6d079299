"""The approvals API: a company admin keeps the company's rules (``/approval-rules``), an
order they match waits as ``awaiting_approval`` with its pending steps on
``GET /orders/<number>``, approvers find it in ``GET /approvals`` and decide it, and the
buyer may withdraw it. Refusals name what is wrong and write nothing."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from channelfront.approvals.models import ApprovalDecision, ApprovalRule, ApprovalStep
from channelfront.audit.models import AuditEvent
from channelfront.extensions import db
from channelfront.orders.models import Order
from tests.api.orders_support import NW, add_reseller, company_id, order_body
from tests.orders.conftest import storefront
from tests.payments.conftest import DECLINED_CARD, save_card

BUYER = "buyer@bluebird.example"
APPROVER = "approver@bluebird.example"
ADMIN = "admin@bluebird.example"
OVER_100 = {
    "name": "Over 100",
    "match": "all",
    "conditions": [{"field": "order.total", "operator": "gt", "value": "100.00"}],
    "steps": [{"role": "approver"}],
}


class Json:
    """JSON requests to ``/api/v1`` on Northwind with one user's bearer token."""

    def __init__(self, app: Flask, token: str | None) -> None:
        self.client = FlaskClient(app, app.response_class, use_cookies=False)
        self.token = token

    def call(self, method: str, path: str, body: Any = None, **kw: Any) -> TestResponse:
        headers = dict(kw.pop("headers", {}))
        if self.token is not None:
            headers["Authorization"] = f"Bearer {self.token}"
        if method == "POST" and path == "/orders":
            headers.setdefault("Idempotency-Key", uuid.uuid4().hex)
        if body is not None:
            kw["json"] = body
        return self.client.open(
            f"/api/v1{path}", method=method, base_url=f"http://{NW}", headers=headers, **kw
        )

    def get(self, path: str) -> TestResponse:
        return self.call("GET", path)

    def post(self, path: str, body: Any = None, **kw: Any) -> TestResponse:
        return self.call("POST", path, body, **kw)

    def delete(self, path: str) -> TestResponse:
        return self.call("DELETE", path)

    def place(self, **overrides: Any) -> dict[str, Any]:
        response = self.post("/orders", order_body(**overrides))
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def decide(self, step_id: int, decision: str, comment: str | None = None) -> TestResponse:
        return self.post(
            f"/approvals/{step_id}/decision", {"decision": decision, "comment": comment}
        )


@pytest.fixture
def as_user(app: Flask, ctx, token_for):  # type: ignore[no-untyped-def]
    """``as_user(email)``: a client with a fresh token of that user on Northwind."""
    return lambda email: Json(app, token_for(email, "northwind"))


@pytest.fixture
def buyer(as_user) -> Json:  # type: ignore[no-untyped-def]
    return as_user(BUYER)


@pytest.fixture
def approver(as_user) -> Json:  # type: ignore[no-untyped-def]
    return as_user(APPROVER)


@pytest.fixture
def admin(as_user) -> Json:  # type: ignore[no-untyped-def]
    return as_user(ADMIN)


def counts() -> dict[str, int]:
    db.session.expire_all()
    return {
        name: db.session.scalar(select(func.count()).select_from(model)) or 0
        for name, model in (
            ("rules", ApprovalRule),
            ("steps", ApprovalStep),
            ("decisions", ApprovalDecision),
            ("orders", Order),
            ("audit", AuditEvent),
        )
    }


def audited(action: str) -> int:
    return db.session.scalar(select(func.count()).where(AuditEvent.action == action)) or 0


def waiting_order(admin: Json, buyer: Json, rule: dict[str, Any] | None = None) -> dict[str, Any]:
    """The admin adds the rule (Over 100 by default) and the buyer places an order it holds."""
    assert admin.post("/approval-rules", rule or OVER_100).status_code == 201
    order = buyer.place()
    assert order["status"] == "awaiting_approval", order
    return order


def open_step(order: dict[str, Any]) -> int:
    [step] = [s for s in order["approval"]["pending_steps"] if s["status"] == "open"]
    return int(step["id"])


def kinds(order: dict[str, Any]) -> list[str]:
    return [event["kind"] for event in order["events"]]


# --- rules --------------------------------------------------------------------------------


def test_the_company_admin_adds_lists_and_removes_rules_audited(admin, buyer):
    created = admin.post("/approval-rules", OVER_100)
    assert created.status_code == 201, created.get_json()
    rule = created.get_json()
    assert (rule["name"], rule["match"]) == ("Over 100", "all")
    assert [c["field"] for c in rule["conditions"]] == ["order.total"]
    assert rule["steps"][0]["role"] == "approver"
    assert audited("approval_rule.created") == 1
    # Everyone of the company reads the rules; only company admins write them.
    assert [r["id"] for r in buyer.get("/approval-rules").get_json()["items"]] == [rule["id"]]
    removed = admin.delete(f"/approval-rules/{rule['id']}")
    assert removed.status_code == 200
    assert removed.get_json() == rule
    assert admin.get("/approval-rules").get_json() == {"items": []}
    assert audited("approval_rule.deleted") == 1
    assert admin.delete(f"/approval-rules/{rule['id']}").status_code == 404


def _condition(**overrides: Any) -> dict[str, Any]:
    return {"field": "order.total", "operator": "gt", "value": "100.00", **overrides}


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (
            {
                "conditions": [
                    _condition(),
                    _condition(field="order.currency", operator="eq", value="USD"),
                    _condition(field="order.totl"),
                ]
            },
            "conditions[2].field",
        ),
        ({"conditions": [_condition(operator="bigger")]}, "conditions[0].operator"),
        ({"match": "most"}, "match"),
        ({"name": ""}, "name"),
        ({"steps": []}, "steps"),
        ({"steps": [{"role": "emperor"}]}, "steps[0].role"),
        ({"steps": [{"role": "approver", "required": 0}]}, "steps[0].required"),
        ({"steps": [{"role": "approver", "on_expiry": "shrug"}]}, "steps[0].on_expiry"),
    ],
)
def test_a_refused_rule_names_the_path_and_writes_nothing(admin, change, path):
    before = counts()
    response = admin.post("/approval-rules", {**OVER_100, **change})
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert path in error["errors"], error
    assert error["message"].startswith(f"{path}: ")
    assert counts() == before


def test_the_unknown_field_is_named_as_the_issue_shows(admin):
    conditions = [_condition(), _condition(), _condition(field="order.totl")]
    response = admin.post("/approval-rules", {**OVER_100, "conditions": conditions})
    error = response.get_json()["error"]
    assert error["message"] == "conditions[2].field: unknown field 'order.totl'"
    assert error["errors"] == {"conditions[2].field": ["unknown field 'order.totl'"]}


def test_a_step_may_name_only_the_companys_people(admin):
    stranger = add_reseller("someone@elsewhere.example", "northwind")
    for users in ([stranger.id], [999_999]):
        body = {**OVER_100, "steps": [{"users": users}]}
        response = admin.post("/approval-rules", body)
        assert response.status_code == 422
        assert any(
            key.startswith("steps[0].users") for key in response.get_json()["error"]["errors"]
        )


@pytest.mark.parametrize("body", [None, [], "rule", 3])
def test_a_body_that_is_not_an_object_is_a_400(admin, body):
    before = counts()
    response = (
        admin.post("/approval-rules", data="{not json", content_type="application/json")
        if body is None
        else admin.post("/approval-rules", body)
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["errors"] == {"body": ["Send a JSON object."]}
    assert counts() == before


def test_rules_are_written_by_company_admins_only(as_user, buyer, approver):
    before = counts()
    for client in (buyer, approver):
        assert client.post("/approval-rules", OVER_100).status_code == 403
    staff = as_user("finance@northwind.example")
    assert staff.get("/approval-rules").status_code == 403
    assert staff.post("/approval-rules", OVER_100).status_code == 403
    assert counts() == before


def test_another_companys_rule_is_not_found(app, ctx, token_for, admin):
    other_admin = add_reseller("admin@otherco.example", "northwind", role="company_admin")
    other = Json(app, token_for(other_admin.email, "northwind"))
    theirs = other.post("/approval-rules", OVER_100).get_json()
    assert admin.delete(f"/approval-rules/{theirs['id']}").status_code == 404
    assert admin.get("/approval-rules").get_json() == {"items": []}
    assert db.session.get(ApprovalRule, theirs["id"]) is not None
    for missing in (0, 2**31, 2**63):
        assert admin.delete(f"/approval-rules/{missing}").status_code == 404


# --- an order that waits -----------------------------------------------------------------


def test_an_order_waits_and_goes_ahead_on_account_after_approval(admin, buyer, approver):
    order = waiting_order(admin, buyer)
    assert kinds(order) == ["placed", "awaiting_approval"]
    assert order["licenses"] == []
    assert order["invoice"] is None
    [step] = order["approval"]["pending_steps"]
    assert step["rule"] == "Over 100"
    assert step["approvers"] == {"roles": ["approver"], "users": []}
    assert (step["required"], step["approvals"], step["status"]) == (1, 0, "open")
    assert step["reasons"]
    assert step["due_at"] is None
    shown = buyer.get(f"/orders/{order['number']}").get_json()
    assert shown["status"] == "awaiting_approval"
    assert shown["approval"] == order["approval"]
    listed = buyer.get("/orders?status=awaiting_approval").get_json()["items"]
    assert [o["number"] for o in listed] == [order["number"]]

    # The approver's queue has it; the buyer's does not (nobody decides their own order).
    [waiting] = approver.get("/approvals").get_json()["items"]
    assert (waiting["id"], waiting["order_number"]) == (step["id"], order["number"])
    assert (waiting["total"], waiting["currency"]) == (order["total"], "USD")
    assert waiting["buyer"] == {"name": "Blake Buyer", "email": BUYER}
    assert (waiting["rule"], waiting["reasons"]) == ("Over 100", step["reasons"])
    assert waiting["opened_at"]
    assert waiting["due_at"] is None
    assert buyer.get("/approvals").get_json() == {"items": []}

    decided = approver.decide(step["id"], "approve", "Budget confirmed.")
    assert decided.status_code == 200, decided.get_json()
    after = decided.get_json()
    assert after["approval"] == {"pending_steps": []}
    assert after["status"] != "awaiting_approval"
    assert kinds(after)[:5] == [
        "placed",
        "awaiting_approval",
        "approval_decided",
        "approved",
        "accepted_on_account",
    ]
    assert after["events"][2]["note"] == "Budget confirmed."
    assert after["events"][2]["actor"] == "Avery Approver"
    # Without a broker, fulfilment ran in-process once the decision was committed.
    assert after["licenses"]
    assert after["invoice"] is not None
    assert approver.get("/approvals").get_json() == {"items": []}
    assert audited("approval.approved") == 1


def test_a_rejection_needs_a_comment_and_ends_the_order(admin, buyer, approver):
    order = waiting_order(admin, buyer)
    step_id = open_step(order)
    before = counts()
    for comment in (None, "", "   "):
        refused = approver.decide(step_id, "reject", comment)
        assert refused.status_code == 422
        assert list(refused.get_json()["error"]["errors"]) == ["comment"]
    assert counts() == before
    rejected = approver.decide(step_id, "reject", "Not this quarter.")
    assert rejected.status_code == 200
    after = rejected.get_json()
    assert after["status"] == "rejected"
    assert after["approval"] == {"pending_steps": []}
    assert kinds(after) == ["placed", "awaiting_approval", "approval_decided", "rejected"]
    assert [e["note"] for e in after["events"][2:]] == ["Not this quarter."] * 2
    assert after["licenses"] == []
    assert after["invoice"] is None
    assert buyer.get("/orders?status=rejected").get_json()["items"][0]["number"] == order["number"]


def test_a_decided_approval_answers_409(admin, buyer, approver):
    step_id = open_step(waiting_order(admin, buyer))
    assert approver.decide(step_id, "approve").status_code == 200
    before = counts()
    for decision, comment in (("approve", None), ("reject", "Too late")):
        again = approver.decide(step_id, decision, comment)
        assert again.status_code == 409, again.get_json()
        assert again.get_json()["error"]["errors"]["approval"]
    assert counts() == before


def test_nobody_decides_their_own_order_whatever_their_role(admin, approver):
    order = waiting_order(admin, approver)  # the approver orders for themself
    step_id = open_step(order)
    before = counts()
    own = approver.decide(step_id, "approve", "Looks fine to me.")
    assert own.status_code == 403
    assert own.get_json()["error"]["message"] == (
        "You placed this order, so someone else must decide it."
    )
    assert approver.get("/approvals").get_json() == {"items": []}
    assert counts() == before
    # The company admin holds no approver role: the first step is not theirs either.
    assert admin.decide(step_id, "approve").status_code == 403


def test_the_wrong_role_is_refused(admin, buyer, approver, as_user):
    rule = {**OVER_100, "steps": [{"role": "company_admin"}]}
    step_id = open_step(waiting_order(admin, buyer, rule))
    before = counts()
    for client in (approver, as_user("finance@northwind.example")):
        refused = client.decide(step_id, "approve")
        assert refused.status_code == 403, refused.get_json()
    assert counts() == before
    assert approver.get("/approvals").get_json() == {"items": []}
    assert [a["id"] for a in admin.get("/approvals").get_json()["items"]] == [step_id]
    assert admin.decide(step_id, "approve").status_code == 200


def test_another_companys_approval_is_not_found(app, token_for, admin, buyer):
    step_id = open_step(waiting_order(admin, buyer))
    outsider = add_reseller("approver@otherco.example", "northwind", role="approver")
    other = Json(app, token_for(outsider.email, "northwind"))
    before = counts()
    assert other.decide(step_id, "approve").status_code == 404
    assert other.get("/approvals").get_json() == {"items": []}
    for missing in (0, step_id + 1000, 2**31):
        assert other.decide(missing, "approve").status_code == 404
    assert counts() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"decision": "maybe"}, "decision"),
        ({"comment": "fine"}, "decision"),
        ({"decision": "approve", "comment": 5}, "comment"),
        ({"decision": "approve", "comment": "x" * 2001}, "comment"),
        ({"decision": "approve", "extra": 1}, "extra"),
    ],
)
def test_a_decision_of_the_wrong_shape_is_a_400(admin, buyer, approver, body, field):
    step_id = open_step(waiting_order(admin, buyer))
    before = counts()
    response = approver.post(f"/approvals/{step_id}/decision", body)
    assert response.status_code == 400
    assert field in response.get_json()["error"]["errors"]
    assert counts() == before


def test_two_approvals_when_the_step_needs_two(app, token_for, admin, buyer, approver):
    second = add_reseller("second@bluebird.example", "northwind", "approver", company_id(BUYER))
    rule = {**OVER_100, "steps": [{"role": "approver", "required": 2}]}
    step_id = open_step(waiting_order(admin, buyer, rule))
    first = approver.decide(step_id, "approve").get_json()
    assert first["status"] == "awaiting_approval"
    assert first["approval"]["pending_steps"][0]["approvals"] == 1
    last = Json(app, token_for(second.email, "northwind")).decide(step_id, "approve")
    assert last.get_json()["approval"] == {"pending_steps": []}
    assert "accepted_on_account" in kinds(last.get_json())


# --- withdrawing --------------------------------------------------------------------------


def test_the_buyer_withdraws_a_waiting_order(admin, buyer, approver):
    order = waiting_order(admin, buyer)
    number, step_id = order["number"], open_step(order)
    assert approver.post(f"/orders/{number}/withdraw").status_code == 403
    withdrawn = buyer.post(f"/orders/{number}/withdraw")
    assert withdrawn.status_code == 200, withdrawn.get_json()
    after = withdrawn.get_json()
    assert after["status"] == "withdrawn"
    assert kinds(after) == ["placed", "awaiting_approval", "withdrawn"]
    assert after["approval"] == {"pending_steps": []}
    assert approver.get("/approvals").get_json() == {"items": []}
    before = counts()
    again = buyer.post(f"/orders/{number}/withdraw")
    assert again.status_code == 409
    assert again.get_json()["error"]["errors"] == {
        "order": ["Only an order that waits for approval can be withdrawn."]
    }
    assert approver.decide(step_id, "approve").status_code == 409
    assert counts() == before


def test_a_company_admin_may_withdraw_a_colleagues_order(admin, buyer):
    order = waiting_order(admin, buyer)
    withdrawn = admin.post(f"/orders/{order['number']}/withdraw")
    assert withdrawn.status_code == 200
    assert withdrawn.get_json()["events"][-1] == {
        **withdrawn.get_json()["events"][-1],
        "kind": "withdrawn",
        "actor": "Addison Admin",
    }


def test_only_a_waiting_order_of_the_company_can_be_withdrawn(admin, buyer, approver):
    placed = buyer.place()  # no rule: it goes ahead at once
    assert buyer.post(f"/orders/{placed['number']}/withdraw").status_code == 409
    for number in ("NW-999999", "no/such", "x" * 30):
        assert buyer.post(f"/orders/{number}/withdraw").status_code == 404


# --- card orders: charged after the last approval -----------------------------------------


def _card(app: Flask, number: str | None = None) -> dict[str, Any]:
    for shop in storefront(app, NW, BUYER):
        card = save_card(shop, number) if number else save_card(shop)
    return {"method": "card", "payment_method": card["id"]}


def test_a_card_is_charged_only_after_the_last_approval(app, admin, buyer, approver, localstripe):
    assert admin.post("/approval-rules", OVER_100).status_code == 201
    order = buyer.place(payment=_card(app))
    assert order["status"] == "awaiting_approval"
    assert localstripe.count("payment_intents") == 0
    approved = approver.decide(open_step(order), "approve", "Go ahead.")
    assert approved.status_code == 200
    after = buyer.get(f"/orders/{order['number']}").get_json()
    assert after["payment"] == {"method": "card", "error": None}
    assert "paid" in kinds(after)
    assert localstripe.count("payment_intents") == 1


def test_a_card_declined_after_approval_shows_on_the_order(
    app, admin, buyer, approver, localstripe
):
    assert admin.post("/approval-rules", OVER_100).status_code == 201
    order = buyer.place(payment=_card(app, DECLINED_CARD))
    approved = approver.decide(open_step(order), "approve")
    assert approved.status_code == 200
    after = approved.get_json()
    assert after["status"] == "payment_failed"
    assert after["payment"]["error"] == "The card was declined."
    assert after["licenses"] == []


def test_distributor_staff_decide_steps_that_name_their_role(admin, buyer, as_user):
    rule = {**OVER_100, "steps": [{"role": "distributor_finance"}]}
    order = waiting_order(admin, buyer, rule)
    [step] = order["approval"]["pending_steps"]
    assert step["approvers"] == {"roles": ["distributor_finance"], "users": []}
    finance = as_user("finance@northwind.example")
    [waiting] = finance.get("/approvals").get_json()["items"]
    assert (waiting["id"], waiting["order_number"]) == (step["id"], order["number"])
    decided = finance.decide(step["id"], "approve", "Within terms.")
    assert decided.status_code == 200
    assert decided.get_json()["number"] == order["number"]
    assert "accepted_on_account" in kinds(decided.get_json())
