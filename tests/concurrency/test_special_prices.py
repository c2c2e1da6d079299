"""Special price decisions under parallel requests, on SQLite and on PostgreSQL.

Two of Northwind's deciders (its partner manager and its administrator) send their
decisions on the same request at the same moment, one approving and one declining:
the request's row lock lets exactly one through; the other is told it was already
decided (409), and the request holds one decision and one audit entry for it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import requests

pytestmark = pytest.mark.slow

ROUNDS = 4
DECIDERS = ("partners@northwind.example", "admin@northwind.example")
Fire = Callable[[int, Callable[[int], requests.Response]], list[requests.Response]]


def waiting_request(served: Any) -> int:
    """A quote and a special price request that waits for a partner manager (the API)."""
    name = f"Race {uuid.uuid4().hex[:8]}"
    quote = served.api(
        "northwind",
        "POST",
        "/quotes",
        json={
            "end_customer": {
                "company_name": name,
                "contact_name": "Casey Customer",
                "email": f"{name.split()[1]}@race.example",
                "country": "US",
            },
            "lines": [{"sku": "SHD-STD-1Y", "quantity": 2}],
        },
    )
    assert quote.status_code == 201, quote.text
    number = quote.json()["number"]
    asked = served.api(
        "northwind",
        "POST",
        f"/quotes/{number}/special-prices",
        json={"line": "SHD-STD-1Y", "unit_price": "70.00", "justification": "Race"},
    )
    assert asked.status_code == 201, asked.text
    assert asked.json()["status"] == "pending"
    return int(asked.json()["id"])


def test_two_deciders_at_once_decide_a_request_once(served: Any, fire: Fire) -> None:
    deciders = [served.browser("northwind", email) for email in DECIDERS]
    for _round in range(ROUNDS):
        request_id = waiting_request(served)
        path = f"/partners/special-prices/{request_id}"
        tokens = [decider.form(path)[1] for decider in deciders]
        forms = [
            {"csrf_token": tokens[0], "decision": "approve", "comment": ""},
            {"csrf_token": tokens[1], "decision": "decline", "comment": "Too low"},
        ]
        answers = fire(
            2, lambda i, path=path, forms=forms: deciders[i].post(f"{path}/decision", forms[i])
        )
        codes = sorted(answer.status_code for answer in answers)
        assert codes == [303, 409], (codes, served.log_tail())
        [(status, decisions)] = served.sql(
            "SELECT status, decisions FROM special_price_request WHERE id = :id", id=request_id
        )
        said = json.loads(decisions) if isinstance(decisions, str) else decisions
        assert len(said) == 1
        assert status == {"approve": "approved", "decline": "declined"}[said[0]["decision"]]
        audited = served.scalar(
            "SELECT count(*) FROM audit_event WHERE subject_type = 'special_price_request'"
            " AND subject_id = :id AND action IN ('special_price.approved',"
            " 'special_price.declined')",
            id=str(request_id),
        )
        assert audited == 1
