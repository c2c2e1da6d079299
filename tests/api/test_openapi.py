"""The OpenAPI document: generated from the schemas, public, and complete about statuses."""

from __future__ import annotations

import re

NW = "northwind.localhost"


def test_document_is_public_on_every_storefront(api):
    for host in (NW, "alpenhandel.localhost", "sakura.localhost"):
        response = api(host, "/openapi.json")
        assert response.status_code == 200
        assert response.get_json()["openapi"] == "3.0.3"


def test_document_describes_every_operation_and_every_status(api):
    document = api(NW, "/openapi.json").get_json()
    operations = {
        (method, path): op
        for path, item in document["paths"].items()
        for method, op in item.items()
    }
    assert set(operations) == {
        ("get", "/products"),
        ("get", "/products/{sku}"),
        ("post", "/orders"),
        ("get", "/orders"),
        ("get", "/orders/{number}"),
        ("get", "/credit"),
        ("get", "/customers"),
        ("post", "/customers"),
        ("get", "/customers/{customer_id}"),
        ("patch", "/customers/{customer_id}"),
        ("post", "/customers/{customer_id}/merge"),
        ("post", "/customers/{customer_id}/archive"),
        ("post", "/customers/{customer_id}/unarchive"),
        ("get", "/users"),
        ("post", "/users"),
        ("patch", "/users/{user_id}"),
        ("get", "/approval-rules"),
        ("post", "/approval-rules"),
        ("delete", "/approval-rules/{rule_id}"),
        ("get", "/approvals"),
        ("post", "/approvals/{approval_id}/decision"),
        ("post", "/orders/{number}/withdraw"),
        ("post", "/quotes"),
        ("get", "/quotes"),
        ("get", "/quotes/{number}"),
        ("post", "/quotes/{number}/send"),
        ("post", "/quotes/{number}/special-prices"),
        ("get", "/special-prices"),
        ("post", "/special-prices/{special_price_id}/decision"),
        ("post", "/customers/import"),
        ("post", "/deals"),
        ("get", "/deals"),
        ("get", "/deals/{deal_id}"),
        ("post", "/deals/{deal_id}/decision"),
        ("get", "/webhooks"),
        ("post", "/webhooks"),
        ("delete", "/webhooks/{endpoint_id}"),
        ("post", "/webhooks/{endpoint_id}/rotate-secret"),
        ("get", "/webhooks/{endpoint_id}/deliveries"),
        ("get", "/subscriptions"),
        ("get", "/subscriptions/{subscription_id}"),
        ("get", "/invoices"),
        ("get", "/invoices/{number}"),
        ("get", "/statements"),
        ("get", "/statements/{statement_id}"),
    }
    assert document["servers"] == [{"url": "/api/v1"}]
    for operation in operations.values():
        assert operation["security"] == [{"bearer": []}]
        assert {"400", "401", "403", "404"} <= set(operation["responses"])
        assert {"200", "201", "204"} & set(operation["responses"])
        for status, response in operation["responses"].items():
            if status == "204":  # a deletion answers no body
                assert "content" not in response
                continue
            schema = response["content"]["application/json"]["schema"]
            assert _is_error(schema) == (int(status) >= 400), (status, schema)
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def _is_error(schema: dict) -> bool:
    """The shared Error component, or an error that carries more (the customer import's
    422 lists every row's errors) under the same ``error`` object."""
    if "$ref" in schema:
        return schema["$ref"].endswith("/Error")
    error = schema.get("properties", {}).get("error", {})
    return {"status", "message"} <= set(error.get("required", []))


def test_every_api_route_is_in_the_document(app, api):
    """The document names every route of the API, so the list above is the real one
    (a path parameter's name may differ from the view's argument)."""
    document = api(NW, "/openapi.json").get_json()
    documented = {
        (method.upper(), re.sub(r"\{\w+\}", "{}", path))
        for path, item in document["paths"].items()
        for method in item
    }
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api.") and rule.rule.startswith("/api/v1/"):
            path = rule.rule.removeprefix("/api/v1")
            path = re.sub(r"<(?:\w+:)?\w+>", "{}", path)
            for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
                routes.add((method, path))
    routes.discard(("GET", "/openapi.json"))
    assert routes == documented


def test_query_parameters_carry_the_validation_rules(api):
    document = api(NW, "/openapi.json").get_json()
    parameters = {p["name"]: p for p in document["paths"]["/products"]["get"]["parameters"]}
    assert set(parameters) == {"q", "category", "page"}
    assert parameters["q"]["schema"]["maxLength"] == 100
    assert parameters["page"]["schema"] == {
        "type": "integer",
        "default": 1,
        "minimum": 1,
        "maximum": 100000,
    }
    assert parameters["category"]["schema"]["enum"] == [
        "analytics",
        "backup",
        "collaboration",
        "devtools",
        "security",
        "support",
    ]


def test_product_schema_matches_what_the_api_returns(api, bluebird_nw):
    document = api(NW, "/openapi.json").get_json()
    product = document["components"]["schemas"]["Product"]
    returned = api(NW, "/products/SHD-PERP", bluebird_nw).get_json()
    assert set(product["required"]) == set(returned) == set(product["properties"])
    for amount in ("list_price", "buy_price", "saving"):
        assert product["properties"][amount]["type"] == "string"
    assert product["properties"]["term_months"]["nullable"] is True
