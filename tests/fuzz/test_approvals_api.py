"""Schemathesis over the approvals operations of the OpenAPI document, each sent with the
token of someone who acts there: the company admin keeps rules, the approver decides,
the buyer withdraws and reads. No answer is a 5xx, every answer matches the document,
and each operation does its work at least once (a rule created and deleted, an order
approved, one withdrawn) instead of only refusing.

The world is made through the API: the admin adds a rule, the buyer places orders it
holds. A path parameter generated valid is now and then replaced by one of the world's
own ids, so the cases reach the rows that exist as well as ones that do not.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st
from schemathesis.config import SchemathesisConfig
from schemathesis.core.parameters import ParameterLocation

from channelfront.api.openapi_approvals import EXAMPLE_RULE
from channelfront.api.openapi_orders import EXAMPLE_ORDER
from channelfront.extensions import db
from tests.fuzz.approvals_world import ADMIN, APPROVER, BUYER, tokens

pytestmark = pytest.mark.slow
HOST = "northwind.localhost"
# A body the document allows can still be refused by what it names (an unknown user, a
# comment the timeline cannot store) or by the state of the row (decided, withdrawn).
ACCEPTED = ["2xx", "401", "403", "404", "409", "422"]
CONFIG = SchemathesisConfig.from_dict(
    {"checks": {"positive_data_acceptance": {"expected-statuses": ACCEPTED}}}
)
# (method, path): who sends it, the world's values for its path parameter, and the
# answer that shows it did its work.
OPERATIONS: dict[tuple[str, str], tuple[str, str | None, int]] = {
    ("GET", "/approval-rules"): (ADMIN, None, 200),
    ("POST", "/approval-rules"): (ADMIN, None, 201),
    ("DELETE", "/approval-rules/{rule_id}"): (ADMIN, "rule_id", 200),
    ("GET", "/approvals"): (APPROVER, None, 200),
    ("POST", "/approvals/{approval_id}/decision"): (APPROVER, "approval_id", 200),
    ("POST", "/orders/{number}/withdraw"): (BUYER, "number", 200),
    ("GET", "/orders/{number}"): (BUYER, "number", 200),
}
FUZZ = settings(
    max_examples=80,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


def _send(app: Flask, method: str, path: str, token: str, **kw: Any) -> Any:
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}", **kw.pop("headers", {})}
    return client.open(
        f"/api/v1{path}", method=method, base_url=f"http://{HOST}", headers=headers, **kw
    )


@pytest.fixture
def world(app: Flask, ctx) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Bearer tokens, two rules of the company admin's and three orders waiting for the
    approver; the values their path parameters take."""
    issued = tokens()
    db.session.commit()
    rule_ids = []
    for name in ("Over 100", "Over 200"):
        created = _send(
            app, "POST", "/approval-rules", issued[ADMIN], json={**EXAMPLE_RULE, "name": name}
        )
        assert created.status_code == 201, created.get_json()
        rule_ids.append(created.get_json()["id"])
    numbers, steps = [], []
    for index in range(3):
        key = {"Idempotency-Key": f"fuzz-approvals-{index}"}
        placed = _send(app, "POST", "/orders", issued[BUYER], json=EXAMPLE_ORDER, headers=key)
        order = placed.get_json()
        assert order["status"] == "awaiting_approval", order
        numbers.append(order["number"])
        steps.append(order["approval"]["pending_steps"][0]["id"])
    return {
        "tokens": issued,
        "rule_id": rule_ids,
        "approval_id": steps,
        "number": numbers,
    }


@pytest.fixture(scope="module")
def document(app: Flask) -> schemathesis.BaseSchema:  # type: ignore[name-defined]
    return schemathesis.openapi.from_wsgi(
        "/api/v1/openapi.json", app, config=CONFIG, headers={"Host": HOST}
    )


def _cases(operation: Any) -> st.SearchStrategy[Any]:
    return st.one_of(
        *operation.get_strategies_from_examples(),
        operation.as_strategy(schemathesis.GenerationMode.POSITIVE),
        operation.as_strategy(schemathesis.GenerationMode.NEGATIVE),
    )


@pytest.mark.parametrize(("method", "path"), list(OPERATIONS))
def test_approvals_operations_conform_and_act(app, world, document, method, path):
    email, parameter, works = OPERATIONS[(method, path)]
    bearer = f"Bearer {world['tokens'][email]}"
    known = world[parameter] if parameter else [None]
    statuses: Counter[int] = Counter()

    @FUZZ
    @given(case=_cases(document[path][method]), own=st.sampled_from([None, *known]))
    def send(case: Any, own: Any) -> None:
        if any(value == [] for value in (case.query or {}).values()):
            reject()  # an empty list is not sent at all, so the case is not what it says
        if own is not None and not case.meta.is_negative_at(ParameterLocation.PATH):
            case.path_parameters[parameter] = own
        response = case.call_and_validate(
            app=app, base_url=f"http://{HOST}/api/v1", headers={"Authorization": bearer}
        )
        statuses[response.status_code] += 1

    send()
    assert statuses[works] > 0, statuses
    assert not [status for status in statuses if status >= 500], statuses
