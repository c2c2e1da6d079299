"""Two deciders at once, against a real server on PostgreSQL: the partner manager
approves while the distributor admin declines the same deal. The deal's row lock lets
one through; the other hears 409, and the deal holds one decision on its timeline."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.deals.conftest import deal_body
from tests.deals.race_server import Served, served_on_postgresql

pytestmark = pytest.mark.slow

BUYER = "buyer@bluebird.example"
DECIDERS = ("partners@northwind.example", "admin@northwind.example")
ROUNDS = 4


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with served_on_postgresql([BUYER, *DECIDERS], tmp_path_factory.mktemp("deal-race")) as server:
        yield server


def at_once(calls: list) -> list[requests.Response]:  # type: ignore[type-arg]
    gate = threading.Barrier(len(calls))

    def run(call):  # type: ignore[no-untyped-def]
        gate.wait(timeout=60)
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def test_two_deciders_at_once_give_one_decision(served: Served) -> None:
    for index in range(ROUNDS):
        made = served.api(BUYER, "POST", "/deals", json=deal_body(external_id=f"RACE-{index}"))
        assert made.status_code == 201, made.text
        deal_id = made.json()["id"]
        path = f"/deals/{deal_id}/decision"
        bodies = [
            {"decision": "approve", "reason": None},
            {"decision": "decline", "reason": "Someone else has it"},
        ]
        calls = [
            lambda i=i, p=path, b=bodies: served.api(DECIDERS[i], "POST", p, json=b[i])
            for i in range(2)
        ]
        answers = at_once(calls)
        codes = sorted(answer.status_code for answer in answers)
        assert codes == [200, 409], (codes, served.log.read_text()[-3000:])
        deal = served.api(BUYER, "GET", f"/deals/{deal_id}").json()
        winner = next(a for a in answers if a.status_code == 200).json()
        assert deal["status"] == winner["status"] in ("approved", "declined")
        decided = [e for e in deal["events"] if e["kind"] in ("approved", "declined")]
        assert len(decided) == 1
