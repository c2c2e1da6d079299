"""Schemathesis over the quote and special price operations of the OpenAPI document, each
sent with the token of whoever acts there: Bluebird's buyer quotes, sends and asks for
special prices; Northwind's partner manager lists and decides them. No answer is a 5xx,
every answer matches the document, and each operation does its work at least once (a
quote created, read, listed and sent, a special price asked for, one decided) instead of
only refusing.

The world is made through the API: quotes with a special price request waiting on
each. A path parameter generated valid is now and then replaced by one of the world's
own values, so the cases reach the rows that exist as well as ones that do not.
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

from tests.fuzz.quotes_world import BUYER, MANAGER, NORTHWIND, quotes_waiting, tokens

pytestmark = pytest.mark.slow
# A body the document allows can still be refused by what it names (a SKU this reseller
# may not buy, a past date, a price not below the buy price) or by the state of the row
# (a quote no longer open, a request decided already).
ACCEPTED = ["2xx", "401", "403", "404", "409", "422"]
CONFIG = SchemathesisConfig.from_dict(
    {"checks": {"positive_data_acceptance": {"expected-statuses": ACCEPTED}}}
)
# (method, path): who sends it, the world's values for its path parameter, and the
# answer that shows it did its work.
OPERATIONS: dict[tuple[str, str], tuple[str, str | None, int]] = {
    ("POST", "/quotes"): (BUYER, None, 201),
    ("GET", "/quotes"): (BUYER, None, 200),
    ("GET", "/quotes/{number}"): (BUYER, "number", 200),
    ("POST", "/quotes/{number}/send"): (BUYER, "number", 200),
    ("POST", "/quotes/{number}/special-prices"): (BUYER, "number", 201),
    ("GET", "/special-prices"): (MANAGER, None, 200),
    ("POST", "/special-prices/{special_price_id}/decision"): (MANAGER, "special_price_id", 200),
}
FUZZ = settings(
    max_examples=60,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def world(app: Flask, ctx) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Bearer tokens, and three quotes each with a special price request waiting."""
    issued = tokens()
    return {"tokens": issued, **quotes_waiting(app, issued[BUYER])}


@pytest.fixture(scope="module")
def document(app: Flask) -> schemathesis.BaseSchema:  # type: ignore[name-defined]
    return schemathesis.openapi.from_wsgi(
        "/api/v1/openapi.json", app, config=CONFIG, headers={"Host": NORTHWIND}
    )


def _cases(operation: Any) -> st.SearchStrategy[Any]:
    return st.one_of(
        *operation.get_strategies_from_examples(),
        operation.as_strategy(schemathesis.GenerationMode.POSITIVE),
        operation.as_strategy(schemathesis.GenerationMode.NEGATIVE),
    )


@pytest.mark.parametrize(("method", "path"), list(OPERATIONS))
def test_quote_operations_conform_and_act(app, world, document, method, path):
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
            app=app, base_url=f"http://{NORTHWIND}/api/v1", headers={"Authorization": bearer}
        )
        statuses[response.status_code] += 1

    send()
    assert statuses[works] > 0, statuses
    assert not [status for status in statuses if status >= 500], statuses
