"""``/api/v1/webhooks``: company admins' and distributor admins' tokens."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from standardwebhooks import Webhook

from tests.webhooks.conftest import COMPANY_ADMIN, DISTRIBUTOR_ADMIN
from tests.webhooks.receiver import Receiver

HOST = "http://northwind.localhost"


def call(app: Flask, method: str, path: str, token: str, **kwargs):  # type: ignore[no-untyped-def]
    client = FlaskClient(app, app.response_class, use_cookies=False)
    headers = {"Authorization": f"Bearer {token}"}
    return client.open(f"/api/v1{path}", method=method, base_url=HOST, headers=headers, **kwargs)


def test_create_list_rotate_deliveries_delete(
    app: Flask, token_for, receiver: Receiver, emit
) -> None:
    token = token_for(COMPANY_ADMIN, "northwind")
    body = {"url": receiver.url, "events": ["order.placed"], "description": "CRM"}
    created = call(app, "POST", "/webhooks", token, json=body)
    assert created.status_code == 201, created.json
    endpoint = created.json
    assert endpoint["secret"].startswith("whsec_")
    assert endpoint["owner"] == "company"
    listed = call(app, "GET", "/webhooks", token).json["items"]
    assert [e["id"] for e in listed] == [endpoint["id"]]
    assert "secret" not in listed[0]

    event_id = emit("order.placed")
    [request] = receiver.requests
    Webhook(endpoint["secret"]).verify(request.body, request.headers)
    log = call(app, "GET", f"/webhooks/{endpoint['id']}/deliveries", token).json
    assert log["total"] == 1
    assert log["items"][0]["event_id"] == event_id
    assert log["items"][0]["status"] == "succeeded"
    assert log["items"][0]["attempts"][0]["status_code"] == 200

    rotated = call(app, "POST", f"/webhooks/{endpoint['id']}/rotate-secret", token)
    assert rotated.status_code == 200
    assert rotated.json["secret"] != endpoint["secret"]
    assert call(app, "DELETE", f"/webhooks/{endpoint['id']}", token).status_code == 204
    assert call(app, "GET", "/webhooks", token).json["items"] == []


def test_bad_input_is_named(app: Flask, token_for, production) -> None:
    token = token_for(COMPANY_ADMIN, "northwind")
    private = call(
        app,
        "POST",
        "/webhooks",
        token,
        json={"url": "https://10.0.0.1/", "events": ["order.placed"]},
    )
    assert private.status_code == 422
    assert "url" in private.json["error"]["errors"]
    unknown = call(
        app, "POST", "/webhooks", token, json={"url": "https://93.184.216.34/", "events": ["x"]}
    )
    assert unknown.status_code == 400
    assert "events[0]" in unknown.json["error"]["errors"]
    assert call(app, "POST", "/webhooks", token, data="nope").status_code == 400
    assert call(app, "GET", "/webhooks", token).json["items"] == []


def test_walls_and_roles(app: Flask, token_for, make_endpoint) -> None:
    tenant_endpoint, _ = make_endpoint("http://127.0.0.1:9/x", company=False)
    company = token_for(COMPANY_ADMIN, "northwind")
    staff = token_for(DISTRIBUTOR_ADMIN, "northwind")
    buyer = token_for("buyer@bluebird.example", "northwind")
    assert call(app, "GET", "/webhooks", buyer).status_code == 403
    assert call(app, "DELETE", f"/webhooks/{tenant_endpoint}", company).status_code == 404
    assert call(app, "GET", f"/webhooks/{tenant_endpoint}/deliveries", company).status_code == 404
    items = call(app, "GET", "/webhooks", staff).json["items"]
    assert [(e["id"], e["owner"]) for e in items] == [(tenant_endpoint, "tenant")]
    assert call(app, "GET", "/webhooks", "nope").status_code == 401


def test_the_openapi_document_has_the_operations(app: Flask) -> None:
    client = FlaskClient(app, app.response_class)
    paths = client.get("/api/v1/openapi.json", base_url=HOST).json["paths"]
    assert set(paths["/webhooks"]) == {"get", "post"}
    assert "delete" in paths["/webhooks/{endpoint_id}"]
    assert "post" in paths["/webhooks/{endpoint_id}/rotate-secret"]
    assert "get" in paths["/webhooks/{endpoint_id}/deliveries"]
