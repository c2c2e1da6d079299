"""Deals through the API: register, validation, conflicts, decisions, walls."""

from __future__ import annotations

from tests.deals.conftest import deal_body

BUYER = "buyer@bluebird.example"
RIVAL = "buyer@rival.example"
MANAGER = "partners@northwind.example"


def test_register_and_read_back(token_for, call) -> None:
    token = token_for(BUYER)
    made = call("POST", "/deals", token, json=deal_body())
    assert made.status_code == 201, made.get_json()
    deal = made.get_json()
    assert deal["number"].endswith("-D-000001") or "-D-" in deal["number"]
    assert deal["status"] == "pending"
    assert deal["external_id"] == "CRM-DEAL-1"
    assert deal["crm_account_id"] == "ACC-1"
    assert deal["expected_value"] == "12000.00"
    listed = call("GET", "/deals", token).get_json()
    assert [d["id"] for d in listed["items"]] == [deal["id"]]
    assert call("GET", f"/deals/{deal['id']}", token).get_json()["number"] == deal["number"]


def test_repeat_external_id_is_409_and_writes_nothing(token_for, call) -> None:
    token = token_for(BUYER)
    assert call("POST", "/deals", token, json=deal_body()).status_code == 201
    again = call("POST", "/deals", token, json=deal_body())
    assert again.status_code == 409
    assert "external_id" in again.get_json()["error"]["errors"]
    assert call("GET", "/deals", token).get_json()["total"] == 1


def test_bad_input_names_the_field(token_for, call) -> None:
    token = token_for(BUYER)
    cases = {
        "lines[0].sku": deal_body(lines=[{"sku": "NOPE", "quantity": 1}]),
        "expected_close": deal_body(expected_close="2000-01-01"),
        "expected_value": deal_body(expected_value="1.234"),
    }
    for field, body in cases.items():
        answer = call("POST", "/deals", token, json=body)
        assert answer.status_code == 422, (field, answer.get_json())
        assert field in answer.get_json()["error"]["errors"]
    shape = call("POST", "/deals", token, json=deal_body(lines=[{"sku": "X", "quantity": 0}]))
    assert shape.status_code == 400
    assert call("GET", "/deals", token).get_json()["total"] == 0


def test_viewer_reads_but_cannot_register(token_for, call, reseller) -> None:
    token = token_for(reseller("Bluebird IT", "viewer2@bluebird.example", "viewer"))
    assert call("POST", "/deals", token, json=deal_body()).status_code == 403
    assert call("GET", "/deals", token).status_code == 200


def test_conflict_approve_decline_and_walls(token_for, call, inbox, reseller) -> None:
    reseller("Rival Resale", RIVAL)
    first = call("POST", "/deals", token_for(BUYER), json=deal_body()).get_json()
    rival_token = token_for(RIVAL)
    second = call(
        "POST",
        "/deals",
        rival_token,
        json=deal_body(external_id="R-1", crm_account_id=""),
    )
    assert second.status_code == 201, second.get_json()
    rival = second.get_json()
    assert rival["conflict_deal_ids"] == [first["id"]]
    # Another company's deal is not found; resellers cannot decide.
    assert call("GET", f"/deals/{first['id']}", rival_token).status_code == 404
    decision = {"decision": "approve", "reason": None}
    assert (
        call("POST", f"/deals/{first['id']}/decision", rival_token, json=decision).status_code
        == 403
    )
    manager = token_for(MANAGER)
    assert call("GET", "/deals", manager).get_json()["total"] == 2
    approved = call("POST", f"/deals/{first['id']}/decision", manager, json=decision)
    assert approved.status_code == 200, approved.get_json()
    assert approved.get_json()["status"] == "approved"
    assert approved.get_json()["protected_until"] is not None
    again = call("POST", f"/deals/{first['id']}/decision", manager, json=decision)
    assert again.status_code == 409
    no_reason = call(
        "POST", f"/deals/{rival['id']}/decision", manager, json={"decision": "decline"}
    )
    assert no_reason.status_code == 422
    assert "reason" in no_reason.get_json()["error"]["errors"]
    declined = call(
        "POST",
        f"/deals/{rival['id']}/decision",
        manager,
        json={"decision": "decline", "reason": "Bluebird registered first."},
    )
    assert declined.get_json()["status"] == "declined"
    subjects = [m["Subject"] for m in inbox.messages]
    assert any(f"Deal {first['number']} is approved" in s for s in subjects), subjects
    assert any(f"Deal {rival['number']} is declined" in s for s in subjects), subjects
    assert any("waits for your decision" in s for s in subjects), subjects


def test_the_document_describes_the_deal_on_quotes_and_orders(app) -> None:
    from flask.testing import FlaskClient

    client = FlaskClient(app, app.response_class)
    document = client.get("/api/v1/openapi.json", base_url="http://northwind.localhost")
    schemas = document.get_json()["components"]["schemas"]
    assert set(schemas["DealRef"]["properties"]) == {"id", "number", "external_id"}
    for name in ("Order", "Quote"):
        properties = schemas[name]["properties"]
        assert {"deal", "crm_account_id", "crm_opportunity_id"} <= set(properties), name
        assert {"deal", "crm_account_id", "crm_opportunity_id"} <= set(schemas[name]["required"])
    paths = document.get_json()["paths"]
    assert {"/deals", "/deals/{deal_id}", "/deals/{deal_id}/decision"} <= set(paths)
