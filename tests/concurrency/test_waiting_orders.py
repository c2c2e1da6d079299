"""Orders waiting for approval under parallel requests, on SQLite and on PostgreSQL.

On Alpenhandel, a company rule of Bluebird's admin makes every order wait for Bluebird's
approver or admin. Parallel orders on account reserve the credit line while they wait,
so together they cannot overdraw it; two approvers deciding the same step at once count
as one decision; a buyer withdrawing while the approver approves ends the order one way.
On Northwind, a buyer's monthly spending limit holds under ten card orders at once.
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
PARALLEL = 10
RULED = "alpenhandel"  # the tenant where Bluebird's rule makes every order wait
BUYER, APPROVER, ADMIN = (f"{who}@bluebird.example" for who in ("buyer", "approver", "admin"))
ACCEPTED = {"accepted_on_account", "fulfilling", "fulfilled", "invoiced"}
PAID = {"paid", "fulfilling", "fulfilled", "invoiced"}
Fire = Callable[[int, Callable[[int], requests.Response]], list[requests.Response]]


def cents(amount: str) -> int:
    """An API amount ("20000.00") in cents: both tenants here count in cents."""
    return int(Decimal(amount) * 100)


def api_token(served: Any, email: str, slug: str) -> str:
    """A token of ``email`` on ``slug``, as an operator makes one (``flask api-token``)."""
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "api-token", "create", email, slug],
        cwd=ROOT,
        env=served.env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip().splitlines()[-1]


def as_user(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def user_id(served: Any, email: str) -> int:
    return int(served.scalar("SELECT id FROM user_account WHERE email = :e", e=email))


def credit(served: Any, slug: str) -> dict[str, int]:
    body = served.api(slug, "GET", "/credit").json()
    return {key: cents(body[key]) for key in ("limit", "outstanding", "available")}


def licenses(served: Any, slug: str) -> list[tuple[int, str]]:
    """(buy price in cents, SKU) of every perpetual license on the storefront, cheapest
    first."""
    found: list[tuple[int, str]] = []
    page, pages = 1, 1
    while page <= pages:
        body = served.api(slug, "GET", f"/products?page={page}").json()
        pages = body["pages"]
        found += [
            (cents(i["buy_price"]), i["sku"]) for i in body["items"] if i["kind"] == "perpetual"
        ]
        page += 1
    return sorted(found)


def order_body(served: Any, slug: str, sku: str, quantity: int, payment: dict) -> dict:
    customer = served.api(slug, "GET", "/customers").json()["items"][0]["id"]
    return {
        "lines": [{"sku": sku, "quantity": quantity}],
        "end_customer": {"id": customer},
        "payment": payment,
    }


def place(served: Any, fire: Fire, slug: str, count: int, body: dict) -> list[requests.Response]:
    """``count`` orders of ``body`` by Bluebird's buyer, all at once."""

    def one(_index: int) -> requests.Response:
        key = {"Idempotency-Key": uuid.uuid4().hex}
        return served.api(slug, "POST", "/orders", json=body, headers=key)

    answers = fire(count, one)
    no_errors(served, answers)
    return answers


def no_errors(served: Any, answers: list[requests.Response]) -> None:
    statuses = sorted(a.status_code for a in answers)
    assert all(s < 500 for s in statuses), (statuses, served.log_tail())


def waiting_orders(served: Any, fire: Fire, count: int) -> list[dict]:
    """``count`` small orders on account on Alpenhandel, each waiting for approval."""
    price, sku = licenses(served, RULED)[0]
    body = order_body(served, RULED, sku, 1, {"method": "on_account"})
    answers = place(served, fire, RULED, count, body)
    assert [a.status_code for a in answers] == [201] * count, [a.text[:300] for a in answers]
    orders = [a.json() for a in answers]
    assert {o["status"] for o in orders} == {"awaiting_approval"}
    assert {cents(o["total"]) for o in orders} == {price}
    return orders


def step_of(order: dict) -> int:
    """The id of the one open approval step of a waiting order."""
    steps = order["approval"]["pending_steps"]
    assert [s["status"] for s in steps] == ["open"], steps
    return int(steps[0]["id"])


def decide(served: Any, token: str, step: int, decision: str) -> requests.Response:
    body = {"decision": decision, "comment": f"{decision} in a race"}
    return served.api(
        RULED, "POST", f"/approvals/{step}/decision", json=body, headers=as_user(token)
    )


def order_id(served: Any, slug: str, number: str) -> int:
    return int(
        served.scalar(
            "SELECT o.id FROM purchase_order o JOIN tenant t ON t.id = o.tenant_id "
            "WHERE t.slug = :slug AND o.number = :number",
            slug=slug,
            number=number,
        )
    )


def timeline(served: Any, order: int) -> Counter[str]:
    kinds = served.sql("SELECT kind FROM order_event WHERE order_id = :o", o=order)
    return Counter(kind for (kind,) in kinds)


def fulfilments(served: Any, order: int) -> int:
    """How many times the order was handed to fulfilment (outbox ``order.fulfil``)."""
    rows = served.sql("SELECT payload FROM outbox_message WHERE topic = 'order.fulfil'")
    payloads = [json.loads(p) if isinstance(p, str) else p for (p,) in rows]
    return sum(1 for p in payloads if p.get("order_id") == order)


def step_statuses(served: Any, order: int) -> list[str]:
    rows = served.sql("SELECT status FROM approval_step WHERE order_id = :o ORDER BY id", o=order)
    return [status for (status,) in rows]


def status_now(served: Any, number: str) -> str:
    return str(served.api(RULED, "GET", f"/orders/{number}").json()["status"])


@pytest.fixture(scope="module")
def deciders(served: Any) -> dict[str, str]:
    """Tokens on Alpenhandel of Bluebird's approver and admin, and the admin's rule (made
    through the API) that every order there waits for one of the two."""
    people = (APPROVER, ADMIN)
    with ThreadPoolExecutor(len(people)) as pool:  # each token is an app start: side by side
        made = pool.map(lambda email: api_token(served, email, RULED), people)
        tokens = dict(zip(people, made, strict=True))
    rule = {
        "name": "Every order",
        "match": "all",
        "conditions": [{"field": "order.total", "operator": "gt", "value": "0.00"}],
        "steps": [{"users": [user_id(served, APPROVER), user_id(served, ADMIN)]}],
    }
    saved = served.api(RULED, "POST", "/approval-rules", json=rule, headers=as_user(tokens[ADMIN]))
    assert saved.status_code == 201, saved.text
    return tokens


def test_waiting_orders_reserve_the_credit_so_together_they_cannot_overdraw_it(
    served: Any, fire: Fire, deciders: dict[str, str]
) -> None:
    """Ten orders of 60% of the available credit: one waits, nine are refused."""
    before = credit(served, RULED)
    price, sku = max(licenses(served, RULED))
    quantity = before["available"] * 6 // 10 // price
    assert quantity >= 1, before
    body = order_body(served, RULED, sku, quantity, {"method": "on_account"})
    answers = place(served, fire, RULED, PARALLEL, body)
    after = credit(served, RULED)
    waiting = [a for a in answers if a.status_code == 201]
    assert after["outstanding"] <= after["limit"], (
        f"{len(waiting)} of {PARALLEL} wait: outstanding {after['outstanding'] / 100:,.2f} "
        f"over the limit of {after['limit'] / 100:,.2f}"
    )
    assert len(waiting) == 1, sorted(a.status_code for a in answers)
    assert waiting[0].json()["status"] == "awaiting_approval"
    for answer in answers:
        if answer.status_code != 201:
            assert answer.status_code == 422, answer.text
            assert "payment" in answer.json()["error"]["errors"], answer.text
    # The waiting order holds its amount on the line, though nobody approved it yet.
    assert after["outstanding"] == before["outstanding"] + quantity * price


def test_two_approvers_deciding_one_step_at_once_count_once(
    served: Any, fire: Fire, deciders: dict[str, str]
) -> None:
    """Six waiting orders; on each the approver approves while the admin approves (even
    orders) or rejects (odd ones), all twelve decisions at once."""
    orders = waiting_orders(served, fire, 6)
    calls = [
        (step_of(order), token, "approve" if who == APPROVER or index % 2 == 0 else "reject")
        for index, order in enumerate(orders)
        for who, token in deciders.items()
    ]
    answers = fire(len(calls), lambda i: decide(served, calls[i][1], calls[i][0], calls[i][2]))
    no_errors(served, answers)
    for index, order in enumerate(orders):
        pair = answers[2 * index : 2 * index + 2]
        codes = sorted(a.status_code for a in pair)
        assert codes == [200, 409], [a.text[:300] for a in pair]
        winner = calls[2 * index + [a.status_code for a in pair].index(200)][2]
        oid = order_id(served, RULED, order["number"])
        events = timeline(served, oid)
        assert events["approval_decided"] == 1, events
        assert (
            served.scalar(
                "SELECT COUNT(*) FROM approval_decision d JOIN approval_step s ON s.id = d.step_id "
                "WHERE s.order_id = :o",
                o=oid,
            )
            == 1
        )
        if winner == "approve":
            assert status_now(served, order["number"]) in ACCEPTED
            assert (events["accepted_on_account"], events["rejected"]) == (1, 0), events
            assert fulfilments(served, oid) == 1
            assert step_statuses(served, oid) == ["approved"]
        else:
            assert status_now(served, order["number"]) == "rejected"
            assert (events["accepted_on_account"], events["rejected"]) == (0, 1), events
            assert fulfilments(served, oid) == 0
            assert step_statuses(served, oid) == ["rejected"]


def test_withdrawing_while_the_approver_approves_ends_the_order_one_way(
    served: Any, fire: Fire, deciders: dict[str, str]
) -> None:
    """Five waiting orders; the buyer withdraws each while the approver approves it."""
    start = credit(served, RULED)["outstanding"]
    orders = waiting_orders(served, fire, 5)
    price = cents(orders[0]["total"])
    assert credit(served, RULED)["outstanding"] == start + 5 * price
    approver = deciders[APPROVER]

    def race(index: int) -> requests.Response:
        order = orders[index // 2]
        if index % 2:
            return decide(served, approver, step_of(order), "approve")
        return served.api(RULED, "POST", f"/orders/{order['number']}/withdraw")

    answers = fire(2 * len(orders), race)
    no_errors(served, answers)
    accepted = 0
    for index, order in enumerate(orders):
        withdrawn, approved = answers[2 * index], answers[2 * index + 1]
        codes = (withdrawn.status_code, approved.status_code)
        assert sorted(codes) == [200, 409], (withdrawn.text[:300], approved.text[:300])
        oid = order_id(served, RULED, order["number"])
        events = timeline(served, oid)
        if withdrawn.status_code == 200:
            assert status_now(served, order["number"]) == "withdrawn"
            assert (events["withdrawn"], events["accepted_on_account"]) == (1, 0), events
            assert fulfilments(served, oid) == 0
            assert step_statuses(served, oid) == ["cancelled"]
        else:
            accepted += 1
            assert status_now(served, order["number"]) in ACCEPTED
            assert (events["withdrawn"], events["accepted_on_account"]) == (0, 1), events
            assert fulfilments(served, oid) == 1
            assert step_statuses(served, oid) == ["approved"]
    # Withdrawn orders gave their amount back to the line; accepted ones keep it.
    assert credit(served, RULED)["outstanding"] == start + accepted * price


def spent_this_month(served: Any, slug: str, buyer: int) -> int:
    """What the buyer ordered on the tenant since the month began (UTC), ended orders
    aside: what the monthly limit counts."""
    start = datetime.now(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    query = sa.text(
        "SELECT COALESCE(SUM(o.total_minor), 0) FROM purchase_order o "
        "JOIN tenant t ON t.id = o.tenant_id WHERE t.slug = :slug AND o.buyer_id = :buyer "
        "AND o.created_at >= :start "
        "AND o.status NOT IN ('cancelled', 'rejected', 'withdrawn', 'refunded')"
    ).bindparams(sa.bindparam("start", type_=sa.DateTime(timezone=True)))
    with served.engine.connect() as conn:
        return int(conn.execute(query, {"slug": slug, "buyer": buyer, "start": start}).scalar())


def test_a_monthly_limit_with_room_for_two_lets_two_of_ten_go_ahead(
    served: Any, fire: Fire
) -> None:
    """Northwind (no rules): ten card orders at once against a monthly limit that leaves
    room for exactly two; card orders take no lock on the credit line, so only the
    spending limit keeps them apart."""
    price, sku = licenses(served, "northwind")[0]
    buyer = user_id(served, BUYER)
    card = served.prepare("card", "northwind", "Bluebird IT")
    room = 2 * price + price // 2
    served.execute(
        "INSERT INTO spending_limit (tenant_id, user_id, per_month_minor) "
        "SELECT id, :buyer, :limit FROM tenant WHERE slug = 'northwind'",
        buyer=buyer,
        limit=spent_this_month(served, "northwind", buyer) + room,
    )
    body = order_body(served, "northwind", sku, 1, {"method": "card", "payment_method": card})
    answers = place(served, fire, "northwind", PARALLEL, body)
    assert [a.status_code for a in answers] == [201] * PARALLEL, [a.text[:300] for a in answers]
    statuses = Counter(
        "waits" if a.json()["status"] == "awaiting_approval" else a.json()["status"]
        for a in answers
    )
    assert statuses["waits"] == PARALLEL - 2, statuses
    assert sum(n for status, n in statuses.items() if status in PAID) == 2, statuses
    for answer in answers:
        order = answer.json()
        if order["status"] == "awaiting_approval":
            assert [s["source"] for s in order["approval"]["pending_steps"]] == ["spending_limit"]
