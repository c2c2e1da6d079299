"""One renewal term paid once, however many times the end customer's form is sent at once.

The end customer's renewal page (a signed link, no login) posted ten times together,
as a double click or several tabs would: localstripe keeps exactly one charge, the
subscription gets exactly one new term and is extended once, and every other answer
is a clear "in progress" or "already renewed", never a 5xx.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
import requests
import stripe
from itsdangerous import URLSafeTimedSerializer

from channelfront.renewals.links import SALT

pytestmark = pytest.mark.slow

PARALLEL = 10  # the page's own rate limit allows ten payments a minute from one address
HOST = "northwind.localhost"
HIDDEN = re.compile(r'name="(csrf_token|term|amount)" value="([^"]*)"')


def renewable_subscription(served) -> tuple[int, int, int, str]:  # type: ignore[no-untyped-def]
    """(tenant id, subscription id, its term index, its end date) of an active Northwind
    subscription whose product has a USD list price."""
    row = served.sql(
        "SELECT s.tenant_id, s.id, s.term_index, s.ends_on FROM subscription s "
        "JOIN tenant t ON t.id = s.tenant_id JOIN product p ON p.id = s.product_id "
        "JOIN list_price lp ON lp.product_id = p.id AND lp.currency = 'USD' "
        "WHERE t.slug = 'northwind' AND s.status = 'active' AND p.active "
        "AND s.term_index = (SELECT coalesce(max(st.term_index), 0) FROM subscription_term st "
        "WHERE st.subscription_id = s.id) ORDER BY s.id LIMIT 1"
    )[0]
    return int(row[0]), int(row[1]), int(row[2]), str(row[3])


def test_a_term_paid_ten_times_at_once_is_charged_and_recorded_once(
    served, localstripe_server: str, fire: Callable[..., list[requests.Response]]
) -> None:
    tenant_id, subscription_id, term_index, ends_on = renewable_subscription(served)
    token = URLSafeTimedSerializer(served.env["SECRET_KEY"], salt=SALT).dumps(
        {"t": tenant_id, "s": subscription_id}
    )
    page = requests.Session()
    shown = page.get(served.url(f"/renew/{token}"), headers={"Host": HOST}, timeout=60)
    assert shown.status_code == 200, shown.text[:500]
    form = dict(HIDDEN.findall(shown.text))
    assert int(form["term"]) == term_index + 1
    form |= {"card_number": "4242 4242 4242 4242", "expiry": "12/39", "cvc": "123"}
    cookies = page.cookies.get_dict()
    stripe_api = stripe.StripeClient(
        "sk_test_x", base_addresses={"api": localstripe_server}, max_network_retries=0
    )
    # localstripe serves the whole session: count only the charges made here.
    earlier = {i.id for i in stripe_api.v1.payment_intents.list(params={"limit": 100}).data}

    answers = fire(
        PARALLEL,
        lambda _i: requests.post(
            served.url(f"/renew/{token}"),
            data=form,
            cookies=cookies,
            headers={"Host": HOST},
            timeout=120,
            allow_redirects=False,
        ),
    )
    statuses = sorted(a.status_code for a in answers)
    assert all(s < 500 for s in statuses), (statuses, served.log_tail())
    # 303 to the paid term (the one that paid, and replays that found it paid), or 409:
    # "being paid right now".
    assert set(statuses) <= {303, 409}, statuses
    assert statuses.count(303) >= 1

    terms = served.sql(
        "SELECT term_index, payment_intent_id FROM subscription_term WHERE subscription_id = :id "
        "AND term_index > :index",
        id=subscription_id,
        index=term_index,
    )
    assert [t[0] for t in terms] == [term_index + 1], terms
    assert (
        served.scalar("SELECT term_index FROM subscription WHERE id = :id", id=subscription_id)
        == term_index + 1
    )
    assert (
        str(served.scalar("SELECT ends_on FROM subscription WHERE id = :id", id=subscription_id))
        > ends_on
    )

    charges = [
        intent
        for intent in stripe_api.v1.payment_intents.list(params={"limit": 100}).data
        if intent.id not in earlier
    ]
    kept = [i for i in charges if i.status == "succeeded"]
    refunds = stripe_api.v1.refunds.list(params={"limit": 100}).data
    refunded = {r.payment_intent for r in refunds}
    assert len([i for i in kept if i.id not in refunded]) == 1, [(i.id, i.status) for i in charges]
    assert terms[0][1] in {i.id for i in kept}
