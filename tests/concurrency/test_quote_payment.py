"""A reseller's quote paid by its end customer, and the margin credit it earns, under
parallel requests, on SQLite and on PostgreSQL.

- The end customer's pay form posted eight times at once (a double click, several tabs):
  one order, one paid payment row, one succeeded charge of the resale total on
  localstripe; every other answer says "already paid" or "being paid", never a 5xx.
- Two checkouts at once, each asking the credit notes for more than the margin note
  holds: the note is never overspent.
- A refund of the customer's payment racing a checkout that spends its margin note:
  the note never goes below zero, and what is left, what is owed and what was spent
  add up to the margin, whichever request wins.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import uuid
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
import stripe

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
PREPARE = ROOT / "tests" / "concurrency" / "prepare_quotes.py"
HOST = "northwind.localhost"
PARALLEL = 8  # under the pay form's own limit of ten a minute from one address
BUYER, ADMIN = "buyer@bluebird.example", "admin@bluebird.example"
FINANCE = "finance@northwind.example"
SKU = "SHD-ENT-1Y"  # Bluebird's own price on Northwind (an override)
HIDDEN = re.compile(r'name="(csrf_token|revision|amount|cart_digest)" value="([^"]*)"')
CUSTOMER = re.compile(r'<option value="(\d+)"')
CARD = {"card_number": "4242 4242 4242 4242", "expiry": "12/39", "cvc": "123"}
Fire = Callable[[int, Callable[[int], requests.Response]], list[requests.Response]]


def paid_quotes(served: Any, quantity: int, count: int) -> list[dict[str, Any]]:
    """``count`` quotes of ``quantity`` x SKU at 20% markup, each paid by its customer."""
    args = ["paid-quotes", "northwind", BUYER, SKU, str(quantity), "20", str(count)]
    done = subprocess.run(
        [sys.executable, str(PREPARE), *args],
        cwd=ROOT,
        env=served.env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


def bluebird(served: Any) -> int:
    return int(served.scalar("SELECT id FROM company WHERE name = 'Bluebird IT'"))


def only_these_notes(served: Any, note_ids: list[int]) -> None:
    """Bluebird's other credit notes on Northwind are emptied (statements of the demo,
    margins of earlier tests), so the checkouts here spend the notes under test."""
    others = served.sql(
        "SELECT n.id FROM credit_note n JOIN tenant t ON t.id = n.tenant_id "
        "WHERE t.slug = 'northwind' AND n.company_id = :company AND n.remaining_minor > 0",
        company=bluebird(served),
    )
    for (note_id,) in others:
        if note_id not in note_ids:
            served.execute("UPDATE credit_note SET remaining_minor = 0 WHERE id = :id", id=note_id)


def unit_price(served: Any) -> int:
    """Bluebird's buy price of one SKU on Northwind, in cents."""
    items = served.api("northwind", "GET", f"/products?q={SKU}").json()["items"]
    [item] = [i for i in items if i["sku"] == SKU]
    return round(float(item["buy_price"]) * 100)


def checkout_form(page: Any, quantity: int) -> dict[str, str]:
    """``page`` (a signed-in browser) puts ``quantity`` x SKU in its cart; the checkout
    form with the credit notes ticked and the rest on account, ready to post."""
    _cart, csrf = page.form("/cart")
    added = page.post(
        "/cart/add", {"csrf_token": csrf, "sku": SKU, "quantity": str(quantity), "term": ""}
    )
    assert added.status_code == 303, added.text[:500]
    html, csrf = page.form("/checkout")
    assert 'name="apply_credit_notes"' in html, "the notes are offered at checkout"
    return {
        "csrf_token": csrf,
        "cart_digest": dict(HIDDEN.findall(html))["cart_digest"],
        "end_customer_choice": "existing",
        "customer_id": CUSTOMER.findall(html)[0],
        "apply_credit_notes": "1",
        "idempotency_key": uuid.uuid4().hex,
        "payment_method": "on_account",
    }


def placed_or_refused(answer: requests.Response) -> None:
    """A checkout answer: the order, the cart (ordered already), or the checkout page
    naming the credit notes that changed; never a 5xx."""
    if answer.status_code == 303 and "/orders/" in answer.headers.get("Location", ""):
        return
    if answer.status_code == 422:
        assert "credit" in answer.text, answer.text[-2000:]
        return
    assert answer.status_code in (302, 303), (answer.status_code, answer.text[-1000:])
    assert answer.headers["Location"].endswith("/cart"), answer.headers["Location"]


def note_books(served: Any, note_ids: list[int]) -> list[tuple[int, int, int, int, str, int]]:
    """Per margin note: (id, amount, remaining, spent by checkouts, its order's status,
    what its reseller owes for it)."""
    rows = served.sql(
        "SELECT n.id, n.amount_minor, n.remaining_minor, "
        "(SELECT coalesce(sum(u.amount_minor), 0) FROM credit_note_use u "
        " WHERE u.credit_note_id = n.id), o.status, "
        "(SELECT coalesce(sum(c.amount_minor), 0) FROM margin_clawback c "
        " WHERE c.credit_note_id = n.id) "
        "FROM credit_note n JOIN purchase_order o ON o.id = n.order_id ORDER BY n.id"
    )
    return [
        (int(n), int(amount), int(left), int(spent), str(status), int(owed))
        for n, amount, left, spent, status, owed in rows
        if n in note_ids
    ]


def assert_books_add_up(served: Any, note_ids: list[int]) -> None:
    for note_id, amount, remaining, spent, status, owed in note_books(served, note_ids):
        assert remaining >= 0, (note_id, remaining)
        assert 0 <= spent <= amount, (note_id, spent, amount)
        if status == "refunded":  # left: voided; spent: owed
            assert (remaining, owed) == (0, spent), (note_id, remaining, owed, spent)
        else:
            assert (remaining + spent, owed) == (amount, 0), (note_id, remaining, spent, owed)


def test_eight_payments_at_once_charge_and_book_once(
    served: Any, localstripe_server: str, fire: Fire
) -> None:
    body = {
        "end_customer": {
            "company_name": "Parallel Pay Ltd",
            "contact_name": "Pat Parallel",
            "email": "pat@parallel.example",
            "country": "US",
        },
        "lines": [{"sku": SKU, "quantity": 3}],
        "pricing": {"mode": "markup", "percent": "25"},
    }
    made = served.api("northwind", "POST", "/quotes", json=body)
    assert made.status_code == 201, made.text[:500]
    number = made.json()["number"]
    sent = served.api("northwind", "POST", f"/quotes/{number}/send")
    assert sent.status_code == 200, sent.text[:500]
    path = urlsplit(sent.json()["customer_url"]).path
    quote_id, resale = served.sql(
        "SELECT id, resale_total_minor FROM quote WHERE number = :n", n=number
    )[0]

    page = requests.Session()
    shown = page.get(served.url(path), headers={"Host": HOST}, timeout=60)
    assert shown.status_code == 200, shown.text[:500]
    form = {**dict(HIDDEN.findall(shown.text)), **CARD}
    assert int(form["amount"]) == resale
    cookies = page.cookies.get_dict()
    stripe_api = stripe.StripeClient(
        "sk_test_x", base_addresses={"api": localstripe_server}, max_network_retries=0
    )
    earlier = {i.id for i in stripe_api.v1.payment_intents.list(params={"limit": 100}).data}

    answers = fire(
        PARALLEL,
        lambda _i: requests.post(
            served.url(f"{path}/pay"),
            data=form,
            cookies=cookies,
            headers={"Host": HOST},
            timeout=120,
            allow_redirects=False,
        ),
    )
    statuses = sorted(a.status_code for a in answers)
    assert all(s < 500 for s in statuses), (statuses, served.log_tail())
    # 303 back to the paid quote (the payment, and those that found it paid), or 409:
    # "being paid right now".
    assert set(statuses) <= {303, 409}, statuses
    told = []
    for answer in answers:
        if answer.status_code == 409:
            assert "being paid right now" in answer.text, answer.text[-1500:]
            continue
        after = requests.get(
            served.url(answer.headers["Location"]),
            cookies={**cookies, **answer.cookies.get_dict()},
            headers={"Host": HOST},
            timeout=60,
        )
        told.append(
            "received"
            if "Your payment was received" in after.text
            else "already"
            if "already paid" in after.text
            else after.text[-1500:]
        )
    assert told.count("received") == 1, told
    assert set(told) <= {"received", "already"}, told

    orders = served.sql(
        "SELECT id, total_minor, payment_method, status FROM purchase_order "
        "WHERE idempotency_key LIKE :key",
        key=f"quote-{quote_id}-revision-%",
    )
    assert len(orders) == 1, orders
    order_id, total, method, status = orders[0]
    assert method == "end_customer_card"
    assert status in ("paid", "fulfilling", "fulfilled", "invoiced")
    payments = served.sql(
        "SELECT state, amount_minor, payment_intent_id FROM quote_payment WHERE quote_id = :q",
        q=quote_id,
    )
    assert [(p[0], p[1]) for p in payments] == [("paid", resale)], payments
    assert served.sql("SELECT status, order_id FROM quote WHERE id = :q", q=quote_id) == [
        ("paid", order_id)
    ]
    assert served.scalar(
        "SELECT amount_minor FROM credit_note WHERE order_id = :o", o=order_id
    ) == resale - int(total)

    charges = [
        i
        for i in stripe_api.v1.payment_intents.list(params={"limit": 100}).data
        if i.id not in earlier
    ]
    refunded = {r.payment_intent for r in stripe_api.v1.refunds.list(params={"limit": 100}).data}
    kept = [i for i in charges if i.status == "succeeded" and i.id not in refunded]
    assert [(i.id, int(i.amount)) for i in kept] == [(payments[0][2], resale)], [
        (i.id, i.status, i.amount) for i in charges
    ]


def test_two_checkouts_at_once_never_overspend_the_margin_note(served: Any, fire: Fire) -> None:
    [paid] = paid_quotes(served, quantity=10, count=1)
    only_these_notes(served, [paid["note_id"]])
    margin = int(paid["margin"])
    price = unit_price(served)
    quantity = margin // price + 1  # each order asks the notes for more than they hold
    assert quantity * price > margin
    # Two people of the company, each with a cart of its own: two real checkouts.
    forms = [
        (page, checkout_form(page, quantity))
        for page in (served.browser("northwind", BUYER), served.browser("northwind", ADMIN))
    ]
    first_new = int(served.scalar("SELECT coalesce(max(id), 0) FROM purchase_order")) + 1

    answers = fire(2, lambda i: forms[i][0].post("/checkout", forms[i][1]))
    assert all(a.status_code < 500 for a in answers), served.log_tail()
    for answer in answers:
        placed_or_refused(answer)

    orders = served.sql(
        "SELECT id, credit_minor FROM purchase_order WHERE id >= :first", first=first_new
    )
    assert orders, [a.status_code for a in answers]
    spent = sum(int(c or 0) for _id, c in orders)
    uses = int(
        served.scalar(
            "SELECT coalesce(sum(amount_minor), 0) FROM credit_note_use WHERE credit_note_id = :n",
            n=paid["note_id"],
        )
    )
    assert spent == uses <= margin
    assert spent == margin  # the first order took all of it, the other none
    assert_books_add_up(served, [paid["note_id"]])


def race(
    finance: Any, buyer: Any, refund_path: str, refund_form: dict, checkout: dict, index: int
) -> requests.Response:
    """The refund (0) or the checkout (1)."""
    if index == 0:
        return finance.post(refund_path, refund_form)
    return buyer.post("/checkout", checkout)


def test_a_refund_racing_a_checkout_that_spends_the_margin(served: Any, fire: Fire) -> None:
    rounds = paid_quotes(served, quantity=10, count=3)
    notes = [int(p["note_id"]) for p in rounds]
    only_these_notes(served, notes)
    buyer = served.browser("northwind", BUYER)
    finance = served.browser("northwind", FINANCE)
    quantity = max(1, int(rounds[0]["margin"]) // unit_price(served) // 2)  # half a margin
    outcomes = []
    for paid in rounds:
        invoice = served.scalar(
            "SELECT number FROM invoice WHERE order_id = :o", o=paid["order_id"]
        )
        _page, refund_csrf = finance.form(f"/invoices/{invoice}")
        form = checkout_form(buyer, quantity)
        refund, checkout = fire(
            2,
            partial(
                race,
                finance,
                buyer,
                f"/payments/orders/{paid['order']}/refund",
                {"csrf_token": refund_csrf, "reason": "race"},
                form,
            ),
        )
        assert refund.status_code == 302, (refund.status_code, served.log_tail())
        assert checkout.status_code < 500, served.log_tail()
        placed_or_refused(checkout)
        assert (
            served.scalar("SELECT status FROM purchase_order WHERE id = :o", o=paid["order_id"])
            == "refunded"
        )
        outcomes.append(
            int(
                served.scalar(
                    "SELECT coalesce(sum(amount_minor), 0) FROM margin_clawback "
                    "WHERE order_id = :o",
                    o=paid["order_id"],
                )
            )
        )
        assert_books_add_up(served, notes)
    # Every refund is done, every margin voided or owed: nothing is left to spend.
    assert sum(r[2] for r in note_books(served, notes)) == 0
    assert all(0 <= owed <= int(p["margin"]) for owed, p in zip(outcomes, rounds, strict=True))
